//! Times each phase of reading a file and profiling it: `cargo run --release --example phases FILE`.
//! A tool for finding where import time goes; the benchmark with peers is `cairn-bench`.

use std::sync::Mutex;
use std::time::Instant;

use cairn_data::Observer;

struct Timeline {
    start: Instant,
    seen: Mutex<Vec<(String, f64)>>,
}

impl Observer for Timeline {
    fn progress(&self, phase: &str, _done: u64, _total: u64, _unit: &str) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.last().is_none_or(|l| l.0 != phase) {
            seen.push((phase.into(), self.start.elapsed().as_secs_f64() * 1e3));
        }
    }
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: phases FILE");
    if std::env::args().any(|a| a == "--experiments") {
        return experiments(&path);
    }
    for _ in 0..3 {
        let tl = Timeline { start: Instant::now(), seen: Mutex::default() };
        let got = cairn_data::read_file(path.as_ref(), &Default::default(), &tl).expect("read");
        let read = tl.start.elapsed().as_secs_f64() * 1e3;
        let mut df = got.frame;
        let dir = std::env::temp_dir().join("cairn-phases.parquet");
        let t = Instant::now();
        cairn_data::write_parquet(&mut df, &dir).expect("parquet");
        let write = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        let p = cairn_data::profile::profile(&df, "d", "v", &tl).expect("profile");
        let prof = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        let json = serde_json::to_vec(&p).expect("json");
        let back: cairn_types::Profile = serde_json::from_slice(&json).expect("parse");
        println!(
            "profile json {} kB, to and from JSON {:.1} ms, estimated_size {:.1} ms ({} MB)",
            json.len() / 1024,
            t.elapsed().as_secs_f64() * 1e3,
            {
                let t = Instant::now();
                let _ = df.estimated_size();
                t.elapsed().as_secs_f64() * 1e3
            },
            df.estimated_size() >> 20
        );
        let _ = back;
        let phases: Vec<String> = tl.seen.lock().unwrap_or_else(|e| e.into_inner()).iter().map(|(n, ms)| format!("{n}@{ms:.0}")).collect();
        println!("read {read:.0} ms [{}], store {write:.0} ms, profile {prof:.0} ms ({} columns)", phases.join(" "), p.columns.len());
    }
}

/// Experiments with polars settings, run with `phases FILE --experiments`.
fn experiments(path: &str) {
    use polars::prelude::*;
    let got = cairn_data::read_file(path.as_ref(), &Default::default(), &NoObs).expect("read");
    let schema = got.frame.schema().clone();
    let bytes = std::fs::read(path).expect("bytes");
    let body = &bytes[bytes.iter().position(|b| *b == b'\n').unwrap_or(0) + 1..];
    for threads in [None, Some(1), Some(2)] {
        let t = Instant::now();
        let c0 = cpu_ms();
        let parse = CsvParseOptions::default()
            .with_null_values(if threads == Some(2) { None } else { Some(NullValues::AllColumns(vec!["?".into(), "".into()])) })
            .with_missing_is_null(true);
        let df = CsvReadOptions::default()
            .with_has_header(false)
            .with_schema(Some(schema.clone()))
            .with_parse_options(parse)
            .with_n_threads(threads)
            .into_reader_with_file_handle(std::io::Cursor::new(body))
            .finish()
            .expect("parse");
        println!(
            "polars parse threads {threads:?}: {:.0} ms wall, {:.0} ms cpu ({} rows)",
            t.elapsed().as_secs_f64() * 1e3,
            cpu_ms() - c0,
            df.height()
        );
    }
    let mut df = got.frame;
    for (name, comp, stats) in [
        ("lz4 + stats", ParquetCompression::Lz4Raw, true),
        ("lz4, no stats", ParquetCompression::Lz4Raw, false),
        ("uncompressed, no stats", ParquetCompression::Uncompressed, false),
        ("snappy, no stats", ParquetCompression::Snappy, false),
    ] {
        let t = Instant::now();
        let f = std::fs::File::create(std::env::temp_dir().join("x.parquet")).expect("f");
        let w = ParquetWriter::new(f).with_compression(comp);
        let w = if stats { w } else { w.with_statistics(StatisticsOptions::empty()) };
        let size = w.finish(&mut df).expect("write");
        println!("parquet {name}: {:.0} ms, {:.1} MB", t.elapsed().as_secs_f64() * 1e3, size as f64 / 1e6);
    }
}

struct NoObs;
impl Observer for NoObs {}

/// This process's CPU time (user + system) in milliseconds.
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let f: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|x| x.parse().ok()).unwrap_or(0.0) + f.get(12).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    ticks * 10.0
}
