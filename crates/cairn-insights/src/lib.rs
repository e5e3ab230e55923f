//! The insights report: on the full data and for a chosen target, per-column quality (missing,
//! constant, high cardinality, identifiers, skew), duplicate rows, the target's distribution and
//! imbalance, single-feature leakage scores, correlations and VIF, and a cross-validated quick model.
//! Rendered as JSON (`InsightsReport`) and as a self-contained HTML page.
//!
//! Column statistics come from the dataset's profile (cairn-data) and are not recomputed; the quick
//! model is cairn-ml's gradient boosting with its k-fold validation.

mod correlate;
mod error;
mod fmt;
mod html;
mod leakage;
mod quality;
mod quick;
mod target;

use cairn_types::{
    ClassShare, ColumnFlag, ColumnQuality, DType, Duplicates, FlagReason, INSIGHTS_FORMAT, InsightsReport, InsightsRequest, LeftOut,
    Profile, TargetSummary, Task,
};
use polars::prelude::*;

pub use cairn_data::Observer;
pub use error::InsightsError;
pub use html::render_html;

use crate::fmt::{int, num, pct};
use crate::target::{MISSING, Target, Values};

/// The dataset a report is about, as the report names it.
#[derive(Debug, Clone, Copy)]
pub struct DatasetRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub version: &'a str,
}

/// Seed of the folds (leakage and the quick model), so a report is reproducible.
const SEED: u64 = 42;
/// The smallest class under this share of the rows makes the target imbalanced.
const IMBALANCED: f64 = 0.2;

fn check(obs: &dyn Observer) -> Result<(), InsightsError> {
    if obs.cancelled() { Err(InsightsError::Cancelled) } else { Ok(()) }
}

/// Builds the report. `profile` is the dataset's profile (computed on the same frame); progress and
/// cancellation go through `obs`, which is checked between sections and between features.
pub fn report(
    df: &DataFrame,
    profile: &Profile,
    ds: DatasetRef<'_>,
    req: &InsightsRequest,
    obs: &dyn Observer,
) -> Result<InsightsReport, InsightsError> {
    let started = std::time::Instant::now();
    let steps = 5;
    obs.progress("target", 0, steps, "steps");
    let target_profile = profile.columns.iter().find(|c| c.name == req.target);
    let target = target::resolve(df, req, target_profile)?;
    check(obs)?;

    obs.progress("column quality", 1, steps, "steps");
    let mut columns = quality::columns(df, &profile.columns, &target);
    let keys: Vec<String> = columns.iter().filter(|c| has(c, ColumnFlag::Identifier)).map(|c| c.name.clone()).collect();
    check(obs)?;

    obs.progress("duplicates", 2, steps, "steps");
    let duplicates = duplicates(df, profile, &keys)?;
    check(obs)?;

    let leak_progress = |done: u64, total: u64| {
        obs.progress("leakage", done, total, "features");
        !obs.cancelled()
    };
    let leakage = leakage::scores(df, &profile.columns, &keys, &target, SEED, &leak_progress)?;
    check(obs)?;
    for l in &leakage {
        let Some(c) = columns.iter_mut().find(|c| c.name == l.feature) else { continue };
        let shown = if l.metric == "r2" { "R²" } else { "ROC AUC" };
        if l.flagged {
            c.flags.push(FlagReason {
                flag: ColumnFlag::Leakage,
                reason: format!(
                    "alone it predicts the target with {shown} {:.3} on held-out folds: check it is known before the outcome, or leave it out",
                    l.score
                ),
            });
        } else if quality::key_kind_of(c) == Some(quality::Key::Shared) {
            let signal = if l.metric == "r2" { l.score >= 0.02 } else { l.score >= 0.55 };
            if let Some(id) = c.flags.iter_mut().find(|f| f.flag == ColumnFlag::Identifier).filter(|_| signal) {
                id.reason.push_str(&format!(
                    ". Rows sharing a value share outcomes: the key alone scores {shown} {:.2} on held-out rows of the same keys",
                    l.score
                ));
            }
        }
    }

    obs.progress("correlations", 3, steps, "steps");
    let (numeric, left_out) = correlation_columns(&columns, &target);
    let correlations = correlate::correlations(df, &numeric, left_out)?;
    for v in correlations.vif.iter().filter(|v| v.flagged) {
        if let Some(c) = columns.iter_mut().find(|c| c.name == v.column) {
            let reason = match v.vif {
                Some(x) => {
                    format!("VIF {x:.1}: largely explained by the other numeric columns; coefficients of linear models will be unstable")
                }
                None => "an exact linear combination of other numeric columns: drop it or one of them".to_string(),
            };
            c.flags.push(FlagReason { flag: ColumnFlag::Collinear, reason });
        }
    }
    check(obs)?;

    obs.progress("quick model", 0, u64::from(quick::FOLDS), "folds");
    let (features, left) = quick::features(&columns, &target);
    let (quick_model, quick_model_error) = if features.is_empty() {
        (None, Some("no column is usable as a feature".to_string()))
    } else {
        match quick::fit(df, &target, features, left, SEED, obs) {
            Ok(m) => (Some(m), None),
            Err(InsightsError::Cancelled) => return Err(InsightsError::Cancelled),
            Err(e) => (None, Some(e.to_string())),
        }
    };

    let target_summary = summarize_target(&target, target_profile, &columns);
    let mut report = InsightsReport {
        format: INSIGHTS_FORMAT,
        dataset_id: ds.id.into(),
        dataset_name: ds.name.into(),
        version: ds.version.into(),
        rows: df.height() as u64,
        columns_count: df.width() as u64,
        target: target_summary,
        columns,
        duplicates,
        leakage,
        correlations,
        quick_model,
        quick_model_error,
        summary: Vec::new(),
        compute_ms: 0,
    };
    report.summary = summary(&report);
    report.compute_ms = started.elapsed().as_millis() as u64;
    obs.progress("done", steps, steps, "steps");
    Ok(report)
}

