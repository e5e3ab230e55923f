//! The standalone Python script of a compiled flow: it reads each source with the same options and the
//! column types Cairn resolved, applies the steps with their fitted values baked in, and writes Parquet
//! or CSV. It needs only polars. A flow reading another flow's output carries that flow as functions too.
//!
//! The files it reads are listed once, at the top (`SOURCES`), by the paths the user knows: a file source
//! by its path, a project dataset by the file it was imported from (read as the import read it), so the
//! script runs on another machine once those paths point at copies there.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cairn_types::{Dataset, FileFormat, TextEncoding};
use polars::prelude::Schema;

use crate::compile::{Plan, dataset_path, source_path};
use crate::error::FlowError;
use crate::model::{DatasetRef, SourceFormat};
use crate::ops;
use crate::py;

/// The polars version the exported scripts are tested with.
pub const POLARS_PIN: &str = "1.44.2";

/// The script's file name for a flow: its name with anything but ASCII letters and digits as `_`.
pub fn script_name(flow: &str) -> String {
    let stem: String = flow.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    format!("{stem}.py")
}

/// A flow name as part of a Python identifier.
fn ident(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect()
}

/// Reads a CSV file as Cairn's import reads it (helper emitted when a dataset source needs it).
const READ_AS_IMPORTED: &str = r#"
def read_as_imported(path, types, has_header, encoding, **options):
    """Reads a CSV file as Cairn imported it: every field as text, then each column to its type (numbers and
    booleans may have spaces around them; dates are ISO 8601)."""
    names = list(types)
    if encoding == "utf8":
        df = pl.scan_csv(path, has_header=has_header, new_columns=names, infer_schema=False, **options)
    else:
        with open(path, encoding=encoding) as f:
            text = f.read().encode()
        df = pl.read_csv(text, has_header=has_header, new_columns=names, infer_schema=False, **options).lazy()

    blank = "" in options.get("null_values", [])

    def typed(name, dtype):
        cell = pl.col(name)
        text = cell.str.strip_chars()
        if blank:
            # With the empty marker, a cell of nothing but spaces is missing too.
            cell = pl.when(text == "").then(None).otherwise(cell)
            text = pl.when(text == "").then(None).otherwise(text)
        if dtype == pl.String:
            return cell
        if dtype == pl.Boolean:
            return text.str.to_lowercase().replace_strict({"true": True, "false": False}, return_dtype=pl.Boolean)
        if dtype == pl.Date:
            return text.str.to_date("%Y-%m-%d")
        if isinstance(dtype, pl.Datetime):
            return text.str.to_datetime(time_unit=dtype.time_unit, time_zone=dtype.time_zone)
        return text.cast(dtype)

    return df.with_columns(typed(n, t).alias(n) for n, t in types.items())
"#;

/// One file the script reads: its key in `SOURCES`, its path, a comment, and the Python that reads
/// `SOURCES[key]`.
struct Input {
    key: String,
    path: String,
    note: String,
    read: String,
}

/// What the script needs to know of the project to name the files its sources were read from.
struct Ctx<'a> {
    project: &'a Path,
    /// The project's registry, opened on the first dataset source (None: no project there).
    store: Option<Option<cairn_store::Project>>,
    inputs: Vec<Input>,
    needs_helper: bool,
}

impl Ctx<'_> {
    fn dataset(&mut self, id: &str, version: &str) -> Option<Dataset> {
        let project = self.project;
        let store = self.store.get_or_insert_with(|| cairn_store::Project::open(project).ok()).as_ref()?;
        store.dataset_version(id, version).ok()
    }
}

/// The schema as a Python dict literal of column types.
fn types(schema: &Schema) -> String {
    let t: Vec<String> = schema.iter().map(|(n, t)| format!("{}: {}", py::s(n), py::dtype(t))).collect();
    format!("{{{}}}", t.join(", "))
}

/// BLAKE3 of a file's bytes, as the import records it (None when it cannot be read).
fn digest(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).ok()?;
    let mut hasher = blake3::Hasher::new();
    let mut chunk = vec![0u8; 8 << 20];
    loop {
        let n = f.read(&mut chunk).ok()?;
        if n == 0 {
            return Some(hasher.finalize().to_hex().to_string());
        }
        hasher.update(&chunk[..n]);
    }
}

