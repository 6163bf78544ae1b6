//! Constant matrices: the weights a traced function applies (`A1`, `A1ᵀ`), shared, not copied.

use std::fmt;
use std::sync::Arc;

use ndarray::{Array2, ArrayView2};

use crate::scalar::Scalar;

/// The first entry of `a` that is NaN or infinite, with its index. One vectorised pass when all
/// are finite (the usual case), then a search.
pub(crate) fn first_non_finite<T: Scalar, D: ndarray::Dimension>(
    a: ndarray::ArrayView<'_, T, D>,
) -> Option<(D::Pattern, f64)> {
    if a.fold(true, |ok, v| ok & v.is_finite()) {
        return None;
    }
    a.indexed_iter()
        .find(|(_, v)| !v.is_finite())
        .map(|(i, v)| (i, v.to_f64_lossy()))
}

/// A constant matrix, shared (not copied) by every program that uses it, possibly transposed.
///
/// `Matrix::new(a).t()` is the transpose as a view: no data moves, as in `A1.T @ y`.
/// `Matrix::new(a).named("A1")` gives it the name printed programs and plans show (`A1ᵀ` for its
/// transpose).
#[derive(Clone)]
pub struct Matrix<T> {
    data: Arc<Array2<T>>,
    transposed: bool,
    name: Option<Arc<str>>,
    /// The first NaN or infinite entry of `data` (row, column, value), found once when the
    /// matrix is made: every trace that applies it, and its transpose, asks.
    non_finite: Option<((usize, usize), f64)>,
}

impl<T: Scalar> Matrix<T> {
    /// Wraps an array as a constant of the traced functions.
    pub fn new(a: Array2<T>) -> Self {
        Matrix {
            non_finite: first_non_finite(a.view()),
            data: Arc::new(a),
            transposed: false,
            name: None,
        }
    }
    /// Wraps an array known to hold only finite numbers (an identity seed), without reading it:
    /// a 5000×5000 identity is mostly untouched zero pages, and reading them all costs more than
    /// the rest of making it.
    pub(crate) fn finite(a: Array2<T>) -> Self {
        Matrix {
            data: Arc::new(a),
            transposed: false,
            name: None,
            non_finite: None,
        }
    }
    /// The same matrix, named (e.g. `A1`) in printed programs and plans.
    pub fn named(mut self, name: &str) -> Self {
        self.name = Some(name.into());
        self
    }
    /// The name as the matrix acts: `A1`, or `A1ᵀ` for the transpose; `None` if unnamed.
    pub fn name(&self) -> Option<String> {
        let name = self.name.as_deref()?;
        Some(format!("{name}{}", if self.transposed { "ᵀ" } else { "" }))
    }
    /// Whether this is the transpose of the stored array.
    pub fn is_transposed(&self) -> bool {
        self.transposed
    }
    /// The transpose, sharing the data.
    pub fn t(&self) -> Self {
        Matrix {
            data: Arc::clone(&self.data),
            transposed: !self.transposed,
            name: self.name.clone(),
            non_finite: self.non_finite,
        }
    }
    /// The first entry that is NaN or infinite, as `([row, col], value)` where the matrix acts
    /// (`Aᵀ[j, i]` for `A[i, j]`); `None` if all are finite.
    pub(crate) fn first_non_finite(&self) -> Option<(String, f64)> {
        let ((i, j), v) = self.non_finite?;
        let (r, c) = if self.transposed { (j, i) } else { (i, j) };
        Some((format!("[{r}, {c}]"), v))
    }
    /// The matrix as an array view (transposed if this is a transpose).
    pub fn view(&self) -> ArrayView2<'_, T> {
        if self.transposed {
            self.data.t()
        } else {
            self.data.view()
        }
    }
    /// `(rows, columns)` of the matrix as it acts, i.e. after transposition.
    pub fn dim(&self) -> (usize, usize) {
        let (r, c) = self.data.dim();
        if self.transposed {
            (c, r)
        } else {
            (r, c)
        }
    }
}

impl<T> fmt::Debug for Matrix<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (r, c) = self.data.dim();
        let (r, c) = if self.transposed { (c, r) } else { (r, c) };
        write!(
            f,
            "Matrix<{}>{}[{r}×{c}]{}",
            std::any::type_name::<T>(),
            self.name
                .as_deref()
                .map(|n| format!(" {n}"))
                .unwrap_or_default(),
            if self.transposed {
                " (transposed view)"
            } else {
                ""
            }
        )
    }
}
