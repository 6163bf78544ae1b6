//! Central finite differences: an independent check on both modes, which shares no code with them.

use ndarray::{Array1, ArrayView1};

use crate::api::Real;
use crate::error::Result;
use crate::program::{check_vector, Program};

/// `(f(x + h v) - f(x - h v)) / 2h ≈ J(x) v`, with error `O(h²)`.
///
/// Use `f64` and `h ≈ 1e-5` for about 8 correct digits on smooth functions.
///
/// # Errors
/// If `x` or `v` is not a finite vector of the input length.
pub fn directional<T: Real>(
    f: &Program<T>,
    x: ArrayView1<T>,
    v: ArrayView1<T>,
    h: T,
) -> Result<Array1<T>> {
    check_vector("v", v, f.input_len())?;
    let plus = f.call(&(&x + &(&v * h)))?;
    let minus = f.call(&(&x - &(&v * h)))?;
    let d = (plus - minus) / (h + h);
    Ok(Array1::from_iter(d.iter().copied()))
}
