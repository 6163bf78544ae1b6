//! The primitive operations. Each one is defined in one place: its shape rule, its value, and its
//! derivative, stated once as its local Jacobian (with the math in one line of doc). Both modes
//! follow from the local Jacobians by the chain rule; no primitive has a forward or a reverse rule
//! of its own.
//!
//! Batches are matrices. For a value of length `len` and `k` directions:
//! - a **tangent** batch is `len × k` (one column per direction), as in `jacfwd = vmap(jvp)`;
//! - a **cotangent** batch is `k × len` (one row per direction), as in `jacrev = vmap(vjp)`.
//!
//! So with the local Jacobian `L`, the JVP of a batch is the product `L · Ẋ` and the VJP is `Ȳ · L`.
//! For `y = A x`, `L = A`: one matrix product each, which is where both modes spend their time.
//!
//! To add a primitive: write a struct, implement [`Primitive`] for it (or [`Elementwise`] for a
//! scalar function), and give [`Var`](crate::Var) a method that records it.

use std::fmt;
use std::sync::Arc;

use ndarray::{Array1, Array2, ArrayView2, Axis, Zip};

use crate::program::Shape;
use crate::scalar::Real;
use crate::structured::{Kind, Sketch, Structured};

/// A shape mismatch found by a primitive's shape rule: what it expected and what it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeMismatch {
    /// What the rule needs.
    pub expected: String,
    /// What it was given.
    pub actual: String,
}

/// One differentiable operation of a traced [`Program`](crate::Program).
///
/// `inputs` are the primal input values, `output` the primal output computed by [`eval`](Self::eval)
/// (rules such as `tanh` reuse it). Scalars are stored as vectors of length 1.
pub trait Primitive<T: Real>: Send + Sync + fmt::Debug {
    /// The name shown in printed programs, e.g. `tanh`.
    fn name(&self) -> &'static str;
    /// Parameters shown in printed programs, e.g. `[A1 1000×5000]`.
    fn params(&self) -> String {
        String::new()
    }
    /// The name of the constant matrix it applies, if it has one (`A1`, `A3ᵀ`): plans label
    /// their factors with it.
    fn constant_name(&self) -> Option<String> {
        None
    }
    /// The first entry of its constant that is NaN or infinite, as `(name, index, value)`:
    /// tracing rejects such an operation with [`Error::NonFiniteConstant`](crate::Error).
    fn non_finite_constant(&self) -> Option<(String, String, f64)> {
        None
    }
    /// The shape rule: the output shape for these input shapes, or what was expected.
    fn shape(&self, inputs: &[Shape]) -> Result<Shape, ShapeMismatch>;
    /// The value.
    fn eval(&self, inputs: &[&Array1<T>]) -> Array1<T>;
    /// The derivative: the local Jacobian `Lᵢ = ∂y/∂inputᵢ` for each input, with its structure (a
    /// matrix–vector product's is its matrix, an elementwise function's is diagonal). Every mode
    /// is built from these by the chain rule: forward mode pushes a tangent batch through as
    /// `Ẏ = Σᵢ Lᵢ Ẋᵢ`, reverse mode pulls a cotangent batch back as `X̄ᵢ = Ȳ Lᵢ`
    /// (see [`chain`](crate::chain)).
    fn local_jacobians(&self, inputs: &[&Array1<T>], output: &Array1<T>) -> Vec<Structured<T>>;
    /// The kinds and shapes of [`local_jacobians`](Self::local_jacobians), from the shapes alone:
    /// what the cost model needs before anything runs.
    fn local_sketches(&self, inputs: &[Shape], output: Shape) -> Vec<Sketch>;
    /// Whether the local Jacobians read the numbers of the primal inputs or output (an elementwise
    /// function's do; a product with a constant matrix, a sum or a reshape read only lengths).
    /// Values that no local Jacobian reads are not computed for a Jacobian.
    fn derivative_reads_values(&self) -> bool {
        true
    }
    /// Multiply–adds of evaluating it, from the shapes alone. A matrix–vector product with an
    /// `m × n` matrix costs `m·n`; an elementwise step one per element (a function evaluation, a
    /// scaling or an addition counts as one).
    fn eval_cost(&self, inputs: &[Shape], output: Shape) -> u64;
}

/// Sketches of local Jacobians of these kinds, one per input: `output.len() × input.len()`.
fn local(inputs: &[Shape], output: Shape, kinds: &[Kind]) -> Vec<Sketch> {
    inputs
        .iter()
        .zip(kinds)
        .map(|(i, &k)| Sketch::new(k, output.len(), i.len()))
        .collect()
}

