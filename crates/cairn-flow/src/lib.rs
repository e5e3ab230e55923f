//! Flows: a serializable, versioned list of wrangling steps (`flows/NAME.flow.json`) compiled to one
//! polars LazyFrame — describe, then execute. Steps that learn from data (imputation, encodings,
//! scaling, bins) fit on the train rows and keep what they learned in the file, so the same flow later
//! prepares inference inputs. A flow also exports as a standalone Python (polars) script.

mod catalog;
mod charts;
mod compile;
mod error;
mod model;
mod ops;
mod preview;
mod py;
mod python;
mod run;
mod serving;

pub use catalog::{catalog, missing_from_catalog};
pub use charts::chart;
pub use compile::{Options, Plan, compile, dataset_path, read_source, source_path};
pub use error::{FlowError, Problem};
pub use model::{DatasetRef, FORMAT, FlowFile, Source, SourceFormat, Step, flow_path, load, remove, rename, save};
pub use polars::prelude::DataFrame;
pub use preview::{Preview, preview};
pub use python::{POLARS_PIN, export_python, script_name};
pub use run::{Lineage, Output, RunReport, execute, flow_of_output, lineage, outputs_dir, run, write};
pub use serving::{INFERENCE_FLOW_FILE, InferenceFlow, InputColumn, ModelFront};

/// An operator as listed for people and the UI.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OpInfo {
    pub name: &'static str,
    pub version: u32,
    pub fits: bool,
    pub doc: &'static str,
}

/// Every operator this Cairn knows.
pub fn operators() -> Vec<OpInfo> {
    ops::all().iter().map(|o| OpInfo { name: o.name(), version: o.version(), fits: o.fits(), doc: o.doc() }).collect()
}
