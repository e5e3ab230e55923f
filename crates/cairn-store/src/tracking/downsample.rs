//! Downsampling a metric series for charts. Min/max per bucket keeps the shape a line chart shows (every
//! spike survives, which averaging or LTTB's area choice can lose), copes with NaN and ±inf, and always
//! keeps the first and last points so the chart's ends are exact.

use cairn_types::Metric;

/// At most `max_points` (≥ 2) points of `points`, in their order.
pub fn min_max(points: Vec<Metric>, max_points: usize) -> Vec<Metric> {
    let n = points.len();
    let max_points = max_points.max(2);
    if n <= max_points {
        return points;
    }
    let inner = &points[1..n - 1];
    let buckets = ((max_points - 2) / 2).max(1);
    let mut keep: Vec<usize> = Vec::with_capacity(max_points);
    keep.push(0);
    for b in 0..buckets {
        let lo = b * inner.len() / buckets;
        let hi = (b + 1) * inner.len() / buckets;
        if lo == hi {
            continue;
        }
        let mut min: Option<usize> = None;
        let mut max: Option<usize> = None;
        for i in lo..hi {
            let v = inner[i].value;
            if v.is_nan() {
                continue;
            }
            if min.is_none_or(|m| v < inner[m].value) {
                min = Some(i);
            }
            if max.is_none_or(|m| v > inner[m].value) {
                max = Some(i);
            }
        }
        match (min, max) {
            // A bucket of NaN only keeps one NaN, so the chart shows the gap.
            (None, _) | (_, None) => keep.push(lo + 1),
            (Some(a), Some(b)) if a == b => keep.push(a + 1),
            (Some(a), Some(b)) => {
                keep.push(a.min(b) + 1);
                keep.push(a.max(b) + 1);
            }
        }
    }
    keep.push(n - 1);
    keep.into_iter().map(|i| points[i].clone()).collect()
}
