//! cairn-data against real files: the shared data sets and every kind of bad input.

mod bad_input;
mod import;
mod profile;

use std::path::{Path, PathBuf};

use cairn_data::Observer;

pub fn shared(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(name)
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write fixture");
    p
}

pub struct Quiet;
impl Observer for Quiet {}
