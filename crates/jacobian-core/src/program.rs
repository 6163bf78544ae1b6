//! Tracing: a function written with [`Var`] is run once to record a [`Program`], a straight-line
//! list of primitives (like a jaxpr). The program is then interpreted three ways: plain evaluation,
//! pushing tangents forward, pulling cotangents back.

use std::cell::RefCell;
use std::fmt;
use std::ops;
use std::rc::Rc;
use std::sync::Arc;

use ndarray::{Array1, Array2, ArrayView1, AsArray, Ix1};

use crate::chain::{numeric, pull, push, Meter};
use crate::error::{Error, Result};
use crate::primitives::{self as p, Matrix, Primitive};
use crate::scalar::Real;
use crate::structured::{Sketch, Structured};

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

/// Identifies a value in a program: `0` is the input, `i + 1` the output of node `i`.
pub type ValueId = usize;

/// One step of a program: a primitive applied to earlier values.
#[derive(Debug, Clone)]
pub struct Node<T> {
    /// The operation.
    pub prim: Arc<dyn Primitive<T>>,
    /// The values it reads.
    pub args: Vec<ValueId>,
    /// The shape of the value it makes.
    pub shape: Shape,
}

/// A traced function from a vector of length `n` to a scalar or a vector.
///
/// It owns its constants through `Arc`s, is `Send + Sync + 'static`, and is cheap to clone.
#[derive(Debug, Clone)]
pub struct Program<T> {
    input_len: usize,
    nodes: Vec<Node<T>>,
    output: ValueId,
    /// How many times each value is read (by nodes, and once more if it is the output).
    uses: Vec<usize>,
    /// The plan, made from the shapes on first use ([`Program::plan`]).
    plan: std::sync::OnceLock<crate::chain::Plan>,
    /// What printed programs call the input: `x` unless renamed ([`Program::input_named`]).
    input_name: std::sync::Arc<str>,
}

struct Builder<T> {
    nodes: Vec<Node<T>>,
    input_len: usize,
    error: Option<Error>,
}

/// A value being traced: what a function written for [`Program::trace`] computes with.
///
/// Arithmetic on `Var`s records primitives; nothing is computed while tracing. The methods and
/// operators are the supported operations: `matrix.dot(&x)`, `x + &b`, `x - &b`, `u + v`, `u - v`,
/// `u * v`, `0.1 * x`, `-x`, `x.tanh()`, `x.sin()`, `x.cos()`, `x.exp()`, `x.square()`, `x.sum()`,
/// `x.squeeze()`, `x.atleast_1d()`.
#[derive(Clone)]
pub struct Var<T> {
    id: ValueId,
    shape: Shape,
    builder: Rc<RefCell<Builder<T>>>,
}

impl<T> fmt::Debug for Var<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Var(v{}: {:?})", self.id, self.shape)
    }
}

