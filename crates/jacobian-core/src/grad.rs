//! The gradient as a program: reverse mode recorded instead of run, as JAX traces a VJP.
//!
//! [`grad`](crate::grad()) traces a new program that first computes `f`'s values again, then pulls
//! the cotangent `ȳ = 1` back through `f`'s nodes in reverse order, each step `x̄ᵢ += Lᵢᵀ ȳ`
//! written with the same operations a user writes (`matvec` by `Aᵀ`, `mul` by a diagonal,
//! `broadcast` for a sum). The diagonal entries come from the primitives' own formulas ([`Expr`]),
//! recorded too. The result is a program like any other: it prints, its cost is counted from its
//! shapes, and every driver differentiates it. So `jacfwd(&grad(&f)?, &x)` is the Hessian, forward
//! over reverse.
//!
//! Cotangents that do not depend on `x` (the seed `1` and what linear steps make of it) are
//! folded into constants while tracing, as JAX keeps them out of the jaxpr: `A3ᵀ · 1` is a
//! constant vector, not a step of the program.

use std::sync::Arc;

use ndarray::Array1;

use crate::error::{Error, Result};
use crate::expr::Expr;
use crate::primitives::{Local, Shape};
use crate::program::Program;
use crate::scalar::Scalar;
use crate::trace::Var;

/// A cotangent while tracing the reverse sweep: a traced value, or a constant folded on the way.
#[derive(Clone)]
enum Cot<T> {
    Const(Array1<T>),
    Var(Var<T>),
}

impl<T: Scalar> Cot<T> {
    /// `a + b`.
    fn add(self, other: Cot<T>) -> Cot<T> {
        match (self, other) {
            (Cot::Const(a), Cot::Const(b)) => Cot::Const(a + b),
            (Cot::Var(v), Cot::Const(c)) | (Cot::Const(c), Cot::Var(v)) => Cot::Var(v + &c),
            (Cot::Var(u), Cot::Var(v)) => Cot::Var(u + v),
        }
    }

    /// `a ⊙ b`.
    fn mul(self, other: Cot<T>) -> Cot<T> {
        match (self, other) {
            (Cot::Const(a), Cot::Const(b)) => Cot::Const(a * b),
            // `1 ⊙ v` is `v`: the seed's ones leave no step behind.
            (Cot::Var(v), Cot::Const(c)) | (Cot::Const(c), Cot::Var(v))
                if c.iter().all(|&e| e == T::one()) =>
            {
                Cot::Var(v)
            }
            (Cot::Var(v), Cot::Const(c)) | (Cot::Const(c), Cot::Var(v)) => Cot::Var(v * &c),
            (Cot::Var(u), Cot::Var(v)) => Cot::Var(u * v),
        }
    }

    /// `s · a`.
    fn scale(self, s: T) -> Cot<T> {
        match self {
            Cot::Const(a) => Cot::Const(a * s),
            Cot::Var(v) => Cot::Var(v.scale(s)),
        }
    }

    /// An elementwise function, on a constant computed now, on a traced value recorded.
    fn map(self, f: fn(T) -> T, traced: fn(&Var<T>) -> Var<T>) -> Cot<T> {
        match self {
            Cot::Const(a) => Cot::Const(a.mapv_into(f)),
            Cot::Var(v) => Cot::Var(traced(&v)),
        }
    }

    /// The same elements with a value's shape (a length-1 vector and a scalar differ only in
    /// shape).
    fn shaped(self, shape: Shape) -> Cot<T> {
        match self {
            Cot::Var(v) if v.shape() != shape => Cot::Var(match shape {
                Shape::Scalar => v.squeeze(),
                Shape::Vector(_) => v.atleast_1d(),
            }),
            c => c,
        }
    }
}

