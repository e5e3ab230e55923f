//! k nearest neighbours over linfa-nn's spatial indexes. The model keeps the encoded training rows
//! and rebuilds the index when it predicts (an index borrows its points, so it cannot be saved).

use linfa_nn::distance::L2Dist;
use linfa_nn::{CommonNearestNeighbour, NearestNeighbour};
use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{FitInput, Scores};
use crate::MlError;
use crate::check::Target;
use crate::matrix::Matrix;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct KnnModel {
    k: usize,
    ball_tree: bool,
    /// Classes, or 0 for regression.
    classes: usize,
    cols: usize,
    /// Training rows, row-major.
    points: Vec<f64>,
    /// Class index (as f64) or value of each training row.
    y: Vec<f64>,
}

pub(crate) fn fit(input: &FitInput) -> Result<KnnModel, MlError> {
    let x = input.x;
    let mut points = Vec::with_capacity(x.rows * x.cols);
    for r in 0..x.rows {
        points.extend((0..x.cols).map(|c| x.get(r, c)));
    }
    let (classes, y) = match input.y {
        Target::Class(c) => (input.classes, c.iter().map(|&v| v as f64).collect()),
        Target::Value(v) => (0, v.clone()),
    };
    Ok(KnnModel { k: input.params.usize("k"), ball_tree: input.params.str("index") == "ball_tree", classes, cols: x.cols, points, y })
}

impl KnnModel {
    pub fn predict(&self, x: &Matrix) -> Result<Scores, MlError> {
        let n = self.y.len();
        let points = ArrayView2::from_shape((n, self.cols), &self.points).map_err(|e| MlError::Internal(format!("knn points: {e}")))?;
        let algo = if self.ball_tree { CommonNearestNeighbour::BallTree } else { CommonNearestNeighbour::KdTree };
        let index = algo.from_batch(&points, L2Dist).map_err(|e| MlError::Internal(format!("knn index: {e}")))?;
        let queries = x.to_array();
        let k = self.k.min(n).max(1);
        let neighbours: Vec<Vec<usize>> = (0..x.rows)
            .into_par_iter()
            .map(|r| {
                index
                    .k_nearest(queries.row(r), k)
                    .map(|found| found.into_iter().map(|(_, i)| i).collect())
                    .map_err(|e| MlError::Internal(format!("knn query: {e}")))
            })
            .collect::<Result<_, _>>()?;
        if self.classes > 0 {
            let c = self.classes;
            let mut p = vec![0.0; x.rows * c];
            for (r, near) in neighbours.iter().enumerate() {
                for &i in near {
                    let class = (self.y[i] as usize).min(c - 1);
                    p[r * c + class] += 1.0 / near.len().max(1) as f64;
                }
            }
            Ok(Scores::Proba { k: c, p })
        } else {
            let v = neighbours.iter().map(|near| near.iter().map(|&i| self.y[i]).sum::<f64>() / near.len().max(1) as f64);
            Ok(Scores::Values(v.collect()))
        }
    }
}