impl<T: Real> Var<T> {
    /// The shape of this value.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    fn record(&self, prim: impl Primitive<T> + 'static, others: &[&Var<T>]) -> Var<T> {
        let mut b = self.builder.borrow_mut();
        let mut args = vec![self.id];
        let mut shapes = vec![self.shape];
        for o in others {
            if !Rc::ptr_eq(&self.builder, &o.builder) && b.error.is_none() {
                b.error = Some(Error::Shape {
                    op: prim.name(),
                    expected: "operands from the same trace".into(),
                    actual: "a variable from another trace".into(),
                });
            }
            args.push(o.id);
            shapes.push(o.shape);
        }
        let shape = match prim.shape(&shapes) {
            Ok(s) => s,
            Err(m) => {
                if b.error.is_none() {
                    b.error = Some(Error::Shape {
                        op: prim.name(),
                        expected: m.expected,
                        actual: m.actual,
                    });
                }
                shapes[0] // keep tracing; `trace` reports the first error
            }
        };
        if let (None, Some((constant, at, value))) = (&b.error, prim.non_finite_constant()) {
            b.error = Some(Error::NonFiniteConstant {
                what: format!("`{}` constant {constant}", prim.name()),
                at,
                value,
            });
        }
        b.nodes.push(Node {
            prim: Arc::new(prim),
            args,
            shape,
        });
        Var {
            id: b.nodes.len(),
            shape,
            builder: Rc::clone(&self.builder),
        }
    }

    /// `tanh` elementwise.
    pub fn tanh(&self) -> Var<T> {
        self.record(p::Unary(p::Tanh), &[])
    }
    /// `sin` elementwise.
    pub fn sin(&self) -> Var<T> {
        self.record(p::Unary(p::Sin), &[])
    }
    /// `cos` elementwise.
    pub fn cos(&self) -> Var<T> {
        self.record(p::Unary(p::Cos), &[])
    }
    /// `exp` elementwise.
    pub fn exp(&self) -> Var<T> {
        self.record(p::Unary(p::Exp), &[])
    }
    /// `x²` elementwise (the original's `y**2`).
    pub fn square(&self) -> Var<T> {
        self.record(p::Unary(p::Square), &[])
    }
    /// The sum of the elements, a scalar.
    pub fn sum(&self) -> Var<T> {
        self.record(p::Sum, &[])
    }
    /// A length-1 vector as a scalar; any other value unchanged (`jnp.squeeze`).
    pub fn squeeze(&self) -> Var<T> {
        match self.shape {
            Shape::Vector(1) => self.record(
                p::Reshape {
                    name: "squeeze",
                    to: Shape::Scalar,
                },
                &[],
            ),
            _ => self.clone(),
        }
    }
    /// A scalar as a length-1 vector; a vector unchanged (`jnp.atleast_1d`).
    pub fn atleast_1d(&self) -> Var<T> {
        match self.shape {
            Shape::Scalar => self.record(
                p::Reshape {
                    name: "atleast_1d",
                    to: Shape::Vector(1),
                },
                &[],
            ),
            Shape::Vector(_) => self.clone(),
        }
    }
}

impl<T: Real> Matrix<T> {
    /// `A x`, recorded as a `matvec` primitive (the original's `A @ x`).
    pub fn dot(&self, x: &Var<T>) -> Var<T> {
        x.record(p::MatVec { a: self.clone() }, &[])
    }
}

// Operators, for owned and borrowed operands alike.
macro_rules! var_binop {
    ($Trait:ident, $method:ident, $prim:expr) => {
        impl<T: Real> ops::$Trait<&Var<T>> for &Var<T> {
            type Output = Var<T>;
            fn $method(self, rhs: &Var<T>) -> Var<T> {
                self.record($prim, &[rhs])
            }
        }
        impl<T: Real> ops::$Trait<Var<T>> for Var<T> {
            type Output = Var<T>;
            fn $method(self, rhs: Var<T>) -> Var<T> {
                (&self).$method(&rhs)
            }
        }
        impl<T: Real> ops::$Trait<&Var<T>> for Var<T> {
            type Output = Var<T>;
            fn $method(self, rhs: &Var<T>) -> Var<T> {
                (&self).$method(rhs)
            }
        }
        impl<T: Real> ops::$Trait<Var<T>> for &Var<T> {
            type Output = Var<T>;
            fn $method(self, rhs: Var<T>) -> Var<T> {
                self.$method(&rhs)
            }
        }
    };
}
var_binop!(Add, add, p::Add { subtract: false });
var_binop!(Sub, sub, p::Add { subtract: true });
var_binop!(Mul, mul, p::Mul);

macro_rules! const_binop {
    ($Trait:ident, $method:ident, $subtract:expr) => {
        impl<T: Real> ops::$Trait<&Array1<T>> for &Var<T> {
            type Output = Var<T>;
            /// Adds or subtracts a constant vector (copied into the program).
            fn $method(self, b: &Array1<T>) -> Var<T> {
                self.record(
                    p::AddConst {
                        b: Arc::new(b.clone()),
                        subtract: $subtract,
                    },
                    &[],
                )
            }
        }
        impl<T: Real> ops::$Trait<&Array1<T>> for Var<T> {
            type Output = Var<T>;
            fn $method(self, b: &Array1<T>) -> Var<T> {
                (&self).$method(b)
            }
        }
    };
}
const_binop!(Add, add, false);
const_binop!(Sub, sub, true);

