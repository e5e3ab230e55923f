//! The report as one self-contained HTML page: inline CSS and SVG charts, no scripts, no network.

use std::fmt::Write;

use cairn_types::{ColumnFlag, InsightsReport, Task};

use cairn_types::words::html_escape as esc;

use crate::fmt::{int, num, pct};

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#1f2328;padding:0 16px}\
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}\
.muted{color:#656d76}table{border-collapse:collapse;width:100%;margin:6px 0}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}\
th{background:#f6f8fa;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}.flag{display:inline-block;padding:0 6px;margin:1px 4px 1px 0;border-radius:9px;font-size:12px;background:#eaeef2}\
.f-leakage,.f-identifier{background:#ffd8d3}.f-mostly_missing,.f-empty,.f-constant{background:#fff1c2}.f-collinear,.f-skewed,.f-high_cardinality,.f-near_constant{background:#ddf4ff}\
ul.summary li{margin:3px 0}svg text{font:12px system-ui,sans-serif;fill:#1f2328}";

/// Horizontal bars: (label, value, text shown), scaled to `max`.
fn bars(rows: &[(String, f64, String, bool)], max: f64) -> String {
    let h = 20;
    let (label_w, bar_w) = (220, 520);
    let height = rows.len() * h + 4;
    let mut s = format!(r#"<svg width="{}" height="{height}" role="img">"#, label_w + bar_w + 90);
    for (i, (label, value, text, hot)) in rows.iter().enumerate() {
        let y = i * h;
        let w = if max > 0.0 { (value.max(0.0) / max * bar_w as f64).round() } else { 0.0 };
        let short: String = label.chars().take(32).collect();
        let color = if *hot { "#cf222e" } else { "#0969da" };
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text><rect x="{label_w}" y="{}" width="{w}" height="{}" fill="{color}" rx="2"/><text x="{}" y="{}">{}</text>"#,
            label_w - 6,
            y + 14,
            esc(&short),
            y + 3,
            h - 6,
            label_w as f64 + w + 6.0,
            y + 14,
            esc(text)
        );
    }
    s.push_str("</svg>");
    s
}

/// Blue for negative, red for positive correlations.
fn heat(r: f64) -> String {
    let a = r.abs().min(1.0);
    let (cr, cg, cb) = if r >= 0.0 { (207.0, 34.0, 46.0) } else { (9.0, 105.0, 218.0) };
    let mix = |c: f64| (255.0 - (255.0 - c) * a).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(cr), mix(cg), mix(cb))
}

fn heatmap(r: &InsightsReport) -> String {
    let c = &r.correlations;
    let p = c.columns.len();
    if p < 2 {
        return "<p class=\"muted\">Fewer than two numeric columns: nothing to correlate.</p>".into();
    }
    let cell = if p > 25 { 14 } else { 22 };
    let label = 190;
    let size = label + p * cell;
    let mut s = format!(r#"<svg width="{}" height="{}" role="img">"#, size + 10, size + 10);
    for (i, name) in c.columns.iter().enumerate() {
        let short: String = name.chars().take(26).collect();
        let _ = write!(s, r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#, label - 4, label + i * cell + cell / 2 + 4, esc(&short));
        let _ = write!(
            s,
            r#"<text transform="translate({},{}) rotate(-60)">{}</text>"#,
            label + i * cell + cell / 2 + 4,
            label - 4,
            esc(&short)
        );
        for j in 0..p {
            let v = c.matrix[i * p + j];
            let fill = v.map_or("#f6f8fa".to_string(), heat);
            let title = v.map_or("no value".to_string(), |v| format!("{v:.3}"));
            let _ = write!(
                s,
                r##"<rect x="{}" y="{}" width="{cell}" height="{cell}" fill="{fill}" stroke="#fff"><title>{} × {}: {title}</title></rect>"##,
                label + j * cell,
                label + i * cell,
                esc(name),
                esc(&c.columns[j])
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Renders the report as a standalone page.
pub fn render_html(r: &InsightsReport) -> String {
    let t = &r.target;
    let mut h = String::with_capacity(64 * 1024);
    let _ = write!(
        h,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Insights: {} → {}</title><style>{STYLE}</style></head><body>",
        esc(&r.dataset_name),
        esc(&t.name)
    );
    let _ = write!(
        h,
        "<h1>Insights: {} → <code>{}</code></h1><p class=\"muted\">{} rows × {} columns · {} · computed in {} ms on the full data · dataset version {}</p>",
        esc(&r.dataset_name),
        esc(&t.name),
        int(r.rows),
        int(r.columns_count),
        if t.task == Task::Classification { "classification" } else { "regression" },
        int(r.compute_ms),
        esc(&r.version[..r.version.len().min(12)])
    );
    h.push_str("<h2>Summary</h2><ul class=\"summary\">");
    for line in &r.summary {
        let _ = write!(h, "<li>{}</li>", esc(line));
    }
    h.push_str("</ul>");

    h.push_str("<h2>Target</h2>");
    if t.task == Task::Classification {
        let max = t.classes.iter().map(|c| c.count as f64).fold(0.0, f64::max);
        let rows: Vec<_> = t
            .classes
            .iter()
            .map(|c| {
                (
                    c.value.clone(),
                    c.count as f64,
                    format!("{} ({})", int(c.count), pct(c.share)),
                    t.positive_class.as_deref() == Some(&c.value),
                )
            })
            .collect();
        h.push_str(&bars(&rows, max));
        if let Some(rate) = t.positive_rate {
            let _ = write!(
                h,
                "<p>Positive class <b>{}</b>: <b>{}</b> of the rows{}.</p>",
                esc(t.positive_class.as_deref().unwrap_or("")),
                pct(rate),
                t.imbalance_ratio.filter(|_| t.imbalanced).map(|x| format!(", imbalanced {x:.1} to 1")).unwrap_or_default()
            );
        }
    } else if let Some(hist) = &t.histogram {
        let max = hist.counts.iter().copied().max().unwrap_or(0) as f64;
        let rows: Vec<_> = hist
            .counts
            .iter()
            .enumerate()
            .map(|(i, &n)| (format!("{} – {}", num(hist.edges[i]), num(hist.edges[i + 1])), n as f64, int(n), false))
            .collect();
        h.push_str(&bars(&rows, max));
    }

    h.push_str("<h2>Flagged columns</h2>");
    let flagged: Vec<_> = r.columns.iter().filter(|c| !c.flags.is_empty()).collect();
    if flagged.is_empty() {
        h.push_str("<p>No column is flagged.</p>");
    } else {
        h.push_str("<table><tr><th>column</th><th>type</th><th>missing</th><th>distinct</th><th>flags and reasons</th></tr>");
        for c in flagged {
            let _ = write!(
                h,
                "<tr><td><b>{}</b></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>",
                esc(&c.name),
                c.dtype.name(),
                pct(c.missing_pct / 100.0),
                int(c.distinct)
            );
            for f in &c.flags {
                let key = flag_key(f.flag);
                let _ = write!(h, "<div><span class=\"flag f-{key}\">{}</span>{}</div>", key.replace('_', " "), esc(&f.reason));
            }
            h.push_str("</td></tr>");
        }
        h.push_str("</table>");
    }

    let d = &r.duplicates;
    let _ = write!(
        h,
        "<h2>Duplicate rows</h2><p>{} rows equal an earlier row ({}).{}</p>",
        int(d.rows),
        pct(d.share),
        d.rows_ignoring_ids.map(|n| format!(" Ignoring the identifiers ({}): {}.", esc(&d.ignored.join(", ")), int(n))).unwrap_or_default()
    );

    let metric = r.leakage.first().map_or("score", |l| if l.metric == "r2" { "R²" } else { "ROC AUC" });
    let _ = write!(
        h,
        "<h2>Leakage: each feature alone</h2><p class=\"muted\">{metric} of a one-feature model on held-out folds; above 0.95 (red) is suspicious. 0.5 is chance for AUC.</p>"
    );
    let rows: Vec<_> = r.leakage.iter().take(25).map(|l| (l.feature.clone(), l.score, format!("{:.3}", l.score), l.flagged)).collect();
    h.push_str(&bars(&rows, 1.0));

    h.push_str("<h2>Correlations</h2>");
    h.push_str(&heatmap(r));
    if !r.correlations.top_pairs.is_empty() {
        h.push_str("<table><tr><th>pair</th><th>r</th></tr>");
        for p in r.correlations.top_pairs.iter().take(10) {
            let _ = write!(h, "<tr><td>{} · {}</td><td class=\"n\">{:.3}</td></tr>", esc(&p.a), esc(&p.b), p.r);
        }
        h.push_str("</table>");
    }
    if !r.correlations.vif.is_empty() {
        h.push_str("<h3>Variance inflation (VIF)</h3><table><tr><th>column</th><th>VIF</th></tr>");
        for v in &r.correlations.vif {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}{}</td></tr>",
                esc(&v.column),
                v.vif.map_or("∞".into(), |x| format!("{x:.2}")),
                if v.flagged { " ⚠" } else { "" }
            );
        }
        h.push_str("</table>");
    }

    h.push_str("<h2>Quick model</h2>");
    match (&r.quick_model, &r.quick_model_error) {
        (Some(m), _) => {
            let _ = write!(
                h,
                "<p>Gradient-boosted trees, {}-fold cross-validation on {} features: <b>{} {:.3}</b> ({:.1} s).</p>",
                m.folds,
                m.features.len(),
                esc(crate::metric_name(&m.metric)),
                m.score,
                m.seconds
            );
            h.push_str("<table><tr>");
            for k in m.metrics.keys() {
                let _ = write!(h, "<th>{}</th>", esc(k));
            }
            h.push_str("</tr><tr>");
            for v in m.metrics.values() {
                let _ = write!(h, "<td class=\"n\">{v:.4}</td>");
            }
            h.push_str("</tr></table>");
            let max = m.importances.iter().map(|i| i.importance).fold(0.0, f64::max);
            let rows: Vec<_> =
                m.importances.iter().take(20).map(|i| (i.feature.clone(), i.importance, format!("{:.3}", i.importance), false)).collect();
            h.push_str("<h3>Feature importance</h3>");
            h.push_str(&bars(&rows, max));
            if !m.left_out.is_empty() {
                let left: Vec<String> = m.left_out.iter().map(|l| format!("{} ({})", esc(&l.column), esc(&l.reason))).collect();
                let _ = write!(h, "<p class=\"muted\">Left out: {}.</p>", left.join(", "));
            }
        }
        (None, Some(e)) => {
            let _ = write!(h, "<p>The quick model could not be fitted: {}</p>", esc(e));
        }
        _ => {}
    }

    h.push_str("<h2>All columns</h2><table><tr><th>column</th><th>type</th><th>missing</th><th>distinct</th><th>top share</th><th>skewness</th></tr>");
    for c in &r.columns {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&c.name),
            c.dtype.name(),
            pct(c.missing_pct / 100.0),
            int(c.distinct),
            c.top_share.map(pct).unwrap_or_default(),
            c.skewness.map(|s| format!("{s:.2}")).unwrap_or_default()
        );
    }
    h.push_str("</table><p class=\"muted\">Made by Cairn.</p></body></html>");
    h
}

fn flag_key(f: ColumnFlag) -> String {
    serde_json::to_value(f).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
}
