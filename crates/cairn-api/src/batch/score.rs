//! Predicting a chunk with `Model::predict`, the path `cairn predict` takes, so a row gets the very
//! values it gets there. `predict` fails a whole frame on one bad value; the rows known to be bad are
//! left out first, and when it still fails the rows are halved until the failing ones are found, so one
//! bad row costs a few predictions of ever smaller halves, not a prediction per row.

use std::path::Path;

use cairn_flow::{InferenceFlow, ModelFront};
use cairn_ml::{FeatureKind, Model};
use cairn_types::{ApiError, ErrorCode, Task};
use polars::prelude::*;

use super::text::{Bad, fail};

pub(crate) struct Scorer {
    pub model: Model,
    pub kinds: Vec<FeatureKind>,
    /// The flow in front of the model: the input holds raw rows of its source.
    pub flow: Option<InferenceFlow>,
    /// The prediction columns and their types: `prediction`, then `proba_<class>` per class.
    pub outputs: Vec<(String, DataType)>,
}

pub(crate) fn internal(what: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Internal, format!("{what}: {e}"))
}

impl Scorer {
    pub fn load(path: &Path) -> Result<Scorer, ApiError> {
        let model = Model::load(path)?;
        let kinds = model.feature_kinds();
        let flow = ModelFront::beside(path)?.and_then(|f| f.flow().cloned());
        let outputs = match model.task() {
            Task::Classification => std::iter::once(("prediction".to_string(), DataType::String))
                .chain(model.classes().iter().map(|c| (format!("proba_{c}"), DataType::Float64)))
                .collect(),
            Task::Regression => vec![("prediction".to_string(), DataType::Float64)],
        };
        Ok(Scorer { model, kinds, flow, outputs })
    }

    pub fn features(&self) -> &[String] {
        self.model.features()
    }

    /// Whether the input column `name` is read: a column of the flow's source, or a feature.
    pub fn reads(&self, name: &str) -> bool {
        match &self.flow {
            Some(f) => f.columns.iter().any(|c| c.name == name),
            None => self.features().iter().any(|f| f == name),
        }
    }

    /// The input columns that must be there.
    pub fn required(&self) -> Vec<String> {
        match &self.flow {
            Some(f) => f.required().map(str::to_string).collect(),
            None => self.features().to_vec(),
        }
    }

    /// The model's features of a chunk's raw rows, through the flow: the rows in `bad` are left out,
    /// and rows the flow refuses (a value of the wrong type) are found by halving and fail alone.
    pub fn prepare(&self, flow: &InferenceFlow, input: &DataFrame, bad: &mut Bad) -> Result<DataFrame, ApiError> {
        let prepared = |df: &DataFrame| -> Result<DataFrame, ApiError> {
            let out = flow.prepare(df)?;
            out.select(self.features().iter().map(String::as_str)).map_err(|e| internal("the prepared features", e))
        };
        let good: Vec<usize> = (0..input.height()).filter(|r| !bad.contains_key(r)).collect();
        let mut pieces: Vec<(Vec<usize>, DataFrame)> = Vec::new();
        if !good.is_empty() {
            let frame = take(input, &good)?;
            self.prepare_halving(&prepared, &frame, &good, &mut pieces, bad)?;
        }
        // The prepared columns' types: a piece's, or (no row prepared) the flow's over no rows.
        let schema = match pieces.first() {
            Some((_, p)) => p.schema().as_ref().clone(),
            None => prepared(&input.clear())?.schema().as_ref().clone(),
        };
        in_place(pieces, input.height(), &schema)
    }

    fn prepare_halving(
        &self,
        prepared: &dyn Fn(&DataFrame) -> Result<DataFrame, ApiError>,
        frame: &DataFrame,
        rows: &[usize],
        out: &mut Vec<(Vec<usize>, DataFrame)>,
        bad: &mut Bad,
    ) -> Result<(), ApiError> {
        match prepared(frame) {
            Ok(p) => {
                out.push((rows.to_vec(), p));
                Ok(())
            }
            Err(e) if rows.len() == 1 => {
                fail(bad, rows[0], e.message);
                Ok(())
            }
            Err(_) => {
                let mid = rows.len() / 2;
                let (a, b) = (frame.slice(0, mid), frame.slice(mid as i64, rows.len() - mid));
                self.prepare_halving(prepared, &a, &rows[..mid], out, bad)?;
                self.prepare_halving(prepared, &b, &rows[mid..], out, bad)
            }
        }
    }

