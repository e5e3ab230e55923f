//! A run's explainability report as one self-contained HTML page (inline CSS and SVG charts, no
//! scripts, no network): what was trained on what, how well it does on rows it never saw, which features
//! it relies on and how its prediction moves with the most important ones. Every string from the
//! project (names, columns, classes, levels) is escaped.

use std::collections::BTreeMap;
use std::fmt::Write;

use cairn_types::words::{html_escape as esc, iso_minute, thousands};
use cairn_types::{ApiError, AutomlResult, Curve, Evaluation, PartialDependence, PdKind, Run, Task};

use crate::Studio;

impl Studio {
    /// The explainability report of a run that has an evaluation: an AutoML search (with its
    /// leaderboard and ensemble) or one training.
    pub fn run_report(&self, pid: &str, run_id: &str) -> Result<String, ApiError> {
        let run = self.run(pid, run_id)?;
        let evaluation = self.evaluation(pid, run_id)?;
        let automl = self.automl_result(pid, run_id).ok();
        Ok(render(&run, &evaluation, automl.as_ref()))
    }
}

/// A file name for the report of the run named `name`: its letters, digits, `-`, `_` and `.` kept.
pub fn report_file_name(name: &str) -> String {
    let safe: String = name.chars().map(|c| if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '-' }).collect();
    let safe = safe.trim_matches(|c| c == '-' || c == '.');
    format!("{}-report.html", if safe.is_empty() { "run" } else { safe })
}

