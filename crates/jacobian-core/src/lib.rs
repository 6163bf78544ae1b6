//! # jacobian-core: forward- and reverse-mode automatic differentiation, and why the order matters
//!
//! This crate rebuilds a JAX experiment: the full Jacobian of a wide function `F: R^5000 → R` and of
//! a tall one `G: R → R^5000`, each by forward mode (`jacfwd`) and by reverse mode (`jacrev`).
//! Forward mode loses on `F` and wins on `G`, because a Jacobian is a chain of matrix products,
//! and the cheap order starts at the narrow end.
//!
//! ## How it works, in four steps
//!
//! 1. **Write the function once**, with [`Var`]: arithmetic and the methods of `Var` (`tanh`,
//!    `sin`, `square`, `sum`, …) and `matrix.dot(&x)` for a constant [`Matrix`].
//! 2. **Trace it**: [`Program::trace`] runs it once on a symbolic input and records a
//!    [`Program`], a straight-line list of [`primitives`] with shapes. It prints like a jaxpr.
//! 3. **Linearize** at a point: [`Program::linearize`] evaluates it and keeps every intermediate
//!    value. That is all either mode needs of the forward computation.
//! 4. **Differentiate**: each primitive states its derivative once, as its local Jacobian `L`
//!    (a matrix, a diagonal, the identity: [`primitives::Local`]). The chain rule does the rest,
//!    in either order ([`sweep`]): forward mode pushes a batch of tangents through the program
//!    in order, `Ẏ = L Ẋ` at each step; reverse mode pulls a batch of cotangents back in reverse
//!    order, `X̄ = Ȳ L`. [`jacfwd`] seeds the identity of the input space, [`jacrev`] that of the
//!    output space; [`jvp`] and [`vjp`] one direction.
//!
//! ```
//! use jacobian_core::{jacfwd, jacrev, Matrix, Program};
//! use ndarray::array;
//!
//! // f(x) = tanh(A x + b), written once.
//! let a = Matrix::new(array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
//! let b = array![0.1, 0.2, 0.3];
//! let f = Program::<f64>::trace(2, |x| (a.dot(&x) + &b).tanh())?;
//! println!("{f}"); // { lambda x:f64[2] . v1:f64[3] = matvec[3×2] x ... }
//!
//! let x = array![0.5, -0.25];
//! let (jf, jr) = (jacfwd(&f, &x)?, jacrev(&f, &x)?);
//! assert_eq!(jf.shape(), &[3, 2]);
//! assert!((&jf - &jr).iter().all(|d| d.abs() < 1e-12));
//! # Ok::<(), jacobian_core::Error>(())
//! ```
//!
//! ## Beyond the two ends of the chain
//!
//! `jacfwd` and `jacrev` multiply the chain of local Jacobians from one end, starting from a dense
//! identity. The local Jacobians carry their structure (dense, diagonal, identity:
//! [`structured`]), and the [`plan`] uses it three ways: structured seeds (the identity stays
//! symbolic, diagonal blocks stay diagonal), the cheapest bracketing of the whole chain (dynamic
//! programming, as for the matrix-chain problem), and [`jacobian()`], which picks the cheapest
//! strategy from the counts and says why ([`Plan`]).
//!
//! ```
//! use jacobian_core::{jacobian, network::DeepNetwork, Strategy};
//! // Narrow in the middle: start from both ends towards the 3-wide layer.
//! let f = DeepNetwork::<f64>::new(&[40, 200, 3, 200, 40])?.trace();
//! let x = jacobian_core::random_input::<f64>(40, 1);
//! let (jac, plan) = jacobian(&f, &x)?;
//! assert_eq!((jac.shape(), plan.strategy), (&[40, 40][..], Strategy::Bracketed));
//! println!("{}", plan.bracketing()); // ((A4 · (D3 · A3)) · D2) · ((A2 · D1) · A1)
//! # Ok::<(), jacobian_core::Error>(())
//! ```
//!
//! ## Why a trace
//!
//! The alternative, a trait implemented by plain numbers, duals and tape variables (as `num-dual`
//! does), differentiates the same code too. A trace adds what this project needs beyond that: the
//! program can be printed, its cost counted from the shapes before anything runs ([`cost`]), and
//! one recorded forward pass serves any number of tangent or cotangent batches.
//!
//! ## Why batches
//!
//! Tangents are `n × k` matrices (a column per direction) and cotangents `k × m` (a row per
//! direction), so pushing the standard basis through `y = A x` is one matrix product `A · I`,
//! as JAX's `vmap(jvp)` makes it. The cost of that product is the lesson: see [`cost`].
//!
//! ## Layout: layers, each using only the ones above it in this table
//!
//! | layer | module | what |
//! |---|---|---|
//! | numbers | [`scalar`], [`error`], `memory`, [`linalg`] | element types, typed errors, the memory check, the one matrix product |
//! | matrices | [`matrix`], [`structured`] | constant matrices; identity / diagonal / dense matrices and the cost of their products |
//! | primitives | [`expr`], [`primitives`], [`elementwise`] | each operation's shape, value and local Jacobian, in one place; diagonal rules as formulas |
//! | programs | [`program`], [`trace`], [`grad`](mod@grad) | the [`Program`] and its evaluation at a point; tracing a function written with [`Var`]; the gradient recorded as a program |
//! | sweeps | [`sweep`] | forward (push tangents) and reverse (pull cotangents), on numbers or on structures; forward with the values, for one direction |
//! | planning | [`cost`], [`plan`] | the [`Strategy`]s and their counts; cut points, the cheapest bracketing, the [`Plan`] |
//! | drivers | [`jacobian`](mod@jacobian), [`hessian`](mod@hessian) | [`Prepared`], which every Jacobian driver runs; the generic implementations of [`jvp`], [`vjp`], [`hessian()`], [`hvp`] |
//! | entry points | [`api`] | [`Real`]: the drivers compiled once here for `f32` and `f64`, and the public functions, one line each |
//! | uses | [`network`], [`finite_diff`] | the original notebook's `F` and `G`, deeper networks; central differences |
//!
//! To follow `x` from [`jacfwd`] down: [`api`] hands it to the body compiled for its type,
//! [`jacobian`](mod@jacobian) prepares the strategy and seeds the identity, [`plan`] runs the
//! strategy, [`sweep`] pushes the seed through the program, [`program`] gives each node's local
//! Jacobians at `x`, and [`primitives`] says what they are. Nothing below calls back up.
//!
//! ## Derivatives of derivatives
//!
//! A derivative here can be a program too. [`grad()`] records the reverse sweep of a function with
//! one output as a new [`Program`] (as JAX traces a VJP): every local Jacobian's transpose is
//! written with ordinary operations, and the diagonal rules (`tanh' = (1 - y)(1 + y)`, …) are
//! formulas ([`expr::Expr`]) recorded on traced values. Any driver then differentiates the
//! gradient: `jacfwd(&grad(&f)?, x)` is the Hessian by forward over reverse, [`hvp`] one
//! Hessian-vector product, and [`hessian()`] the cheapest way it counts, which can use the
//! symmetry of the Hessian for its last product. The [`hessian`](mod@hessian) module lists the compositions and their costs.
//!
//! ```
//! use jacobian_core::{grad, hessian, hvp, Network};
//! let f = Network::<f64>::new(&[20, 10, 3, 1])?.trace_f();
//! let x = jacobian_core::random_input::<f64>(20, 0);
//! let v = jacobian_core::random_input::<f64>(20, 1);
//! println!("{}", grad(&f)?); // the gradient program, printed like any other
//! let h = hessian(&f, &x)?; // 20 × 20, symmetric
//! let hv = hvp(&f, &x, &v)?; // H v, without forming H
//! assert!((&h.dot(&v) - &hv).iter().all(|d| d.abs() < 1e-12));
//! # Ok::<(), jacobian_core::Error>(())
//! ```