/// How the script reads a project dataset: from the file it was imported from, with the import's options,
/// when that file is still there as it was; otherwise from Cairn's stored copy, saying why.
fn dataset_input(ctx: &mut Ctx, key: &str, d: &DatasetRef, schema: &Schema) -> Input {
    let copy = dataset_path(ctx.project, &d.version);
    let copy = copy.canonicalize().unwrap_or(copy).to_string_lossy().into_owned();
    let stored =
        |note: String| Input { key: key.into(), path: copy.clone(), note, read: format!("pl.scan_parquet(SOURCES[{}])", py::s(key)) };
    let Some(ds) = ctx.dataset(&d.id, &d.version) else {
        return stored(format!("dataset {} (Cairn's stored copy; the project does not say which file it came from)", d.id));
    };
    let original = PathBuf::from(&ds.source.path);
    let what = format!("dataset {}, imported from this file", ds.name);
    if !original.is_file() {
        return stored(format!("dataset {} (Cairn's copy: {} is gone)", ds.name, ds.source.path));
    }
    if digest(&original).as_deref() != Some(ds.digest.as_str()) {
        return stored(format!("dataset {} (Cairn's copy: {} has changed since it was imported)", ds.name, ds.source.path));
    }
    let path = original.to_string_lossy().into_owned();
    let at = format!("SOURCES[{}]", py::s(key));
    let o = &ds.source.options;
    // Column order and types as the flow saw them; the file's header row is skipped, not trusted (the import
    // trims names and makes blank or repeated ones unique).
    let cols = types(schema);
    let read = match ds.source.format {
        FileFormat::Parquet => format!("pl.scan_parquet({at})"),
        FileFormat::Json => format!("pl.read_json({at}, infer_schema_length=None).lazy().cast({cols})"),
        FileFormat::Ndjson => format!("pl.scan_ndjson({at}, infer_schema_length=None).cast({cols})"),
        FileFormat::Csv => {
            ctx.needs_helper = true;
            let encoding = match o.encoding.unwrap_or_default() {
                TextEncoding::Utf8 => "utf8",
                TextEncoding::Latin1 => "cp1252",
                TextEncoding::Utf16 => "utf-16",
            };
            let quote = match o.quote.as_deref() {
                Some("") => "None".to_string(),
                Some(q) => py::s(q),
                None => py::s("\""),
            };
            let nulls: Vec<String> = match &o.null_values {
                Some(v) => v.clone(),
                None => cairn_types::DEFAULT_NULL_VALUES.iter().map(|s| s.to_string()).collect(),
            };
            format!(
                "read_as_imported({at}, {cols}, has_header={}, encoding={}, separator={}, quote_char={quote}, null_values={})",
                if o.has_header.unwrap_or(true) { "True" } else { "False" },
                py::s(encoding),
                py::s(o.delimiter.as_deref().unwrap_or(",")),
                py::strs(&nulls),
            )
        }
    };
    Input { key: key.into(), path, note: what, read }
}

