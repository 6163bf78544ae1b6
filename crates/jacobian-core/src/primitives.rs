//! The primitive operations. Each one is defined in one place: its shape rule, its value, and its
//! derivative, stated once as the structure of its local Jacobian ([`Local`]), with the math in
//! one line of doc. Both modes follow from the local Jacobians by the chain rule, and the cost
//! model reads their structure from the same statement; no primitive has a forward or a reverse
//! rule of its own.
//!
//! Batches are matrices. For a value of length `len` and `k` directions:
//! - a **tangent** batch is `len × k` (one column per direction), as in `jacfwd = vmap(jvp)`;
//! - a **cotangent** batch is `k × len` (one row per direction), as in `jacrev = vmap(vjp)`.
//!
//! So with the local Jacobian `L`, the JVP of a batch is the product `L · Ẋ` and the VJP is `Ȳ · L`.
//! For `y = A x`, `L = A`: one matrix product each, which is where both modes spend their time.
//!
//! To add a primitive: write a struct, implement [`Primitive`] for it (or `Elementwise`, one
//! layer up, for a scalar function), and give `Var` a method that records it.

use std::fmt;
use std::sync::Arc;

use ndarray::{Array1, Array2, Axis};

use crate::expr::Expr;
use crate::linalg::gemm;
use crate::matrix::{first_non_finite, Matrix};
use crate::scalar::Scalar;
use crate::structured::{Kind, Structure, Structured};

/// The shape of a traced value: a scalar (as `squeeze` makes) or a vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    /// A single number (`f32[]`).
    Scalar,
    /// A vector of the given length (`f32[n]`).
    Vector(usize),
}

impl Shape {
    /// Number of elements (a scalar has one).
    pub fn len(self) -> usize {
        match self {
            Shape::Scalar => 1,
            Shape::Vector(n) => n,
        }
    }
    /// Whether the value has no elements.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
    /// The dimensions, as in numpy: `[]` or `[n]`.
    pub fn dims(self) -> Vec<usize> {
        match self {
            Shape::Scalar => vec![],
            Shape::Vector(n) => vec![n],
        }
    }
    /// "a scalar" or "a vector of length n", for error messages.
    pub fn describe(self) -> String {
        match self {
            Shape::Scalar => "a scalar".into(),
            Shape::Vector(n) => format!("a vector of length {n}"),
        }
    }
}

/// A shape mismatch found by a primitive's shape rule: what it expected and what it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeMismatch {
    /// What the rule needs.
    pub expected: String,
    /// What it was given.
    pub actual: String,
}

fn mismatch(expected: impl Into<String>, actual: impl Into<String>) -> ShapeMismatch {
    ShapeMismatch {
        expected: expected.into(),
        actual: actual.into(),
    }
}

/// The local Jacobian `Lᵢ = ∂y/∂xᵢ` of one argument, as a primitive states it: its structure,
/// and the constant or the rule that gives its entries. From this one statement the sweeps get
/// the numbers (`Local::at`), the cost model the kind and size ([`Local::structure`]), and
/// [`grad`](crate::grad()) the reverse sweep recorded as a program.
#[derive(Debug, Clone)]
pub enum Local<T> {
    /// `I`.
    Identity,
    /// `s I`, a constant multiple of the identity (a diagonal).
    Scaled(T),
    /// `diag(d)`, with `d` given by the formula [`Primitive::diagonal`].
    Diagonal,
    /// A constant matrix `A`, shared with the program.
    Matrix(Matrix<T>),
    /// The `m × n` matrix of ones: `1ᵀ` for a sum (`m = 1`), `1` for a broadcast (`n = 1`).
    Ones,
}

impl<T: Scalar> Local<T> {
    /// The kind and size of this local Jacobian for an output of length `m` and an argument of
    /// length `n`.
    pub fn structure(&self, m: usize, n: usize) -> Structure {
        match self {
            Local::Identity => Structure::new(Kind::Identity, m, n),
            Local::Scaled(_) | Local::Diagonal => Structure::new(Kind::Diagonal, m, n),
            Local::Matrix(_) => Structure {
                shared: true,
                ..Structure::new(Kind::Dense, m, n)
            },
            Local::Ones => Structure::new(Kind::Dense, m, n),
        }
    }

