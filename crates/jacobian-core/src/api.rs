//! The entry points: every public driver, compiled once in this crate for `f32` and `f64`.
//!
//! A generic function is compiled again by every crate that calls it with a concrete type, at
//! that crate's optimisation level. A notebook cell is such a crate (evcxr compiles each cell as
//! one), so a cell calling `jacfwd` would compile the whole AD engine under it again. So the
//! public drivers are bounded by [`Real`], whose methods are the engine's entry points,
//! implemented below for `f32` and `f64` by calling the generic implementations in
//! [`program`](crate::program), [`jacobian`](mod@crate::jacobian), [`grad`](mod@crate::grad) and
//! [`hessian`](mod@crate::hessian). Those methods are not generic: they are compiled here once,
//! and a caller only links to them.
//!
//! Build plumbing, not AD: each function of this module is one line, and its documentation is
//! the driver's. Every layer this one uses is bounded by [`Scalar`] alone.

use ndarray::{Array1, Array2, ArrayD, ArrayView1, AsArray, Ix1};

use crate::cost::Strategy;
#[cfg(doc)]
use crate::error::Error;
use crate::error::Result;
use crate::hessian::HessianPlan;
use crate::jacobian::Prepared;
use crate::plan::Plan;
use crate::program::Program;
use crate::scalar::Scalar;

/// The element type of the public drivers: `f32` (the default, as in JAX) or `f64`. A
/// [`Scalar`] with the drivers compiled for it in this crate (see the [module docs](self)).
///
/// Its methods are the drivers' entry points, called by the public functions; call those.
pub trait Real: Scalar {
    /// [`Program::call`], compiled for this type.
    fn call(f: &Program<Self>, x: ArrayView1<Self>) -> Result<ArrayD<Self>>;
    /// [`Program::prepare`], compiled for this type.
    fn prepare(f: &Program<Self>) -> Prepared<Self>;
    /// [`Prepared::jacobian`], compiled for this type.
    fn jacobian(p: &mut Prepared<Self>, x: ArrayView1<Self>) -> Result<ArrayD<Self>>;
    /// [`jvp`], compiled for this type.
    fn jvp(
        f: &Program<Self>,
        x: ArrayView1<Self>,
        v: ArrayView1<Self>,
    ) -> Result<(ArrayD<Self>, ArrayD<Self>)>;
    /// [`vjp`], compiled for this type.
    fn vjp(
        f: &Program<Self>,
        x: ArrayView1<Self>,
        c: ArrayView1<Self>,
    ) -> Result<(ArrayD<Self>, Array1<Self>)>;
    /// [`grad()`], compiled for this type.
    fn grad(f: &Program<Self>) -> Result<Program<Self>>;
    /// [`hessian_plan`], compiled for this type.
    fn hessian_plan(f: &Program<Self>) -> Result<HessianPlan>;
    /// [`hessian()`], compiled for this type.
    fn hessian(f: &Program<Self>, x: ArrayView1<Self>) -> Result<Array2<Self>>;
    /// [`hessian_with`], compiled for this type.
    fn hessian_with(s: Strategy, f: &Program<Self>, x: ArrayView1<Self>) -> Result<Array2<Self>>;
    /// [`hvp`], compiled for this type.
    fn hvp(f: &Program<Self>, x: ArrayView1<Self>, v: ArrayView1<Self>) -> Result<Array1<Self>>;
}

macro_rules! compiled_for {
    ($t:ty) => {
        // `inline(never)`: a caller that inlined one of these would compile the body again.
        impl Real for $t {
            #[inline(never)]
            fn call(f: &Program<$t>, x: ArrayView1<$t>) -> Result<ArrayD<$t>> {
                f.evaluate(x)
            }
            #[inline(never)]
            fn prepare(f: &Program<$t>) -> Prepared<$t> {
                Prepared::new(f)
            }
            #[inline(never)]
            fn jacobian(p: &mut Prepared<$t>, x: ArrayView1<$t>) -> Result<ArrayD<$t>> {
                p.jacobian_at(x)
            }
            #[inline(never)]
            fn jvp(
                f: &Program<$t>,
                x: ArrayView1<$t>,
                v: ArrayView1<$t>,
            ) -> Result<(ArrayD<$t>, ArrayD<$t>)> {
                crate::jacobian::jvp(f, x, v)
            }
            #[inline(never)]
            fn vjp(
                f: &Program<$t>,
                x: ArrayView1<$t>,
                c: ArrayView1<$t>,
            ) -> Result<(ArrayD<$t>, Array1<$t>)> {
                crate::jacobian::vjp(f, x, c)
            }
            #[inline(never)]
            fn grad(f: &Program<$t>) -> Result<Program<$t>> {
                crate::grad::grad(f)
            }
            #[inline(never)]
            fn hessian_plan(f: &Program<$t>) -> Result<HessianPlan> {
                crate::hessian::hessian_plan(f)
            }
            #[inline(never)]
            fn hessian(f: &Program<$t>, x: ArrayView1<$t>) -> Result<Array2<$t>> {
                crate::hessian::hessian(f, x)
            }
            #[inline(never)]
            fn hessian_with(s: Strategy, f: &Program<$t>, x: ArrayView1<$t>) -> Result<Array2<$t>> {
                crate::hessian::hessian_with(s, f, x)
            }
            #[inline(never)]
            fn hvp(f: &Program<$t>, x: ArrayView1<$t>, v: ArrayView1<$t>) -> Result<Array1<$t>> {
                crate::hessian::hvp(f, x, v)
            }
        }
    };
}
compiled_for!(f32);
compiled_for!(f64);