/// A diagonal rule recorded on traced values: `args` and `output` are the node's values.
fn record_expr<T: Scalar>(e: &Expr<T>, args: &[&Var<T>], output: &Var<T>) -> Cot<T> {
    let rec = |e: &Expr<T>| record_expr(e, args, output);
    match e {
        Expr::Arg(i) => Cot::Var(args[*i].clone()),
        Expr::Output => Cot::Var(output.clone()),
        Expr::Const(c) => Cot::Const((**c).clone()),
        Expr::Neg(e) => rec(e).scale(-T::one()),
        Expr::Plus(e, c) => match rec(e) {
            Cot::Const(a) => Cot::Const(a + T::lit(*c)),
            Cot::Var(v) => Cot::Var(v + *c),
        },
        Expr::Add(a, b) => rec(a).add(rec(b)),
        Expr::Mul(a, b) => rec(a).mul(rec(b)),
        Expr::Sin(e) => rec(e).map(|v| v.sin(), Var::sin),
        Expr::Cos(e) => rec(e).map(|v| v.cos(), Var::cos),
    }
}

/// `Lᵀ ȳ`: the cotangent one argument gets from its reader, whose local Jacobian is `L`
/// (`m × n`, for an output of length `m` and an argument of length `n`).
fn pull_through<T: Scalar>(
    local: Local<T>,
    ybar: Cot<T>,
    n: usize,
    diagonal: impl FnOnce() -> Cot<T>,
) -> Cot<T> {
    match local {
        Local::Identity => ybar,                 // Iᵀ ȳ = ȳ
        Local::Scaled(s) => ybar.scale(s),       // (s I)ᵀ ȳ = s ȳ
        Local::Diagonal => diagonal().mul(ybar), // diag(d)ᵀ ȳ = d ⊙ ȳ
        Local::Matrix(a) => match ybar {
            // Aᵀ ȳ
            Cot::Const(c) => Cot::Const(a.view().t().dot(&c)),
            Cot::Var(v) => Cot::Var(a.t().dot(&v)),
        },
        Local::Ones => match ybar {
            // 1ᵀ ȳ: the sum of ȳ, n times
            Cot::Const(c) => Cot::Const(Array1::from_elem(n, c.sum())),
            Cot::Var(v) => {
                let total = if v.shape().len() == 1 { v } else { v.sum() };
                Cot::Var(if n == 1 { total } else { total.broadcast(n) })
            }
        },
    }
}

/// The generic implementation of [`grad`](crate::grad()): the reverse sweep of `f`, traced.
pub(crate) fn grad<T: Scalar>(f: &Program<T>) -> Result<Program<T>> {
    if f.output_len() != 1 {
        return Err(Error::Shape {
            op: "grad",
            expected: "a function with one output (a scalar)".into(),
            actual: format!("a function with {}", f.output_shape().describe()),
        });
    }
    let n = f.input_len();
    Program::trace(n, |x| {
        // The forward pass again: the values the derivative rules read.
        let mut values = vec![x.clone()];
        for node in f.nodes() {
            let args: Vec<&Var<T>> = node.args.iter().map(|&a| &values[a]).collect();
            let value = args[0].apply(Arc::clone(&node.prim), &args[1..]);
            values.push(value);
        }
        // The reverse pass, recorded: `ȳ = 1`, then `x̄ᵢ += Lᵢᵀ ȳ` for each node, last first.
        let mut cot: Vec<Option<Cot<T>>> = vec![None; values.len()];
        cot[f.output_id()] = Some(Cot::Const(Array1::ones(1)));
        for (i, node) in f.nodes().iter().enumerate().rev() {
            let Some(ybar) = cot[i + 1].take() else {
                continue;
            };
            let args: Vec<&Var<T>> = node.args.iter().map(|&a| &values[a]).collect();
            for (j, local) in node.prim.derivative().into_iter().enumerate() {
                let a = node.args[j];
                let shape = f.value_shape(a);
                let d = || record_expr(&node.prim.diagonal(j), &args, &values[i + 1]);
                let term = pull_through(local, ybar.clone(), shape.len(), d).shaped(shape);
                cot[a] = Some(match cot[a].take() {
                    None => term,
                    Some(acc) => acc.add(term),
                });
            }
        }
        match cot[0].take() {
            Some(Cot::Var(g)) => g,
            // A gradient that does not depend on x (f is linear): 0 · x + g, a program all the same.
            Some(Cot::Const(g)) => x.scale(T::zero()) + &g,
            None => unreachable!("the output of a traced program depends on its input"),
        }
    })
}