    /// The local Jacobian (`m × n`) with its entries, `diagonal` giving them for [`Local::Diagonal`].
    pub(crate) fn at(
        self,
        m: usize,
        n: usize,
        diagonal: impl FnOnce() -> Array1<T>,
    ) -> Structured<T> {
        match self {
            Local::Identity => Structured::Identity(n),
            Local::Scaled(s) => Structured::Diagonal(Array1::from_elem(n, s)),
            Local::Diagonal => Structured::Diagonal(diagonal()),
            Local::Matrix(a) => Structured::Constant(a),
            Local::Ones => Structured::Dense(Array2::ones((m, n))),
        }
    }
}

/// One differentiable operation of a traced [`Program`](crate::Program).
///
/// `inputs` are the primal input values, `output` the primal output computed by [`eval`](Self::eval)
/// (rules such as `tanh` reuse it). Scalars are stored as vectors of length 1.
pub trait Primitive<T: Scalar>: Send + Sync + fmt::Debug {
    /// The name shown in printed programs, e.g. `tanh`.
    fn name(&self) -> &'static str;
    /// Parameters shown in printed programs, e.g. `[A1 1000×5000]`.
    fn params(&self) -> String {
        String::new()
    }
    /// The constant matrix it applies, if any: plans label their factors with its name, and
    /// tracing rejects a constant holding a NaN or an infinity.
    fn matrix(&self) -> Option<&Matrix<T>> {
        None
    }
    /// The first entry of its other constants that is NaN or infinite, as `(name, index, value)`.
    fn non_finite_constant(&self) -> Option<(String, String, f64)> {
        None
    }
    /// The shape rule: the output shape for these input shapes, or what was expected.
    fn shape(&self, inputs: &[Shape]) -> Result<Shape, ShapeMismatch>;
    /// The value.
    fn eval(&self, inputs: &[&Array1<T>]) -> Array1<T>;
    /// Multiply–adds of evaluating it, from the shapes alone: `m·n` for an `m × n` matrix times
    /// a vector, one per element for an elementwise step.
    fn eval_cost(&self, inputs: &[Shape], output: Shape) -> u64 {
        let _ = inputs;
        output.len() as u64
    }
    /// The derivative: the local Jacobian of each argument, with its structure. Forward mode
    /// pushes a tangent batch through as `Ẏ = Σᵢ Lᵢ Ẋᵢ`, reverse mode pulls a cotangent batch
    /// back as `X̄ᵢ = Ȳ Lᵢ` (see [`sweep`](crate::sweep)).
    fn derivative(&self) -> Vec<Local<T>>;
    /// The formula for the entries `d` of argument `arg`'s local Jacobian `diag(d)`, where
    /// [`derivative`](Self::derivative) says [`Local::Diagonal`].
    fn diagonal(&self, arg: usize) -> Expr<T> {
        let _ = arg;
        unreachable!("`{}` states no diagonal local Jacobian", self.name())
    }
}

/// Whether a primitive's derivative reads the point (`tanh`'s diagonal does; a constant matrix,
/// an identity or a sum's row of ones does not). Values no derivative reads are not computed for
/// a Jacobian.
pub(crate) fn reads_values<T: Scalar>(p: &dyn Primitive<T>) -> bool {
    let locals = p.derivative().into_iter().enumerate();
    locals
        .into_iter()
        .any(|(j, l)| matches!(l, Local::Diagonal) && p.diagonal(j).reads_point())
}

// ---------------------------------------------------------------------------------------------
// Linear maps with a constant
// ---------------------------------------------------------------------------------------------

/// `y = A x` with a constant `A` (m×n). Local Jacobian `A`: `Ẏ = A Ẋ`, `X̄ = Ȳ A`.
#[derive(Debug)]
pub struct MatVec<T> {
    /// The constant matrix.
    pub a: Matrix<T>,
}

