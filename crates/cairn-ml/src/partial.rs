//! Partial dependence: how a model's mean prediction moves when one feature is set to each point of a
//! grid on every sampled row, everything else left as it was. One batch of sample × grid rows goes
//! through the model's own prediction path (its preprocessing, and every member of an ensemble).

use cairn_types::words::{iso_date, iso_minute};
use cairn_types::{PartialDependence, PdKind, PdLine};
use polars::prelude::DataFrame;

use crate::model::Model;
use crate::models::Scores;
use crate::table::{self, MISSING, RawColumn, SourceKind};
use crate::{MlError, split};

/// Rows sampled (seeded) from those given: each is predicted once per grid point.
pub const PD_MAX_ROWS: usize = 500;
/// Grid points: quantiles of a numeric feature, or a text feature's most frequent levels.
pub const PD_MAX_POINTS: usize = 20;

impl Model {
    /// Partial dependence of this model on `feature` over the rows of `frame` (a seeded sample of at
    /// most [`PD_MAX_ROWS`] of them), the grid taken from the frame's values of the feature.
    pub fn partial_dependence(&self, frame: &DataFrame, feature: &str, seed: u64) -> Result<PartialDependence, MlError> {
        let raw = self.read(frame)?;
        let rows: Vec<usize> = (0..frame.height()).collect();
        compute(self, &raw, feature, &rows, seed)
    }
}

/// Partial dependence of `model` on `feature` over `rows` of `raw` (the model's features in order).
pub(crate) fn compute(model: &Model, raw: &[RawColumn], feature: &str, rows: &[usize], seed: u64) -> Result<PartialDependence, MlError> {
    let f = model.features().iter().position(|n| n == feature).ok_or_else(|| MlError::FeatureNotFound {
        name: feature.into(),
        close: table::similar_names(model.features().iter().map(String::as_str), feature),
    })?;
    let kind = model.source_kinds()[f];
    let grid = Grid::of(&raw[f], rows, kind);
    if grid.len() == 0 {
        return Err(MlError::cannot(
            format!("the feature '{feature}' has no values on these rows"),
            "partial dependence needs rows where the feature is present",
        ));
    }
    let mut sample = rows.to_vec();
    if sample.len() > PD_MAX_ROWS {
        split::Rng::new(seed).shuffle(&mut sample);
        sample.truncate(PD_MAX_ROWS);
        sample.sort_unstable();
    }
    let n = sample.len();
    let points = grid.len();
    // Grid-major: block g holds every sampled row with the feature set to grid point g.
    let repeated: Vec<usize> = (0..points).flat_map(|_| sample.iter().copied()).collect();
    let batch: Vec<RawColumn> = raw
        .iter()
        .enumerate()
        .map(|(c, col)| match (c == f, &grid, col) {
            (true, Grid::Numbers(values), _) => RawColumn::Num(values.iter().flat_map(|&v| std::iter::repeat_n(v, n)).collect()),
            (true, Grid::Levels(codes), RawColumn::Text { dict, .. }) => {
                RawColumn::Text { dict: dict.clone(), codes: codes.iter().flat_map(|&c| std::iter::repeat_n(c, n)).collect() }
            }
            _ => col.take(&repeated),
        })
        .collect();
    let means = |score: &dyn Fn(usize) -> f64| -> Vec<f64> {
        (0..points).map(|g| (g * n..(g + 1) * n).map(score).sum::<f64>() / n as f64).collect()
    };
    let lines = match model.scores(&batch, None)? {
        Scores::Values(v) => vec![PdLine { label: model.target().to_string(), values: means(&|r| v[r]) }],
        Scores::Proba { k, p } => {
            let classes = model.classes();
            let shown: Vec<usize> = if k == 2 {
                vec![model.positive_class().and_then(|c| classes.iter().position(|x| x == c)).unwrap_or(1)]
            } else {
                (0..k).collect()
            };
            shown
                .into_iter()
                .map(|c| PdLine { label: classes.get(c).cloned().unwrap_or_else(|| c.to_string()), values: means(&|r| p[r * k + c]) })
                .collect()
        }
    };
    let (kind, grid_values, labels) = match (&grid, &raw[f]) {
        (Grid::Numbers(v), _) => (PdKind::Numeric, v.clone(), v.iter().map(|&x| label(x, kind)).collect()),
        (Grid::Levels(codes), RawColumn::Text { dict, .. }) => {
            (PdKind::Categorical, Vec::new(), codes.iter().map(|&c| dict[c as usize].clone()).collect())
        }
        (Grid::Levels(_), RawColumn::Num(_)) => unreachable!("levels come from text columns"),
    };
    Ok(PartialDependence { feature: feature.to_string(), kind, grid: grid_values, labels, lines, rows: n as u64 })
}

