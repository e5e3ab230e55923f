//! The outcome of a built-in job run on a cluster, carried home in its log. A remote worker cannot write
//! to the laptop's project, and the log is the one channel every cluster offers (Ray's Jobs API has no
//! file download), so the worker prints its outcome at the end as a delimited, chunked, versioned block:
//!
//! ```text
//! CAIRN-RESULT-BEGIN v1 job=<job id> chunks=<n> bytes=<n> sha1=<hex>
//! CAIRN-RESULT <i> <base64 of ≤ 3072 bytes>
//! CAIRN-RESULT-END v1 job=<job id>
//! ```
//!
//! The payload is a JSON [`RemoteOutcome`]. The laptop finds the block of its own job (a log may hold
//! other text, even another job's block), checks the count, size and hash, and records the outcome.

use serde::{Deserialize, Serialize};

/// Bumped when the block or the outcome changes shape; a reader refuses newer blocks by name.
pub const RESULT_VERSION: u32 = 1;
const BEGIN: &str = "CAIRN-RESULT-BEGIN";
const LINE: &str = "CAIRN-RESULT";
const END: &str = "CAIRN-RESULT-END";
const CHUNK: usize = 3072;

/// One metric point, as the run records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub key: String,
    pub value: f64,
    pub timestamp: i64,
    pub step: i64,
}

/// What a remote built-in training produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteOutcome {
    /// "succeeded" or "failed".
    pub status: String,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub metrics: Vec<Point>,
    #[serde(default)]
    pub params: Vec<(String, String)>,
    /// `evaluation.json`, as written.
    #[serde(default)]
    pub evaluation: Option<serde_json::Value>,
    /// The model file, base64.
    #[serde(default)]
    pub model: Option<String>,
}

/// The block to print at the end of the log.
pub fn encode(job_id: &str, outcome: &RemoteOutcome) -> String {
    let payload = serde_json::to_vec(outcome).unwrap_or_default();
    let sha = sha1_smol::Sha1::from(&payload).digest().to_string();
    let chunks: Vec<&[u8]> = payload.chunks(CHUNK).collect();
    let mut out = format!("{BEGIN} v{RESULT_VERSION} job={job_id} chunks={} bytes={} sha1={sha}\n", chunks.len(), payload.len());
    for (i, c) in chunks.iter().enumerate() {
        out.push_str(&format!("{LINE} {i} {}\n", base64_encode(c)));
    }
    out.push_str(&format!("{END} v{RESULT_VERSION} job={job_id}\n"));
    out
}

/// Where the block of `job_id` starts in `log`, so what precedes it can be shown as the job's log.
pub fn block_start(log: &str, job_id: &str) -> Option<usize> {
    let mut at = 0;
    while let Some(i) = log[at..].find(BEGIN) {
        let start = at + i;
        let line = log[start..].lines().next().unwrap_or("");
        if line.split_whitespace().any(|w| w == format!("job={job_id}")) {
            return Some(start);
        }
        at = start + BEGIN.len();
    }
    None
}

/// The outcome in `log`: None when the block is not there (the job died before printing it), an error
/// when it is there but damaged or from a newer Cairn.
pub fn decode(log: &str, job_id: &str) -> Option<Result<RemoteOutcome, String>> {
    let start = block_start(log, job_id)?;
    let mut lines = log[start..].lines();
    let head: Vec<&str> = lines.next().unwrap_or("").split_whitespace().collect();
    Some((|| {
        let field = |name: &str| head.iter().find_map(|w| w.strip_prefix(&format!("{name}="))).unwrap_or("");
        let version = head.get(1).and_then(|v| v.strip_prefix('v')).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
        if version != RESULT_VERSION {
            return Err(format!("the result block has version {version}; this Cairn reads version {RESULT_VERSION}"));
        }
        let chunks: usize = field("chunks").parse().map_err(|_| "the result block has no chunk count".to_string())?;
        let bytes: usize = field("bytes").parse().map_err(|_| "the result block has no size".to_string())?;
        let sha = field("sha1").to_string();
        let mut payload = Vec::with_capacity(bytes);
        let mut n = 0;
        for line in lines.by_ref() {
            // Ray may interleave its own lines; only ours count.
            if line.starts_with(END) {
                break;
            }
            let Some(rest) = line.strip_prefix(&format!("{LINE} ")) else { continue };
            let (i, data) = rest.split_once(' ').ok_or("a result line is malformed")?;
            if i.parse::<usize>().ok() != Some(n) {
                return Err(format!("result chunk {n} is missing"));
            }
            payload.extend(base64_decode(data.trim()).ok_or("a result chunk is not base64")?);
            n += 1;
        }
        if n != chunks || payload.len() != bytes || sha1_smol::Sha1::from(&payload).digest().to_string() != sha {
            return Err(format!("the result block is incomplete ({n} of {chunks} chunks, {} of {bytes} bytes)", payload.len()));
        }
        serde_json::from_slice(&payload).map_err(|e| format!("the result cannot be read: {e}"))
    })())
}

/// Standard alphabet, padding written; read with or without it, trailing bits ignored (as before).
const B64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

pub fn base64_encode(data: &[u8]) -> String {
    base64::Engine::encode(&B64, data)
}

pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    base64::Engine::decode(&B64, text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_round_trips_among_other_lines_and_damage_is_named() {
        for n in [0usize, 1, 2, 3, 4, 5, 3072, 3073, 10_000] {
            let data: Vec<u8> = (0..n).map(|i| (i * 7 % 256) as u8).collect();
            assert_eq!(base64_decode(&base64_encode(&data)).unwrap(), data);
        }
        let outcome = RemoteOutcome {
            status: "succeeded".into(),
            error: None,
            metrics: vec![Point { key: "auc".into(), value: 0.9, timestamp: 1, step: 3 }],
            params: vec![("a".into(), "b".into())],
            evaluation: Some(serde_json::json!({"x": 1})),
            model: Some(base64_encode(&vec![7u8; 9000])),
        };
        let block = encode("job_1", &outcome);
        let log = format!("training…\n{}{block}tail\n", encode("job_0", &outcome));
        assert_eq!(decode(&log, "job_1").unwrap().unwrap(), outcome);
        assert!(log[..block_start(&log, "job_1").unwrap()].ends_with(&encode("job_0", &outcome)));
        assert!(decode("no block\n", "job_1").is_none());
        let cut: String = block.lines().filter(|l| !l.starts_with("CAIRN-RESULT 2 ")).map(|l| format!("{l}\n")).collect();
        assert!(decode(&cut, "job_1").unwrap().unwrap_err().contains("chunk 2 is missing"));
        let newer = block.replace("BEGIN v1", "BEGIN v9");
        assert!(decode(&newer, "job_1").unwrap().unwrap_err().contains("version 9"));
    }
}