impl<T: Scalar> Primitive<T> for MatVec<T> {
    fn name(&self) -> &'static str {
        "matvec"
    }
    fn params(&self) -> String {
        let (m, n) = self.a.dim();
        match self.a.name() {
            Some(name) => format!("[{name} {m}×{n}]"),
            None if self.a.is_transposed() => format!("[{m}×{n}, transposed]"),
            None => format!("[{m}×{n}]"),
        }
    }
    fn matrix(&self) -> Option<&Matrix<T>> {
        Some(&self.a)
    }
    fn shape(&self, inputs: &[Shape]) -> Result<Shape, ShapeMismatch> {
        let (m, n) = self.a.dim();
        match inputs[0] {
            Shape::Vector(len) if len == n => Ok(Shape::Vector(m)),
            s => Err(mismatch(
                format!("a vector of length {n} for a {m}×{n} matrix"),
                s.describe(),
            )),
        }
    }
    fn eval(&self, inputs: &[&Array1<T>]) -> Array1<T> {
        let mut y = Array1::zeros(self.a.dim().0);
        let x = inputs[0].view().insert_axis(Axis(1));
        gemm(
            T::one(),
            self.a.view(),
            x,
            T::zero(),
            y.view_mut().insert_axis(Axis(1)),
        );
        y
    }
    fn eval_cost(&self, _: &[Shape], _: Shape) -> u64 {
        let (m, n) = self.a.dim();
        (m * n) as u64
    }
    fn derivative(&self) -> Vec<Local<T>> {
        vec![Local::Matrix(self.a.clone())] // ∂(Ax)/∂x = A
    }
}

/// `y = x + b` or `y = x - b` with a constant vector `b`. Local Jacobian `I`: `Ẏ = Ẋ`, `X̄ = Ȳ`.
#[derive(Debug)]
pub struct AddConst<T> {
    /// The constant vector.
    pub b: Arc<Array1<T>>,
    /// `x - b` rather than `x + b`.
    pub subtract: bool,
}

impl<T: Scalar> Primitive<T> for AddConst<T> {
    fn name(&self) -> &'static str {
        if self.subtract {
            "sub_const"
        } else {
            "add_const"
        }
    }
    fn params(&self) -> String {
        format!("[{}]", self.b.len())
    }
    fn non_finite_constant(&self) -> Option<(String, String, f64)> {
        let (i, v) = first_non_finite(self.b.view())?;
        Some(("b".into(), format!("[{i}]"), v))
    }
    fn shape(&self, inputs: &[Shape]) -> Result<Shape, ShapeMismatch> {
        same_len(self.b.len(), inputs[0])
    }
    fn eval(&self, inputs: &[&Array1<T>]) -> Array1<T> {
        if self.subtract {
            inputs[0] - &*self.b
        } else {
            inputs[0] + &*self.b
        }
    }
    fn derivative(&self) -> Vec<Local<T>> {
        vec![Local::Identity] // ∂(x ± b)/∂x = I
    }
}

/// `y = s · x` for a constant scalar `s`. Local Jacobian `s I`: `Ẏ = s Ẋ`, `X̄ = s Ȳ`.
#[derive(Debug)]
pub struct Scale<T> {
    /// The constant factor.
    pub s: T,
}

impl<T: Scalar> Primitive<T> for Scale<T> {
    fn name(&self) -> &'static str {
        "scale"
    }
    fn params(&self) -> String {
        format!("[{}]", self.s)
    }
    fn non_finite_constant(&self) -> Option<(String, String, f64)> {
        (!self.s.is_finite()).then(|| ("s".into(), String::new(), self.s.to_f64_lossy()))
    }
    fn shape(&self, inputs: &[Shape]) -> Result<Shape, ShapeMismatch> {
        Ok(inputs[0])
    }
    fn eval(&self, inputs: &[&Array1<T>]) -> Array1<T> {
        inputs[0] * self.s
    }
    fn derivative(&self) -> Vec<Local<T>> {
        vec![Local::Scaled(self.s)] // ∂(s x)/∂x = s I
    }
}