/// The points a feature is set to.
enum Grid {
    /// Distinct observed values, ascending.
    Numbers(Vec<f64>),
    /// Dictionary codes, most frequent first.
    Levels(Vec<u32>),
}

impl Grid {
    /// Up to [`PD_MAX_POINTS`] points from the feature's present values on `rows`.
    fn of(col: &RawColumn, rows: &[usize], kind: SourceKind) -> Grid {
        match col {
            RawColumn::Num(v) => {
                let mut seen: Vec<f64> = rows.iter().map(|&r| v[r]).filter(|x| x.is_finite()).collect();
                seen.sort_unstable_by(f64::total_cmp);
                let mut distinct = seen.clone();
                distinct.dedup();
                if distinct.len() <= PD_MAX_POINTS || kind == SourceKind::Bool {
                    return Grid::Numbers(distinct);
                }
                // Quantiles as observed values (no interpolation), so every point is a value the data has.
                let last = seen.len() - 1;
                let mut q: Vec<f64> =
                    (0..PD_MAX_POINTS).map(|i| seen[(i * last + (PD_MAX_POINTS - 1) / 2) / (PD_MAX_POINTS - 1)]).collect();
                q.dedup();
                Grid::Numbers(q)
            }
            RawColumn::Text { dict, codes } => {
                let mut counts = vec![0usize; dict.len()];
                for &r in rows {
                    if codes[r] != MISSING {
                        counts[codes[r] as usize] += 1;
                    }
                }
                let mut order: Vec<u32> = (0..dict.len() as u32).filter(|&c| counts[c as usize] > 0).collect();
                order.sort_by(|&a, &b| counts[b as usize].cmp(&counts[a as usize]).then_with(|| dict[a as usize].cmp(&dict[b as usize])));
                order.truncate(PD_MAX_POINTS);
                Grid::Levels(order)
            }
        }
    }

    fn len(&self) -> usize {
        match self {
            Grid::Numbers(v) => v.len(),
            Grid::Levels(c) => c.len(),
        }
    }
}

/// A grid value in words, as the column held it.
fn label(x: f64, kind: SourceKind) -> String {
    match kind {
        SourceKind::Bool => (if x != 0.0 { "true" } else { "false" }).into(),
        SourceKind::Date => iso_date(x.floor() as i64),
        SourceKind::Datetime => iso_minute(x as i64),
        SourceKind::Number | SourceKind::Text => format!("{x}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_grids() {
        assert_eq!(label(19_723.0, SourceKind::Date), "2024-01-01");
        assert_eq!(label(1.0, SourceKind::Bool), "true");
        assert_eq!(label(86_400_000.0 + 3_600_000.0 * 13.5, SourceKind::Datetime), "1970-01-02 13:30");
        let col = RawColumn::Num((0..1000).map(f64::from).chain([f64::NAN]).collect());
        let Grid::Numbers(g) = Grid::of(&col, &(0..1001).collect::<Vec<_>>(), SourceKind::Number) else { panic!() };
        assert_eq!(g.len(), PD_MAX_POINTS);
        assert_eq!((g[0], g[PD_MAX_POINTS - 1]), (0.0, 999.0), "from the minimum to the maximum");
    }
}
