//! The drivers: `jvp`, `vjp`, and the full Jacobian by any [`Strategy`], all through one path.
//!
//! A [`Prepared`] Jacobian holds what a caller reuses between calls: the program, its [`Plan`],
//! the strategy, an optional chunk size, and the identity seed once made. Every Jacobian driver
//! is a thin function over it (the public functions, one line each, are in [`api`](crate::api),
//! where they are compiled once for `f32` and `f64`):
//!
//! - [`jacfwd`](crate::jacfwd) pushes the standard basis of the input space (the `n × n`
//!   identity) forward: `J = J · I`, one column per input. Its cost grows with the **input**
//!   width `n`.
//! - [`jacrev`](crate::jacrev) pulls the standard basis of the output space (the `m × m`
//!   identity) back: `J = I · J`, one row per output. Its cost grows with the **output** width `m`.
//! - [`jvp`](crate::jvp) and [`vjp`](crate::vjp) push or pull one direction instead of a basis
//!   (`jvp` computes the values along with the tangent, as dual numbers do, rather than after a
//!   linearization).
//! - A chunk size `k` seeds `k` basis directions per pass instead of all at once: the same
//!   Jacobian, with the memory of the batch bounded by `k`.
//! - [`jacobian`](crate::jacobian()) runs the strategy the plan finds cheapest,
//!   [`jacobian_with`](crate::jacobian_with) any other.
//!
//! Shapes follow JAX: the Jacobian of `f: R^n → R` is `(n,)`, of `f: R^n → R^m` it is `(m, n)`.

use ndarray::{s, Array1, Array2, ArrayD, ArrayView1, Axis};

use crate::cost::Strategy;
use crate::error::{Error, Result};
use crate::matrix::Matrix;
use crate::memory::check_fits;
use crate::plan::{run, Plan};
use crate::program::{check_vector, Linearization, Program};
use crate::scalar::Scalar;
use crate::structured::{Kind, Structure, Structured};
use crate::sweep::{numeric, push_with_values, structural, Meter};

/// A Jacobian prepared for one program: its plan, a strategy, an optional chunk size, and the
/// dense identity seed of a textbook mode, made on first use and kept (as `jax.jit` keeps its
/// compiled program). Made by [`Program::prepare`]; run at any number of points by
/// [`Prepared::jacobian`].
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

impl<T: Scalar> Prepared<T> {
    /// The generic implementation of [`Program::prepare`]: the plan, made from the shapes, with the
    /// cheapest strategy chosen.
    pub(crate) fn new(f: &Program<T>) -> Self {
        let plan = f.plan();
        Prepared {
            program: f.clone(),
            strategy: plan.strategy,
            plan,
            chunk: None,
            identity: None,
        }
    }

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

    /// The generic implementation of [`Prepared::jacobian`]: the full Jacobian at `x`.
    pub(crate) fn jacobian_at(&mut self, x: ArrayView1<T>) -> Result<ArrayD<T>> {
        let (f, strategy) = (&self.program, self.strategy);
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

    /// Runs the strategy from `seed` at a point: `J · seed` or `seed · J` (see
    /// [`Strategy::seeds_inputs`]).
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
fn basis<T: Scalar>(dirs: usize, range: std::ops::Range<usize>, strategy: Strategy) -> Array2<T> {
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

/// The generic implementation of [`jvp`](crate::jvp): the values and the tangent computed together,
/// node by node (as dual numbers do; a matrix step reads its matrix once for both).
pub(crate) fn jvp<T: Scalar>(
    f: &Program<T>,
    x: ArrayView1<T>,
    v: ArrayView1<T>,
) -> Result<(ArrayD<T>, ArrayD<T>)> {
    check_vector("v", v, f.input_len())?;
    check_vector("x", x, f.input_len())?;
    let compute_all = vec![false; f.nodes().len() + 1];
    let (y, jv) = push_with_values(f, x, v.to_owned().insert_axis(Axis(1)), &compute_all);
    Ok((
        f.to_output_shape(y),
        f.to_output_shape(Array1::from_iter(jv)),
    ))
}

/// The generic implementation of [`vjp`](crate::vjp): one cotangent row pulled back by the reverse
/// sweep.
pub(crate) fn vjp<T: Scalar>(
    f: &Program<T>,
    x: ArrayView1<T>,
    c: ArrayView1<T>,
) -> Result<(ArrayD<T>, Array1<T>)> {
    check_vector("c", c, f.output_len())?;
    let lin = f.linearize(x)?;
    let seed = Structured::Dense(c.to_owned().insert_axis(Axis(0)));
    let ctj = Prepared::new(f)
        .with_strategy(Strategy::Reverse)
        .apply(&lin, seed);
    Ok((
        f.to_output_shape(lin.output().clone()),
        Array1::from_iter(ctj),
    ))
}
