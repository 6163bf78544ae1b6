//! Formulas for the entries of diagonal local Jacobians ([`Expr`]): `tanh' = (1 - y)(1 + y)`
//! stated once, as data, so that it can be evaluated on numbers and recorded in a program.

use std::ops;
use std::sync::Arc;

use ndarray::Array1;

use crate::scalar::Scalar;

/// The entries `d` of a diagonal local Jacobian `diag(d)`, as an elementwise formula in the
/// node's arguments and output: `tanh' = (1 - y)(1 + y)` is `(-y).plus(1) * y.plus(1)`.
///
/// A rule stated as data can be run two ways: on numbers, where the sweeps need the entries
/// ([`Expr::eval`]), and on traced values, where [`grad`](crate::grad()) records it as part of
/// the gradient program, so that the derivative can itself be differentiated.
#[derive(Debug, Clone)]
pub enum Expr<T> {
    /// Argument `i` of the node.
    Arg(usize),
    /// The node's output.
    Output,
    /// A constant vector.
    Const(Arc<Array1<T>>),
    /// `-e`.
    Neg(Box<Expr<T>>),
    /// `e + c`, for a literal `c`.
    Plus(Box<Expr<T>>, f64),
    /// `a + b`.
    Add(Box<Expr<T>>, Box<Expr<T>>),
    /// `a ⊙ b`.
    Mul(Box<Expr<T>>, Box<Expr<T>>),
    /// `sin(e)`.
    Sin(Box<Expr<T>>),
    /// `cos(e)`.
    Cos(Box<Expr<T>>),
}

impl<T: Scalar> Expr<T> {
    /// `e + c`.
    pub fn plus(self, c: f64) -> Self {
        Expr::Plus(Box::new(self), c)
    }
    /// `sin(e)`.
    pub fn sin(self) -> Self {
        Expr::Sin(Box::new(self))
    }
    /// `cos(e)`.
    pub fn cos(self) -> Self {
        Expr::Cos(Box::new(self))
    }

    /// The formula on numbers: `args` are the node's argument values, `output` its value.
    pub fn eval(&self, args: &[&Array1<T>], output: &Array1<T>) -> Array1<T> {
        let eval = |e: &Expr<T>| e.eval(args, output);
        match self {
            Expr::Arg(i) => args[*i].clone(),
            Expr::Output => output.clone(),
            Expr::Const(c) => (**c).clone(),
            Expr::Neg(e) => -eval(e),
            Expr::Plus(e, c) => eval(e) + T::lit(*c),
            Expr::Add(a, b) => eval(a) + eval(b),
            Expr::Mul(a, b) => eval(a) * eval(b),
            Expr::Sin(e) => eval(e).mapv_into(|v| v.sin()),
            Expr::Cos(e) => eval(e).mapv_into(|v| v.cos()),
        }
    }

    /// Whether the formula reads the point (an argument or the output), not only constants.
    pub fn reads_point(&self) -> bool {
        match self {
            Expr::Arg(_) | Expr::Output => true,
            Expr::Const(_) => false,
            Expr::Neg(e) | Expr::Plus(e, _) | Expr::Sin(e) | Expr::Cos(e) => e.reads_point(),
            Expr::Add(a, b) | Expr::Mul(a, b) => a.reads_point() || b.reads_point(),
        }
    }
}

impl<T> ops::Add for Expr<T> {
    type Output = Expr<T>;
    fn add(self, rhs: Self) -> Self {
        Expr::Add(Box::new(self), Box::new(rhs))
    }
}
impl<T> ops::Sub for Expr<T> {
    type Output = Expr<T>;
    fn sub(self, rhs: Self) -> Self {
        self + -rhs
    }
}
impl<T> ops::Mul for Expr<T> {
    type Output = Expr<T>;
    fn mul(self, rhs: Self) -> Self {
        Expr::Mul(Box::new(self), Box::new(rhs))
    }
}
impl<T> ops::Neg for Expr<T> {
    type Output = Expr<T>;
    fn neg(self) -> Self {
        Expr::Neg(Box::new(self))
    }
}
