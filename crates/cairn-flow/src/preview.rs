//! Previews for the wrangling page: the flow as it is after a chosen step, on the first rows of its
//! sources, beside the input of that step (which columns it added, changed or removed). A failing step
//! does not blank the page: the preview stops before it and names it with its problem.

use std::path::Path;

use cairn_types::ColumnChange;
use polars::prelude::*;

use crate::compile::{Options, compile};
use crate::error::FlowError;
use crate::model::FlowFile;

/// A flow previewed after some of its steps.
pub struct Preview {
    /// Steps applied (fewer than asked when a step failed).
    pub upto: usize,
    /// The viewed step's input (the output itself when no step is applied).
    pub before: DataFrame,
    pub after: DataFrame,
    /// Per column of `after`, how it relates to `before`.
    pub changes: Vec<ColumnChange>,
    /// Columns of `before` that `after` lacks.
    pub removed: Vec<String>,
    /// The first failing step (1-based) and its problem.
    pub failure: Option<(usize, FlowError)>,
}

/// Errors no step can be blamed for: the preview cannot show anything.
fn whole_flow(e: &FlowError) -> bool {
    matches!(
        e,
        FlowError::BadFile { .. }
            | FlowError::NewerFormat { .. }
            | FlowError::NotFound { .. }
            | FlowError::UnknownOp { .. }
            | FlowError::NewerOp { .. }
            | FlowError::Source { .. }
            | FlowError::Io { .. }
    )
}

/// The last enabled step among the first `n` (1-based), or 0.
fn last_enabled(flow: &FlowFile, n: usize) -> usize {
    flow.steps[..n].iter().rposition(|s| s.enabled).map_or(0, |i| i + 1)
}

fn output(project: &Path, flow: &FlowFile, n: usize, opts: &Options) -> Result<DataFrame, FlowError> {
    let plan = compile(project, flow, &Options { upto: Some(n), ..opts.clone() })?;
    plan.frame.collect().map_err(|e| FlowError::Invalid(e.to_string()))
}

/// Previews `flow` after its first `upto` steps (all when None). `opts.head` and `opts.inputs` say
/// which rows it runs on; fitting steps fit on those rows, and nothing is saved.
pub fn preview(project: &Path, flow: &FlowFile, upto: Option<usize>, opts: &Options) -> Result<Preview, FlowError> {
    flow.check_ops()?;
    let mut n = upto.unwrap_or(flow.steps.len()).min(flow.steps.len());
    let mut failure = None;
    let after = loop {
        match output(project, flow, n, opts) {
            Ok(df) => break df,
            Err(e) if !whole_flow(&e) => {
                // A step's own error names it; an engine error at collect time is the last step's.
                let step = match &e {
                    FlowError::Step { step, .. } if *step <= n => *step,
                    _ => last_enabled(flow, n),
                };
                if step == 0 {
                    return Err(e);
                }
                let e = match e {
                    FlowError::Invalid(m) => {
                        FlowError::Step { step, op: flow.steps[step - 1].op.clone(), problem: crate::error::Problem::Engine(m) }
                    }
                    other => other,
                };
                failure = Some((step, e));
                n = step - 1;
            }
            Err(e) => return Err(e),
        }
    };
    let viewed = last_enabled(flow, n);
    let before = if viewed == 0 { after.clone() } else { output(project, flow, viewed - 1, opts).unwrap_or_else(|_| after.clone()) };
    let (changes, removed) = compare(&before, &after);
    Ok(Preview { upto: n, before, after, changes, removed, failure })
}

/// How each column of `after` relates to `before`: new, of another type or with other values (compared
/// row by row when both have the same rows), or the same.
pub fn compare(before: &DataFrame, after: &DataFrame) -> (Vec<ColumnChange>, Vec<String>) {
    let same_rows = before.height() == after.height();
    let changes = after
        .columns()
        .iter()
        .map(|c| match before.column(c.name()) {
            Err(_) => ColumnChange::Added,
            Ok(b) if b.dtype() != c.dtype() => ColumnChange::Changed,
            Ok(b) if same_rows && !b.as_materialized_series().equals_missing(c.as_materialized_series()) => ColumnChange::Changed,
            Ok(_) => ColumnChange::Same,
        })
        .collect();
    let removed = before.get_column_names().into_iter().filter(|n| after.column(n).is_err()).map(|n| n.to_string()).collect();
    (changes, removed)
}
