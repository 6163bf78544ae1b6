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
//! | structured, bracketed | [`hessian_with`] | from a symbolic identity: `A1 · I = A1` is free, half the work |
//! | [`hessian`] | `hessian(&f, x)` | the cheapest strategy for `U = ∂u/∂x` (where `∇f = A1ᵀ u`), then `H = A1ᵀ U` by symmetry: half of that product ([`HessianPlan`]) |
//! | Hessian-vector product | [`hvp`] = `jvp(&grad(&f)?, x, v)` | one direction: `A1 · [x \| v]` in one product, then `A1ᵀ` once: `A1` read twice |
//!
//! `vjp(&grad(&f)?, x, v)` is `vᵀH`, which is `(Hv)ᵀ` since the Hessian is symmetric: reverse
//! over reverse gives the same product at about the same cost. Reverse over forward (JAX's
//! `jvp` recorded as a program with the tangent as a second input) is not built: programs here
//! have one input.

use std::fmt;

use ndarray::{Array1, Array2, AsArray, Axis, Ix1, Ix2};

use crate::cost::{si, Strategy};
use crate::error::{Error, Result};
use crate::grad::grad;
use crate::linalg::{symmetric_product, symmetric_product_cost};
use crate::matrix::Matrix;
use crate::memory::check_fits;
use crate::plan::Plan;
use crate::primitives::Local;
use crate::program::{check_vector, Program, ValueId};
use crate::real::Real;
use crate::sweep::push_with_values;

/// How [`hessian`] computes a Hessian ([`hessian_plan`]): the Jacobian of the gradient program
/// by its cheapest strategy, except that where the gradient ends in a product by a constant,
/// `∇f = B u` (`B = A1ᵀ` for a network), it computes `U = ∂u/∂x` and takes `H = B U` by
/// symmetry: only the blocks on and above the diagonal are multiplied
/// ([`symmetric_product`]), about half of the largest product.
#[derive(Debug, Clone)]
pub struct HessianPlan {
    /// The plan of the Jacobian computed first: of `u` if the last product is taken by
    /// symmetry, else of the whole gradient.
    pub plan: Plan,
    /// The last product `B U` taken by symmetry, if any: `B`'s shape `(n, k)` and the
    /// multiply–adds of the half that is computed.
    pub symmetric_last: Option<((usize, usize), u64)>,
}

impl HessianPlan {
    /// Multiply–adds in all: the plan's strategy, and the last product if taken apart.
    pub fn madds(&self) -> u64 {
        let last = self.symmetric_last.map_or(0, |(_, m)| m);
        self.plan.cost.madds(self.plan.strategy) + last
    }
}

impl fmt::Display for HessianPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.symmetric_last {
            Some(((n, k), madds)) => {
                writeln!(f, "U = ∂u/∂x, the gradient before its last product `B u`:")?;
                writeln!(f, "{}", self.plan)?;
                write!(
                    f,
                    "then H = B U ({n}×{k} · {k}×{n}) by symmetry: {} multiply–adds instead of {}; {} in all",
                    si(madds),
                    si((n * k * n) as u64),
                    si(self.madds())
                )
            }
            None => write!(f, "{}", self.plan),
        }
    }
}

/// The gradient's last step, if it is a product by a constant `B` (`n × k`): `B` and the
/// value `u` it multiplies.
fn last_product<T: Real>(g: &Program<T>) -> Option<(Matrix<T>, ValueId)> {
    let out = g.output_id();
    let node = g.nodes().get(out.checked_sub(1)?)?;
    match &node.prim.derivative()[..] {
        [Local::Matrix(b)] if b.dim().0 == g.input_len() => Some((b.clone(), node.args[0])),
        _ => None,
    }
}

/// What [`hessian`] will do for `f`, from the shapes alone.
///
/// # Errors
/// [`Error::Shape`] if `f` has more than one output.
pub fn hessian_plan<T: Real>(f: &Program<T>) -> Result<HessianPlan> {
    let g = grad(f)?;
    Ok(plan_of_gradient(&g))
}

fn plan_of_gradient<T: Real>(g: &Program<T>) -> HessianPlan {
    match last_product(g) {
        Some((b, u)) => {
            let (n, k) = b.dim();
            HessianPlan {
                plan: g.truncated(u).plan(),
                symmetric_last: Some(((n, k), symmetric_product_cost(n, k))),
            }
        }
        None => HessianPlan {
            plan: g.plan(),
            symmetric_last: None,
        },
    }
}

/// The `n × n` Hessian of `f: R^n → R` at `x`, by the cheapest strategy for its gradient
/// program, its last product taken by symmetry where it can be ([`HessianPlan`]).
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
    let Some((b, u)) = last_product(&g) else {
        return hessian_of_gradient(g.plan().strategy, &g, x);
    };
    let x = x.into();
    check_vector("x", x, g.input_len())?;
    let n = g.input_len();
    check_fits::<T>("the Hessian", n as u128 * n as u128).map_err(in_hessian)?;
    let inner = g.truncated(u);
    let du = inner.prepare().jacobian(x).map_err(in_hessian)?;
    let du = du.to_shape((inner.output_len(), n)).expect("k × n entries");
    Ok(symmetric_product(b.view(), du.view()))
}

/// A memory error of a Hessian's part, named as the Hessian's.
fn in_hessian(e: Error) -> Error {
    match e {
        Error::TooLarge {
            what,
            needed_mib,
            available_mib,
        } if !what.starts_with("the Hessian") => Error::TooLarge {
            what: format!("the Hessian, as {what} of the gradient,"),
            needed_mib,
            available_mib,
        },
        e => e,
    }
}

/// The Hessian by a given strategy on the whole gradient program, without symmetry:
/// [`Strategy::Forward`] is forward over reverse (`jax.hessian`), [`Strategy::Reverse`] reverse
/// over reverse.
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
    let jac = jac.map_err(in_hessian)?;
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