/// `y = c ⊙ x` with a constant vector `c`. Local Jacobian `diag(c)`: `Ẏ = diag(c) Ẋ`,
/// `X̄ = Ȳ diag(c)`. Gradients use it, where a cotangent that does not depend on `x` meets a diagonal.
#[derive(Debug)]
pub struct MulConst<T> {
    /// The constant vector.
    pub c: Arc<Array1<T>>,
}

impl<T: Scalar> Primitive<T> for MulConst<T> {
    fn name(&self) -> &'static str {
        "mul_const"
    }
    fn params(&self) -> String {
        format!("[{}]", self.c.len())
    }
    fn non_finite_constant(&self) -> Option<(String, String, f64)> {
        let (i, v) = first_non_finite(self.c.view())?;
        Some(("c".into(), format!("[{i}]"), v))
    }
    fn shape(&self, inputs: &[Shape]) -> Result<Shape, ShapeMismatch> {
        same_len(self.c.len(), inputs[0])
    }
    fn eval(&self, inputs: &[&Array1<T>]) -> Array1<T> {
        inputs[0] * &*self.c
    }
    fn derivative(&self) -> Vec<Local<T>> {
        vec![Local::Diagonal]
    }
    fn diagonal(&self, _: usize) -> Expr<T> {
        Expr::Const(Arc::clone(&self.c)) // ∂(c ⊙ x)/∂x = diag(c)
    }
}

