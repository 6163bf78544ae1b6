//! Matrices whose structure is known (identity, diagonal, dense) and their products, which skip
//! the work the structure makes unnecessary.
//!
//! The textbook `jacfwd` seeds forward mode with the `n × n` identity as a dense matrix, so the first
//! product `A · I` costs `m·n·n` multiply–adds to produce `A`. Knowing that the seed is the identity,
//! the product is `A` itself, for free. Elementwise steps have diagonal Jacobians, and a diagonal
//! times a diagonal stays diagonal. [`Structured`] carries that knowledge, and [`Structure`] is its
//! shape-only twin: the same rules, applied to kinds and sizes, count the work before anything runs.
//!
//! Cost of `P · Q` for `P` (`p × q`) and `Q` (`q × r`), in multiply–adds:
//!
//! | `P` \ `Q`  | identity | diagonal | dense   |
//! |------------|----------|----------|---------|
//! | identity   | 0        | 0        | 0       |
//! | diagonal   | 0        | `q`      | `q·r`   |
//! | dense      | 0        | `p·q`    | `p·q·r` |

use ndarray::{Array1, Array2, ArrayView2, Zip};

use crate::linalg::{gemm, PARALLEL_ELEMENTS};
use crate::matrix::Matrix;
use crate::scalar::Scalar;

/// The structure of a matrix, as far as the cost of multiplying by it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// The identity: multiplying by it is free.
    Identity,
    /// A diagonal matrix: multiplying by it scales rows or columns.
    Diagonal,
    /// Anything else, stored in full.
    Dense,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(match self {
            Kind::Identity => "identity",
            Kind::Diagonal => "diagonal",
            Kind::Dense => "dense",
        })
    }
}

/// `dense 1000×5000`, `diagonal 1000`, `identity 30`.
impl std::fmt::Display for Structure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            Kind::Dense => write!(f, "dense {}×{}", self.rows, self.cols),
            k => write!(f, "{k} {}", self.rows),
        }
    }
}

/// A matrix with its structure: what a structured tangent, cotangent or chain factor holds.
#[derive(Debug, Clone)]
pub enum Structured<T> {
    /// The `n × n` identity, symbolic: no storage.
    Identity(usize),
    /// `diag(d)`.
    Diagonal(Array1<T>),
    /// A dense matrix.
    Dense(Array2<T>),
    /// A constant matrix of the program (such as `A1` or `A1ᵀ`), shared, not copied.
    Constant(Matrix<T>),
}

/// The shape and kind of a matrix, without its entries: what the cost model computes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Structure {
    /// Identity, diagonal or dense.
    pub kind: Kind,
    /// Rows.
    pub rows: usize,
    /// Columns.
    pub cols: usize,
    /// Whether the entries are stored by someone else (a constant of the program).
    pub shared: bool,
}

impl Structure {
    /// A structure of a `rows × cols` matrix of this kind, stored by whoever holds it.
    pub fn new(kind: Kind, rows: usize, cols: usize) -> Structure {
        Structure {
            kind,
            rows,
            cols,
            shared: false,
        }
    }

    /// Numbers stored: none for the identity or a shared constant, `n` for a diagonal, `p·q` dense.
    pub fn elements(self) -> u64 {
        match (self.kind, self.shared) {
            (Kind::Identity, _) | (_, true) => 0,
            (Kind::Diagonal, _) => self.rows as u64,
            (Kind::Dense, _) => (self.rows as u64).saturating_mul(self.cols as u64),
        }
    }

    /// Multiply–adds of `self · rhs` (see the table in the module docs).
    pub fn product_cost(self, rhs: Structure) -> u64 {
        debug_assert_eq!(self.cols, rhs.rows, "factors must chain");
        let (p, q, r) = (self.rows as u64, self.cols as u64, rhs.cols as u64);
        match (self.kind, rhs.kind) {
            (Kind::Identity, _) | (_, Kind::Identity) => 0,
            (Kind::Diagonal, Kind::Diagonal) => q,
            (Kind::Diagonal, Kind::Dense) => q.saturating_mul(r),
            (Kind::Dense, Kind::Diagonal) => p.saturating_mul(q),
            (Kind::Dense, Kind::Dense) => p.saturating_mul(q).saturating_mul(r),
        }
    }

    /// The structure of `self · rhs`: the identity keeps the other factor, diagonals stay diagonal.
    pub fn product(self, rhs: Structure) -> Structure {
        match (self.kind, rhs.kind) {
            (Kind::Identity, _) => rhs,
            (_, Kind::Identity) => self,
            (a, b) => Structure::new(a.max(b), self.rows, rhs.cols),
        }
    }

    /// Additions of `self + rhs`: one per stored entry of the result.
    pub fn sum_cost(self, rhs: Structure) -> u64 {
        self.sum(rhs).elements()
    }

