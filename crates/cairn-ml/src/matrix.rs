//! The encoded feature matrix, stored column by column: that is how encoding produces it and how forust
//! reads it; linfa gets a row-major ndarray copy.

use ndarray::Array2;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Matrix {
    /// Column-major: column `c` is `data[c * rows .. (c + 1) * rows]`.
    pub data: Vec<f64>,
    pub rows: usize,
    pub cols: usize,
}

impl Matrix {
    pub fn col(&self, c: usize) -> &[f64] {
        &self.data[c * self.rows..(c + 1) * self.rows]
    }

    /// NaN outside the matrix, so a model file that does not match its data cannot panic.
    pub fn get(&self, r: usize, c: usize) -> f64 {
        self.data.get(c * self.rows + r).copied().unwrap_or(f64::NAN)
    }

    pub fn to_array(&self) -> Array2<f64> {
        Array2::from_shape_fn((self.rows, self.cols), |(r, c)| self.get(r, c))
    }

    pub fn select_rows(&self, rows: &[usize]) -> Matrix {
        let mut data = Vec::with_capacity(rows.len() * self.cols);
        for c in 0..self.cols {
            let col = self.col(c);
            data.extend(rows.iter().map(|&r| col[r]));
        }
        Matrix { data, rows: rows.len(), cols: self.cols }
    }

    pub fn select_cols(&self, cols: &[usize]) -> Matrix {
        let mut data = Vec::with_capacity(self.rows * cols.len());
        for &c in cols {
            data.extend_from_slice(self.col(c));
        }
        Matrix { data, rows: self.rows, cols: cols.len() }
    }
}