pub(crate) fn has(c: &ColumnQuality, f: ColumnFlag) -> bool {
    c.flags.iter().any(|r| r.flag == f)
}

fn duplicates(df: &DataFrame, profile: &Profile, keys: &[String]) -> Result<Duplicates, InsightsError> {
    let rows = df.height().max(1) as f64;
    let rest: Vec<PlSmallStr> = df.get_column_names().into_iter().filter(|c| !keys.iter().any(|k| k == c.as_str())).cloned().collect();
    let ignoring = if keys.is_empty() || rest.is_empty() {
        None
    } else {
        let groups = df.select(rest.clone())?.group_by(rest)?.get_groups().len();
        Some((df.height() - groups) as u64)
    };
    Ok(Duplicates {
        rows: profile.duplicate_rows,
        share: profile.duplicate_rows as f64 / rows,
        rows_ignoring_ids: ignoring,
        ignored: keys.to_vec(),
    })
}

fn correlation_columns(columns: &[ColumnQuality], target: &Target) -> (Vec<String>, Vec<LeftOut>) {
    let (mut use_, mut left) = (Vec::new(), Vec::new());
    for c in columns.iter().filter(|c| matches!(c.dtype, DType::Int | DType::Float | DType::Bool)) {
        let reason = if c.name == target.column {
            Some("the target")
        } else if has(c, ColumnFlag::Identifier) {
            Some("an identifier")
        } else if has(c, ColumnFlag::Empty) || has(c, ColumnFlag::Constant) {
            Some("no variation")
        } else {
            None
        };
        match reason {
            Some(r) => left.push(LeftOut { column: c.name.clone(), reason: r.into() }),
            None => use_.push(c.name.clone()),
        }
    }
    (use_, left)
}

fn summarize_target(t: &Target, profile: Option<&cairn_types::ColumnProfile>, columns: &[ColumnQuality]) -> TargetSummary {
    let rows = t.present as u64;
    let total = match &t.values {
        Values::Classes { y, .. } => y.len(),
        Values::Numbers(v) => v.len(),
    } as u64;
    let mut s = TargetSummary {
        name: t.name.clone(),
        column: t.column.clone(),
        equals: t.equals.clone(),
        task: t.task,
        rows,
        missing: total - rows,
        classes: Vec::new(),
        positive_class: None,
        positive_rate: None,
        imbalance_ratio: None,
        imbalanced: false,
        histogram: None,
        mean: None,
        skewness: None,
    };
    match &t.values {
        Values::Classes { y, labels } => {
            let mut counts = vec![0u64; labels.len()];
            for &c in y.iter().filter(|&&c| c != MISSING) {
                counts[c as usize] += 1;
            }
            let mut classes: Vec<ClassShare> = labels
                .iter()
                .zip(&counts)
                .map(|(l, &n)| ClassShare { value: l.clone(), count: n, share: n as f64 / rows.max(1) as f64 })
                .collect();
            classes.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            let (max, min) = (classes.first().map_or(0, |c| c.count), classes.last().map_or(0, |c| c.count));
            s.imbalance_ratio = (min > 0).then(|| max as f64 / min as f64);
            s.imbalanced = classes.last().is_some_and(|c| c.share < IMBALANCED);
            if let Some(p) = t.positive {
                s.positive_class = Some(labels[p].clone());
                s.positive_rate = Some(counts[p] as f64 / rows.max(1) as f64);
            }
            s.classes = classes;
        }
        Values::Numbers(v) => {
            let present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            s.mean = Some(present.iter().sum::<f64>() / present.len().max(1) as f64);
            s.histogram = profile.and_then(|p| p.histogram.clone());
            s.skewness = columns.iter().find(|c| c.name == t.column).and_then(|c| c.skewness);
        }
    }
    s
}