    /// The structure of `self + rhs`: the identity plus a diagonal is diagonal.
    pub fn sum(self, rhs: Structure) -> Structure {
        let kind = match self.kind.max(rhs.kind) {
            Kind::Identity => Kind::Diagonal, // I + I = 2I, stored as a diagonal
            k => k,
        };
        Structure::new(kind, self.rows, self.cols)
    }
}

/// What the propagation and the chain product need of a matrix type: numeric ([`Structured`]) or
/// symbolic ([`Structure`]). One algorithm, written once, then runs or counts.
pub(crate) trait Factor: Clone {
    fn structure(&self) -> Structure;
    fn identity(n: usize) -> Self;
    fn zeros(rows: usize, cols: usize) -> Self;
    /// `self · rhs`.
    fn product(self, rhs: Self) -> Self;
    /// `self + rhs`.
    fn sum(self, rhs: Self) -> Self;
}

impl Factor for Structure {
    fn structure(&self) -> Structure {
        *self
    }
    fn identity(n: usize) -> Self {
        Structure::new(Kind::Identity, n, n)
    }
    fn zeros(rows: usize, cols: usize) -> Self {
        Structure::new(Kind::Dense, rows, cols)
    }
    fn product(self, rhs: Self) -> Self {
        Structure::product(self, rhs)
    }
    fn sum(self, rhs: Self) -> Self {
        Structure::sum(self, rhs)
    }
}

impl<T: Scalar> Structured<T> {
    /// `(rows, columns)`.
    pub fn dim(&self) -> (usize, usize) {
        match self {
            Structured::Identity(n) => (*n, *n),
            Structured::Diagonal(d) => (d.len(), d.len()),
            Structured::Dense(a) => a.dim(),
            Structured::Constant(a) => a.dim(),
        }
    }

    /// Identity, diagonal or dense.
    pub fn kind(&self) -> Kind {
        match self {
            Structured::Identity(_) => Kind::Identity,
            Structured::Diagonal(_) => Kind::Diagonal,
            Structured::Dense(_) | Structured::Constant(_) => Kind::Dense,
        }
    }

    /// Its kind and shape.
    pub fn structure(&self) -> Structure {
        let (rows, cols) = self.dim();
        Structure {
            kind: self.kind(),
            rows,
            cols,
            shared: matches!(self, Structured::Constant(_)),
        }
    }

    /// The matrix with every entry stored, in the standard (row-major) layout.
    pub fn into_dense(self) -> Array2<T> {
        match self {
            Structured::Identity(n) => Array2::eye(n),
            Structured::Diagonal(d) => Array2::from_diag(&d),
            // Row-major, whatever the layout of a product or of a transposed constant: callers
            // reshape it (`into_shape_with_order` needs the standard layout).
            Structured::Dense(a) if a.is_standard_layout() => a,
            Structured::Dense(a) => a.as_standard_layout().into_owned(),
            Structured::Constant(a) => a.view().as_standard_layout().into_owned(),
        }
    }

    /// A dense view, when the entries are stored.
    fn dense_view(&self) -> Option<ArrayView2<'_, T>> {
        match self {
            Structured::Dense(a) => Some(a.view()),
            Structured::Constant(a) => Some(a.view()),
            _ => None,
        }
    }
}

/// Whether `a` is stored column by column (a transposed row-major array).
fn column_major<T>(a: &Array2<T>) -> bool {
    !a.is_standard_layout() && a.t().is_standard_layout()
}

/// Scales row `i` of a batch by `d[i]`: `diag(d) · A`, in place.
fn scale_rows<T: Scalar>(mut t: Array2<T>, d: &Array1<T>) -> Array2<T> {
    if column_major(&t) {
        // diag(d) · A = (Aᵀ · diag(d))ᵀ, and Aᵀ is row-major: scale its columns.
        return scale_cols(t.reversed_axes(), d).reversed_axes();
    }
    let big = t.len() >= PARALLEL_ELEMENTS;
    let zip = Zip::from(t.rows_mut()).and(d);
    let scale = |mut row: ndarray::ArrayViewMut1<T>, &di: &T| row.map_inplace(|v| *v = *v * di);
    if big {
        zip.par_for_each(scale);
    } else {
        zip.for_each(scale);
    }
    t
}

/// Scales column `j` of a batch by `d[j]`: `A · diag(d)`, in place.
fn scale_cols<T: Scalar>(mut c: Array2<T>, d: &Array1<T>) -> Array2<T> {
    if column_major(&c) {
        return scale_rows(c.reversed_axes(), d).reversed_axes();
    }
    let big = c.len() >= PARALLEL_ELEMENTS;
    let zip = Zip::from(c.rows_mut());
    let scale = |mut row: ndarray::ArrayViewMut1<T>| {
        Zip::from(&mut row).and(d).for_each(|v, &di| *v = *v * di)
    };
    if big {
        zip.par_for_each(scale);
    } else {
        zip.for_each(scale);
    }
    c
}