impl<T: Real> ops::Mul<&Var<T>> for f64 {
    type Output = Var<T>;
    /// Scales by a constant; the literal is converted to the trace's type, like a JAX weak type.
    fn mul(self, x: &Var<T>) -> Var<T> {
        x.record(p::Scale { s: T::lit(self) }, &[])
    }
}
impl<T: Real> ops::Mul<Var<T>> for f64 {
    type Output = Var<T>;
    fn mul(self, x: Var<T>) -> Var<T> {
        self * &x
    }
}
impl<T: Real> ops::Mul<f64> for &Var<T> {
    type Output = Var<T>;
    fn mul(self, s: f64) -> Var<T> {
        s * self
    }
}
impl<T: Real> ops::Mul<f64> for Var<T> {
    type Output = Var<T>;
    fn mul(self, s: f64) -> Var<T> {
        s * &self
    }
}
impl<T: Real> ops::Neg for &Var<T> {
    type Output = Var<T>;
    fn neg(self) -> Var<T> {
        -1.0 * self
    }
}
impl<T: Real> ops::Neg for Var<T> {
    type Output = Var<T>;
    fn neg(self) -> Var<T> {
        -1.0 * &self
    }
}

/// Checks that `x` has `len` finite entries.
pub(crate) fn check_vector<T: Real>(
    what: &'static str,
    x: ArrayView1<T>,
    len: usize,
) -> Result<()> {
    if x.len() != len {
        return Err(match what {
            "x" => Error::InputLength {
                expected: len,
                actual: x.len(),
            },
            _ => Error::DirectionLength {
                what,
                expected: len,
                actual: x.len(),
            },
        });
    }
    match x.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(Error::NonFinite {
            what,
            index,
            value: x[index].to_f64_lossy(),
        }),
        None => Ok(()),
    }
}

impl<T: Real> Program<T> {
    /// Traces `f` on a symbolic input vector of length `input_len` and records what it computes.
    ///
    /// # Errors
    /// [`Error::Shape`] if an operation in `f` got operands of the wrong shape, or
    /// [`Error::NonFiniteConstant`] if it uses a constant holding a NaN or an infinity (the first
    /// such error); [`Error::Widths`] if `input_len` is zero.
    ///
    /// ```
    /// use jacobian_core::{Program, jacfwd};
    /// use ndarray::array;
    /// // f(x) = sum(sin(x)²), whose gradient is 2 sin(x) cos(x) = sin(2x).
    /// let f = Program::<f64>::trace(3, |x| x.sin().square().sum())?;
    /// let x = array![0.1, 0.2, 0.3];
    /// let grad = jacfwd(&f, &x)?;
    /// assert!((grad[1] - 0.4f64.sin()).abs() < 1e-12);
    /// # Ok::<(), jacobian_core::Error>(())
    /// ```
    pub fn trace(input_len: usize, f: impl FnOnce(Var<T>) -> Var<T>) -> Result<Program<T>> {
        if input_len == 0 {
            return Err(Error::Widths {
                widths: vec![0],
                reason: "the input must have at least one element".into(),
            });
        }
        let builder = Rc::new(RefCell::new(Builder {
            nodes: vec![],
            input_len,
            error: None,
        }));
        let x = Var {
            id: 0,
            shape: Shape::Vector(input_len),
            builder: Rc::clone(&builder),
        };
        let out = f(x);
        if !Rc::ptr_eq(&out.builder, &builder) {
            return Err(Error::Shape {
                op: "trace",
                expected: "a result computed from the traced input".into(),
                actual: "a variable from another trace".into(),
            });
        }
        let b = std::mem::replace(
            &mut *builder.borrow_mut(),
            Builder {
                nodes: vec![],
                input_len,
                error: None,
            },
        );
        if let Some(e) = b.error {
            return Err(e);
        }
        Ok(Program::new(b.input_len, b.nodes, out.id))
    }

