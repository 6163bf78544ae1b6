//! The floating-point types the crate computes in, and the one matrix product everything funnels into.

use std::fmt;

use ndarray::{ArrayView2, ArrayViewMut2};

/// A floating-point element type: `f32` (the default, as in JAX) or `f64`.
///
/// It bundles what the primitives need (arithmetic, `tanh`, `sin`, …) with the matrix product
/// [`Real::gemm`], so that each type can use its own tuned kernel.
pub trait Real:
    num_traits::Float
    + ndarray::LinalgScalar
    + ndarray::ScalarOperand
    + Send
    + Sync
    + Default
    + fmt::Debug
    + fmt::Display
    + fmt::LowerExp
    + 'static
{
    /// The name JAX prints for this type: `"f32"` or `"f64"`.
    const NAME: &'static str;

    /// Converts a literal such as the `0.1` in `0.1 * sin(y)`, as JAX does with weakly typed constants.
    fn lit(x: f64) -> Self;

    /// Widens to `f64`, for error messages and statistics.
    fn to_f64_lossy(self) -> f64;

    /// `c = alpha * a · b + beta * c`, for any strides.
    ///
    /// # Panics
    /// If the shapes do not chain (`a` is m×k, `b` k×n, `c` m×n): callers check shapes first.
    fn gemm(
        alpha: Self,
        a: ArrayView2<Self>,
        b: ArrayView2<Self>,
        beta: Self,
        c: ArrayViewMut2<Self>,
    );
}

macro_rules! impl_real {
    ($t:ty, $name:literal, $gemm:path) => {
        impl Real for $t {
            const NAME: &'static str = $name;
            fn lit(x: f64) -> Self {
                x as $t
            }
            fn to_f64_lossy(self) -> f64 {
                self as f64
            }
            fn gemm(
                alpha: Self,
                a: ArrayView2<Self>,
                b: ArrayView2<Self>,
                beta: Self,
                c: ArrayViewMut2<Self>,
            ) {
                $gemm(alpha, a, b, beta, c)
            }
        }
    };
}
impl_real!(f32, "f32", crate::linalg::gemm_f32);
impl_real!(f64, "f64", crate::linalg::gemm_f64);
