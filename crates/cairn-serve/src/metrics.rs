//! Per-variant metrics recorded without locks: request and error counts, and latency in fixed
//! logarithmic buckets, for `/metrics` (Prometheus text) and `/_cairn/stats` (the studio's charts).
//! Metrics are kept by variant name, so a reload that keeps a variant keeps its history.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cairn_types::{EndpointStats, StatsSecond, VariantStats};

use crate::endpoint::{Endpoint, Served};

/// Latency buckets per doubling: totals to within 9 %, each second to within 19 % (it keeps 600).
const TOTAL_STEPS: u32 = 8;
const SECOND_STEPS: u32 = 4;
/// Buckets cover 1 µs to 2^27 µs (134 s); one more holds everything slower.
const OCTAVES: u32 = 27;
/// Seconds of history for the charts.
const WINDOW: i64 = 600;
/// Statuses counted one by one; others are counted together.
const STATUSES: [u16; 8] = [400, 404, 406, 413, 415, 422, 500, 503];

/// Counts per logarithmic latency bucket: bucket 0 holds up to 1 µs, bucket i up to 2^(i/steps) µs.
struct Hist {
    steps: u32,
    counts: Box<[AtomicU64]>,
}

impl Hist {
    fn new(steps: u32) -> Hist {
        Hist { steps, counts: (0..steps * OCTAVES + 2).map(|_| AtomicU64::new(0)).collect() }
    }

    fn record(&self, micros: f64) {
        let last = self.counts.len() - 1;
        let i = if micros > 1.0 { ((micros.log2() * self.steps as f64).ceil() as usize).min(last) } else { 0 };
        self.counts[i].fetch_add(1, Relaxed);
    }

    fn snapshot(&self) -> Vec<u64> {
        self.counts.iter().map(|c| c.load(Relaxed)).collect()
    }

    fn clear(&self) {
        self.counts.iter().for_each(|c| c.store(0, Relaxed));
    }
}

/// The upper bound of bucket `i` in microseconds (infinite for the last).
fn upper(i: usize, steps: u32, buckets: usize) -> f64 {
    if i + 1 >= buckets { f64::INFINITY } else { (i as f64 / steps as f64).exp2() }
}

/// The `q` quantile in milliseconds, interpolated inside its bucket; None without observations.
fn quantile(counts: &[u64], steps: u32, q: f64) -> Option<f64> {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return None;
    }
    let rank = (q * total as f64).ceil().max(1.0);
    let mut below = 0u64;
    for (i, &c) in counts.iter().enumerate() {
        if c > 0 && (below + c) as f64 >= rank {
            let lo = if i == 0 { 0.0 } else { upper(i - 1, steps, counts.len()) };
            let hi = upper(i, steps, counts.len());
            let micros = if hi.is_finite() { lo + (hi - lo) * ((rank - below as f64) / c as f64) } else { lo };
            return Some(micros / 1000.0);
        }
        below += c;
    }
    None
}

/// One second of traffic in the ring of the last `WINDOW` seconds.
struct Slot {
    second: AtomicI64,
    requests: AtomicU64,
    errors: AtomicU64,
    latency: Hist,
}

/// One variant's counters.
pub(crate) struct VariantMetrics {
    requests: AtomicU64,
    errors: AtomicU64,
    /// Per `STATUSES`, then the others.
    by_status: [AtomicU64; STATUSES.len() + 1],
    latency_nanos: AtomicU64,
    latency: Hist,
    captured: AtomicU64,
    capture_errors: AtomicU64,
    seconds: Box<[Slot]>,
}

impl VariantMetrics {
    fn new() -> VariantMetrics {
        VariantMetrics {
            requests: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            by_status: Default::default(),
            latency_nanos: AtomicU64::new(0),
            latency: Hist::new(TOTAL_STEPS),
            captured: AtomicU64::new(0),
            capture_errors: AtomicU64::new(0),
            seconds: (0..WINDOW)
                .map(|_| Slot {
                    second: AtomicI64::new(i64::MIN),
                    requests: AtomicU64::new(0),
                    errors: AtomicU64::new(0),
                    latency: Hist::new(SECOND_STEPS),
                })
                .collect(),
        }
    }