fn expect_vector(op: &str, s: Shape) -> Result<usize, ShapeMismatch> {
    match s {
        Shape::Vector(n) => Ok(n),
        Shape::Scalar => Err(ShapeMismatch {
            expected: format!("a vector for `{op}`"),
            actual: "a scalar".into(),
        }),
    }
}

fn mismatch(expected: impl Into<String>, actual: impl Into<String>) -> ShapeMismatch {
    ShapeMismatch {
        expected: expected.into(),
        actual: actual.into(),
    }
}

/// Batches larger than this many elements are processed on all cores.
pub(crate) const PARALLEL_ELEMENTS: usize = 1 << 16;

/// The first entry of `a` that is NaN or infinite, with its index. One vectorised pass when all
/// are finite (the usual case: 1–2 ms for the original's `A1`, bound by reading it; a
/// [`Matrix`] does it once, when it is made).
pub(crate) fn first_non_finite<T: Real, D: ndarray::Dimension>(
    a: ndarray::ArrayView<'_, T, D>,
) -> Option<(D::Pattern, f64)> {
    if a.fold(true, |ok, v| ok & v.is_finite()) {
        return None;
    }
    a.indexed_iter()
        .find(|(_, v)| !v.is_finite())
        .map(|(i, v)| (i, v.to_f64_lossy()))
}

// ---------------------------------------------------------------------------------------------
// Linear maps with a constant
// ---------------------------------------------------------------------------------------------

/// A constant matrix, shared (not copied) by every program that uses it, possibly transposed.
///
/// `Matrix::new(a).t()` is the transpose as a view: no data moves, as in `A1.T @ y`.
/// `Matrix::new(a).named("A1")` gives it the name printed programs and plans show (`A1ᵀ` for its
/// transpose).
#[derive(Clone)]
pub struct Matrix<T> {
    data: Arc<ndarray::Array2<T>>,
    transposed: bool,
    name: Option<Arc<str>>,
    /// The first NaN or infinite entry of `data` (row, column, value), found once when the
    /// matrix is made: every trace that applies it, and its transpose, asks.
    non_finite: Option<((usize, usize), f64)>,
}

impl<T: Real> Matrix<T> {
    /// Wraps an array as a constant of the traced functions.
    pub fn new(a: ndarray::Array2<T>) -> Self {
        Matrix {
            non_finite: first_non_finite(a.view()),
            data: Arc::new(a),
            transposed: false,
            name: None,
        }
    }
    /// Wraps an array known to hold only finite numbers (an identity seed), without reading it:
    /// a 5000×5000 identity is mostly untouched zero pages, and reading them all costs more than
    /// the rest of making it.
    pub(crate) fn finite(a: ndarray::Array2<T>) -> Self {
        Matrix {
            data: Arc::new(a),
            transposed: false,
            name: None,
            non_finite: None,
        }
    }
    /// The same matrix, named (e.g. `A1`) in printed programs and plans.
    pub fn named(mut self, name: &str) -> Self {
        self.name = Some(name.into());
        self
    }
    /// The name as the matrix acts: `A1`, or `A1ᵀ` for the transpose; `None` if unnamed.
    pub fn name(&self) -> Option<String> {
        let name = self.name.as_deref()?;
        Some(format!("{name}{}", if self.transposed { "ᵀ" } else { "" }))
    }
    /// The transpose, sharing the data.
    pub fn t(&self) -> Self {
        Matrix {
            data: Arc::clone(&self.data),
            transposed: !self.transposed,
            name: self.name.clone(),
            non_finite: self.non_finite,
        }
    }
    /// The first entry that is NaN or infinite, as `([row, col], value)` where the matrix acts
    /// (`Aᵀ[j, i]` for `A[i, j]`); `None` if all are finite.
    pub(crate) fn first_non_finite(&self) -> Option<(String, f64)> {
        let ((i, j), v) = self.non_finite?;
        let (r, c) = if self.transposed { (j, i) } else { (i, j) };
        Some((format!("[{r}, {c}]"), v))
    }
    /// The matrix as an array view (transposed if this is a transpose).
    pub fn view(&self) -> ArrayView2<'_, T> {
        if self.transposed {
            self.data.t()
        } else {
            self.data.view()
        }
    }
    /// `(rows, columns)` of the matrix as it acts, i.e. after transposition.
    pub fn dim(&self) -> (usize, usize) {
        let (r, c) = self.data.dim();
        if self.transposed {
            (c, r)
        } else {
            (r, c)
        }
    }
}

