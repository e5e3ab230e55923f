//! Predictions as answers: MLflow's `{"predictions": [...]}` (one record per row, as MLflow answers for
//! a model that returns a frame), or CSV. Numbers are written in their shortest form that reads back
//! to the same bits.

use cairn_ml::{Model, Predicted};

/// A JSON number (null when not finite, as JSON has no NaN).
pub(crate) fn push_f64(out: &mut Vec<u8>, v: f64) {
    if serde_json::to_writer(&mut *out, &v).is_err() {
        out.extend_from_slice(b"null");
    }
}

pub(crate) fn push_str(out: &mut Vec<u8>, s: &str) {
    if serde_json::to_writer(&mut *out, s).is_err() {
        out.extend_from_slice(b"\"\"");
    }
}

/// The column names of an answer: `prediction`, then `proba_<class>` per class.
pub(crate) fn columns(model: &Model, predicted: &Predicted) -> Vec<String> {
    let mut names = vec!["prediction".to_string()];
    if let Predicted::Classes { k, .. } = predicted {
        names.extend(model.classes().iter().take(*k).map(|c| format!("proba_{c}")));
    }
    names
}

/// `{"predictions": [{"prediction": …, "proba_<class>": …}, …]}`.
pub(crate) fn json(model: &Model, predicted: &Predicted) -> Vec<u8> {
    let names = columns(model, predicted);
    let keys: Vec<Vec<u8>> = names
        .iter()
        .map(|n| {
            let mut k = Vec::new();
            push_str(&mut k, n);
            k.push(b':');
            k
        })
        .collect();
    let mut out = Vec::with_capacity(64 + predicted.rows() * 24 * names.len());
    out.extend_from_slice(b"{\"predictions\":[");
    for r in 0..predicted.rows() {
        if r > 0 {
            out.push(b',');
        }
        out.push(b'{');
        out.extend_from_slice(&keys[0]);
        match predicted {
            Predicted::Values(v) => push_f64(&mut out, v[r]),
            Predicted::Classes { labels, proba, k } => {
                push_str(&mut out, &labels[r]);
                for (c, key) in keys.iter().skip(1).enumerate() {
                    out.push(b',');
                    out.extend_from_slice(key);
                    push_f64(&mut out, proba[r * k + c]);
                }
            }
        }
        out.push(b'}');
    }
    out.extend_from_slice(b"]}");
    out
}

fn csv_field(out: &mut Vec<u8>, t: &str) {
    if t.contains([',', '"', '\n', '\r']) {
        out.push(b'"');
        out.extend_from_slice(t.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(t.as_bytes());
    }
}

fn csv_f64(out: &mut Vec<u8>, v: f64) {
    // Rust writes the shortest digits that read back to the same float; a missing value is empty.
    if !v.is_nan() {
        out.extend_from_slice(v.to_string().as_bytes());
    }
}

/// A header line, then one line per row.
pub(crate) fn csv(model: &Model, predicted: &Predicted) -> Vec<u8> {
    let names = columns(model, predicted);
    let mut out = Vec::with_capacity(64 + predicted.rows() * 24 * names.len());
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        csv_field(&mut out, n);
    }
    out.push(b'\n');
    for r in 0..predicted.rows() {
        match predicted {
            Predicted::Values(v) => csv_f64(&mut out, v[r]),
            Predicted::Classes { labels, proba, k } => {
                csv_field(&mut out, &labels[r]);
                for c in 0..names.len() - 1 {
                    out.push(b',');
                    csv_f64(&mut out, proba[r * k + c]);
                }
            }
        }
        out.push(b'\n');
    }
    out
}