/// A value of the constant's length (a scalar for a constant of length 1), or what was expected.
fn same_len(len: usize, input: Shape) -> Result<Shape, ShapeMismatch> {
    if input.len() == len {
        Ok(input)
    } else {
        Err(mismatch(
            format!("a vector of length {len} (the constant's)"),
            input.describe(),
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Two variables
// ---------------------------------------------------------------------------------------------

fn same_shape(op: &str, inputs: &[Shape]) -> Result<Shape, ShapeMismatch> {
    if inputs[0] == inputs[1] {
        Ok(inputs[0])
    } else {
        Err(mismatch(
            format!("two operands of the same shape for `{op}`"),
            format!("{} and {}", inputs[0].describe(), inputs[1].describe()),
        ))
    }
}

/// `y = u + v` or `y = u - v`. Local Jacobians `I` and `±I`: `Ẏ = U̇ ± V̇`; `Ū = Ȳ`, `V̄ = ±Ȳ`.
#[derive(Debug)]
pub struct Add {
    /// `u - v` rather than `u + v`.
    pub subtract: bool,
}

impl<T: Scalar> Primitive<T> for Add {
    fn name(&self) -> &'static str {
        if self.subtract {
            "sub"
        } else {
            "add"
        }
    }
    fn shape(&self, inputs: &[Shape]) -> Result<Shape, ShapeMismatch> {
        same_shape(Primitive::<T>::name(self), inputs)
    }
    fn eval(&self, inputs: &[&Array1<T>]) -> Array1<T> {
        if self.subtract {
            inputs[0] - inputs[1]
        } else {
            inputs[0] + inputs[1]
        }
    }
    fn derivative(&self) -> Vec<Local<T>> {
        let second = if self.subtract {
            Local::Scaled(-T::one()) // ∂(u - v)/∂v = -I
        } else {
            Local::Identity
        };
        vec![Local::Identity, second]
    }
}

/// `y = u ⊙ v` (elementwise). Local Jacobians `diag(v)` and `diag(u)`: `Ẏ = diag(v) U̇ + diag(u) V̇`;
/// `Ū = Ȳ diag(v)`, `V̄ = Ȳ diag(u)`.
#[derive(Debug)]
pub struct Mul;

impl<T: Scalar> Primitive<T> for Mul {
    fn name(&self) -> &'static str {
        "mul"
    }
    fn shape(&self, inputs: &[Shape]) -> Result<Shape, ShapeMismatch> {
        same_shape("mul", inputs)
    }
    fn eval(&self, inputs: &[&Array1<T>]) -> Array1<T> {
        inputs[0] * inputs[1]
    }
    fn derivative(&self) -> Vec<Local<T>> {
        vec![Local::Diagonal, Local::Diagonal]
    }
    fn diagonal(&self, arg: usize) -> Expr<T> {
        Expr::Arg(1 - arg) // ∂(u ⊙ v)/∂u = diag(v), ∂(u ⊙ v)/∂v = diag(u)
    }
}

// ---------------------------------------------------------------------------------------------
// Reductions and shapes
// ---------------------------------------------------------------------------------------------

/// `y = Σᵢ xᵢ` (a scalar). Local Jacobian `1ᵀ`: `Ẏ = 1ᵀ Ẋ` (column sums), `X̄ = Ȳ 1ᵀ` (broadcast).
#[derive(Debug)]
pub struct Sum;

impl<T: Scalar> Primitive<T> for Sum {
    fn name(&self) -> &'static str {
        "sum"
    }
    fn shape(&self, inputs: &[Shape]) -> Result<Shape, ShapeMismatch> {
        match inputs[0] {
            Shape::Vector(_) => Ok(Shape::Scalar),
            Shape::Scalar => Err(mismatch("a vector for `sum`", "a scalar")),
        }
    }
    fn eval(&self, inputs: &[&Array1<T>]) -> Array1<T> {
        Array1::from_elem(1, inputs[0].sum())
    }
    fn eval_cost(&self, inputs: &[Shape], _: Shape) -> u64 {
        inputs[0].len() as u64
    }
    fn derivative(&self) -> Vec<Local<T>> {
        vec![Local::Ones] // ∂(Σ x)/∂x = 1ᵀ
    }
}

/// `y = (x, x, …, x)`: a value of one element repeated `len` times, the transpose of a sum.
/// Local Jacobian `1` (a column of ones): `Ẏ = 1 Ẋ`, `X̄ = Ȳ 1` (the sum of the cotangent).
#[derive(Debug)]
pub struct Broadcast {
    /// The length of the result.
    pub len: usize,
}

impl<T: Scalar> Primitive<T> for Broadcast {
    fn name(&self) -> &'static str {
        "broadcast"
    }
    fn params(&self) -> String {
        format!("[{}]", self.len)
    }
    fn shape(&self, inputs: &[Shape]) -> Result<Shape, ShapeMismatch> {
        match inputs[0].len() {
            1 => Ok(Shape::Vector(self.len)),
            _ => Err(mismatch("a scalar for `broadcast`", inputs[0].describe())),
        }
    }
    fn eval(&self, inputs: &[&Array1<T>]) -> Array1<T> {
        Array1::from_elem(self.len, inputs[0][0])
    }
    fn derivative(&self) -> Vec<Local<T>> {
        vec![Local::Ones] // ∂(x 1)/∂x = 1
    }
}

/// A change of shape that keeps the elements: `squeeze` (length-1 vector → scalar) and
/// `atleast_1d` (scalar → length-1 vector). Linear, with local Jacobian `I`.
#[derive(Debug)]
pub struct Reshape {
    /// `squeeze` or `atleast_1d`.
    pub name: &'static str,
    /// The new shape.
    pub to: Shape,
}

impl<T: Scalar> Primitive<T> for Reshape {
    fn name(&self) -> &'static str {
        self.name
    }
    fn shape(&self, inputs: &[Shape]) -> Result<Shape, ShapeMismatch> {
        if inputs[0].len() == self.to.len() {
            Ok(self.to)
        } else {
            Err(mismatch(
                format!("{} element(s)", self.to.len()),
                inputs[0].describe(),
            ))
        }
    }
    fn eval(&self, inputs: &[&Array1<T>]) -> Array1<T> {
        inputs[0].clone()
    }
    fn eval_cost(&self, _: &[Shape], _: Shape) -> u64 {
        0
    }
    fn derivative(&self) -> Vec<Local<T>> {
        vec![Local::Identity]
    }
}