impl<T> fmt::Debug for Matrix<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (r, c) = self.data.dim();
        let (r, c) = if self.transposed { (c, r) } else { (r, c) };
        write!(
            f,
            "Matrix<{}>{}[{r}×{c}]{}",
            std::any::type_name::<T>(),
            self.name
                .as_deref()
                .map(|n| format!(" {n}"))
                .unwrap_or_default(),
            if self.transposed {
                " (transposed view)"
            } else {
                ""
            }
        )
    }
}

/// `y = A x` with a constant `A` (m×n). Local Jacobian `A`: `Ẏ = A Ẋ`, `X̄ = Ȳ A`.
#[derive(Debug)]
pub struct MatVec<T> {
    /// The constant matrix.
    pub a: Matrix<T>,
}

impl<T: Real> Primitive<T> for MatVec<T> {
    fn derivative_reads_values(&self) -> bool {
        false
    }
    fn name(&self) -> &'static str {
        "matvec"
    }
    fn params(&self) -> String {
        let (m, n) = self.a.dim();
        match self.a.name() {
            Some(name) => format!("[{name} {m}×{n}]"),
            None if self.a.transposed => format!("[{m}×{n}, transposed]"),
            None => format!("[{m}×{n}]"),
        }
    }
    fn constant_name(&self) -> Option<String> {
        self.a.name()
    }
    fn non_finite_constant(&self) -> Option<(String, String, f64)> {
        let (at, v) = self.a.first_non_finite()?;
        Some((self.a.name().unwrap_or("A".into()), at, v))
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
        T::gemm(
            T::one(),
            self.a.view(),
            x,
            T::zero(),
            y.view_mut().insert_axis(Axis(1)),
        );
        y
    }
    fn local_jacobians(&self, _: &[&Array1<T>], _: &Array1<T>) -> Vec<Structured<T>> {
        vec![Structured::Constant(self.a.clone())] // ∂(Ax)/∂x = A
    }
    fn local_sketches(&self, _: &[Shape], _: Shape) -> Vec<Sketch> {
        let (m, n) = self.a.dim();
        vec![Sketch {
            shared: true,
            ..Sketch::new(Kind::Dense, m, n)
        }]
    }
    fn eval_cost(&self, _: &[Shape], _: Shape) -> u64 {
        let (m, n) = self.a.dim();
        (m * n) as u64
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

impl<T: Real> Primitive<T> for AddConst<T> {
    fn derivative_reads_values(&self) -> bool {
        false
    }
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
        match inputs[0] {
            Shape::Vector(n) if n == self.b.len() => Ok(inputs[0]),
            s => Err(mismatch(
                format!("a vector of length {} (the constant's)", self.b.len()),
                s.describe(),
            )),
        }
    }
    fn eval(&self, inputs: &[&Array1<T>]) -> Array1<T> {
        if self.subtract {
            inputs[0] - &*self.b
        } else {
            inputs[0] + &*self.b
        }
    }
    fn local_jacobians(&self, _: &[&Array1<T>], _: &Array1<T>) -> Vec<Structured<T>> {
        vec![Structured::Identity(self.b.len())] // ∂(x ± b)/∂x = I
    }
    fn local_sketches(&self, inputs: &[Shape], output: Shape) -> Vec<Sketch> {
        local(inputs, output, &[Kind::Identity])
    }
    fn eval_cost(&self, _: &[Shape], out: Shape) -> u64 {
        out.len() as u64
    }
}

/// `y = s · x` for a constant scalar `s`. Local Jacobian `s I`: `Ẏ = s Ẋ`, `X̄ = s Ȳ`.
#[derive(Debug)]
pub struct Scale<T> {
    /// The constant factor.
    pub s: T,
}

impl<T: Real> Primitive<T> for Scale<T> {
    fn derivative_reads_values(&self) -> bool {
        false
    }
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
    fn local_jacobians(&self, inputs: &[&Array1<T>], _: &Array1<T>) -> Vec<Structured<T>> {
        vec![Structured::Diagonal(Array1::from_elem(
            inputs[0].len(),
            self.s,
        ))] // ∂(s x)/∂x = s I
    }
    fn local_sketches(&self, inputs: &[Shape], output: Shape) -> Vec<Sketch> {
        local(inputs, output, &[Kind::Diagonal])
    }
    fn eval_cost(&self, _: &[Shape], out: Shape) -> u64 {
        out.len() as u64
    }
}

