//! The two sweeps of automatic differentiation, written once for any matrix type (`Factor`):
//! on numbers ([`Structured`]) they compute, on [`Structure`]s they count.
//!
//! - `push` (forward mode) takes a batch of tangents through the program in order: each value's
//!   tangent is `Σᵢ Lᵢ · (tangent of argument i)`, with `Lᵢ` the local Jacobians of the node that
//!   makes it.
//! - `pull` (reverse mode) takes a batch of cotangents back in reverse order: each value's
//!   cotangent is the sum, over the nodes that read it, of `(their cotangent) · Lᵢ`.
//!
//! Both run between any two values of the program, so the planner can apply them segment by
//! segment. A `Meter` counts the multiply–adds and the peak number of stored entries as they go.
//!
//! `push_with_values` is forward mode as dual numbers do it, for one or a few directions: the
//! values and the tangents computed together, node by node, instead of a linearization first.

use ndarray::{concatenate, s, Array1, Array2, ArrayView1, Axis};

use crate::primitives::Local;
use crate::program::{Linearization, Program, ValueId};
use crate::scalar::Scalar;
use crate::structured::{Factor, Structure, Structured};

/// Counts multiply–adds and the peak number of stored matrix entries while a strategy runs.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Meter {
    pub madds: u64,
    live: u64,
    pub peak: u64,
}

impl Meter {
    pub(crate) fn hold(&mut self, s: Structure) {
        self.live = self.live.saturating_add(s.elements());
        self.peak = self.peak.max(self.live);
    }
    fn release(&mut self, s: Structure) {
        self.live = self.live.saturating_sub(s.elements());
    }
    /// `a · b`, counted; the result is held, the operands released.
    pub(crate) fn mul<M: Factor>(&mut self, a: M, b: M) -> M {
        let (sa, sb) = (a.structure(), b.structure());
        self.madds = self.madds.saturating_add(sa.product_cost(sb));
        let out = a.product(b);
        self.hold(out.structure());
        self.release(sa);
        self.release(sb);
        out
    }
    /// `a + b`, counted likewise.
    fn add<M: Factor>(&mut self, a: M, b: M) -> M {
        let (sa, sb) = (a.structure(), b.structure());
        self.madds = self.madds.saturating_add(sa.sum_cost(sb));
        let out = a.sum(b);
        self.hold(out.structure());
        self.release(sa);
        self.release(sb);
        out
    }
    fn copy<M: Factor>(&mut self, a: &M) -> M {
        self.hold(a.structure());
        a.clone()
    }
}

/// Local Jacobians of node `i`: numeric (from a [`Linearization`]) or structural (from the shapes).
pub(crate) type Locals<'a, M> = dyn Fn(usize) -> Vec<M> + 'a;

/// Forward mode through nodes `from..to`: given `seed = ∂v_from/∂(something)`, returns `∂v_to/∂(something)`.
/// Each node's tangent is `Σᵢ Lᵢ · (tangent of argument i)`, with `Lᵢ` its local Jacobians.
pub(crate) fn push<T: Scalar, M: Factor>(
    prog: &Program<T>,
    (from, to): (ValueId, ValueId),
    seed: M,
    local: &Locals<'_, M>,
    meter: &mut Meter,
) -> M {
    let nodes = prog.nodes();
    let mut remaining = vec![0usize; to - from + 1];
    remaining[to - from] += 1;
    for node in &nodes[from..to] {
        node.args.iter().for_each(|&a| remaining[a - from] += 1);
    }
    let mut tan: Vec<Option<M>> = vec![None; to - from + 1];
    tan[0] = Some(seed);
    for i in from..to {
        let mut acc: Option<M> = None;
        for (&a, l) in nodes[i].args.iter().zip(local(i)) {
            meter.hold(l.structure());
            remaining[a - from] -= 1;
            let t = if remaining[a - from] == 0 {
                tan[a - from].take()
            } else {
                tan[a - from].as_ref().map(|t| meter.copy(t))
            };
            let term = meter.mul(l, t.expect("segments are closed: arguments come first"));
            acc = Some(match acc {
                None => term,
                Some(s) => meter.add(s, term),
            });
        }
        tan[i + 1 - from] = acc;
    }
    tan[to - from]
        .take()
        .expect("the segment's end is computed")
}