    /// Counts one answered request. `now_ms`: milliseconds since the Unix epoch.
    pub fn record(&self, status: u16, elapsed: Duration, now_ms: i64) {
        let micros = elapsed.as_secs_f64() * 1e6;
        let error = status >= 400;
        self.requests.fetch_add(1, Relaxed);
        self.latency_nanos.fetch_add(elapsed.as_nanos().min(u64::MAX as u128) as u64, Relaxed);
        self.latency.record(micros);
        if error {
            self.errors.fetch_add(1, Relaxed);
            let i = STATUSES.iter().position(|&s| s == status).unwrap_or(STATUSES.len());
            self.by_status[i].fetch_add(1, Relaxed);
        }
        let slot = self.slot(now_ms.div_euclid(1000));
        slot.requests.fetch_add(1, Relaxed);
        if error {
            slot.errors.fetch_add(1, Relaxed);
        }
        slot.latency.record(micros);
    }

    pub fn captured(&self, ok: bool) {
        if ok { &self.captured } else { &self.capture_errors }.fetch_add(1, Relaxed);
    }

    /// The ring slot of `second`, cleared when it last held an older second. A count racing with the
    /// clearing at the start of a second can be lost from that second's point (never from the totals).
    fn slot(&self, second: i64) -> &Slot {
        let slot = &self.seconds[second.rem_euclid(WINDOW) as usize];
        let held = slot.second.load(Relaxed);
        if held < second && slot.second.compare_exchange(held, second, Relaxed, Relaxed).is_ok() {
            slot.requests.store(0, Relaxed);
            slot.errors.store(0, Relaxed);
            slot.latency.clear();
        }
        slot
    }

    fn errors_by_status(&self) -> BTreeMap<String, u64> {
        let names = STATUSES.iter().map(|s| s.to_string()).chain(std::iter::once("other".to_string()));
        names.zip(&self.by_status).map(|(n, c)| (n, c.load(Relaxed))).filter(|(_, c)| *c > 0).collect()
    }

    /// Points for the seconds from `from` to `to` (inclusive).
    fn series(&self, from: i64, to: i64) -> Vec<StatsSecond> {
        (from..=to)
            .map(|t| {
                let slot = &self.seconds[t.rem_euclid(WINDOW) as usize];
                if slot.second.load(Relaxed) != t {
                    return StatsSecond { t, requests: 0, errors: 0, p50_ms: None, p99_ms: None };
                }
                let counts = slot.latency.snapshot();
                StatsSecond {
                    t,
                    requests: slot.requests.load(Relaxed),
                    errors: slot.errors.load(Relaxed),
                    p50_ms: quantile(&counts, SECOND_STEPS, 0.5),
                    p99_ms: quantile(&counts, SECOND_STEPS, 0.99),
                }
            })
            .collect()
    }
}

/// Every variant's metrics by name, and the requests no variant answered.
#[derive(Default)]
pub(crate) struct Metrics {
    variants: Mutex<HashMap<String, Arc<VariantMetrics>>>,
    pub unauthorized: AtomicU64,
}

impl Metrics {
    /// The metrics of the variant called `name`, created on first use.
    pub fn variant(&self, name: &str) -> Arc<VariantMetrics> {
        let mut map = match self.variants.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        map.entry(name.to_string()).or_insert_with(|| Arc::new(VariantMetrics::new())).clone()
    }
}

/// The studio's view: totals and the last 10 minutes per second of each variant served now.
pub(crate) fn stats(ep: &Endpoint, served: &Served, now_ms: i64) -> EndpointStats {
    let now_s = now_ms.div_euclid(1000);
    let from = (now_s - WINDOW + 1).max(ep.started_at.div_euclid(1000));
    let variants = served
        .variants
        .iter()
        .map(|v| {
            let m = &v.metrics;
            let counts = m.latency.snapshot();
            VariantStats {
                name: v.name.clone(),
                model: v.model_name.clone(),
                version: v.version,
                weight: v.weight,
                requests: m.requests.load(Relaxed),
                errors: m.errors.load(Relaxed),
                errors_by_status: m.errors_by_status(),
                p50_ms: quantile(&counts, TOTAL_STEPS, 0.5),
                p95_ms: quantile(&counts, TOTAL_STEPS, 0.95),
                p99_ms: quantile(&counts, TOTAL_STEPS, 0.99),
                captured: m.captured.load(Relaxed),
                series: m.series(from, now_s),
            }
        })
        .collect();
    EndpointStats {
        name: served.config.name.clone(),
        started_at: ep.started_at,
        now: now_ms,
        unauthorized: ep.metrics.unauthorized.load(Relaxed),
        variants,
    }
}