impl<T: Real> Program<T> {
    /// Evaluates the function: `f(x)`, with JAX's shape (`[]` for a scalar).
    ///
    /// # Errors
    /// [`Error::InputLength`] or [`Error::NonFinite`] if `x` is not a finite vector of the input
    /// length.
    pub fn call<'a>(&self, x: impl AsArray<'a, T, Ix1>) -> Result<ArrayD<T>> {
        T::call(self, x.into())
    }

    /// Prepares its Jacobian: the plan, made from the shapes, with the cheapest strategy chosen.
    pub fn prepare(&self) -> Prepared<T> {
        T::prepare(self)
    }
}

impl<T: Real> Prepared<T> {
    /// The full Jacobian at `x`.
    ///
    /// # Errors
    /// If `x` is not a finite vector of the input length, or the strategy would not fit in memory
    /// ([`Error::TooLarge`]: use a chunk size).
    pub fn jacobian<'a>(&mut self, x: impl AsArray<'a, T, Ix1>) -> Result<ArrayD<T>> {
        T::jacobian(self, x.into())
    }
}

/// Forward mode, one direction: `(f(x), J(x) v)`, the values and the tangent computed together,
/// node by node (as dual numbers do; a matrix step reads its matrix once for both).
///
/// # Errors
/// If `x` or `v` is not a finite vector of the input length.
pub fn jvp<'a, 'b, T: Real>(
    f: &Program<T>,
    x: impl AsArray<'a, T, Ix1>,
    v: impl AsArray<'b, T, Ix1>,
) -> Result<(ArrayD<T>, ArrayD<T>)> {
    T::jvp(f, x.into(), v.into())
}

/// Reverse mode, one direction: `(f(x), cᵀ J(x))`, where `c` has one entry per output element
/// (one entry for a scalar output).
///
/// # Errors
/// If `x` or `c` is not a finite vector of the right length.
pub fn vjp<'a, 'b, T: Real>(
    f: &Program<T>,
    x: impl AsArray<'a, T, Ix1>,
    c: impl AsArray<'b, T, Ix1>,
) -> Result<(ArrayD<T>, Array1<T>)> {
    T::vjp(f, x.into(), c.into())
}

/// The Jacobian by forward mode, all `n` input directions in one pass.
///
/// # Errors
/// If `x` is not a finite vector of the input length, or the Jacobian and the identity seed would
/// not fit in memory ([`Error::TooLarge`]: use [`jacfwd_chunked`]).
///
/// ```
/// use jacobian_core::{jacfwd, Program};
/// use ndarray::array;
/// // f(x) = sum(x²): the gradient is 2x.
/// let f = Program::<f64>::trace(2, |x| x.square().sum())?;
/// assert_eq!(jacfwd(&f, &array![1.0, 3.0])?, array![2.0, 6.0].into_dyn());
/// # Ok::<(), jacobian_core::Error>(())
/// ```
pub fn jacfwd<'a, T: Real>(f: &Program<T>, x: impl AsArray<'a, T, Ix1>) -> Result<ArrayD<T>> {
    jacobian_with(Strategy::Forward, f, x)
}

/// The Jacobian by forward mode, `chunk` input directions per pass.
///
/// # Errors
/// As [`jacfwd`], and [`Error::ZeroChunk`] if `chunk` is 0.
pub fn jacfwd_chunked<'a, T: Real>(
    f: &Program<T>,
    x: impl AsArray<'a, T, Ix1>,
    chunk: usize,
) -> Result<ArrayD<T>> {
    let prepared = f.prepare().with_strategy(Strategy::Forward);
    prepared.with_chunk(chunk)?.jacobian(x)
}

/// The Jacobian by reverse mode, all `m` output directions in one pass.
///
/// # Errors
/// As [`jacfwd`] (use [`jacrev_chunked`] for a Jacobian whose seed would not fit).
pub fn jacrev<'a, T: Real>(f: &Program<T>, x: impl AsArray<'a, T, Ix1>) -> Result<ArrayD<T>> {
    jacobian_with(Strategy::Reverse, f, x)
}

