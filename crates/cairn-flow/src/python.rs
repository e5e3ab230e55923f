//! The standalone Python script of a compiled flow: it reads each source with the same options and the
//! column types Cairn resolved, applies the steps with their fitted values baked in, and writes Parquet
//! or CSV. It needs only polars. A flow reading another flow's output carries that flow as functions too.

use std::collections::BTreeSet;
use std::path::Path;

use crate::compile::{Plan, source_path};
use crate::error::FlowError;
use crate::model::SourceFormat;
use crate::ops;
use crate::py;

/// The polars version the exported scripts are tested with.
pub const POLARS_PIN: &str = "1.44.2";

/// A flow name as part of a Python identifier.
fn ident(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect()
}

/// `read_sources_NAME()` and `run_NAME(sources)` for the flow and, first, every flow it reads.
fn functions(project: &Path, plan: &Plan, done: &mut BTreeSet<String>, out: &mut String) -> Result<(), FlowError> {
    let flow = &plan.flow;
    if !done.insert(flow.name.clone()) {
        return Ok(());
    }
    for sub in plan.subflows.values() {
        functions(project, sub, done, out)?;
    }
    let id = ident(&flow.name);
    out.push_str(&format!("\ndef read_sources_{id}():\n    \"\"\"The inputs of flow {:?}.\"\"\"\n    return {{\n", flow.name));
    for (s, schema) in flow.sources.iter().zip(&plan.source_schemas) {
        let read = if let Some(sub) = &s.flow {
            let sid = ident(sub);
            format!("run_{sid}(read_sources_{sid}())")
        } else {
            let path = source_path(project, s);
            let path = path.canonicalize().unwrap_or(path);
            match s.format {
                _ if s.dataset.is_some() => format!("pl.scan_parquet({})", py::s(&path.to_string_lossy())),
                SourceFormat::Csv => {
                    let types: Vec<String> = schema.iter().map(|(n, t)| format!("{}: {}", py::s(n), py::dtype(t))).collect();
                    format!(
                        "pl.scan_csv({}, separator={}, null_values={}, schema={{{}}})",
                        py::s(&path.to_string_lossy()),
                        py::s(&s.separator),
                        py::strs(&s.null_values),
                        types.join(", ")
                    )
                }
                SourceFormat::Parquet => format!("pl.scan_parquet({})", py::s(&path.to_string_lossy())),
            }
        };
        out.push_str(&format!("        {}: {read},\n", py::s(&s.name)));
    }
    out.push_str(&format!("    }}\n\n\ndef run_{id}(sources):\n    \"\"\"Flow {:?} over its inputs (a dict of LazyFrames); returns a LazyFrame.\"\"\"\n", flow.name));
    out.push_str(&format!("    df = sources[{}]\n", py::s(&flow.sources[0].name)));
    for (i, (step, input)) in flow.steps.iter().zip(&plan.step_inputs).enumerate() {
        let Some(schema) = input else { continue };
        let op = ops::find(&step.op).ok_or_else(|| FlowError::UnknownOp { step: i + 1, op: step.op.clone() })?;
        let code = op
            .python(&step.params, &step.fitted, schema)
            .map_err(|problem| FlowError::Step { step: i + 1, op: step.op.clone(), problem })?;
        out.push_str(&format!("    # step {}: {}\n", i + 1, step.op));
        for line in code.lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
    out.push_str("    return df\n\n");
    Ok(())
}

/// The script's text.
pub fn export_python(project: &Path, plan: &Plan) -> Result<String, FlowError> {
    let flow = &plan.flow;
    let mut out = String::new();
    out.push_str("#!/usr/bin/env python3\n");
    out.push_str(&format!(
        "\"\"\"Flow {:?}, exported by Cairn (flow digest {}).\n\nReproduces the flow's output with polars (tested with polars {POLARS_PIN}).\nUsage: python {}.py [OUT.parquet | OUT.csv]\nTo prepare other data the same way, call run(sources) with your own LazyFrames.\n\"\"\"\n",
        flow.name,
        &flow.digest()[..16],
        flow.name
    ));
    out.push_str("import sys\n\nimport polars as pl\n\n");
    functions(project, plan, &mut BTreeSet::new(), &mut out)?;
    let id = ident(&flow.name);
    out.push_str(&format!("read_sources = read_sources_{id}\nrun = run_{id}\n\n"));
    out.push_str("\nif __name__ == \"__main__\":\n");
    out.push_str(&format!("    out = sys.argv[1] if len(sys.argv) > 1 else {}\n", py::s(&format!("{}.parquet", flow.name))));
    // The engine Cairn's own run picks for these inputs (the output is the same either way).
    let collect = if plan.streams() { "collect(engine=\"streaming\")" } else { "collect()" };
    out.push_str(&format!("    frame = run(read_sources()).{collect}\n"));
    out.push_str("    if out.endswith(\".csv\"):\n        frame.write_csv(out)\n    else:\n        frame.write_parquet(out)\n");
    Ok(out)
}