    /// The predictions of every row of `features` (model columns, any types `predict` reads), empty for
    /// the rows in `bad` and for those `predict` refuses, which are added to `bad` with its reason.
    pub fn predict(&self, features: &DataFrame, bad: &mut Bad) -> Result<Vec<Column>, ApiError> {
        let good: Vec<usize> = (0..features.height()).filter(|r| !bad.contains_key(r)).collect();
        let mut scored: Vec<(Vec<usize>, DataFrame)> = Vec::new();
        if !good.is_empty() {
            let frame = take(features, &good)?;
            self.halve(&frame, &good, &mut scored, bad)?;
        }
        let spread = in_place(scored, features.height(), &self.schema())?;
        let mut cols = Vec::with_capacity(self.outputs.len());
        for (name, dtype) in &self.outputs {
            let c = spread.column(name).map_err(|e| internal("a prediction column", e))?;
            cols.push(if c.dtype() == dtype { c.clone() } else { c.cast(dtype).map_err(|e| internal("a prediction column", e))? });
        }
        Ok(cols)
    }

    fn schema(&self) -> Schema {
        self.outputs.iter().map(|(n, d)| Field::new(n.as_str().into(), d.clone())).collect()
    }

    /// Predicts `frame` (rows `rows` of the chunk), halving it on failure down to single rows.
    fn halve(&self, frame: &DataFrame, rows: &[usize], out: &mut Vec<(Vec<usize>, DataFrame)>, bad: &mut Bad) -> Result<(), ApiError> {
        match self.model.predict(frame) {
            Ok(p) => {
                out.push((rows.to_vec(), p.select(self.outputs.iter().map(|(n, _)| n.as_str())).map_err(|e| internal("predictions", e))?));
                Ok(())
            }
            Err(e) if rows.len() == 1 => {
                fail(bad, rows[0], ApiError::from(e).message);
                Ok(())
            }
            Err(_) => {
                let mid = rows.len() / 2;
                let (a, b) = (frame.slice(0, mid), frame.slice(mid as i64, rows.len() - mid));
                self.halve(&a, &rows[..mid], out, bad)?;
                self.halve(&b, &rows[mid..], out, bad)
            }
        }
    }
}

/// A chunk's pieces (the chunk's rows each holds, in order, and its frame) as one frame in the chunk's
/// row order, of `rows` rows: the rows no piece holds are empty.
pub(crate) fn in_place(pieces: Vec<(Vec<usize>, DataFrame)>, rows: usize, schema: &Schema) -> Result<DataFrame, ApiError> {
    let mut place: Vec<Option<IdxSize>> = vec![None; rows];
    let mut frames = Vec::with_capacity(pieces.len());
    let mut n: IdxSize = 0;
    for (held, df) in pieces {
        for r in held {
            place[r] = Some(n);
            n += 1;
        }
        frames.push(df);
    }
    let mut it = frames.into_iter();
    let mut all = match it.next() {
        None => DataFrame::empty_with_schema(schema),
        Some(mut acc) => {
            for f in it {
                acc.vstack_mut_owned(f).map_err(|e| internal("joining a chunk's pieces", e))?;
            }
            acc
        }
    };
    if all.first_col_n_chunks() > 1 {
        all.rechunk_mut();
    }
    all.take(&IdxCa::from_iter_options("idx".into(), place.into_iter())).map_err(|e| internal("placing rows", e))
}

/// The rows `rows` of `df`, in order.
pub(crate) fn take(df: &DataFrame, rows: &[usize]) -> Result<DataFrame, ApiError> {
    if rows.len() == df.height() {
        return Ok(df.clone());
    }
    let idx = IdxCa::from_vec("idx".into(), rows.iter().map(|&r| r as IdxSize).collect());
    df.take(&idx).map_err(|e| internal("selecting rows", e))
}
