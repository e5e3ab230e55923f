//! Regression trees (CART, squared error) for the decision tree and the random forest: linfa-trees only
//! classifies. Each column is cut once into at most 255 quantile bins of the training rows; a node's
//! best split is found from per-bin sums (the histogram method of LightGBM and scikit-learn's
//! HistGradientBoosting), so a level costs one pass over its rows per candidate column. The tree is
//! written in the same flat form as the classification trees, a leaf holding the mean of its rows.

use super::tree::{FlatTree, Node};
use crate::matrix::Matrix;
use crate::split::Rng;

/// Value bins per column; code `NAN_BIN` is a missing value.
const MAX_BINS: usize = 255;
const NAN_BIN: u8 = 255;

/// A column's training-row quantiles: bin `b` holds values in `[edges[b - 1], edges[b])`.
pub(crate) struct Binned {
    codes: Vec<Vec<u8>>,
    edges: Vec<Vec<f64>>,
}

impl Binned {
    /// Bins every column of `x` over `rows` (the cut points come from those rows alone).
    pub fn new(x: &Matrix, rows: &[usize]) -> Self {
        let mut codes = Vec::with_capacity(x.cols);
        let mut edges = Vec::with_capacity(x.cols);
        for c in 0..x.cols {
            let col = x.col(c);
            let mut v: Vec<f64> = rows.iter().map(|&r| col[r]).filter(|v| !v.is_nan()).collect();
            v.sort_by(f64::total_cmp);
            v.dedup();
            // Cut points between distinct values: all of them when few, else evenly spaced quantiles.
            let e: Vec<f64> = if v.len() <= MAX_BINS {
                v.windows(2).map(|w| (w[0] + w[1]) / 2.0).collect()
            } else {
                let mut e: Vec<f64> = (1..MAX_BINS).map(|i| v[i * v.len() / MAX_BINS]).collect();
                e.dedup();
                e
            };
            codes.push(col.iter().map(|&x| if x.is_nan() { NAN_BIN } else { e.partition_point(|&t| t <= x) as u8 }).collect());
            edges.push(e);
        }
        Binned { codes, edges }
    }
}

/// How a tree grows.
pub(crate) struct Grow {
    pub max_depth: usize,
    pub min_split: usize,
    pub min_leaf: usize,
    /// Columns tried per split (all of them for a single tree; a share for a forest).
    pub tries: usize,
}

struct Builder<'a> {
    bins: &'a Binned,
    y: &'a [f64],
    grow: &'a Grow,
    rng: Rng,
    nodes: Vec<Node>,
    importance: Vec<f64>,
    total: f64,
}

struct Best {
    col: usize,
    /// Bins `0..=bin` go left.
    bin: usize,
    gain: f64,
    nan_left: bool,
}

