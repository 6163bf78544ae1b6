//! The networks of the original notebook: `F: R^5000 → R` and its mirror `G: R → R^5000`,
//! built from the same fixed matrices for any layer widths.

use ndarray::{Array1, Array2, Axis};
use ndarray_rand::rand::{rngs::StdRng, SeedableRng};
use ndarray_rand::rand_distr::{Distribution, StandardNormal};
use ndarray_rand::RandomExt;

use crate::error::{Error, Result};
use crate::matrix::{first_non_finite, Matrix};
use crate::memory::check_fits;
use crate::program::Program;
use crate::scalar::Scalar;
use crate::trace::Var;

/// The original widths: `F: R^5000 → R^1000 → R^30 → R^1`.
pub const ORIGINAL_WIDTHS: [usize; 4] = [5000, 1000, 30, 1];

/// The three layers' constants: `A_i` (`n_i × n_{i-1}`) and `b_i` (`n_i`), for widths `n0, n1, n2, n3`.
///
/// `f32` by default, as JAX computes by default; `Network::<f64>` for double precision.
#[derive(Debug, Clone)]
pub struct Network<T = f32> {
    widths: [usize; 4],
    /// `A1`, `n1 × n0`.
    pub a1: Matrix<T>,
    /// `A2`, `n2 × n1`.
    pub a2: Matrix<T>,
    /// `A3`, `n3 × n2`.
    pub a3: Matrix<T>,
    /// `b1 = tanh(row sums of A1)`, length `n1`.
    pub b1: Array1<T>,
    /// `b2`, length `n2`.
    pub b2: Array1<T>,
    /// `b3`, length `n3`.
    pub b3: Array1<T>,
}

/// `sin(arange(rows·cols).reshape(rows, cols) · 0.001)`, computed in `T` as JAX does
/// (`float(i) · 0.001` rounded to `T`, then `sin`).
pub fn sin_matrix<T: Scalar>(rows: usize, cols: usize) -> Array2<T> {
    let step = T::lit(0.001);
    Array2::from_shape_fn((rows, cols), |(i, j)| {
        (T::lit((i * cols + j) as f64) * step).sin()
    })
}

/// `A_i = sin_matrix(n_i, n_{i-1})` for consecutive widths, after checking that every width is
/// positive and that the matrices fit in memory.
fn layer_matrices<T: Scalar>(widths: &[usize]) -> Result<Vec<Array2<T>>> {
    if widths.contains(&0) {
        return Err(Error::Widths {
            widths: widths.to_vec(),
            reason: "every width must be at least 1".into(),
        });
    }
    let elements: u128 = widths.windows(2).map(|p| p[0] as u128 * p[1] as u128).sum();
    check_fits::<T>(&format!("the matrices of a {widths:?} network"), elements)?;
    Ok(widths
        .windows(2)
        .map(|p| sin_matrix::<T>(p[1], p[0]))
        .collect())
}

/// `tanh(sum(A, axis=1))`: the bias of a layer.
pub fn bias<T: Scalar>(a: &Array2<T>) -> Array1<T> {
    a.sum_axis(Axis(1)).mapv(T::tanh)
}

impl<T: Scalar> Network<T> {
    /// The network of the original notebook, widths 5000, 1000, 30, 1.
    pub fn original() -> Self {
        Self::new(&ORIGINAL_WIDTHS).expect("the original widths are valid")
    }

    /// The same formulas for other widths `[n0, n1, n2, n3]`: `F: R^n0 → R^n3`, `G: R^n3 → R^n0`.
    ///
    /// # Errors
    /// [`Error::Widths`] unless there are four positive widths; [`Error::TooLarge`] if the
    /// matrices would not fit in memory.
    pub fn new(widths: &[usize]) -> Result<Self> {
        let bad = |reason: &str| Error::Widths {
            widths: widths.to_vec(),
            reason: reason.to_string(),
        };
        let w: [usize; 4] = widths.try_into().map_err(|_| {
            bad(&format!(
                "expected 4 widths n0,n1,n2,n3 (3 layers), got {}",
                widths.len()
            ))
        })?;
        let [a1, a2, a3]: [Array2<T>; 3] = layer_matrices(&w)?
            .try_into()
            .expect("four widths make three matrices");
        Self::from_matrices(a1, a2, a3)
    }

    /// A network from given matrices (biases from the original's formula).
    ///
    /// # Errors
    /// [`Error::Widths`] if the shapes do not chain (`A2` must have as many columns as `A1` has
    /// rows, and so on) or a matrix is empty; [`Error::NonFiniteConstant`] if a matrix or a bias
    /// holds a NaN or an infinity.
    pub fn from_matrices(a1: Array2<T>, a2: Array2<T>, a3: Array2<T>) -> Result<Self> {
        let dims = [a1.dim(), a2.dim(), a3.dim()];
        let widths = vec![dims[0].1, dims[0].0, dims[1].0, dims[2].0];
        for (i, pair) in dims.windows(2).enumerate() {
            if pair[1].1 != pair[0].0 {
                return Err(Error::Widths {
                    widths,
                    reason: format!(
                        "A{} is {}×{}, so A{} needs {} columns, but it is {}×{}",
                        i + 1,
                        pair[0].0,
                        pair[0].1,
                        i + 2,
                        pair[0].0,
                        pair[1].0,
                        pair[1].1
                    ),
                });
            }
        }
        if widths.contains(&0) {
            return Err(Error::Widths {
                widths,
                reason: "every width must be at least 1".into(),
            });
        }
        let (b1, b2, b3) = (bias(&a1), bias(&a2), bias(&a3));
        let (a1, a2, a3) = (
            Matrix::new(a1).named("A1"),
            Matrix::new(a2).named("A2"),
            Matrix::new(a3).named("A3"),
        );
        // Finite matrices can still sum to ±∞ in a row, and +∞ + −∞ to a NaN bias.
        for (i, (a, b)) in [(&a1, &b1), (&a2, &b2), (&a3, &b3)].into_iter().enumerate() {
            let (what, at, value) = if let Some((at, value)) = a.first_non_finite() {
                (format!("A{}", i + 1), at, value)
            } else if let Some((r, value)) = first_non_finite(b.view()) {
                let what = format!("the bias b{0} = tanh(row sums of A{0})", i + 1);
                (what, format!("[{r}]"), value)
            } else {
                continue;
            };
            return Err(Error::NonFiniteConstant { what, at, value });
        }
        Ok(Network {
            widths: [widths[0], widths[1], widths[2], widths[3]],
            a1,
            a2,
            a3,
            b1,
            b2,
            b3,
        })
    }