/// `read_sources_NAME()` and `run_NAME(sources)` for the flow and, first, every flow it reads. `prefix`
/// keeps the `SOURCES` keys of the flows it reads apart from its own.
fn functions(ctx: &mut Ctx, plan: &Plan, prefix: &str, done: &mut BTreeSet<String>, out: &mut String) -> Result<(), FlowError> {
    let flow = &plan.flow;
    if !done.insert(flow.name.clone()) {
        return Ok(());
    }
    let mut subs: Vec<_> = plan.subflows.values().collect();
    subs.sort_by(|a, b| a.flow.name.cmp(&b.flow.name));
    for sub in subs {
        functions(ctx, sub, &format!("{}/", sub.flow.name), done, out)?;
    }
    let id = ident(&flow.name);
    out.push_str(&format!("\ndef read_sources_{id}():\n    \"\"\"The inputs of flow {:?}.\"\"\"\n    return {{\n", flow.name));
    for (s, schema) in flow.sources.iter().zip(&plan.source_schemas) {
        let key = format!("{prefix}{}", s.name);
        let read = if let Some(sub) = &s.flow {
            let sid = ident(sub);
            format!("run_{sid}(read_sources_{sid}())")
        } else if let Some(d) = &s.dataset {
            let input = dataset_input(ctx, &key, d, schema);
            let read = input.read.clone();
            ctx.inputs.push(input);
            read
        } else {
            let path = source_path(ctx.project, s);
            let path = path.canonicalize().unwrap_or(path).to_string_lossy().into_owned();
            let at = format!("SOURCES[{}]", py::s(&key));
            let read = match s.format {
                SourceFormat::Csv => format!(
                    "pl.scan_csv({at}, separator={}, null_values={}, schema={})",
                    py::s(&s.separator),
                    py::strs(&s.null_values),
                    types(schema)
                ),
                SourceFormat::Parquet => format!("pl.scan_parquet({at})"),
            };
            ctx.inputs.push(Input { key, path, note: String::new(), read: read.clone() });
            read
        };
        out.push_str(&format!("        {}: {read},\n", py::s(&s.name)));
    }
    out.push_str(&format!(
        "    }}\n\n\ndef run_{id}(sources):\n    \"\"\"Flow {:?} over its inputs (a dict of LazyFrames); returns a LazyFrame.\"\"\"\n",
        flow.name
    ));
    out.push_str(&format!("    df = sources[{}]\n", py::s(&flow.sources[0].name)));
    for (i, (step, input)) in flow.steps.iter().zip(&plan.step_inputs).enumerate() {
        let Some(schema) = input else { continue };
        let op = ops::find(&step.op).ok_or_else(|| FlowError::UnknownOp { step: i + 1, op: step.op.clone() })?;
        let code = op.python(&step.params, &step.fitted, schema).map_err(|problem| FlowError::Step {
            step: i + 1,
            op: step.op.clone(),
            problem,
        })?;
        out.push_str(&format!("    # step {}: {}\n", i + 1, step.op));
        for line in code.lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
    out.push_str("    return df\n\n");
    Ok(())
}

/// The `SOURCES` dict: every file the script reads, by the paths it had here.
fn sources_block(inputs: &[Input]) -> String {
    let mut s = String::from(
        "# The files this flow reads. To run the script elsewhere, point each path at your copy: it is read\n\
         # with the same options as in Cairn (separator, missing-value markers, column types).\n\
         SOURCES = {\n",
    );
    for i in inputs {
        let note = if i.note.is_empty() { String::new() } else { format!("  # {}", i.note) };
        s.push_str(&format!("    {}: {},{note}\n", py::s(&i.key), py::s(&i.path)));
    }
    s.push_str("}\n");
    s
}

/// The script's text.
pub fn export_python(project: &Path, plan: &Plan) -> Result<String, FlowError> {
    let flow = &plan.flow;
    let mut ctx = Ctx { project, store: None, inputs: Vec::new(), needs_helper: false };
    let mut body = String::new();
    functions(&mut ctx, plan, "", &mut BTreeSet::new(), &mut body)?;
    let mut out = String::new();
    out.push_str("#!/usr/bin/env python3\n");
    out.push_str(&format!(
        "\"\"\"Flow {:?}, exported by Cairn (flow digest {}).\n\nReproduces the flow's output with polars (tested with polars {POLARS_PIN}).\nUsage: python {} [OUT.parquet | OUT.csv]\nThe files it reads are listed in SOURCES below; to run it elsewhere, point them at your copies.\nTo prepare other data the same way, call run(sources) with your own LazyFrames.\n\"\"\"\n",
        flow.name,
        &flow.digest()[..16],
        script_name(&flow.name)
    ));
    out.push_str("import sys\n\nimport polars as pl\n\n");
    out.push_str(&sources_block(&ctx.inputs));
    out.push('\n');
    if ctx.needs_helper {
        out.push_str(READ_AS_IMPORTED);
        out.push('\n');
    }
    out.push_str(&body);
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