    /// Keeps only the nodes the output depends on, and counts uses.
    fn new(input_len: usize, nodes: Vec<Node<T>>, output: ValueId) -> Program<T> {
        let mut live = vec![false; nodes.len() + 1];
        live[output] = true;
        for i in (0..nodes.len()).rev() {
            if live[i + 1] {
                for &a in &nodes[i].args {
                    live[a] = true;
                }
            }
        }
        // Renumber the live values densely, in order.
        let mut new_id = vec![usize::MAX; nodes.len() + 1];
        new_id[0] = 0;
        let mut kept = Vec::new();
        for (i, mut node) in nodes.into_iter().enumerate() {
            if live[i + 1] {
                node.args.iter_mut().for_each(|a| *a = new_id[*a]);
                kept.push(node);
                new_id[i + 1] = kept.len();
            }
        }
        let output = new_id[output];
        let mut uses = vec![0; kept.len() + 1];
        uses[output] += 1;
        for node in &kept {
            node.args.iter().for_each(|&a| uses[a] += 1);
        }
        Program {
            input_len,
            nodes: kept,
            output,
            uses,
            plan: std::sync::OnceLock::new(),
            input_name: "x".into(),
        }
    }

    /// The same program, with its input printed as `name` (`z` for the original's `G(z)`).
    pub fn input_named(mut self, name: &str) -> Self {
        self.input_name = name.into();
        self
    }

    /// Length of the input vector.
    pub fn input_len(&self) -> usize {
        self.input_len
    }
    /// Shape of the output.
    pub fn output_shape(&self) -> Shape {
        self.value_shape(self.output)
    }
    /// Number of output elements (1 for a scalar).
    pub fn output_len(&self) -> usize {
        self.output_shape().len()
    }
    /// The longest value the program computes (the input included).
    pub fn max_value_len(&self) -> usize {
        self.nodes
            .iter()
            .map(|n| n.shape.len())
            .fold(self.input_len, usize::max)
    }
    /// The recorded steps.
    pub fn nodes(&self) -> &[Node<T>] {
        &self.nodes
    }
    /// The shape of a value: `0` is the input, `i + 1` the output of node `i`.
    pub fn value_shape(&self, v: ValueId) -> Shape {
        if v == 0 {
            Shape::Vector(self.input_len)
        } else {
            self.nodes[v - 1].shape
        }
    }

    /// Multiply–adds of evaluating each node, from the shapes alone.
    pub fn eval_costs(&self) -> Vec<u64> {
        self.nodes
            .iter()
            .map(|n| n.prim.eval_cost(&self.arg_shapes(n), n.shape))
            .collect()
    }

    /// The kinds and shapes of each node's local Jacobians (one per argument), from the shapes alone.
    pub fn local_sketches(&self, node: usize) -> Vec<Sketch> {
        let n = &self.nodes[node];
        n.prim.local_sketches(&self.arg_shapes(n), n.shape)
    }

    fn arg_shapes(&self, node: &Node<T>) -> Vec<Shape> {
        node.args.iter().map(|&a| self.value_shape(a)).collect()
    }

    /// The plan's cache: a program never changes once traced.
    pub(crate) fn plan_cell(&self) -> &std::sync::OnceLock<crate::chain::Plan> {
        &self.plan
    }

    /// The output's [`ValueId`].
    pub fn output_id(&self) -> ValueId {
        self.output
    }

