//! cairn-flow's integration tests: flow files, errors, every operator against its exported Python
//! script (run with real Python polars), and the readmission check path on diabetic_data.csv.

mod diabetic;
mod errors;
mod export;
mod files;
mod leak;

use std::path::{Path, PathBuf};
use std::process::Command;

use cairn_flow::{FlowFile, Source, Step};
use serde_json::Value;

/// The shared data folder beside the repository.
pub fn shared(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(name)
}

/// Python with the pinned polars (the venv is made on first use, from PyPI).
pub fn python() -> PathBuf {
    static PYTHON: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PYTHON.get_or_init(make_venv).clone()
}

fn make_venv() -> PathBuf {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python-venv.sh");
    let out = Command::new("bash").arg(&script).output().expect("run python-venv.sh");
    assert!(out.status.success(), "making the flow venv failed:\n{}", String::from_utf8_lossy(&out.stderr));
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

pub fn csv_source(name: &str, path: &str) -> Source {
    Source::csv(name, path, &[])
}

/// A source that is another flow's output.
pub fn flow_source(name: &str, flow: &str) -> Source {
    Source { flow: Some(flow.into()), ..csv_source(name, "") }
}

pub fn step(op: &str, params: Value) -> Step {
    Step::new(op, params)
}

/// A flow over the fixture's people.csv, with cities.csv and more.csv as further sources.
pub fn people_flow(name: &str, steps: Vec<Step>) -> FlowFile {
    let mut f = FlowFile::new(name, csv_source("people", "people.csv"));
    f.sources.push(csv_source("cities", "cities.csv"));
    f.sources.push(csv_source("more", "more.csv"));
    f.steps = steps;
    f
}

fn people_rows(range: std::ops::Range<usize>) -> String {
    let cities = ["Paris", "Lyon", "Nice", "Lille", "Brest"];
    let mut s = String::from("id,city,age,income,joined,visit,name,code,flag,target,score,month\n");
    for i in range {
        let city = if i % 17 == 0 {
            ""
        } else if i % 50 == 3 {
            "Tiny"
        } else {
            cities[i % 5]
        };
        let age = if i % 13 == 0 { String::new() } else { (18 + (i * 7) % 60).to_string() };
        let income = if i % 11 == 0 {
            String::new()
        } else if i == 5 {
            "99999.0".into()
        } else {
            format!("{}", 1000.5 + ((i * 37) % 101) as f64 * 10.25)
        };
        let day = |k: usize| {
            let d = 1 + k % 28;
            let m = 1 + (k / 28) % 12;
            let y = 2020 + k / 336;
            format!("{d:02}/{m:02}/{y}")
        };
        let joined = if i % 29 == 0 { "not a date".into() } else { day(i * 3) };
        let visit = day(i * 3 + 10 + i % 7);
        let name = format!("\"  Name{i} Surname{} \"", i % 7);
        let code = format!("AB-{}-X{i}", i % 9);
        let flag = if i % 4 == 0 { "yes" } else { "no" };
        let target = u8::from(i % 3 == 0);
        let score = ((i * 13) % 97) as f64 / 7.0;
        let month = 1 + i % 12;
        s.push_str(&format!("{},{city},{age},{income},{joined},{visit},{name},{code},{flag},{target},{score},{month}\n", i + 1));
    }
    s
}

/// Writes people.csv (240 rows with missing values, a rare category, an outlier, a bad date),
/// more.csv (60 more rows of the same shape) and cities.csv into `dir`.
pub fn fixture(dir: &Path) {
    std::fs::write(dir.join("people.csv"), people_rows(0..240)).unwrap();
    std::fs::write(dir.join("more.csv"), people_rows(240..300)).unwrap();
    std::fs::write(
        dir.join("cities.csv"),
        "city,region,pop\nParis,IDF,2100000\nLyon,ARA,520000\nNice,PACA,340000\nMarseille,PACA,870000\n",
    )
    .unwrap();
}
