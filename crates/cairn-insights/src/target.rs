//! The target as the analyses see it: a class index or a number per row, with the rows that have one.

use cairn_types::{ColumnProfile, InsightsRequest, Task};
use polars::prelude::*;

use crate::error::{InsightsError, close_names};

/// An integer target with at most this many distinct values is taken for classes (as cairn-ml does).
const MAX_INT_CLASSES: u64 = 20;
/// More classes than this is almost surely a mistaken target.
const MAX_CLASSES: usize = 200;

pub(crate) enum Values {
    /// Class index per row (`MISSING` where the target is missing); `labels[i]` names class i.
    Classes { y: Vec<u32>, labels: Vec<String> },
    /// The value per row (NaN where missing).
    Numbers(Vec<f64>),
}

pub(crate) const MISSING: u32 = u32::MAX;

pub(crate) struct Target {
    /// As shown: `readmitted` or `readmitted = <30`.
    pub name: String,
    pub column: String,
    pub equals: Option<String>,
    pub task: Task,
    pub values: Values,
    /// Binary: the index of the class scored (the derived `true`, else the minority class).
    pub positive: Option<usize>,
    /// Rows with a target value.
    pub present: usize,
}

impl Target {
    pub fn is_present(&self, row: usize) -> bool {
        match &self.values {
            Values::Classes { y, .. } => y[row] != MISSING,
            Values::Numbers(v) => !v[row].is_nan(),
        }
    }

    /// The target as a column for training: booleans for a derived target, else the column as is.
    pub fn series(&self, df: &DataFrame) -> Result<Series, InsightsError> {
        match (&self.equals, &self.values) {
            (Some(_), Values::Classes { y, .. }) => Ok(Series::new(
                self.name.as_str().into(),
                y.iter().map(|&c| (c != MISSING).then_some(c == 1)).collect::<Vec<Option<bool>>>(),
            )),
            _ => Ok(df.column(&self.column)?.as_materialized_series().clone()),
        }
    }
}

/// Resolves the request against the frame, refusing a target that cannot be analysed.
pub(crate) fn resolve(df: &DataFrame, req: &InsightsRequest, profile: Option<&ColumnProfile>) -> Result<Target, InsightsError> {
    let col = df.column(&req.target).map_err(|_| InsightsError::TargetNotFound {
        name: req.target.clone(),
        close: close_names(df.get_column_names().into_iter().map(|c| c.as_str()), &req.target),
    })?;
    let s = col.as_materialized_series();
    if df.height() == 0 {
        return Err(InsightsError::NoRows);
    }
    match &req.equals {
        Some(value) => derived(s, &req.target, value, profile),
        None => raw(s, &req.target, req.task),
    }
}

fn as_text(s: &Series) -> Result<Series, InsightsError> {
    Ok(if s.dtype() == &DataType::String { s.clone() } else { s.cast(&DataType::String)? })
}

fn derived(s: &Series, column: &str, value: &str, profile: Option<&ColumnProfile>) -> Result<Target, InsightsError> {
    let name = format!("{column} = {value}");
    if s.null_count() == s.len() {
        return Err(InsightsError::TargetEmpty { name: column.into() });
    }
    let text = as_text(s)?;
    let ca = text.str()?;
    let y: Vec<u32> = ca.iter().map(|v| v.map_or(MISSING, |v| u32::from(v == value))).collect();
    let positives = y.iter().filter(|&&c| c == 1).count();
    let present = y.iter().filter(|&&c| c != MISSING).count();
    if positives == 0 {
        let values = match profile {
            Some(p) if !p.top.is_empty() => p.top.iter().map(|t| t.value.clone()).collect(),
            _ => {
                let mut seen: Vec<String> = ca.iter().flatten().take(10_000).map(String::from).collect();
                seen.sort();
                seen.dedup();
                seen.truncate(10);
                seen
            }
        };
        return Err(InsightsError::ValueNotFound { column: column.into(), value: value.into(), values });
    }
    if positives == present {
        return Err(InsightsError::OneClass { name, class: "true".into() });
    }
    Ok(Target {
        name,
        column: column.into(),
        equals: Some(value.into()),
        task: Task::Classification,
        values: Values::Classes { y, labels: vec!["false".into(), "true".into()] },
        positive: Some(1),
        present,
    })
}