/// A value for people: whole numbers without decimals, others with up to four significant digits.
fn num(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        let s = thousands(v.abs() as u64);
        return if v < 0.0 { format!("-{s}") } else { s };
    }
    let digits = (3 - v.abs().log10().floor() as i32).clamp(0, 8) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_string() } else { s.chars().take(max - 1).chain(['…']).collect() }
}

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#1f2328;padding:0 16px}\
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}\
h3{font-size:14px;margin:0 0 2px}.muted{color:#656d76}table{border-collapse:collapse;margin:6px 0}\
th,td{text-align:left;padding:4px 10px;border-bottom:1px solid #eaeef2;vertical-align:top}th{background:#f6f8fa;font-weight:600}\
td.n{text-align:right;font-variant-numeric:tabular-nums}table.kv th{background:none;width:170px}code{font-size:13px}\
.grid{display:flex;flex-wrap:wrap;gap:18px}.card{border:1px solid #d0d7de;border-radius:6px;padding:10px 12px}\
.legend span{display:inline-block;margin-right:12px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px}\
svg text{font:11px system-ui,sans-serif;fill:#1f2328}svg .axis{stroke:#8c959f}svg .grid{stroke:#eaeef2}\
@media print{.card{break-inside:avoid}}";

const PALETTE: &[&str] = &["#0969da", "#cf222e", "#1a7f37", "#8250df", "#bc4c00", "#0598bc", "#bf3989", "#6e7781", "#4d2d00", "#116329"];

/// Renders the report of `run` from its evaluation and, for a search, its leaderboard.
pub(crate) fn render(run: &Run, e: &Evaluation, automl: Option<&AutomlResult>) -> String {
    let params: BTreeMap<&str, &str> = run.data.params.iter().map(|p| (p.key.as_str(), p.value.as_str())).collect();
    let tag = |k: &str| run.data.tags.iter().find(|t| t.key == k).map(|t| t.value.as_str());
    let name = &run.info.run_name;
    let target = params.get("target").copied().unwrap_or("the target");
    let dataset = params.get("dataset").copied().or_else(|| tag("cairn.dataset")).unwrap_or("");
    let task = match e.task {
        Task::Classification if e.classes.len() > 2 => format!("multiclass classification ({} classes)", e.classes.len()),
        Task::Classification => "binary classification".to_string(),
        Task::Regression => "regression".to_string(),
    };
    let mut h = String::with_capacity(64 * 1024);
    let _ = write!(
        h,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Explainability report: {}</title><style>{STYLE}</style></head><body>",
        esc(name)
    );
    let _ = write!(
        h,
        "<h1>Explainability report: {}</h1><p class=\"muted\">{} → <b>{}</b> · {} · run <code>{}</code> · started {} UTC</p>",
        esc(name),
        esc(dataset),
        esc(target),
        task,
        esc(&run.info.run_id),
        iso_minute(run.info.start_time)
    );

    h.push_str("<h2>Overview</h2><table class=\"kv\">");
    let mut row = |k: &str, v: String| {
        let _ = write!(h, "<tr><th>{k}</th><td>{v}</td></tr>");
    };
    row("Dataset", esc(dataset));
    let positive = match (&e.positive_class, e.classes.len()) {
        (Some(p), 2) => format!(" (positive class <b>{}</b>)", esc(p)),
        _ => String::new(),
    };
    row("Target", format!("<b>{}</b>{positive}", esc(target)));
    row("Task", task);
    row("Model", model_words(&params, automl));
    if let Some(a) = automl {
        let direction = if a.greater_is_better { "higher is better" } else { "lower is better" };
        let score = a.score.map(|s| format!(" = <b>{s:.4}</b> on the held-out rows")).unwrap_or_default();
        row("Ranking metric", format!("{}{score} ({direction})", esc(&a.metric)));
        let stopped = match a.stopped.as_str() {
            "budget" => "the time budget",
            "trials" => "the trial budget",
            "cancelled" => "a cancel",
            "cluster" => "the cluster going away",
            "exhausted" => "every family converging",
            other => other,
        };
        row("Search", format!("{} trials in {:.1} s, stopped by {}", a.leaderboard.len(), a.seconds, esc(stopped)));
        if let Some(c) = tag("cairn.automl.cluster") {
            row("Trials ran on", format!("the Ray cluster at {} (the ensemble and final fit on this computer)", esc(c)));
        }
        row("Validation", esc(&a.validation));
    } else if let Some(v) = params.get("validation") {
        let size = params.get("test_fraction").map(|f| format!(", test fraction {}", esc(f))).unwrap_or_default();
        let folds = params.get("folds").map(|f| format!(", {} folds", esc(f))).unwrap_or_default();
        row("Validation", format!("{}{size}{folds}", esc(v)));
    }
    match &e.rows {
        Some(r) => row("Rows", esc(&r.summary)),
        None => row("Rows", format!("fitted on {} rows, scored on {}", thousands(e.train_rows), thousands(e.test_rows))),
    }
    if let Some(f) = params.get("features") {
        row("Features", esc(f));
    }
    if e.fit_seconds > 0.0 {
        row("Final fit", format!("{:.1} s", e.fit_seconds));
    }
    h.push_str("</table>");

    h.push_str("<h2>Held-out metrics</h2>");
    let _ = write!(
        h,
        "<p class=\"muted\">On {} rows the model never fitted on.</p><table><tr><th>metric</th><th>value</th></tr>",
        thousands(e.test_rows)
    );
    for (k, v) in &e.metrics {
        let _ = write!(h, "<tr><td>{}</td><td class=\"n\">{v:.4}</td></tr>", esc(k));
    }
    h.push_str("</table>");

    if let Some(a) = automl {
        leaderboard(&mut h, a);
    }
    quality_charts(&mut h, e, target);
    importances(&mut h, e);
    partial_dependence(&mut h, e, target);
    if !e.left_out.is_empty() {
        h.push_str("<h2>Columns left out</h2><table><tr><th>column</th><th>why</th></tr>");
        for c in &e.left_out {
            let _ = write!(h, "<tr><td>{}</td><td>{}</td></tr>", esc(&c.column), esc(&c.reason));
        }
        h.push_str("</table>");
    }
    h.push_str(
        "<h2>How to read this report</h2><ul>\
<li><b>Permutation importance</b>: how much the loss (log loss, or RMSE) grows when one feature's values are shuffled \
across held-out rows, breaking its link with the target. A feature the model does not use scores about 0; two features \
that carry the same information can each look less important than they are.</li>\
<li><b>Partial dependence</b>: the model's mean prediction when a feature is set to each value in turn on a sample of \
held-out rows, everything else unchanged. It shows the direction and shape of a feature's effect as the model learned \
it, averaged over rows: it is not a causal effect, and it can mislead when the feature is strongly tied to others.</li>\
<li>Every figure is measured on rows the model (for a search, the ensemble's models fitted on the first part of the \
data) never saw.</li></ul>",
    );
    let _ = write!(
        h,
        "<p class=\"muted\">Made by Cairn {} from run <code>{}</code>.</p></body></html>",
        env!("CARGO_PKG_VERSION"),
        esc(&run.info.run_id)
    );
    h
}

fn model_words(params: &BTreeMap<&str, &str>, automl: Option<&AutomlResult>) -> String {
    match automl {
        Some(a) if a.ensemble.len() > 1 => {
            let members: Vec<String> = a.ensemble.iter().map(|m| format!("{} {:.0}%", m.model.as_str(), m.weight * 100.0)).collect();
            format!("AutoML: an ensemble of {} models ({})", a.ensemble.len(), members.join(", "))
        }
        Some(a) => format!("AutoML: {}", a.ensemble.first().map_or("its best trial", |m| m.model.as_str())),
        None => esc(params.get("model").copied().unwrap_or("unknown")),
    }
}

fn leaderboard(h: &mut String, a: &AutomlResult) {
    let scored: Vec<_> = a.leaderboard.iter().filter(|t| t.score.is_some()).collect();
    let _ = write!(
        h,
        "<h2>Leaderboard</h2><p class=\"muted\">The best {} of {} trials by {} on held-out rows ({} failed).</p>",
        scored.len().min(10),
        a.leaderboard.len(),
        esc(&a.metric),
        a.leaderboard.len() - scored.len()
    );
    h.push_str("<table><tr><th>#</th><th>trial</th><th>model</th><th>score</th><th>fit (s)</th><th>hyperparameters</th></tr>");
    for (i, t) in scored.iter().take(10).enumerate() {
        let params: Vec<String> = t.params.iter().map(|(k, v)| format!("{}={}", esc(k), esc(&short(v, 16)))).collect();
        let _ = write!(
            h,
            "<tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{:.4}</td><td class=\"n\">{:.2}</td><td><code>{}</code></td></tr>",
            i + 1,
            t.number,
            t.model.as_str(),
            t.score.unwrap_or(f64::NAN),
            t.fit_seconds,
            params.join(" ")
        );
    }
    h.push_str("</table>");
    if !a.ensemble.is_empty() {
        h.push_str(
            "<h2>Ensemble</h2><p class=\"muted\">The final model: these trials refitted on every training row, their \
predictions averaged with these weights.</p><table><tr><th>trial</th><th>model</th><th>weight</th><th></th></tr>",
        );
        for m in &a.ensemble {
            let w = (m.weight * 160.0).round();
            let _ = write!(
                h,
                "<tr><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{:.1}%</td><td><svg width=\"164\" height=\"12\"><rect width=\"{w}\" height=\"12\" rx=\"2\" fill=\"#0969da\"/></svg></td></tr>",
                m.trial,
                m.model.as_str(),
                m.weight * 100.0
            );
        }
        h.push_str("</table>");
    }
}

fn quality_charts(h: &mut String, e: &Evaluation, target: &str) {
    if let Some(c) = &e.confusion
        && c.labels.len() <= 30
    {
        h.push_str("<h2>Confusion matrix</h2><p class=\"muted\">Held-out rows by actual (rows) and predicted (columns) class.</p><table><tr><th>actual ↓ predicted →</th>");
        for l in &c.labels {
            let _ = write!(h, "<th>{}</th>", esc(&short(l, 24)));
        }
        h.push_str("</tr>");
        let max = c.matrix.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
        for (l, row) in c.labels.iter().zip(&c.matrix) {
            let _ = write!(h, "<tr><th>{}</th>", esc(&short(l, 24)));
            for &n in row {
                let a = 0.08 + 0.6 * n as f64 / max;
                let _ = write!(h, "<td class=\"n\" style=\"background:rgba(9,105,218,{a:.2})\">{}</td>", thousands(n));
            }
            h.push_str("</tr>");
        }
        h.push_str("</table>");
    }
    let mut cards = Vec::new();
    if let Some(r) = &e.roc {
        let auc = e.metrics.get("roc_auc").map(|a| format!(" (AUC {a:.4})")).unwrap_or_default();
        cards.push(format!(
            "<div class=\"card\"><h3>ROC curve{auc}</h3>{}</div>",
            curve(r, "false-positive rate", "true-positive rate", true)
        ));
    }
    if let Some(r) = &e.pr {
        cards.push(format!("<div class=\"card\"><h3>Precision–recall curve</h3>{}</div>", curve(r, "recall", "precision", false)));
    }
    if let Some(r) = &e.residuals {
        let chart = Chart {
            xs: &r.x,
            lines: vec![(String::new(), r.y.clone())],
            x_ticks: ticks(&r.x),
            rotate: false,
            join: false,
            diagonal: true,
            x_title: format!("actual {target}"),
            y_title: "predicted".into(),
        };
        cards.push(format!("<div class=\"card\"><h3>Predicted against actual</h3>{}</div>", chart.svg()));
    }
    if !cards.is_empty() {
        let _ = write!(h, "<h2>Quality on held-out rows</h2><div class=\"grid\">{}</div>", cards.concat());
    }
}

fn curve(c: &Curve, x: &str, y: &str, diagonal: bool) -> String {
    let chart = Chart {
        xs: &c.x,
        lines: vec![(String::new(), c.y.clone())],
        x_ticks: [0.0, 0.25, 0.5, 0.75, 1.0].iter().map(|&v| (v, num(v))).collect(),
        rotate: false,
        join: true,
        diagonal,
        x_title: x.into(),
        y_title: y.into(),
    };
    chart.svg()
}

fn importances(h: &mut String, e: &Evaluation) {
    h.push_str("<h2>Global feature importance</h2>");
    if e.importances.is_empty() {
        h.push_str("<p class=\"muted\">This run has no importances.</p>");
        return;
    }
    let what = if e.importance_kind == "permutation" {
        "Permutation importance: the growth of the held-out loss when the feature is shuffled."
    } else {
        "The model's own importance (its splits' gains, or its coefficients' sizes)."
    };
    let shown = &e.importances[..e.importances.len().min(20)];
    let _ = write!(
        h,
        "<p class=\"muted\">{what} {}</p>",
        if e.importances.len() > shown.len() {
            format!("The top {} of {} features.", shown.len(), e.importances.len())
        } else {
            String::new()
        }
    );
    let max = shown.iter().map(|i| i.importance).fold(0.0, f64::max);
    let (label_w, bar_w, row_h) = (230usize, 520usize, 20usize);
    let _ = write!(
        h,
        r#"<svg width="{}" height="{}" role="img" aria-label="feature importance">"#,
        label_w + bar_w + 90,
        shown.len() * row_h + 4
    );
    for (i, imp) in shown.iter().enumerate() {
        let y = i * row_h;
        let w = if max > 0.0 { (imp.importance.max(0.0) / max * bar_w as f64).round() } else { 0.0 };
        let _ = write!(
            h,
            r##"<text x="{}" y="{}" text-anchor="end">{}<title>{}</title></text><rect x="{label_w}" y="{}" width="{w}" height="{}" fill="#0969da" rx="2"/><text x="{}" y="{}">{}</text>"##,
            label_w - 6,
            y + 14,
            esc(&short(&imp.feature, 34)),
            esc(&imp.feature),
            y + 3,
            row_h - 6,
            label_w as f64 + w + 6.0,
            y + 14,
            num(imp.importance)
        );
    }
    h.push_str("</svg>");
}

fn partial_dependence(h: &mut String, e: &Evaluation, target: &str) {
    h.push_str("<h2>Partial dependence</h2>");
    if e.partial_dependence.is_empty() {
        h.push_str("<p class=\"muted\">Not measured for this run (an AutoML search measures it for its most important features).</p>");
        return;
    }
    let what = match (e.task, e.classes.len()) {
        (Task::Regression, _) => format!("the mean predicted {}", esc(target)),
        (_, 2) => format!(
            "the mean probability of {}",
            e.positive_class.as_deref().map_or("the positive class".into(), |p| format!("<b>{}</b>", esc(p)))
        ),
        _ => "the mean probability of each class".to_string(),
    };
    let rows = e.partial_dependence.first().map_or(0, |p| p.rows);
    let _ = write!(
        h,
        "<p class=\"muted\">For the {} most important features: {what} when the feature is set to each value on {} held-out rows.</p><div class=\"grid\">",
        e.partial_dependence.len(),
        thousands(rows)
    );
    for pd in &e.partial_dependence {
        let _ = write!(h, "<div class=\"card\"><h3>{}</h3>{}{}</div>", esc(&pd.feature), pd_chart(pd).svg(), legend(pd));
    }
    h.push_str("</div>");
}

fn pd_chart(pd: &PartialDependence) -> Chart<'_> {
    let lines = pd.lines.iter().map(|l| (l.label.clone(), l.values.clone())).collect();
    match pd.kind {
        PdKind::Numeric => {
            // Ticks at grid points, so dates and booleans read as the column held them.
            let n = pd.grid.len();
            let every = n.div_ceil(5).max(1);
            let mut x_ticks: Vec<(f64, String)> =
                (0..n).step_by(every).map(|i| (pd.grid[i], pd.labels.get(i).cloned().unwrap_or_default())).collect();
            if n > 1 && !(n - 1).is_multiple_of(every) {
                x_ticks.push((pd.grid[n - 1], pd.labels.get(n - 1).cloned().unwrap_or_default()));
            }
            Chart {
                xs: &pd.grid,
                lines,
                x_ticks,
                rotate: false,
                join: true,
                diagonal: false,
                x_title: String::new(),
                y_title: String::new(),
            }
        }
        PdKind::Categorical => Chart {
            xs: &[],
            lines,
            x_ticks: pd.labels.iter().enumerate().map(|(i, l)| (i as f64, l.clone())).collect(),
            rotate: true,
            join: false,
            diagonal: false,
            x_title: String::new(),
            y_title: String::new(),
        },
    }
}

fn legend(pd: &PartialDependence) -> String {
    if pd.lines.len() < 2 {
        return String::new();
    }
    let items: Vec<String> = pd
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| format!("<span><i style=\"background:{}\"></i>{}</span>", PALETTE[i % PALETTE.len()], esc(&short(&l.label, 24))))
        .collect();
    format!("<div class=\"legend\">{}</div>", items.concat())
}

/// Up to five ticks spread over the values' range.
fn ticks(xs: &[f64]) -> Vec<(f64, String)> {
    let (lo, hi) = range(xs.iter().copied());
    (0..5).map(|i| lo + (hi - lo) * i as f64 / 4.0).map(|v| (v, num(v))).collect()
}

/// Ticks on round numbers (steps of 1, 2, 2.5 or 5 times a power of ten), about four of them, within [lo, hi].
fn nice_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let raw = (hi - lo) / 4.0;
    if !(raw.is_finite() && raw > 0.0) {
        return vec![lo];
    }
    let p = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * p).find(|&s| s >= raw).unwrap_or(10.0 * p);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    // Rounded to the step's digits, so 0.30000000000000004 prints as 0.3.
    let digits = (-step.log10().floor()).max(0.0) as i32 + 1;
    let round = |v: f64| (v * 10f64.powi(digits)).round() / 10f64.powi(digits);
    (first..=last).map(|i| round(i as f64 * step)).collect()
}