/// The Jacobian by reverse mode, `chunk` output directions per pass.
///
/// # Errors
/// As [`jacrev`], and [`Error::ZeroChunk`] if `chunk` is 0.
pub fn jacrev_chunked<'a, T: Real>(
    f: &Program<T>,
    x: impl AsArray<'a, T, Ix1>,
    chunk: usize,
) -> Result<ArrayD<T>> {
    let prepared = f.prepare().with_strategy(Strategy::Reverse);
    prepared.with_chunk(chunk)?.jacobian(x)
}

/// The full Jacobian by the cheapest strategy for this program, and the plan saying which and why.
///
/// # Errors
/// If `x` is not a finite vector of the input length, or the strategy would not fit in memory.
///
/// ```
/// use jacobian_core::{jacobian, Network, Strategy};
/// let net = Network::<f32>::new(&[50, 20, 3, 1])?;
/// let f = net.trace_f();
/// let x = jacobian_core::random_input::<f32>(50, 0);
/// let (jac, plan) = jacobian(&f, &x)?;
/// assert_eq!(jac.shape(), &[50]);
/// assert_eq!(plan.strategy, Strategy::StructuredReverse); // one output: start from it
/// println!("{plan}");
/// # Ok::<(), jacobian_core::Error>(())
/// ```
pub fn jacobian<'a, T: Real>(
    f: &Program<T>,
    x: impl AsArray<'a, T, Ix1>,
) -> Result<(ArrayD<T>, Plan)> {
    let mut prepared = f.prepare();
    let jac = prepared.jacobian(x)?;
    Ok((jac, prepared.into_plan()))
}

/// The full Jacobian by a given strategy. All five give the same matrix (to rounding).
///
/// # Errors
/// As [`jacobian`].
pub fn jacobian_with<'a, T: Real>(
    strategy: Strategy,
    f: &Program<T>,
    x: impl AsArray<'a, T, Ix1>,
) -> Result<ArrayD<T>> {
    f.prepare().with_strategy(strategy).jacobian(x)
}

/// `jacfwd` from a symbolic identity: the same Jacobian, without multiplying by the identity.
/// Shorthand for [`jacobian_with`]`(Strategy::StructuredForward, f, x)`.
///
/// # Errors
/// As [`jacobian`].
pub fn jacfwd_structured<'a, T: Real>(
    f: &Program<T>,
    x: impl AsArray<'a, T, Ix1>,
) -> Result<ArrayD<T>> {
    jacobian_with(Strategy::StructuredForward, f, x)
}

/// `jacrev` from a symbolic identity. Shorthand for
/// [`jacobian_with`]`(Strategy::StructuredReverse, f, x)`.
///
/// # Errors
/// As [`jacobian`].
pub fn jacrev_structured<'a, T: Real>(
    f: &Program<T>,
    x: impl AsArray<'a, T, Ix1>,
) -> Result<ArrayD<T>> {
    jacobian_with(Strategy::StructuredReverse, f, x)
}

/// The gradient of a function with one output, as a program `R^n → R^n`: the reverse sweep
/// recorded (see the [`grad`](mod@crate::grad) module).
///
/// # Errors
/// [`Error::Shape`] if `f` has more than one output (its gradient is a Jacobian: use
/// [`jacrev`]).
///
/// ```
/// use jacobian_core::{grad, jacfwd, Program};
/// use ndarray::array;
/// // f(x) = Σ sin(xᵢ): ∇f = cos(x), and the Hessian is diag(-sin(x)).
/// let f = Program::<f64>::trace(2, |x| x.sin().sum())?;
/// let g = grad(&f)?;
/// println!("{g}"); // { lambda x:f64[2] . v1:f64[2] = cos x  in v1 }
/// let x = array![0.5, 1.0];
/// assert!((g.call(&x)?[0] - 0.5f64.cos()).abs() < 1e-15);
/// let h = jacfwd(&g, &x)?;
/// assert!((h[[1, 1]] + 1.0f64.sin()).abs() < 1e-15 && h[[0, 1]] == 0.0);
/// # Ok::<(), jacobian_core::Error>(())
/// ```
pub fn grad<T: Real>(f: &Program<T>) -> Result<Program<T>> {
    T::grad(f)
}

/// What [`hessian`] will do for `f`, from the shapes alone.
///
/// # Errors
/// [`Error::Shape`] if `f` has more than one output.
pub fn hessian_plan<T: Real>(f: &Program<T>) -> Result<HessianPlan> {
    T::hessian_plan(f)
}

/// The `n × n` Hessian of `f: R^n → R` at `x`, as [`hessian_plan`] says: by the cheapest
/// strategy for its gradient program, or with its last product taken by symmetry where that
/// is cheaper.
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
    T::hessian(f, x.into())
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
    T::hessian_with(strategy, f, x.into())
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
    T::hvp(f, x.into(), v.into())
}
