//! Elementwise functions of one variable (`tanh`, `sin`, …): each states `f` and its derivative
//! `f'` once, and [`Unary`] makes any of them a primitive with local Jacobian `diag(f'(x))`.
//! The derivative is a formula ([`Expr`]) in `x` and `y = f(x)`, so that it can be evaluated on
//! numbers and recorded in a gradient program alike.

use std::fmt;

use ndarray::Array1;

use crate::expr::Expr;
use crate::primitives::{Local, Primitive, Shape, ShapeMismatch};
use crate::scalar::Scalar;

/// A scalar function applied elementwise, with its derivative. Its local Jacobian is the same
/// for all of them: `diag(f'(x))`, so `Ẏ = diag(f'(x)) Ẋ` and `X̄ = Ȳ diag(f'(x))`.
pub trait Elementwise: Send + Sync + fmt::Debug + 'static {
    /// The name shown in printed programs.
    const NAME: &'static str;
    /// `f(x)`.
    fn f<T: Scalar>(x: T) -> T;
    /// `f'(x)` as a formula in `x` and `y = f(x)` (some derivatives are cheaper from `y`).
    fn df<T: Scalar>(x: Expr<T>, y: Expr<T>) -> Expr<T>;
}

/// `tanh`, with `tanh'(x) = 1 - tanh(x)² = (1 - y)(1 + y)`: the factored form keeps its accuracy
/// where `y = tanh(x)` is close to ±1 (`1 - y` is then exact), as JAX computes it.
#[derive(Debug)]
pub struct Tanh;
impl Elementwise for Tanh {
    const NAME: &'static str = "tanh";
    fn f<T: Scalar>(x: T) -> T {
        x.tanh()
    }
    fn df<T: Scalar>(_: Expr<T>, y: Expr<T>) -> Expr<T> {
        (-y.clone()).plus(1.0) * y.plus(1.0)
    }
}

/// `sin`, with `sin'(x) = cos(x)`.
#[derive(Debug)]
pub struct Sin;
impl Elementwise for Sin {
    const NAME: &'static str = "sin";
    fn f<T: Scalar>(x: T) -> T {
        x.sin()
    }
    fn df<T: Scalar>(x: Expr<T>, _: Expr<T>) -> Expr<T> {
        x.cos()
    }
}

/// `cos`, with `cos'(x) = -sin(x)`.
#[derive(Debug)]
pub struct Cos;
impl Elementwise for Cos {
    const NAME: &'static str = "cos";
    fn f<T: Scalar>(x: T) -> T {
        x.cos()
    }
    fn df<T: Scalar>(x: Expr<T>, _: Expr<T>) -> Expr<T> {
        -x.sin()
    }
}

/// `exp`, with `exp'(x) = exp(x) = y`.
#[derive(Debug)]
pub struct Exp;
impl Elementwise for Exp {
    const NAME: &'static str = "exp";
    fn f<T: Scalar>(x: T) -> T {
        x.exp()
    }
    fn df<T: Scalar>(_: Expr<T>, y: Expr<T>) -> Expr<T> {
        y
    }
}

/// `x²`, with `(x²)' = 2x`.
#[derive(Debug)]
pub struct Square;
impl Elementwise for Square {
    const NAME: &'static str = "square";
    fn f<T: Scalar>(x: T) -> T {
        x * x
    }
    fn df<T: Scalar>(x: Expr<T>, _: Expr<T>) -> Expr<T> {
        x.clone() + x
    }
}

/// The primitive of an [`Elementwise`] function: `y = f(x)`, with local Jacobian `diag(f'(x))`.
#[derive(Debug, Default)]
pub struct Unary<E>(pub E);

impl<T: Scalar, E: Elementwise> Primitive<T> for Unary<E> {
    fn name(&self) -> &'static str {
        E::NAME
    }
    fn shape(&self, inputs: &[Shape]) -> Result<Shape, ShapeMismatch> {
        Ok(inputs[0])
    }
    fn eval(&self, inputs: &[&Array1<T>]) -> Array1<T> {
        inputs[0].mapv(E::f)
    }
    fn derivative(&self) -> Vec<Local<T>> {
        vec![Local::Diagonal] // ∂f(x)/∂x = diag(f'(x))
    }
    fn diagonal(&self, _: usize) -> Expr<T> {
        E::df(Expr::Arg(0), Expr::Output)
    }
}
