//! The drivers: `jvp`, `vjp`, and the full Jacobian by any [`Strategy`], all through one path.
//!
//! A [`Prepared`] Jacobian holds what a caller reuses between calls: the program, its [`Plan`],
//! the strategy, an optional chunk size, and the identity seed once made. Every driver of this
//! module is a thin function over it:
//!
//! - [`jacfwd`] pushes the standard basis of the input space (the `n × n` identity) forward:
//!   `J = J · I`, one column per input. Its cost grows with the **input** width `n`.
//! - [`jacrev`] pulls the standard basis of the output space (the `m × m` identity) back:
//!   `J = I · J`, one row per output. Its cost grows with the **output** width `m`.
//! - [`jvp`] and [`vjp`] push or pull one direction instead of a basis (`jvp` computes the values
//!   along with the tangent, as dual numbers do, rather than after a linearization).
//! - A chunk size `k` seeds `k` basis directions per pass instead of all at once: the same
//!   Jacobian, with the memory of the batch bounded by `k`.
//! - [`jacobian`] runs the strategy the plan finds cheapest, [`jacobian_with`] any other.
//!
//! Shapes follow JAX: the Jacobian of `f: R^n → R` is `(n,)`, of `f: R^n → R^m` it is `(m, n)`.

use ndarray::{s, Array1, Array2, ArrayD, AsArray, Axis, Ix1};

use crate::cost::Strategy;
use crate::error::{Error, Result};
use crate::matrix::Matrix;
use crate::memory::check_fits;
use crate::plan::{run, Plan};
use crate::program::{check_vector, Linearization, Program};
use crate::real::Real;
use crate::structured::{Kind, Structure, Structured};
use crate::sweep::{numeric, push_with_values, structural, Meter};

/// A Jacobian prepared for one program: its plan, a strategy, an optional chunk size, and the
/// dense identity seed of a textbook mode, made on first use and kept (as `jax.jit` keeps its
/// compiled program). Made by [`Program::prepare`]; run at any number of points.
///
/// ```
/// use jacobian_core::{Network, Strategy};
/// let f = Network::<f64>::new(&[40, 20, 5, 1])?.trace_f();
/// let mut jac = f.prepare().with_strategy(Strategy::Forward).with_chunk(16)?;
/// for seed in 0..3 {
///     let x = jacobian_core::random_input::<f64>(40, seed);
///     assert_eq!(jac.jacobian(&x)?.shape(), &[40]);
/// }
/// # Ok::<(), jacobian_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Prepared<T> {
    program: Program<T>,
    plan: Plan,
    strategy: Strategy,
    chunk: Option<usize>,
    identity: Option<Matrix<T>>,
}

impl<T: Real> Program<T> {
    /// Prepares its Jacobian: the plan, made from the shapes, with the cheapest strategy chosen.
    pub fn prepare(&self) -> Prepared<T> {
        let plan = self.plan();
        Prepared {
            program: self.clone(),
            strategy: plan.strategy,
            plan,
            chunk: None,
            identity: None,
        }
    }
}

impl<T: Real> Prepared<T> {
    /// The same, computed by `strategy` (a kept seed is dropped: it may be of the other side).
    pub fn with_strategy(self, strategy: Strategy) -> Self {
        Prepared {
            strategy,
            identity: None,
            ..self
        }
    }

    /// The same, seeding `chunk` basis directions per pass. For the textbook and structured
    /// sweeps this bounds the memory of each pass by `chunk`; the bracketed strategy multiplies
    /// its whole chain on every pass, so a chunk bounds only its seed.
    ///
    /// # Errors
    /// [`Error::ZeroChunk`] if `chunk` is 0.
    pub fn with_chunk(self, chunk: usize) -> Result<Self> {
        if chunk == 0 {
            return Err(Error::ZeroChunk);
        }
        Ok(Prepared {
            chunk: Some(chunk),
            identity: None,
            ..self
        })
    }