/// The finite values' range, widened when it is a single point.
fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-12 {
        let pad = (lo.abs() * 0.05).max(0.01);
        return (lo - pad, hi + pad);
    }
    (lo, hi)
}

/// A small chart of lines (or dots) over numeric positions, or over categories when `xs` is empty.
struct Chart<'a> {
    xs: &'a [f64],
    lines: Vec<(String, Vec<f64>)>,
    x_ticks: Vec<(f64, String)>,
    /// Categories: tick labels slanted.
    rotate: bool,
    /// Lines between the points (numbers); dots alone (categories, a scatter).
    join: bool,
    /// The y = x line (ROC's chance, a perfect regression).
    diagonal: bool,
    x_title: String,
    y_title: String,
}

impl Chart<'_> {
    fn svg(&self) -> String {
        let (w, top, left, right) = (340.0, 10.0, 56.0, 14.0);
        let bottom = if self.rotate {
            78.0
        } else if self.x_title.is_empty() {
            26.0
        } else {
            40.0
        };
        let h = 180.0 + bottom;
        let (pw, ph) = (w - left - right, h - top - bottom);
        let categories = self.xs.is_empty();
        let (x0, x1) = if categories { (-0.5, self.x_ticks.len() as f64 - 0.5) } else { range(self.xs.iter().copied()) };
        let all = self.lines.iter().flat_map(|(_, v)| v.iter().copied());
        let (mut y0, mut y1) = if self.diagonal { range(all.chain(self.xs.iter().copied())) } else { range(all) };
        let pad = (y1 - y0) * 0.06;
        (y0, y1) = (y0 - pad, y1 + pad);
        let sx = |x: f64| left + (x - x0) / (x1 - x0) * pw;
        let sy = |y: f64| top + (1.0 - (y - y0) / (y1 - y0)) * ph;
        let mut s = format!(r#"<svg width="{w}" height="{h}" role="img">"#);
        for v in nice_ticks(y0, y1) {
            let y = sy(v);
            let _ = write!(
                s,
                r#"<line class="grid" x1="{left}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
                left + pw,
                left - 4.0,
                y + 4.0,
                num(v)
            );
        }
        let _ = write!(
            s,
            r#"<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{}"/><line class="axis" x1="{left}" x2="{}" y1="{}" y2="{}"/>"#,
            top + ph,
            left + pw,
            top + ph,
            top + ph
        );
        let mut last = f64::NEG_INFINITY;
        for (x, label) in &self.x_ticks {
            let px = sx(*x);
            // A tick too close to the one before would print over it (quantiles crowd where data is dense).
            if !self.rotate && px - last < 34.0 {
                continue;
            }
            last = px;
            let text = esc(&short(label, 14));
            if self.rotate {
                let _ = write!(
                    s,
                    r#"<text transform="translate({:.1},{}) rotate(-40)" text-anchor="end">{text}<title>{}</title></text>"#,
                    px + 3.0,
                    top + ph + 12.0,
                    esc(label)
                );
            } else {
                let anchor = if px > left + pw - 16.0 { "end" } else { "middle" };
                let _ = write!(s, r#"<text x="{px:.1}" y="{}" text-anchor="{anchor}">{text}</text>"#, top + ph + 15.0);
            }
        }
        if !self.x_title.is_empty() {
            let _ = write!(s, r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#, left + pw / 2.0, h - 6.0, esc(&self.x_title));
        }
        if !self.y_title.is_empty() {
            let _ = write!(
                s,
                r#"<text transform="translate(12,{}) rotate(-90)" text-anchor="middle">{}</text>"#,
                top + ph / 2.0,
                esc(&self.y_title)
            );
        }
        if self.diagonal {
            let (a, b) = (y0.max(x0), y1.min(x1));
            let _ = write!(
                s,
                r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#8c959f" stroke-dasharray="4 3"/>"##,
                sx(a),
                sy(a),
                sx(b),
                sy(b)
            );
        }
        for (i, (label, values)) in self.lines.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let points: Vec<(usize, f64, f64)> = values
                .iter()
                .enumerate()
                .map(|(j, &v)| (j, if categories { j as f64 } else { self.xs.get(j).copied().unwrap_or(f64::NAN) }, v))
                .filter(|(_, x, y)| x.is_finite() && y.is_finite())
                .collect();
            if self.join {
                let path: Vec<String> = points.iter().map(|(_, x, y)| format!("{:.1},{:.1}", sx(*x), sy(*y))).collect();
                let _ = write!(s, r#"<polyline fill="none" stroke="{color}" stroke-width="2" points="{}"/>"#, path.join(" "));
            }
            // Dots on a short line (a grid), alone for categories and scatters; a long curve has none.
            if !self.join || points.len() <= 40 {
                let r = if self.join {
                    2.5
                } else if categories {
                    4.0
                } else {
                    2.0
                };
                let opacity = if categories || self.join { 1.0 } else { 0.45 };
                for &(j, x, y) in &points {
                    let tip = match (categories, self.x_ticks.get(j)) {
                        (true, Some((_, l))) => esc(l),
                        _ => num(x),
                    };
                    let who = if label.is_empty() { String::new() } else { format!("{}: ", esc(label)) };
                    let _ = write!(
                        s,
                        r#"<circle cx="{:.1}" cy="{:.1}" r="{r}" fill="{color}" fill-opacity="{opacity}"><title>{who}{tip} → {}</title></circle>"#,
                        sx(x),
                        sy(y),
                        num(y)
                    );
                }
            }
        }
        s.push_str("</svg>");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers() {
        assert_eq!(report_file_name("automl-class"), "automl-class-report.html");
        assert_eq!(report_file_name("a/b \"c\""), "a-b--c-report.html");
        assert_eq!(report_file_name("../"), "run-report.html");
        assert_eq!(num(0.123456), "0.1235");
        assert_eq!(num(1234.25), "1234");
        assert_eq!(num(12.3456), "12.35");
        assert_eq!(num(-3.0), "-3");
        assert_eq!(nice_ticks(0.03, 0.97), [0.25, 0.5, 0.75]);
        assert_eq!(nice_ticks(0.1, 0.3), [0.1, 0.15, 0.2, 0.25, 0.3]);
        assert_eq!(nice_ticks(-2.0, 11.0), [0.0, 5.0, 10.0]);
        assert_eq!(esc("<b>x</b> & 'y'"), "&lt;b&gt;x&lt;/b&gt; &amp; &#39;y&#39;");
    }
}