    /// `[n0, n1, n2, n3]`.
    pub fn widths(&self) -> [usize; 4] {
        self.widths
    }

    /// `F(x)`, line by line as in the original notebook.
    pub fn f(&self, x: Var<T>) -> Var<T> {
        let y1 = self.a1.dot(&x) + &self.b1;
        let y1 = y1.tanh() + 0.1 * y1.sin();

        let y2 = self.a2.dot(&y1) + &self.b2;
        let y2 = y2.tanh() + 0.1 * y2.square();

        let y3 = self.a3.dot(&y2) + &self.b3;
        y3.squeeze()
    }

    /// `G(z)`, the mirror of `F`, line by line as in the original notebook.
    pub fn g(&self, z: Var<T>) -> Var<T> {
        let z = z.atleast_1d();

        let y2 = self.a3.t().dot(&(z - &self.b3));
        let y2 = y2.tanh() + 0.1 * y2.sin();

        let y1 = self.a2.t().dot(&(y2 - &self.b2));
        let y1 = y1.tanh() + 0.1 * y1.square();

        self.a1.t().dot(&(y1 - &self.b1))
    }

    /// `F` traced into a program: `R^n0 → R` (or `R^n3` if `n3 > 1`).
    pub fn trace_f(&self) -> Program<T> {
        Program::trace(self.widths[0], |x| self.f(x)).expect("F's shapes chain by construction")
    }

    /// `G` traced into a program: `R^n3 → R^n0`.
    pub fn trace_g(&self) -> Program<T> {
        Program::trace(self.widths[3], |z| self.g(z))
            .expect("G's shapes chain by construction")
            .input_named("z")
    }
}

/// A network of any depth, built with the original's formulas: widths `n0 → n1 → … → nL`, layer `i`
/// computes `y = A_i x + b_i` with `A_i = sin_matrix(n_i, n_{i-1})` and `b_i = bias(A_i)`, followed
/// (in every layer but the last) by `tanh(y) + 0.1 sin(y)` in odd layers and `tanh(y) + 0.1 y²` in
/// even ones, as `F` alternates them. `[5000, 1000, 30, 1]` is `F` with a length-1 output.
///
/// ```
/// use jacobian_core::{network::DeepNetwork, Strategy};
/// // Narrow in the middle: neither end of the chain is the cheap place to start.
/// let net = DeepNetwork::<f32>::new(&[50, 500, 2, 500, 50])?;
/// assert_eq!(net.trace().plan().strategy, Strategy::Bracketed);
/// # Ok::<(), jacobian_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct DeepNetwork<T = f32> {
    widths: Vec<usize>,
    /// `(A_i, b_i)` of each layer, from the input end.
    pub layers: Vec<(Matrix<T>, Array1<T>)>,
}

impl<T: Scalar> DeepNetwork<T> {
    /// The layers for widths `[n0, n1, …, nL]`.
    ///
    /// # Errors
    /// [`Error::Widths`] unless there are at least two widths, all positive; [`Error::TooLarge`] if
    /// the matrices would not fit in memory.
    pub fn new(widths: &[usize]) -> Result<Self> {
        let bad = |reason: String| Error::Widths {
            widths: widths.to_vec(),
            reason,
        };
        if widths.len() < 2 {
            return Err(bad(format!(
                "expected at least 2 widths (input and output), got {}",
                widths.len()
            )));
        }
        let layers = layer_matrices::<T>(widths)?
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                let b = bias(&a);
                (Matrix::new(a).named(&format!("A{}", i + 1)), b)
            })
            .collect();
        Ok(DeepNetwork {
            widths: widths.to_vec(),
            layers,
        })
    }

    /// `[n0, n1, …, nL]`.
    pub fn widths(&self) -> &[usize] {
        &self.widths
    }

    /// The network applied to `x`, layer by layer.
    pub fn forward(&self, x: Var<T>) -> Var<T> {
        let last = self.layers.len() - 1;
        let mut h = x;
        for (i, (a, b)) in self.layers.iter().enumerate() {
            let y = a.dot(&h) + b;
            h = match i {
                _ if i == last => y,
                _ if i % 2 == 0 => y.tanh() + 0.1 * y.sin(),
                _ => y.tanh() + 0.1 * y.square(),
            };
        }
        h
    }

    /// The network traced into a program: `R^n0 → R^nL`.
    pub fn trace(&self) -> Program<T> {
        Program::trace(self.widths[0], |x| self.forward(x))
            .expect("the layers' shapes chain by construction")
    }
}

/// A standard-normal vector of length `n` from a seeded generator: the same seed, the same vector.
pub fn random_input<T: Scalar>(n: usize, seed: u64) -> Array1<T>
where
    StandardNormal: Distribution<T>,
{
    Array1::random_using(n, StandardNormal, &mut StdRng::seed_from_u64(seed))
}