    /// Evaluates the function: `f(x)`, with JAX's shape (`[]` for a scalar).
    ///
    /// # Errors
    /// [`Error::InputLength`] or [`Error::NonFinite`] if `x` is not a finite vector of the input length.
    pub fn call<'a>(&self, x: impl AsArray<'a, T, Ix1>) -> Result<ndarray::ArrayD<T>> {
        let x = x.into();
        check_vector("x", x, self.input_len)?;
        Ok(self.to_output_shape(self.run(x, false, None).pop().expect("at least one value")))
    }

    pub(crate) fn to_output_shape(&self, y: Array1<T>) -> ndarray::ArrayD<T> {
        y.into_shape_with_order(self.output_shape().dims())
            .expect("output has its shape's element count")
    }

    /// Runs the program on `x` (already checked). With `keep_all`, returns every value (indexed by
    /// [`ValueId`]); otherwise frees each value after its last use and returns only the output.
    /// With `skip`, the values marked there are not computed (see [`Self::derivative_only`]).
    fn run(&self, x: ArrayView1<T>, keep_all: bool, skip: Option<&[bool]>) -> Vec<Array1<T>> {
        let mut values: Vec<Option<Array1<T>>> = vec![None; self.nodes.len() + 1];
        let mut remaining = self.uses.clone();
        values[0] = Some(x.to_owned());
        for (i, node) in self.nodes.iter().enumerate() {
            if skip.is_some_and(|s| s[i + 1]) {
                // Never read as a number: NaN makes a rule that wrongly reads it visible.
                values[i + 1] = Some(Array1::from_elem(node.shape.len(), T::nan()));
                continue;
            }
            let inputs: Vec<&Array1<T>> = node
                .args
                .iter()
                .map(|&a| values[a].as_ref().expect("value computed before use"))
                .collect();
            let y = node.prim.eval(&inputs);
            values[i + 1] = Some(y);
            if !keep_all {
                for &a in &node.args {
                    remaining[a] -= 1;
                    if remaining[a] == 0 {
                        values[a] = None;
                    }
                }
            }
        }
        if keep_all {
            values
                .into_iter()
                .map(|v| v.expect("every value computed"))
                .collect()
        } else {
            vec![values[self.output].take().expect("output computed")]
        }
    }

    /// The values a Jacobian does not need: those no derivative rule reads, directly or through
    /// the values computed from them. For `G` this is its output `A1ᵀ(y1 - b1)`, whose product
    /// with the 1000×5000 matrix is half the cost of `jacfwd(G)`; XLA drops it the same way.
    pub(crate) fn derivative_only(&self) -> Vec<bool> {
        let mut needed = vec![false; self.nodes.len() + 1];
        needed[0] = true; // the input is given anyway
        for (i, node) in self.nodes.iter().enumerate() {
            if node.prim.derivative_reads_values() {
                needed[i + 1] = true;
                node.args.iter().for_each(|&a| needed[a] = true);
            }
        }
        for i in (0..self.nodes.len()).rev() {
            if needed[i + 1] {
                self.nodes[i].args.iter().for_each(|&a| needed[a] = true);
            }
        }
        needed.into_iter().map(|n| !n).collect()
    }

    /// Evaluates at `x` and records every intermediate value: the point at which the Jacobian is taken.
    ///
    /// # Errors
    /// As [`call`](Self::call).
    pub fn linearize<'a>(&self, x: impl AsArray<'a, T, Ix1>) -> Result<Linearization<'_, T>> {
        let x = x.into();
        check_vector("x", x, self.input_len)?;
        Ok(Linearization {
            program: self,
            values: self.run(x, true, None),
        })
    }

    /// As [`linearize`](Self::linearize), but computes only the values the derivative rules read:
    /// for the Jacobian drivers, which do not return `f(x)`. Its [`Linearization::output`] is NaN
    /// wherever the output was not needed.
    pub(crate) fn linearize_for_jacobian(&self, x: ArrayView1<T>) -> Result<Linearization<'_, T>> {
        check_vector("x", x, self.input_len)?;
        Ok(Linearization {
            program: self,
            values: self.run(x, true, Some(&self.derivative_only())),
        })
    }
}

/// A program evaluated at a point `x`, with all intermediate values kept: the linear map `J(x)`
/// ready to be applied forward (to tangents) or backward (to cotangents), any number of times.
pub struct Linearization<'p, T> {
    program: &'p Program<T>,
    values: Vec<Array1<T>>,
}