#![warn(missing_docs)]

pub mod api;
pub mod cost;
pub mod elementwise;
pub mod error;
pub mod expr;
pub mod finite_diff;
pub mod grad;
pub mod hessian;
pub mod jacobian;
pub mod linalg;
pub mod matrix;
mod memory;
pub mod network;
pub mod plan;
pub mod primitives;
pub mod program;
pub mod scalar;
pub mod structured;
pub mod sweep;
pub mod trace;

/// The array crate this one is built on, re-exported so that users get the same version.
pub use ndarray;
/// Random arrays (`Array1::random`), re-exported for the same reason.
pub use ndarray_rand;

pub use api::{
    grad, hessian, hessian_plan, hessian_with, hvp, jacfwd, jacfwd_chunked, jacfwd_structured,
    jacobian, jacobian_with, jacrev, jacrev_chunked, jacrev_structured, jvp, vjp, Real,
};
pub use cost::{Cost, Strategy};
pub use error::{Error, Result};
pub use hessian::{HessianPlan, SymmetricLast};
pub use jacobian::Prepared;
pub use matrix::Matrix;
pub use network::{random_input, Network, ORIGINAL_WIDTHS};
pub use plan::Plan;
pub use primitives::Shape;
pub use program::{Linearization, Program};
pub use scalar::Scalar;
pub use trace::Var;
