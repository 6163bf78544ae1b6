//! Second derivatives: the Hessian and Hessian-vector products, by differentiating the gradient
//! program ([`grad`]) with the drivers of the first derivative.
//!
//! The gradient of `f: R^n → R` is a square map `R^n → R^n`, so both modes meet it with `n`
//! directions; what differs is the program they push them through. The compositions, for `F` at
//! the original widths (`A1` is 1000×5000; counts from `grad(&f)?.cost()`):
//!
//! | composition | call | what it multiplies |
//! |---|---|---|
//! | forward over reverse | `jacfwd(&grad(&f)?, x)` | the dense `n × n` identity through the gradient: `A1 · I`, then `A1ᵀ · (1000 × n)` |
//! | reverse over reverse | `jacrev(&grad(&f)?, x)` | the same products, from the other end |
//! | structured, bracketed | [`hessian`] (the cheapest), [`hessian_with`] | from a symbolic identity: `A1 · I = A1` is free, half the work |
//! | Hessian-vector product | [`hvp`] = `jvp(&grad(&f)?, x, v)` | one direction: `A1 · [x \| v]` in one product, then `A1ᵀ` once: `A1` read twice |
//!
//! `vjp(&grad(&f)?, x, v)` is `vᵀH`, which is `(Hv)ᵀ` since the Hessian is symmetric: reverse
//! over reverse gives the same product at about the same cost. Reverse over forward (JAX's
//! `jvp` recorded as a program with the tangent as a second input) is not built: programs here
//! have one input.

use ndarray::{Array1, Array2, AsArray, Axis, Ix1, Ix2};

use crate::cost::Strategy;
use crate::error::{Error, Result};
use crate::grad::grad;
use crate::program::{check_vector, Program};
use crate::real::Real;
use crate::sweep::push_with_values;

/// The `n × n` Hessian of `f: R^n → R` at `x`, by the cheapest strategy for its gradient program
/// (the plan it runs is `grad(&f)?.plan()`).
///
/// # Errors
/// [`Error::Shape`] if `f` has more than one output; if `x` is not a finite vector of the input
/// length; [`Error::TooLarge`] if the Hessian would not fit in memory.
///
/// ```
/// use jacobian_core::{hessian, Program};
/// use ndarray::array;
/// // f(x) = Σ exp(xᵢ) + (Σ xᵢ)²: H = diag(exp(x)) + 2 (every entry 2).
/// let f = Program::<f64>::trace(2, |x| x.exp().sum() + x.sum().square())?;
/// let h = hessian(&f, &array![0.0, 1.0])?;
/// assert_eq!(h, array![[3.0, 2.0], [2.0, 2.0 + 1f64.exp()]]);
/// # Ok::<(), jacobian_core::Error>(())
/// ```
pub fn hessian<'a, T: Real>(f: &Program<T>, x: impl AsArray<'a, T, Ix1>) -> Result<Array2<T>> {
    let g = grad(f)?;
    let strategy = g.plan().strategy;
    hessian_of_gradient(strategy, &g, x)
}

/// The Hessian by a given strategy on the gradient program: [`Strategy::Forward`] is
/// forward over reverse (`jax.hessian`), [`Strategy::Reverse`] reverse over reverse.
///
/// # Errors
/// As [`hessian`].
pub fn hessian_with<'a, T: Real>(
    strategy: Strategy,
    f: &Program<T>,
    x: impl AsArray<'a, T, Ix1>,
) -> Result<Array2<T>> {
    hessian_of_gradient(strategy, &grad(f)?, x)
}

fn hessian_of_gradient<'a, T: Real>(
    strategy: Strategy,
    g: &Program<T>,
    x: impl AsArray<'a, T, Ix1>,
) -> Result<Array2<T>> {
    let jac = g.prepare().with_strategy(strategy).jacobian(x);
    let jac = jac.map_err(|e| match e {
        Error::TooLarge {
            what,
            needed_mib,
            available_mib,
        } => Error::TooLarge {
            what: format!("the Hessian, as {what} of the gradient,"),
            needed_mib,
            available_mib,
        },
        e => e,
    })?;
    Ok(jac
        .into_dimensionality::<Ix2>()
        .expect("the gradient maps R^n to R^n"))
}

/// The Hessian-vector product `H(x) v` of `f: R^n → R`, without forming `H`: one forward-mode
/// direction through the gradient program (forward over reverse), its values computed along.
///
/// # Errors
/// [`Error::Shape`] if `f` has more than one output; if `x` or `v` is not a finite vector of the
/// input length.
///
/// ```
/// use jacobian_core::{hvp, Program};
/// use ndarray::array;
/// // f(x) = Σ xᵢ²: H = 2I, so Hv = 2v.
/// let f = Program::<f64>::trace(3, |x| x.square().sum())?;
/// assert_eq!(hvp(&f, &array![1.0, 2.0, 3.0], &array![1.0, 0.0, -1.0])?, array![2.0, 0.0, -2.0]);
/// # Ok::<(), jacobian_core::Error>(())
/// ```
pub fn hvp<'a, 'b, T: Real>(
    f: &Program<T>,
    x: impl AsArray<'a, T, Ix1>,
    v: impl AsArray<'b, T, Ix1>,
) -> Result<Array1<T>> {
    let g = grad(f)?;
    let (x, v) = (x.into(), v.into());
    check_vector("x", x, g.input_len())?;
    check_vector("v", v, g.input_len())?;
    // The gradient's own value is not needed: only the values its derivative rules read.
    let skip = g.not_needed_for_derivative();
    let (_, hv) = push_with_values(&g, x, v.to_owned().insert_axis(Axis(1)), &skip);
    Ok(Array1::from_iter(hv))
}