impl<T: Real> Linearization<'_, T> {
    /// The value `f(x)` as a flat vector (a scalar output has length 1).
    pub fn output(&self) -> &Array1<T> {
        &self.values[self.program.output]
    }
    /// The program.
    pub fn program(&self) -> &Program<T> {
        self.program
    }

    fn inputs(&self, node: &Node<T>) -> Vec<&Array1<T>> {
        node.args.iter().map(|&a| &self.values[a]).collect()
    }

    /// The local Jacobians of node `i` at this point, one per argument.
    pub fn local_jacobians(&self, i: usize) -> Vec<Structured<T>> {
        let node = &self.program.nodes[i];
        let locals = node
            .prim
            .local_jacobians(&self.inputs(node), &self.values[i + 1]);
        debug_assert_eq!(
            locals.iter().map(|l| l.sketch()).collect::<Vec<_>>(),
            self.program.local_sketches(i),
            "`{}`: local_jacobians and local_sketches disagree",
            node.prim.name()
        );
        locals
    }

    /// Forward mode: `J · Ṫ` for a batch of tangents `Ṫ` (`n × k`, a column per direction), pushed
    /// through the program in order. Each value's tangent is `Σᵢ Lᵢ · (tangent of argument i)`,
    /// with `Lᵢ` the local Jacobians of the node that makes it. Returns `m × k`.
    ///
    /// # Panics
    /// If `tangents` does not have `n` rows (the public drivers check this first).
    pub fn push_forward(&self, tangents: Array2<T>) -> Array2<T> {
        self.push_counted(Structured::Dense(tangents), &mut Meter::default())
    }

    /// Reverse mode: `C̄ · J` for a batch of cotangents `C̄` (`k × m`, a row per direction),
    /// pulled back through the program in reverse order. Each value's cotangent is the sum, over
    /// the nodes that read it, of `(their cotangent) · Lᵢ`. Returns `k × n`.
    ///
    /// # Panics
    /// If `cotangents` does not have `m` columns (the public drivers check this first).
    pub fn pull_back(&self, cotangents: Array2<T>) -> Array2<T> {
        self.pull_counted(Structured::Dense(cotangents), &mut Meter::default())
    }

    /// [`push_forward`](Self::push_forward) of any seed (`n × k`), counting its multiply–adds in
    /// `meter`.
    pub(crate) fn push_counted(&self, seed: Structured<T>, meter: &mut Meter) -> Array2<T> {
        let prog = self.program;
        assert_eq!(
            seed.dim().0,
            prog.input_len,
            "tangent batch must have one row per input"
        );
        push(prog, (0, prog.output), seed, &numeric(self), meter).into_dense()
    }

    /// [`pull_back`](Self::pull_back) of any seed (`k × m`), counting its multiply–adds in
    /// `meter`.
    pub(crate) fn pull_counted(&self, seed: Structured<T>, meter: &mut Meter) -> Array2<T> {
        let prog = self.program;
        assert_eq!(
            seed.dim().1,
            self.output().len(),
            "cotangent batch must have one column per output"
        );
        pull(prog, (0, prog.output), seed, &numeric(self), meter).into_dense()
    }
}

/// Prints the program like a jaxpr: one line per primitive, with shapes.
impl<T: Real> fmt::Display for Program<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ty = |s: Shape| match s {
            Shape::Scalar => format!("{}[]", T::NAME),
            Shape::Vector(n) => format!("{}[{n}]", T::NAME),
        };
        let name = |v: ValueId| {
            if v == 0 {
                self.input_name.to_string()
            } else {
                format!("v{v}")
            }
        };
        writeln!(
            f,
            "{{ lambda {}:{} .",
            self.input_name,
            ty(Shape::Vector(self.input_len))
        )?;
        for (i, node) in self.nodes.iter().enumerate() {
            let args: Vec<String> = node.args.iter().map(|&a| name(a)).collect();
            writeln!(
                f,
                "    {}:{} = {}{} {}",
                name(i + 1),
                ty(node.shape),
                node.prim.name(),
                node.prim.params(),
                args.join(" ")
            )?;
        }
        write!(f, "  in {} }}", name(self.output))
    }
}