impl Builder<'_> {
    fn leaf(&mut self, rows: &[usize]) -> usize {
        let mean = rows.iter().map(|&r| self.y[r]).sum::<f64>() / rows.len().max(1) as f64;
        self.nodes.push(Node::Leaf { shares: vec![mean] });
        self.nodes.len() - 1
    }

    fn best(&mut self, rows: &[usize]) -> Option<Best> {
        let cols = self.bins.codes.len();
        let mut order: Vec<usize> = (0..cols).collect();
        if self.grow.tries < cols {
            self.rng.shuffle(&mut order);
            order.truncate(self.grow.tries);
        }
        let n = rows.len() as f64;
        let sum: f64 = rows.iter().map(|&r| self.y[r]).sum();
        let base = sum * sum / n;
        let mut best: Option<Best> = None;
        let (mut s, mut k) = ([0.0f64; 256], [0usize; 256]);
        for c in order {
            s.fill(0.0);
            k.fill(0);
            let codes = &self.bins.codes[c];
            for &r in rows {
                let b = codes[r] as usize;
                s[b] += self.y[r];
                k[b] += 1;
            }
            let (nan_s, nan_k) = (s[NAN_BIN as usize], k[NAN_BIN as usize]);
            let bins = self.bins.edges[c].len() + 1;
            let (mut ls, mut lk) = (0.0, 0usize);
            for b in 0..bins.saturating_sub(1) {
                ls += s[b];
                lk += k[b];
                let (rs, rk) = (sum - nan_s - ls, rows.len() - nan_k - lk);
                if lk == 0 || rk == 0 {
                    continue;
                }
                // Missing values go with the larger side, as prediction sends them.
                let nan_left = lk >= rk;
                let (l_s, l_k, r_s, r_k) = if nan_left { (ls + nan_s, lk + nan_k, rs, rk) } else { (ls, lk, rs + nan_s, rk + nan_k) };
                if l_k < self.grow.min_leaf || r_k < self.grow.min_leaf {
                    continue;
                }
                let gain = l_s * l_s / l_k as f64 + r_s * r_s / r_k as f64 - base;
                if gain > 1e-12 && best.as_ref().is_none_or(|b| gain > b.gain) {
                    best = Some(Best { col: c, bin: b, gain, nan_left });
                }
            }
        }
        best
    }

    fn node(&mut self, rows: Vec<usize>, depth: usize) -> usize {
        if depth >= self.grow.max_depth || rows.len() < self.grow.min_split.max(2) {
            return self.leaf(&rows);
        }
        let Some(b) = self.best(&rows) else { return self.leaf(&rows) };
        let codes = &self.bins.codes[b.col];
        let (left, right): (Vec<usize>, Vec<usize>) = rows.iter().partition(|&&r| {
            let code = codes[r];
            if code == NAN_BIN { b.nan_left } else { code as usize <= b.bin }
        });
        self.importance[b.col] += b.gain / self.total;
        let at = self.nodes.len();
        self.nodes.push(Node::Leaf { shares: Vec::new() });
        let l = self.node(left, depth + 1);
        let r = self.node(right, depth + 1);
        let threshold = self.bins.edges[b.col][b.bin];
        self.nodes[at] = Node::Split { feature: b.col, threshold, left: l, right: r, nan_left: b.nan_left };
        at
    }
}

/// Grows a regression tree on `rows` (repeats allowed: a bootstrap sample) and returns it with each
/// column's share of the squared-error reduction.
pub(crate) fn grow(bins: &Binned, y: &[f64], rows: Vec<usize>, grow: &Grow, rng: Rng) -> (FlatTree, Vec<f64>) {
    let cols = bins.codes.len();
    let mean = rows.iter().map(|&r| y[r]).sum::<f64>() / rows.len().max(1) as f64;
    let total = rows.iter().map(|&r| (y[r] - mean).powi(2)).sum::<f64>().max(1e-300);
    let mut b = Builder { bins, y, grow, rng, nodes: Vec::new(), importance: vec![0.0; cols], total };
    b.node(rows, 0);
    (FlatTree::from_nodes(b.nodes), b.importance)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_function_is_learned_exactly_and_missing_values_follow_the_larger_side() {
        // y = 10 below x = 30, 20 above; a few missing x among the larger (upper) group.
        let n = 100;
        let mut x: Vec<f64> = (0..n).map(|i| i as f64).collect();
        x[90] = f64::NAN;
        let y: Vec<f64> = (0..n).map(|i| if i < 30 { 10.0 } else { 20.0 }).collect();
        let m = Matrix { data: x, rows: n, cols: 1 };
        let bins = Binned::new(&m, &(0..n).collect::<Vec<_>>());
        let g = Grow { max_depth: 3, min_split: 2, min_leaf: 1, tries: 1 };
        let (tree, imp) = grow(&bins, &y, (0..n).collect(), &g, Rng::new(1));
        let probe = Matrix { data: vec![5.0, 29.0, 30.5, 99.0, f64::NAN], rows: 5, cols: 1 };
        let got: Vec<f64> = (0..5).map(|r| tree.value(&probe, r)).collect();
        assert_eq!(got, [10.0, 10.0, 20.0, 20.0, 20.0]);
        assert!((imp[0] - 1.0).abs() < 1e-9, "one split explains all: {imp:?}");
    }
}