// ---------------------------------------------------------------------------------------------
// Elementwise functions of one variable
// ---------------------------------------------------------------------------------------------

/// A scalar function applied elementwise, with its derivative. Its local Jacobian is written once
/// for all of them in [`Unary`]: `diag(f'(x))`, so `Ẏ = diag(f'(x)) Ẋ` and `X̄ = Ȳ diag(f'(x))`.
pub trait Elementwise: Send + Sync + fmt::Debug + 'static {
    /// The name shown in printed programs.
    const NAME: &'static str;
    /// `f(x)`.
    fn f<T: Real>(x: T) -> T;
    /// `f'(x)`, given `x` and `y = f(x)` (some derivatives are cheaper from `y`).
    fn df<T: Real>(x: T, y: T) -> T;
}

/// `tanh`, with `tanh'(x) = 1 - tanh(x)² = (1 - y)(1 + y)`: the factored form keeps its accuracy
/// where `y = tanh(x)` is close to ±1 (`1 - y` is then exact), as JAX computes it.
#[derive(Debug)]
pub struct Tanh;
impl Elementwise for Tanh {
    const NAME: &'static str = "tanh";
    fn f<T: Real>(x: T) -> T {
        x.tanh()
    }
    fn df<T: Real>(_: T, y: T) -> T {
        (T::one() - y) * (T::one() + y)
    }
}

/// `sin`, with `sin'(x) = cos(x)`.
#[derive(Debug)]
pub struct Sin;
impl Elementwise for Sin {
    const NAME: &'static str = "sin";
    fn f<T: Real>(x: T) -> T {
        x.sin()
    }
    fn df<T: Real>(x: T, _: T) -> T {
        x.cos()
    }
}

/// `cos`, with `cos'(x) = -sin(x)`.
#[derive(Debug)]
pub struct Cos;
impl Elementwise for Cos {
    const NAME: &'static str = "cos";
    fn f<T: Real>(x: T) -> T {
        x.cos()
    }
    fn df<T: Real>(x: T, _: T) -> T {
        -x.sin()
    }
}

/// `exp`, with `exp'(x) = exp(x)`.
#[derive(Debug)]
pub struct Exp;
impl Elementwise for Exp {
    const NAME: &'static str = "exp";
    fn f<T: Real>(x: T) -> T {
        x.exp()
    }
    fn df<T: Real>(_: T, y: T) -> T {
        y
    }
}

/// `x²`, with `(x²)' = 2x`.
#[derive(Debug)]
pub struct Square;
impl Elementwise for Square {
    const NAME: &'static str = "square";
    fn f<T: Real>(x: T) -> T {
        x * x
    }
    fn df<T: Real>(x: T, _: T) -> T {
        x + x
    }
}

/// The primitive of an [`Elementwise`] function: `y = f(x)`, with local Jacobian `diag(f'(x))`.
#[derive(Debug, Default)]
pub struct Unary<E>(pub E);

impl<E: Elementwise> Unary<E> {
    fn derivative<T: Real>(x: &Array1<T>, y: &Array1<T>) -> Array1<T> {
        Zip::from(x).and(y).map_collect(|&x, &y| E::df(x, y))
    }
}