/// A metric as people write it.
pub(crate) fn metric_name(m: &str) -> &str {
    match m {
        "roc_auc" => "ROC AUC",
        "r2" => "R²",
        other => other,
    }
}

fn names(v: &[&ColumnQuality]) -> String {
    let shown: Vec<&str> = v.iter().take(6).map(|c| c.name.as_str()).collect();
    let more = if v.len() > 6 { format!(" and {} more", v.len() - 6) } else { String::new() };
    format!("{}{more}", shown.join(", "))
}

/// The findings in words, most important first.
fn summary(r: &InsightsReport) -> Vec<String> {
    let mut out = Vec::new();
    let t = &r.target;
    match t.task {
        Task::Classification => {
            let dist = match (&t.positive_class, t.positive_rate) {
                (Some(p), Some(rate)) if t.equals.is_some() => format!("{} is true in {} of {} rows", t.name, pct(rate), int(t.rows)),
                (Some(p), Some(rate)) => format!("{} is '{p}' in {} of {} rows", t.name, pct(rate), int(t.rows)),
                _ => format!("{} has {} classes over {} rows", t.name, t.classes.len(), int(t.rows)),
            };
            let imbalance = match (t.imbalanced, t.imbalance_ratio) {
                (true, Some(ratio)) => format!(
                    ": imbalanced ({ratio:.1} to 1); judge models by ROC or PR AUC rather than accuracy, and keep splits stratified"
                ),
                _ => String::new(),
            };
            out.push(format!("{dist}{imbalance}."));
        }
        Task::Regression => out.push(format!(
            "{} is numeric (mean {}, skewness {}): the report uses regression checks (R²).",
            t.name,
            t.mean.map_or("?".into(), num),
            t.skewness.map_or("?".into(), |s| format!("{s:.1}"))
        )),
    }
    if t.missing > 0 {
        out.push(format!("{} rows have no target value and are left out.", int(t.missing)));
    }
    let flagged = |f: ColumnFlag| r.columns.iter().filter(|c| has(c, f)).collect::<Vec<_>>();
    let leaks = flagged(ColumnFlag::Leakage);
    if leaks.is_empty() {
        out.push("No single feature predicts the target above 0.95 on held-out folds: no sign of leakage.".into());
    } else {
        out.insert(0, format!("Possible target leakage: {} predict(s) the target almost perfectly on their own.", names(&leaks)));
    }
    let ids = flagged(ColumnFlag::Identifier);
    if !ids.is_empty() {
        out.push(format!("Identifiers: {}. Leave them out of the features.", names(&ids)));
    }
    let missing = flagged(ColumnFlag::MostlyMissing);
    if !missing.is_empty() {
        out.push(format!("Mostly missing: {}.", names(&missing)));
    }
    let mut constant = flagged(ColumnFlag::Constant);
    constant.extend(flagged(ColumnFlag::NearConstant));
    if !constant.is_empty() {
        out.push(format!("Constant or nearly so: {}.", names(&constant)));
    }
    let text_numbers = flagged(ColumnFlag::NumericAsText);
    if !text_numbers.is_empty() {
        out.push(format!("Numbers stored as text: {} (a few placeholder values keep them from being numeric).", names(&text_numbers)));
    }
    let high = flagged(ColumnFlag::HighCardinality);
    if !high.is_empty() {
        out.push(format!("High-cardinality text: {}.", names(&high)));
    }
    let d = &r.duplicates;
    match d.rows_ignoring_ids {
        Some(n) if n > d.rows => out.push(format!(
            "{} duplicate rows, and {} when identifiers are ignored (the same record under another key).",
            int(d.rows),
            int(n)
        )),
        _ if d.rows > 0 => out.push(format!("{} duplicate rows ({}).", int(d.rows), pct(d.share))),
        _ => out.push("No duplicate rows.".into()),
    }
    let collinear = flagged(ColumnFlag::Collinear);
    if !collinear.is_empty() {
        out.push(format!("Multicollinear (VIF above 10): {}.", names(&collinear)));
    }
    match (&r.quick_model, &r.quick_model_error) {
        (Some(m), _) => {
            let top: Vec<&str> = m.importances.iter().take(3).map(|i| i.feature.as_str()).collect();
            out.push(format!(
                "Quick model (gradient boosting, {}-fold CV): {} {:.3}; most important: {}.",
                m.folds,
                metric_name(&m.metric),
                m.score,
                top.join(", ")
            ));
        }
        (None, Some(e)) => out.push(format!("The quick model could not be fitted: {e}")),
        _ => {}
    }
    out
}