/// `diag(d) · A` (`axis = 1`: `d` down the rows) or `A · diag(d)` (`axis = 0`: `d` along the
/// columns) for a matrix that is not ours to scale in place: one pass, row by row in `A`'s
/// storage order (a transposed view such as `A1ᵀ` is read as stored).
fn scaled_copy<T: Scalar>(a: ArrayView2<T>, d: &Array1<T>, axis: usize) -> Array2<T> {
    if !a.is_standard_layout() && a.t().is_standard_layout() {
        // diag(d) · Bᵀ = (B · diag(d))ᵀ, and likewise the other way round.
        return scaled_copy(a.t(), d, 1 - axis).reversed_axes();
    }
    let mut out = Array2::uninit(a.dim());
    let zip = Zip::indexed(out.rows_mut()).and(a.rows());
    let row = |i: usize,
               mut o: ndarray::ArrayViewMut1<std::mem::MaybeUninit<T>>,
               r: ndarray::ArrayView1<T>| {
        if axis == 1 {
            let di = d[i];
            Zip::from(&mut o).and(&r).for_each(|o, &v| {
                o.write(v * di);
            });
        } else {
            Zip::from(&mut o).and(&r).and(d).for_each(|o, &v, &di| {
                o.write(v * di);
            });
        }
    };
    if a.len() >= PARALLEL_ELEMENTS {
        zip.par_for_each(row);
    } else {
        zip.for_each(row);
    }
    // SAFETY: every row of `out` was written above.
    unsafe { out.assume_init() }
}

/// `a ← a + b` (same shapes), on all cores for large batches: where tangents meet (`add`) and
/// where a value read twice collects both cotangents (`b` a batch, or a shared constant such as
/// the textbook modes' identity seed).
fn add_assign<T: Scalar>(a: &mut Array2<T>, b: ArrayView2<T>) {
    let big = a.len() >= PARALLEL_ELEMENTS;
    let zip = Zip::from(a).and(b);
    if big {
        zip.par_for_each(|x, &y| *x = *x + y);
    } else {
        zip.for_each(|x, &y| *x = *x + y);
    }
}

impl<T: Scalar> Factor for Structured<T> {
    fn structure(&self) -> Structure {
        Structured::structure(self)
    }
    fn identity(n: usize) -> Self {
        Structured::Identity(n)
    }
    fn zeros(rows: usize, cols: usize) -> Self {
        Structured::Dense(Array2::zeros((rows, cols)))
    }

    fn product(self, rhs: Self) -> Self {
        use Structured::*;
        match (self, rhs) {
            (Identity(_), b) => b,
            (a, Identity(_)) => a,
            (Diagonal(a), Diagonal(b)) => Diagonal(a * b),
            (Diagonal(d), Dense(b)) => Dense(scale_rows(b, &d)),
            (Diagonal(d), Constant(b)) => Dense(scaled_copy(b.view(), &d, 1)),
            (Dense(a), Diagonal(d)) => Dense(scale_cols(a, &d)),
            (Constant(a), Diagonal(d)) => Dense(scaled_copy(a.view(), &d, 0)),
            (a, b) => {
                let (a, b) = (
                    a.dense_view().expect("dense"),
                    b.dense_view().expect("dense"),
                );
                let mut out = Array2::zeros((a.nrows(), b.ncols()));
                gemm(T::one(), a, b, T::zero(), out.view_mut());
                Dense(out)
            }
        }
    }

    fn sum(self, rhs: Self) -> Self {
        use Structured::*;
        let n = self.dim().0;
        let diagonal = |s: Structured<T>| match s {
            Identity(n) => Array1::ones(n),
            Diagonal(d) => d,
            _ => unreachable!("only called on identity or diagonal"),
        };
        match (self.kind(), rhs.kind()) {
            (Kind::Dense, _) | (_, Kind::Dense) => {
                let (mut acc, other) = match (self, rhs) {
                    (Dense(a), b) | (b, Dense(a)) => (a, b),
                    (a, b) => (a.into_dense(), b),
                };
                match other {
                    Identity(_) => acc.diag_mut().map_inplace(|v| *v = *v + T::one()),
                    Diagonal(d) => Zip::from(acc.diag_mut())
                        .and(&d)
                        .for_each(|v, &di| *v = *v + di),
                    Dense(b) => add_assign(&mut acc, b.view()),
                    Constant(b) => add_assign(&mut acc, b.view()),
                }
                Dense(acc)
            }
            _ => {
                let (a, b) = (diagonal(self), diagonal(rhs));
                debug_assert_eq!(a.len(), n);
                Diagonal(a + b)
            }
        }
    }
}
