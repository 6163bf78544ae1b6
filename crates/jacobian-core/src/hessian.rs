//! Second derivatives: the Hessian and Hessian-vector products, by differentiating the gradient
//! program ([`grad`](crate::grad())) with the drivers of the first derivative.
//!
//! The gradient of `f: R^n → R` is a square map `R^n → R^n`, so both modes meet it with `n`
//! directions; what differs is the program they push them through. The compositions, for `F` at
//! the original widths (`A1` is 1000×5000; counts from `grad(&f)?.cost()`):
//!
//! | composition | call | what it multiplies |
//! |---|---|---|
//! | forward over reverse | `jacfwd(&grad(&f)?, x)` | the dense `n × n` identity through the gradient: `A1 · I`, then `A1ᵀ · (1000 × n)` |
//! | reverse over reverse | `jacrev(&grad(&f)?, x)` | the same products, from the other end |
//! | structured, bracketed | [`hessian_with`](crate::hessian_with) | from a symbolic identity: `A1 · I = A1` is free, half the work |
//! | [`hessian`](crate::hessian()) | `hessian(&f, x)` | the cheaper of: the cheapest strategy on the gradient; or `U = ∂u/∂x` (where `∇f = A1ᵀ u`) and then `H = A1ᵀ U` by symmetry, half of that product ([`HessianPlan`]) |
//! | Hessian-vector product | [`hvp`](crate::hvp) = `jvp(&grad(&f)?, x, v)` | one direction: `A1 · [x \| v]` in one product, then `A1ᵀ` once: `A1` read twice |
//!
//! `vjp(&grad(&f)?, x, v)` is `vᵀH`, which is `(Hv)ᵀ` since the Hessian is symmetric: reverse
//! over reverse gives the same product at about the same cost. Reverse over forward (JAX's
//! `jvp` recorded as a program with the tangent as a second input) is not built: programs here
//! have one input.

use std::fmt;

use ndarray::{Array1, Array2, ArrayView1, Axis, Ix2};

use crate::cost::{si, Strategy};
use crate::error::{Error, Result};
use crate::grad::grad;
use crate::jacobian::Prepared;
use crate::linalg::{symmetric_product, symmetric_product_cost};
use crate::matrix::Matrix;
use crate::memory::check_fits;
use crate::plan::Plan;
use crate::primitives::Local;
use crate::program::{check_vector, Program};
use crate::scalar::Scalar;
use crate::sweep::push_with_values;

/// How [`hessian`](crate::hessian()) computes a Hessian ([`hessian_plan`](crate::hessian_plan())):
/// the Jacobian of the gradient program by its cheapest strategy; or, where the gradient ends in a
/// product by a constant, `∇f = B u` (`B = A1ᵀ` for a network), and where that counts fewer
/// multiply–adds, `U = ∂u/∂x` first and then `H = B U` by symmetry: only the blocks on and above
/// the diagonal are multiplied ([`symmetric_product`]), about half of that product.
#[derive(Debug, Clone)]
pub struct HessianPlan {
    /// The plan of the Jacobian computed first: of `u` if the last product is taken by
    /// symmetry, else of the whole gradient.
    pub plan: Plan,
    /// The last product `B U` taken by symmetry, if it is.
    pub symmetric_last: Option<SymmetricLast>,
}

/// The last product `H = B U` of a Hessian, taken by symmetry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SymmetricLast {
    /// `B` is `n × k`, `U` is `k × n`.
    pub n: usize,
    /// The inner dimension.
    pub k: usize,
    /// The multiply–adds of the half that is computed (the whole product has `n·k·n`).
    pub madds: u64,
}

impl HessianPlan {
    /// Multiply–adds in all: the plan's strategy, and the last product if taken apart.
    pub fn madds(&self) -> u64 {
        let last = self.symmetric_last.map_or(0, |l| l.madds);
        self.plan.cost.madds(self.plan.strategy) + last
    }
}

impl fmt::Display for HessianPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(SymmetricLast { n, k, madds }) = self.symmetric_last else {
            return write!(f, "{}", self.plan);
        };
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
}

/// What [`hessian`](crate::hessian()) decides for a gradient program: the plan, and for a split the
/// matrix `B` and the program of `u`.
struct Decision<T> {
    plan: HessianPlan,
    split: Option<(Matrix<T>, Program<T>)>,
}