/// Reverse mode through nodes `from..to`: given `seed = ∂(something)/∂v_to`, returns `∂(something)/∂v_from`.
/// Each argument's cotangent is the sum over its readers of `(reader's cotangent) · Lᵢ`.
pub(crate) fn pull<T: Scalar, M: Factor>(
    prog: &Program<T>,
    (from, to): (ValueId, ValueId),
    seed: M,
    local: &Locals<'_, M>,
    meter: &mut Meter,
) -> M {
    let nodes = prog.nodes();
    let rows = seed.structure().rows;
    let mut cot: Vec<Option<M>> = vec![None; to - from + 1];
    cot[to - from] = Some(seed);
    for i in (from..to).rev() {
        let Some(c) = cot[i + 1 - from].take() else {
            continue;
        };
        let locals = local(i);
        let last = locals.len() - 1;
        let mut c = Some(c);
        for (j, (&a, l)) in nodes[i].args.iter().zip(locals).enumerate() {
            meter.hold(l.structure());
            let cj = if j == last {
                c.take().expect("kept for the last argument")
            } else {
                meter.copy(c.as_ref().expect("kept for the last argument"))
            };
            let g = meter.mul(cj, l);
            let slot = &mut cot[a - from];
            *slot = Some(match slot.take() {
                None => g,
                Some(acc) => meter.add(acc, g), // a value read twice gets both contributions
            });
        }
    }
    cot[0].take().unwrap_or_else(|| {
        let z = M::zeros(rows, prog.value_shape(from).len());
        meter.hold(z.structure());
        z
    })
}

/// The local Jacobians of each node with their entries, read off a point.
pub(crate) fn numeric<'a, T: Scalar>(
    lin: &'a Linearization<'_, T>,
) -> impl Fn(usize) -> Vec<Structured<T>> + 'a {
    move |i| lin.local_jacobians(i)
}

/// The kinds and sizes of each node's local Jacobians, from the shapes alone.
pub(crate) fn structural<T: Scalar>(prog: &Program<T>) -> impl Fn(usize) -> Vec<Structure> + '_ {
    move |i| prog.local_structures(i)
}

/// Forward mode with the values: evaluates `prog` at `x` and pushes the tangents `ẋ` (`n × k`)
/// along, node by node, freeing each value and tangent after its last reader. Returns the output
/// (NaN if `skip` marks it) and its tangents.
///
/// A linear step, whose local Jacobian is a constant matrix `A` (its value is `A x`), makes its
/// value and its tangents in one product `A · [x | Ẋ]`, reading a row-major `A` once instead of
/// twice (see `linalg`): for a
/// Hessian-vector product, where `A` is large and a product by a few vectors only reads it, this
/// is most of the time saved (XLA merges the two dots the same way). Values marked in `skip`
/// are not computed (see `Program::not_needed_for_derivative`).
pub(crate) fn push_with_values<T: Scalar>(
    prog: &Program<T>,
    x: ArrayView1<T>,
    tangent: Array2<T>,
    skip: &[bool],
) -> (Array1<T>, Array2<T>) {
    let (nodes, out) = (prog.nodes(), prog.output_id());
    let mut remaining = prog.uses().to_vec();
    let mut values: Vec<Option<Array1<T>>> = vec![None; nodes.len() + 1];
    let mut tans: Vec<Option<Structured<T>>> = vec![None; nodes.len() + 1];
    values[0] = Some(x.to_owned());
    tans[0] = Some(Structured::Dense(tangent));
    for (i, node) in nodes.iter().enumerate() {
        let m = node.shape.len();
        // Each argument's tangent: moved out at its last reader, copied before.
        let mut arg_tans = Vec::with_capacity(node.args.len());
        for &a in &node.args {
            remaining[a] -= 1;
            let t = if remaining[a] == 0 {
                tans[a].take()
            } else {
                tans[a].clone()
            };
            arg_tans.push(t.expect("arguments come first"));
        }
        let args: Vec<&Array1<T>> = (node.args.iter())
            .map(|&a| values[a].as_ref().expect("arguments come first"))
            .collect();
        let (value, tan) = match (&node.prim.derivative()[..], skip[i + 1]) {
            ([Local::Matrix(a)], false) => {
                // y = A x and Ẏ = A Ẋ in one product: A · [x | Ẋ].
                let t = arg_tans.pop().expect("one argument").into_dense();
                let both = concatenate![Axis(1), args[0].view().insert_axis(Axis(1)), t];
                let a = Structured::Constant(a.clone());
                let y = a.product(Structured::Dense(both)).into_dense();
                let tan = Structured::Dense(y.slice(s![.., 1..]).to_owned());
                (y.column(0).to_owned(), tan)
            }
            (_, skipped) => {
                let value = if skipped {
                    Array1::from_elem(m, T::nan()) // never read, as in `Program::run`
                } else {
                    node.prim.eval(&args)
                };
                let locals = node.local_jacobians(&args, &value).into_iter();
                let terms = locals.zip(arg_tans).map(|(l, t)| l.product(t));
                let tan = terms.reduce(|a, b| a.sum(b)).expect("an argument");
                (value, tan)
            }
        };
        for &a in &node.args {
            if remaining[a] == 0 {
                values[a] = None;
            }
        }
        values[i + 1] = Some(value);
        tans[i + 1] = Some(tan);
    }
    let y = values[out].take().expect("the output is computed");
    let tan = tans[out].take().expect("the output's tangent");
    (y, tan.into_dense())
}