/// A Prometheus label value: backslash, quote and newline escaped.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// `/metrics` in Prometheus' text format (0.0.4).
pub(crate) fn prometheus(ep: &Endpoint, served: &Served) -> String {
    let mut out = String::new();
    let endpoint = label(&served.config.name);
    let labels: Vec<String> = served
        .variants
        .iter()
        .map(|v| {
            format!("endpoint=\"{endpoint}\",variant=\"{}\",model=\"{}\",version=\"{}\"", label(&v.name), label(&v.model_name), v.version)
        })
        .collect();
    type Lines<'a> = &'a dyn Fn(&mut String, &str, &str, &crate::endpoint::Variant);
    let mut family = |name: &str, kind: &str, help: &str, lines: Lines<'_>| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (v, l) in served.variants.iter().zip(&labels) {
            lines(&mut out, name, l, v);
        }
    };
    family("cairn_endpoint_requests_total", "counter", "Requests answered, per variant.", &|out, name, l, v| {
        let _ = writeln!(out, "{name}{{{l}}} {}", v.metrics.requests.load(Relaxed));
    });
    family("cairn_endpoint_errors_total", "counter", "Requests answered with a status of 400 or more.", &|out, name, l, v| {
        for (status, n) in v.metrics.errors_by_status() {
            let _ = writeln!(out, "{name}{{{l},status=\"{status}\"}} {n}");
        }
    });
    family("cairn_endpoint_request_duration_seconds", "histogram", "Time from a request's arrival to its answer.", &|out, name, l, v| {
        histogram(out, name, l, &v.metrics)
    });
    family("cairn_endpoint_request_duration_quantile_seconds", "gauge", "Latency quantiles since the start.", &|out, name, l, v| {
        let counts = v.metrics.latency.snapshot();
        for q in [0.5, 0.95, 0.99] {
            if let Some(ms) = quantile(&counts, TOTAL_STEPS, q) {
                let _ = writeln!(out, "{name}{{{l},quantile=\"{q}\"}} {}", ms / 1000.0);
            }
        }
    });
    family("cairn_endpoint_captured_total", "counter", "Requests written to the capture files.", &|out, name, l, v| {
        let _ = writeln!(out, "{name}{{{l}}} {}", v.metrics.captured.load(Relaxed));
    });
    family("cairn_endpoint_capture_errors_total", "counter", "Captured requests whose line could not be written.", &|out, name, l, v| {
        let _ = writeln!(out, "{name}{{{l}}} {}", v.metrics.capture_errors.load(Relaxed));
    });
    family("cairn_endpoint_variant_weight", "gauge", "The variant's relative share of the traffic.", &|out, name, l, v| {
        let _ = writeln!(out, "{name}{{{l}}} {}", v.weight);
    });
    let _ = writeln!(out, "# HELP cairn_endpoint_unauthorized_total Requests refused for a missing or wrong key.");
    let _ = writeln!(out, "# TYPE cairn_endpoint_unauthorized_total counter");
    let _ = writeln!(out, "cairn_endpoint_unauthorized_total{{endpoint=\"{endpoint}\"}} {}", ep.metrics.unauthorized.load(Relaxed));
    out
}

/// Cumulative buckets at each doubling (1 µs … 134 s), then +Inf, sum and count.
fn histogram(out: &mut String, name: &str, l: &str, m: &VariantMetrics) {
    let counts = m.latency.snapshot();
    let mut cumulative = 0u64;
    for (i, c) in counts.iter().enumerate() {
        cumulative += c;
        if i % TOTAL_STEPS as usize == 0 && i + 1 < counts.len() {
            let le = upper(i, TOTAL_STEPS, counts.len()) / 1e6;
            let _ = writeln!(out, "{name}_bucket{{{l},le=\"{le}\"}} {cumulative}");
        }
    }
    let _ = writeln!(out, "{name}_bucket{{{l},le=\"+Inf\"}} {cumulative}");
    let _ = writeln!(out, "{name}_sum{{{l}}} {}", m.latency_nanos.load(Relaxed) as f64 / 1e9);
    let _ = writeln!(out, "{name}_count{{{l}}} {cumulative}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_fall_in_their_bucket() {
        let h = Hist::new(TOTAL_STEPS);
        for micros in 1..=1000 {
            h.record(micros as f64 * 10.0);
        }
        let counts = h.snapshot();
        for (q, want_ms) in [(0.5, 5.0), (0.95, 9.5), (0.99, 9.9)] {
            let got = quantile(&counts, TOTAL_STEPS, q).unwrap_or(0.0);
            assert!((got - want_ms).abs() / want_ms < 0.09, "q{q}: {got} ms, want about {want_ms}");
        }
        assert_eq!(quantile(&[0; 10], TOTAL_STEPS, 0.5), None);
    }
}