/// Counts both ways and keeps the cheaper: the whole gradient's plan, or `U = ∂u/∂x` and the
/// last product by symmetry.
fn decide<T: Scalar>(g: &Program<T>) -> Decision<T> {
    let whole = HessianPlan {
        plan: g.plan(),
        symmetric_last: None,
    };
    let out = g.output_id();
    // The gradient's last step, if it is a product by a constant `B`: `∇f = B u`. (`B` is then
    // `n × k`, since the gradient has the input's length, and only this step reads `u`.)
    let last = out.checked_sub(1).map(|i| &g.nodes()[i]);
    let Some((b, u)) = last.and_then(|node| match &node.prim.derivative()[..] {
        [Local::Matrix(b)] => Some((b.clone(), node.args[0])),
        _ => None,
    }) else {
        return Decision {
            plan: whole,
            split: None,
        };
    };
    let inner = g.truncated(u);
    let (n, k) = b.dim();
    let split = HessianPlan {
        plan: inner.plan(),
        symmetric_last: Some(SymmetricLast {
            n,
            k,
            madds: symmetric_product_cost(n, k),
        }),
    };
    if split.madds() < whole.madds() {
        Decision {
            plan: split,
            split: Some((b, inner)),
        }
    } else {
        Decision {
            plan: whole,
            split: None,
        }
    }
}

/// The generic implementation of [`hessian_plan`](crate::hessian_plan).
pub(crate) fn hessian_plan<T: Scalar>(f: &Program<T>) -> Result<HessianPlan> {
    Ok(decide(&grad(f)?).plan)
}

/// The generic implementation of [`hessian`](crate::hessian()).
pub(crate) fn hessian<T: Scalar>(f: &Program<T>, x: ArrayView1<T>) -> Result<Array2<T>> {
    let g = grad(f)?;
    let Decision { plan, split } = decide(&g);
    let Some((b, inner)) = split else {
        return hessian_of_gradient(plan.plan.strategy, &g, x);
    };
    check_vector("x", x, g.input_len())?;
    // One check for all that is held at once: H, U, and what computing U holds at its peak.
    let (n, k) = b.dim();
    let strategy = plan.plan.strategy;
    let u_peak = plan.plan.cost.peak_bytes(strategy) / std::mem::size_of::<T>() as u64;
    let held = n as u128 * n as u128 + k as u128 * n as u128 + u_peak as u128;
    check_fits::<T>(&format!("the Hessian ({n}×{n}) with ∂u/∂x ({k}×{n})"), held)?;
    let du = Prepared::new(&inner)
        .with_strategy(strategy)
        .jacobian_at(x)?;
    let du = du.to_shape((k, n)).expect("k × n entries");
    Ok(symmetric_product(b.view(), du.view()))
}

/// The generic implementation of [`hessian_with`](crate::hessian_with).
pub(crate) fn hessian_with<T: Scalar>(
    strategy: Strategy,
    f: &Program<T>,
    x: ArrayView1<T>,
) -> Result<Array2<T>> {
    hessian_of_gradient(strategy, &grad(f)?, x)
}

fn hessian_of_gradient<T: Scalar>(
    strategy: Strategy,
    g: &Program<T>,
    x: ArrayView1<T>,
) -> Result<Array2<T>> {
    let jac = Prepared::new(g).with_strategy(strategy).jacobian_at(x);
    // A memory error names the Hessian, not only the gradient's Jacobian.
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

/// The generic implementation of [`hvp`](crate::hvp): one forward direction through the gradient
/// program, its values computed along.
pub(crate) fn hvp<T: Scalar>(
    f: &Program<T>,
    x: ArrayView1<T>,
    v: ArrayView1<T>,
) -> Result<Array1<T>> {
    let g = grad(f)?;
    check_vector("v", v, g.input_len())?; // in `jvp`'s order
    check_vector("x", x, g.input_len())?;
    // The gradient's own value is not needed: only the values its derivative rules read.
    let skip = g.not_needed_for_derivative();
    let (_, hv) = push_with_values(&g, x, v.to_owned().insert_axis(Axis(1)), &skip);
    Ok(Array1::from_iter(hv))
}