    /// The plan: the chain, the cheapest bracketing, the cost of every strategy.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The strategy it runs.
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// The full Jacobian at `x`.
    ///
    /// # Errors
    /// If `x` is not a finite vector of the input length, or the strategy would not fit in memory
    /// ([`Error::TooLarge`]: use a chunk size).
    pub fn jacobian<'a>(&mut self, x: impl AsArray<'a, T, Ix1>) -> Result<ArrayD<T>> {
        let (f, strategy) = (&self.program, self.strategy);
        let x = x.into();
        check_vector("x", x, f.input_len())?;
        let (m, n) = (f.output_len(), f.input_len());
        let dirs = if strategy.seeds_inputs() { n } else { m };
        let k = self.chunk.unwrap_or(dirs).min(dirs);
        let seed = match (k == dirs, strategy.seeds_inputs()) {
            (true, _) => strategy.identity_seed(dirs),
            (false, true) => Structure::new(Kind::Dense, dirs, k),
            (false, false) => Structure::new(Kind::Dense, k, dirs),
        };
        // One memory check: what the strategy holds at its peak, counted on structures before
        // anything runs, the values of `f`, and the Jacobian stored in full.
        let values: u128 = (0..=f.nodes().len())
            .map(|v| f.value_shape(v).len() as u128)
            .sum();
        let held = self.count(seed).peak as u128 + values + m as u128 * n as u128;
        let what = match self.chunk {
            None => format!("the {strategy} Jacobian ({m}×{n})"),
            Some(_) => format!("the {strategy} Jacobian ({m}×{n}), {k} directions per pass"),
        };
        check_fits::<T>(&what, held)?;

        let lin = self.program.linearize_for_derivative(x)?;
        let jac = if k == dirs {
            let seed = match strategy {
                Strategy::Forward | Strategy::Reverse => {
                    let identity = self
                        .identity
                        .get_or_insert_with(|| Matrix::finite(Array2::eye(dirs)));
                    Structured::Constant(identity.clone())
                }
                _ => Structured::Identity(dirs),
            };
            self.apply(&lin, seed)
        } else {
            let mut jac = Array2::zeros((m, n));
            for start in (0..dirs).step_by(k) {
                let end = (start + k).min(dirs);
                let block = self.apply(&lin, Structured::Dense(basis(dirs, start..end, strategy)));
                match strategy.seeds_inputs() {
                    true => jac.slice_mut(s![.., start..end]).assign(&block),
                    false => jac.slice_mut(s![start..end, ..]).assign(&block),
                }
            }
            jac
        };
        let mut dims = f.output_shape().dims();
        dims.push(n);
        Ok(jac.into_shape_with_order(dims).expect("m×n elements"))
    }

    /// Runs the strategy from `seed` at a point: `J · seed` or `seed · J` (see [`Strategy::seeds_inputs`]).
    fn apply(&self, lin: &Linearization<'_, T>, seed: Structured<T>) -> Array2<T> {
        let structure = seed.structure();
        let mut meter = Meter::default();
        let out = run(
            self.strategy,
            &self.program,
            &self.plan,
            &numeric(lin),
            seed,
            &mut meter,
        );
        if cfg!(debug_assertions) {
            let counted = self.count(structure).madds;
            assert_eq!(meter.madds, counted, "the run did what the plan counted");
        }
        out.into_dense()
    }

    /// The multiply–adds and peak entries of running the strategy from a seed of this structure.
    fn count(&self, seed: Structure) -> Meter {
        let mut meter = Meter::default();
        let local = structural(&self.program);
        run(
            self.strategy,
            &self.program,
            &self.plan,
            &local,
            seed,
            &mut meter,
        );
        meter
    }

    /// The plan, given back.
    pub fn into_plan(self) -> Plan {
        self.plan
    }
}

/// Basis vectors `range` of a space of `dirs` dimensions, as the columns (`n × k`) or the rows
/// (`k × m`) of a seed for `strategy`.
fn basis<T: Real>(dirs: usize, range: std::ops::Range<usize>, strategy: Strategy) -> Array2<T> {
    let columns = strategy.seeds_inputs();
    let (k, start) = (range.len(), range.start);
    let mut seed = Array2::zeros(if columns { (dirs, k) } else { (k, dirs) });
    for j in 0..k {
        let at = if columns {
            [start + j, j]
        } else {
            [j, start + j]
        };
        seed[at] = T::one();
    }
    seed
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
    let (x, v) = (x.into(), v.into());
    check_vector("v", v, f.input_len())?;
    check_vector("x", x, f.input_len())?;
    let compute_all = vec![false; f.nodes().len() + 1];
    let (y, jv) = push_with_values(f, x, v.to_owned().insert_axis(Axis(1)), &compute_all);
    Ok((
        f.to_output_shape(y),
        f.to_output_shape(Array1::from_iter(jv)),
    ))
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
    let c = c.into();
    check_vector("c", c, f.output_len())?;
    let lin = f.linearize(x)?;
    let seed = Structured::Dense(c.to_owned().insert_axis(Axis(0)));
    let ctj = f
        .prepare()
        .with_strategy(Strategy::Reverse)
        .apply(&lin, seed);
    Ok((
        f.to_output_shape(lin.output().clone()),
        Array1::from_iter(ctj),
    ))
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