fn raw(s: &Series, column: &str, task: Option<Task>) -> Result<Target, InsightsError> {
    let dtype = s.dtype().clone();
    let numeric = dtype.is_primitive_numeric();
    let text = dtype.is_string() || dtype.is_categorical() || dtype.is_enum() || dtype.is_bool();
    if !numeric && !text {
        return Err(InsightsError::Unusable {
            name: column.into(),
            what: format!("{dtype} values"),
            hint: "choose a target holding labels (text, true/false, whole numbers) or numbers".into(),
        });
    }
    let missing = if dtype.is_float() {
        s.cast(&DataType::Float64)?.f64()?.iter().filter(|v| v.is_none_or(f64::is_nan)).count()
    } else {
        s.null_count()
    };
    if missing == s.len() {
        return Err(InsightsError::TargetEmpty { name: column.into() });
    }
    let task = match task {
        Some(t) => t,
        None if text => Task::Classification,
        None if dtype.is_integer() && s.drop_nulls().n_unique()? as u64 <= MAX_INT_CLASSES => Task::Classification,
        None => Task::Regression,
    };
    let present = s.len() - missing;
    match task {
        Task::Regression => {
            if !numeric {
                return Err(InsightsError::Unusable {
                    name: column.into(),
                    what: "text".into(),
                    hint: "analyse it as classes (task: classification), or choose a numeric target".into(),
                });
            }
            let v: Vec<f64> = s.cast(&DataType::Float64)?.f64()?.iter().map(|v| v.filter(|x| x.is_finite()).unwrap_or(f64::NAN)).collect();
            let (lo, hi) = v.iter().filter(|x| !x.is_nan()).fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
            if lo == hi {
                return Err(InsightsError::OneClass { name: column.into(), class: format!("{lo}") });
            }
            Ok(Target {
                name: column.into(),
                column: column.into(),
                equals: None,
                task,
                values: Values::Numbers(v),
                positive: None,
                present,
            })
        }
        Task::Classification => {
            let (labels, y) = classes(s)?;
            if labels.len() < 2 {
                return Err(InsightsError::OneClass { name: column.into(), class: labels.join("") });
            }
            if labels.len() > MAX_CLASSES {
                return Err(InsightsError::Unusable {
                    name: column.into(),
                    what: format!("{} distinct values", labels.len()),
                    hint: format!(
                        "at most {MAX_CLASSES} classes are analysed: for a number choose regression, or derive a binary target with `column = value`"
                    ),
                });
            }
            let mut counts = vec![0usize; labels.len()];
            for &c in &y {
                if c != MISSING {
                    counts[c as usize] += 1;
                }
            }
            // Binary: score the minority class (on a tie the later one, so 0/1 targets score 1).
            let positive = (labels.len() == 2).then(|| if counts[1] <= counts[0] { 1 } else { 0 });
            Ok(Target {
                name: column.into(),
                column: column.into(),
                equals: None,
                task,
                values: Values::Classes { y, labels },
                positive,
                present,
            })
        }
    }
}

/// The classes (sorted, numerically for numbers) and each row's class index.
fn classes(s: &Series) -> Result<(Vec<String>, Vec<u32>), InsightsError> {
    let dtype = s.dtype().clone();
    if dtype.is_primitive_numeric() || dtype.is_bool() {
        let v: Vec<Option<f64>> = s.cast(&DataType::Float64)?.f64()?.iter().map(|v| v.filter(|x| !x.is_nan())).collect();
        let mut distinct: Vec<f64> = v.iter().flatten().copied().collect();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        let y = v.iter().map(|x| x.map_or(MISSING, |x| distinct.partition_point(|d| d.total_cmp(&x).is_lt()) as u32)).collect();
        let name = |d: &f64| match () {
            _ if dtype.is_bool() => (*d != 0.0).to_string(),
            _ if dtype.is_integer() => format!("{}", *d as i64),
            _ => format!("{d}"),
        };
        return Ok((distinct.iter().map(name).collect(), y));
    }
    let text = as_text(s)?;
    let ca = text.str()?;
    let mut distinct: Vec<&str> = ca.iter().flatten().collect();
    distinct.sort_unstable();
    distinct.dedup();
    let y = ca.iter().map(|v| v.map_or(MISSING, |v| distinct.binary_search(&v).map_or(MISSING, |i| i as u32))).collect();
    Ok((distinct.into_iter().map(String::from).collect(), y))
}
