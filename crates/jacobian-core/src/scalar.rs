//! The floating-point types the crate computes in: [`Scalar`], bound of every generic item of the
//! layers the entry points use (whose bound, [`Real`](crate::Real), adds the drivers compiled for
//! each type).

use std::fmt;

mod sealed {
    /// Implemented for `f32` and `f64` only, so that no other crate can implement
    /// [`Scalar`](super::Scalar).
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A floating-point element type: `f32` (the default, as in JAX) or `f64`. Sealed: the matrix
/// products are written for these two types only.
pub trait Scalar:
    sealed::Sealed
    + num_traits::Float
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

    /// Converts a literal such as the `0.1` in `0.1 * sin(y)`, as JAX does with weakly typed
    /// constants.
    fn lit(x: f64) -> Self;

    /// Widens to `f64`, for error messages and statistics.
    fn to_f64_lossy(self) -> f64;
}

impl Scalar for f32 {
    const NAME: &'static str = "f32";
    fn lit(x: f64) -> Self {
        x as f32
    }
    fn to_f64_lossy(self) -> f64 {
        self as f64
    }
}

impl Scalar for f64 {
    const NAME: &'static str = "f64";
    fn lit(x: f64) -> Self {
        x
    }
    fn to_f64_lossy(self) -> f64 {
        self
    }
}
