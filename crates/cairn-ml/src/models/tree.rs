//! Decision trees and random forests: classification on linfa-trees, regression on `regtree`. Each fitted linfa tree is copied into a flat tree
//! whose leaves hold the class shares of the training rows that reach them: linfa's leaves hold only
//! the modal class (no probabilities for ROC curves), and its modal class breaks ties by hash order.
//!
//! The forest is bagged here rather than with linfa-ensemble 0.8.1, whose learner cannot be saved (no
//! serde), fits all trees in one call (no cancellation or progress, a panic on a failed tree), draws
//! feature subsets with replacement, needs a `rand` generator, and only votes (no probabilities).

use std::sync::atomic::{AtomicUsize, Ordering};

use linfa::prelude::*;
use linfa_trees::{DecisionTree, SplitQuality, TreeNode};
use ndarray::{Array1, Array2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::regtree::{self, Binned, Grow};
use super::{FitInput, Scores, failed};
use crate::MlError;
use crate::check::Target;
use crate::matrix::Matrix;
use crate::split::Rng;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Node {
    /// Rows with `x[feature] < threshold` go left (linfa's rule); NaN goes where most training rows went.
    Split {
        feature: usize,
        threshold: f64,
        left: usize,
        right: usize,
        nan_left: bool,
    },
    Leaf {
        shares: Vec<f64>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct FlatTree {
    nodes: Vec<Node>,
}

impl FlatTree {
    pub(crate) fn from_nodes(nodes: Vec<Node>) -> Self {
        FlatTree { nodes }
    }

    /// A regression leaf's value (its rows' mean) for row `r`.
    pub(crate) fn value(&self, x: &Matrix, r: usize) -> f64 {
        self.shares(x, r).first().copied().unwrap_or(f64::NAN)
    }

    fn leaf(&self, x: &Matrix, r: usize) -> usize {
        let mut i = 0;
        if self.nodes.is_empty() {
            return 0;
        }
        // A tree has fewer nodes than this bound, so a damaged file cannot loop forever.
        for _ in 0..self.nodes.len() {
            match &self.nodes[i] {
                Node::Leaf { .. } => return i,
                Node::Split { feature, threshold, left, right, nan_left } => {
                    let v = x.get(r, *feature);
                    let go_left = if v.is_nan() { *nan_left } else { v < *threshold };
                    i = if go_left { *left } else { *right };
                    if i >= self.nodes.len() {
                        return 0;
                    }
                }
            }
        }
        i
    }

    fn shares(&self, x: &Matrix, r: usize) -> &[f64] {
        match self.nodes.get(self.leaf(x, r)) {
            Some(Node::Leaf { shares }) => shares,
            _ => &[],
        }
    }
}

/// Copies linfa's tree; `features` maps its column indices to the full matrix's.
fn flatten(node: &TreeNode<f64, usize>, features: &[usize], nodes: &mut Vec<Node>, gains: &mut Vec<f64>) -> usize {
    let at = nodes.len();
    nodes.push(Node::Leaf { shares: Vec::new() });
    gains.push(0.0);
    let children = node.children();
    if let (false, Some(Some(l)), Some(Some(r))) = (node.is_leaf(), children.first(), children.get(1)) {
        let (feature, threshold, decrease) = node.split();
        let left = flatten(l, features, nodes, gains);
        let right = flatten(r, features, nodes, gains);
        let feature = features.get(feature).copied().unwrap_or(feature);
        nodes[at] = Node::Split { feature, threshold, left, right, nan_left: true };
        gains[at] = decrease;
    }
    at
}

/// Routes the training rows through the copy: leaf class shares, where NaN should go, and each split's
/// impurity decrease weighted by the share of rows reaching it (mean decrease in impurity).
fn calibrate(tree: &mut FlatTree, gains: &[f64], x: &Matrix, rows: &[usize], y: &[usize], k: usize, importance: &mut [f64]) {
    let n = tree.nodes.len();
    let mut counts = vec![vec![0.0; k]; n];
    let mut reach = vec![0.0; n];
    for &r in rows {
        let mut i = 0;
        for _ in 0..n {
            reach[i] += 1.0;
            match &tree.nodes[i] {
                Node::Leaf { .. } => break,
                Node::Split { feature, threshold, left, right, .. } => {
                    i = if x.get(r, *feature) < *threshold { *left } else { *right };
                }
            }
        }
        if y[r] < k {
            counts[i][y[r]] += 1.0;
        }
    }
    let total = rows.len().max(1) as f64;
    for i in 0..n {
        match &mut tree.nodes[i] {
            Node::Leaf { shares } => {
                let s: f64 = counts[i].iter().sum();
                *shares = if s > 0.0 { counts[i].iter().map(|c| c / s).collect() } else { vec![1.0 / k as f64; k] };
            }
            Node::Split { feature, left, right, nan_left, .. } => {
                *nan_left = reach[*left] >= reach[*right];
                if let Some(imp) = importance.get_mut(*feature) {
                    *imp += gains[i] * reach[i] / total;
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Forest {
    /// Classes; 0 for regression trees, whose leaves hold a value.
    classes: usize,
    trees: Vec<FlatTree>,
    /// Mean decrease in impurity per encoded column, averaged over trees.
    importance: Vec<f64>,
}

/// linfa picks a node's class by iterating a HashMap, so equal class weights break by hash order and
/// the tree (its pruning follows the picks) changes from run to run. Weighing class `c` by
/// `1 + c * TIE_BREAK` makes exact ties practically impossible; it moves nothing else visibly.
const TIE_BREAK: f32 = 1e-3;

struct TreeJob<'a> {
    x: &'a Matrix,
    y: &'a [usize],
    k: usize,
    rows: Vec<usize>,
    features: Vec<usize>,
    max_depth: usize,
    min_split: usize,
    min_leaf: usize,
    quality: SplitQuality,
}

fn fit_tree(job: &TreeJob) -> Result<(FlatTree, Vec<f64>), MlError> {
    let records = Array2::from_shape_fn((job.rows.len(), job.features.len()), |(i, j)| job.x.get(job.rows[i], job.features[j]));
    let targets = Array1::from_iter(job.rows.iter().map(|&r| job.y[r]));
    let weights = Array1::from_iter(job.rows.iter().map(|&r| 1.0 + TIE_BREAK * job.y[r] as f32));
    let fitted: DecisionTree<f64, usize> = DecisionTree::params()
        .split_quality(job.quality)
        .max_depth(Some(job.max_depth))
        .min_weight_split(job.min_split as f32)
        .min_weight_leaf(job.min_leaf as f32)
        .fit(&Dataset::new(records, targets).with_weights(weights))
        .map_err(|e| failed("decision tree", e))?;
    let (mut nodes, mut gains) = (Vec::new(), Vec::new());
    flatten(fitted.root_node(), &job.features, &mut nodes, &mut gains);
    let mut tree = FlatTree { nodes };
    let mut importance = vec![0.0; job.x.cols];
    calibrate(&mut tree, &gains, job.x, &job.rows, job.y, job.k, &mut importance);
    Ok((tree, importance))
}

fn labels<'a>(input: &FitInput<'a>) -> Result<&'a [usize], MlError> {
    match input.y {
        Target::Class(y) => Ok(y),
        Target::Value(_) => Err(MlError::Internal("trees need classes".into())),
    }
}

/// Grows `trees` trees in parallel, each from its own stream of the seed (so the forest does not
/// depend on thread timing), checking for cancellation and reporting progress; the importance is the
/// trees' mean.
fn forest_of(
    input: &FitInput,
    classes: usize,
    trees: usize,
    grow: impl Fn(Rng) -> Result<(FlatTree, Vec<f64>), MlError> + Sync,
) -> Result<Forest, MlError> {
    let done = AtomicUsize::new(0);
    let fitted: Vec<Result<(FlatTree, Vec<f64>), MlError>> = (0..trees)
        .into_par_iter()
        .map(|t| {
            if input.reporter.cancelled() {
                return Err(MlError::Cancelled);
            }
            let out = grow(Rng::derive(input.seed, t as u64));
            let d = done.fetch_add(1, Ordering::Relaxed) + 1;
            input.reporter.progress("fit", d as u64, trees as u64);
            out
        })
        .collect();
    let mut forest = Forest { classes, trees: Vec::with_capacity(trees), importance: vec![0.0; input.x.cols] };
    for f in fitted {
        let (tree, imp) = f?;
        forest.importance.iter_mut().zip(imp).for_each(|(a, b)| *a += b / trees as f64);
        forest.trees.push(tree);
    }
    Ok(forest)
}

/// Regression trees (histogram CART, `regtree`): `trees` of them on bootstrap samples when `bagged`,
/// else one on every row; `tries` columns per split.
fn fit_regression(input: &FitInput, y: &[f64], trees: usize, bagged: bool, tries: usize) -> Result<Forest, MlError> {
    let p = input.params;
    let n = input.x.rows;
    let all: Vec<usize> = (0..n).collect();
    let bins = Binned::new(input.x, &all);
    let grow = Grow {
        max_depth: p.usize("max_depth"),
        min_split: if bagged { 2 } else { p.usize("min_samples_split") },
        min_leaf: p.usize("min_samples_leaf"),
        tries: tries.clamp(1, input.x.cols.max(1)),
    };
    let draw = if bagged { ((n as f64 * p.f64("sample_fraction")).ceil() as usize).max(1) } else { n };
    forest_of(input, 0, trees, |mut rng| {
        let rows: Vec<usize> = if bagged { (0..draw).map(|_| rng.below(n)).collect() } else { all.clone() };
        Ok(regtree::grow(&bins, y, rows, &grow, rng))
    })
}

pub(crate) fn fit_decision_tree(input: &FitInput) -> Result<Forest, MlError> {
    let p = input.params;
    if let Target::Value(y) = input.y {
        return fit_regression(input, y, 1, false, input.x.cols);
    }
    let quality = if p.str("criterion") == "entropy" { SplitQuality::Entropy } else { SplitQuality::Gini };
    let job = TreeJob {
        x: input.x,
        y: labels(input)?,
        k: input.classes,
        rows: (0..input.x.rows).collect(),
        features: (0..input.x.cols).collect(),
        max_depth: p.usize("max_depth"),
        min_split: p.usize("min_samples_split"),
        min_leaf: p.usize("min_samples_leaf"),
        quality,
    };
    let (tree, importance) = fit_tree(&job)?;
    Ok(Forest { classes: input.classes, trees: vec![tree], importance })
}

pub(crate) fn fit_random_forest(input: &FitInput) -> Result<Forest, MlError> {
    let p = input.params;
    let (n, cols) = (input.x.rows, input.x.cols);
    if let Target::Value(y) = input.y {
        let tries = (cols as f64 * p.f64("feature_fraction")).ceil() as usize;
        return fit_regression(input, y, p.usize("trees"), true, tries);
    }
    let trees = p.usize("trees");
    let draw = ((n as f64 * p.f64("sample_fraction")).ceil() as usize).max(1);
    let width = ((cols as f64 * p.f64("feature_fraction")).ceil() as usize).clamp(1, cols.max(1));
    let y = labels(input)?;
    forest_of(input, input.classes, trees, |mut rng| {
        let mut rows: Vec<usize> = (0..draw).map(|_| rng.below(n)).collect();
        rows.sort_unstable();
        let mut features: Vec<usize> = (0..cols).collect();
        rng.shuffle(&mut features);
        features.truncate(width);
        features.sort_unstable();
        let job = TreeJob {
            x: input.x,
            y,
            k: input.classes,
            rows,
            features,
            max_depth: p.usize("max_depth"),
            min_split: 2,
            min_leaf: p.usize("min_samples_leaf"),
            quality: SplitQuality::Gini,
        };
        fit_tree(&job)
    })
}

impl Forest {
    pub fn predict(&self, x: &Matrix) -> Scores {
        let k = self.classes;
        if k == 0 {
            // Regression: the mean of the trees' leaf values.
            let scale = 1.0 / self.trees.len().max(1) as f64;
            let v = (0..x.rows).into_par_iter().map(|r| self.trees.iter().map(|t| t.value(x, r)).sum::<f64>() * scale).collect();
            return Scores::Values(v);
        }
        let mut p = vec![0.0; x.rows * k];
        let chunks: Vec<(usize, &mut [f64])> = p.chunks_mut(k.max(1)).enumerate().collect();
        let scale = 1.0 / self.trees.len().max(1) as f64;
        chunks.into_par_iter().for_each(|(r, out)| {
            for tree in &self.trees {
                for (o, s) in out.iter_mut().zip(tree.shares(x, r)) {
                    *o += s * scale;
                }
            }
        });
        Scores::Proba { k, p }
    }

    pub fn importances(&self) -> Vec<f64> {
        self.importance.clone()
    }
}