impl<T: Real, E: Elementwise> Primitive<T> for Unary<E> {
    fn name(&self) -> &'static str {
        E::NAME
    }
    fn shape(&self, inputs: &[Shape]) -> Result<Shape, ShapeMismatch> {
        Ok(inputs[0])
    }
    fn eval(&self, inputs: &[&Array1<T>]) -> Array1<T> {
        inputs[0].mapv(E::f)
    }
    fn local_jacobians(&self, inputs: &[&Array1<T>], y: &Array1<T>) -> Vec<Structured<T>> {
        vec![Structured::Diagonal(Self::derivative(inputs[0], y))] // ∂f(x)/∂x = diag(f'(x))
    }
    fn local_sketches(&self, inputs: &[Shape], output: Shape) -> Vec<Sketch> {
        local(inputs, output, &[Kind::Diagonal])
    }
    fn eval_cost(&self, _: &[Shape], out: Shape) -> u64 {
        out.len() as u64
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

impl<T: Real> Primitive<T> for Add {
    fn derivative_reads_values(&self) -> bool {
        false
    }
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
    fn local_jacobians(&self, inputs: &[&Array1<T>], _: &Array1<T>) -> Vec<Structured<T>> {
        let n = inputs[0].len();
        let second = if self.subtract {
            Structured::Diagonal(Array1::from_elem(n, -T::one())) // ∂(u - v)/∂v = -I
        } else {
            Structured::Identity(n)
        };
        vec![Structured::Identity(n), second]
    }
    fn local_sketches(&self, inputs: &[Shape], output: Shape) -> Vec<Sketch> {
        let second = if self.subtract {
            Kind::Diagonal
        } else {
            Kind::Identity
        };
        local(inputs, output, &[Kind::Identity, second])
    }
    fn eval_cost(&self, _: &[Shape], out: Shape) -> u64 {
        out.len() as u64
    }
}

/// `y = u ⊙ v` (elementwise). Local Jacobians `diag(v)` and `diag(u)`: `Ẏ = diag(v) U̇ + diag(u) V̇`;
/// `Ū = Ȳ diag(v)`, `V̄ = Ȳ diag(u)`.
#[derive(Debug)]
pub struct Mul;

impl<T: Real> Primitive<T> for Mul {
    fn name(&self) -> &'static str {
        "mul"
    }
    fn shape(&self, inputs: &[Shape]) -> Result<Shape, ShapeMismatch> {
        same_shape("mul", inputs)
    }
    fn eval(&self, inputs: &[&Array1<T>]) -> Array1<T> {
        inputs[0] * inputs[1]
    }
    fn local_jacobians(&self, inputs: &[&Array1<T>], _: &Array1<T>) -> Vec<Structured<T>> {
        // ∂(u ⊙ v)/∂u = diag(v), ∂(u ⊙ v)/∂v = diag(u)
        vec![
            Structured::Diagonal(inputs[1].clone()),
            Structured::Diagonal(inputs[0].clone()),
        ]
    }
    fn local_sketches(&self, inputs: &[Shape], output: Shape) -> Vec<Sketch> {
        local(inputs, output, &[Kind::Diagonal, Kind::Diagonal])
    }
    fn eval_cost(&self, _: &[Shape], out: Shape) -> u64 {
        out.len() as u64
    }
}

// ---------------------------------------------------------------------------------------------
// Reductions and shapes
// ---------------------------------------------------------------------------------------------

/// `y = Σᵢ xᵢ` (a scalar). Local Jacobian `1ᵀ`: `Ẏ = 1ᵀ Ẋ` (column sums), `X̄ = Ȳ 1ᵀ` (broadcast).
#[derive(Debug)]
pub struct Sum;

impl<T: Real> Primitive<T> for Sum {
    fn derivative_reads_values(&self) -> bool {
        false
    }
    fn name(&self) -> &'static str {
        "sum"
    }
    fn shape(&self, inputs: &[Shape]) -> Result<Shape, ShapeMismatch> {
        expect_vector("sum", inputs[0]).map(|_| Shape::Scalar)
    }
    fn eval(&self, inputs: &[&Array1<T>]) -> Array1<T> {
        Array1::from_elem(1, inputs[0].sum())
    }
    fn local_jacobians(&self, inputs: &[&Array1<T>], _: &Array1<T>) -> Vec<Structured<T>> {
        vec![Structured::Dense(Array2::ones((1, inputs[0].len())))] // ∂(Σ x)/∂x = 1ᵀ
    }
    fn local_sketches(&self, inputs: &[Shape], output: Shape) -> Vec<Sketch> {
        local(inputs, output, &[Kind::Dense])
    }
    fn eval_cost(&self, inputs: &[Shape], _: Shape) -> u64 {
        inputs[0].len() as u64
    }
}

/// A change of shape that keeps the elements: `squeeze` (length-1 vector → scalar) and
/// `atleast_1d` (scalar → length-1 vector). Linear and its own Jacobian: the identity.
#[derive(Debug)]
pub struct Reshape {
    /// `squeeze` or `atleast_1d`.
    pub name: &'static str,
    /// The new shape.
    pub to: Shape,
}

impl<T: Real> Primitive<T> for Reshape {
    fn derivative_reads_values(&self) -> bool {
        false
    }
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
    fn local_jacobians(&self, _: &[&Array1<T>], _: &Array1<T>) -> Vec<Structured<T>> {
        vec![Structured::Identity(self.to.len())]
    }
    fn local_sketches(&self, inputs: &[Shape], output: Shape) -> Vec<Sketch> {
        local(inputs, output, &[Kind::Identity])
    }
    fn eval_cost(&self, _: &[Shape], _: Shape) -> u64 {
        0
    }
}
