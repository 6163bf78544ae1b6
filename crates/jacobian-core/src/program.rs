//! The [`Program`]: a straight-line list of primitives with shapes (like a jaxpr), recorded by
//! [`Program::trace`](crate::Program::trace). It is evaluated here, plainly or at a point kept
//! for differentiation ([`Linearization`]), and printed.

use std::fmt;
use std::sync::Arc;

use ndarray::{Array1, ArrayD, ArrayView1, AsArray, Ix1};

use crate::error::{Error, Result};
use crate::primitives::{reads_values, Primitive, Shape};
use crate::scalar::Scalar;
use crate::structured::{Structure, Structured};

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
    /// What printed programs call the input: `x` unless renamed ([`Program::input_named`]).
    input_name: Arc<str>,
}

/// Checks that `x` has `len` finite entries; `what` names it in the error (`"x"`, `"v"`, `"c"`).
pub(crate) fn check_vector<T: Scalar>(
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

impl<T: Scalar> Program<T> {
    /// A program from recorded nodes: keeps only those the output depends on, and counts uses.
    pub(crate) fn new(input_len: usize, nodes: Vec<Node<T>>, output: ValueId) -> Program<T> {
        let mut live = vec![false; nodes.len() + 1];
        live[output] = true;
        for i in (0..nodes.len()).rev() {
            if live[i + 1] {
                nodes[i].args.iter().for_each(|&a| live[a] = true);
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
    /// How many times each value is read (by nodes, and once more if it is the output).
    pub(crate) fn uses(&self) -> &[usize] {
        &self.uses
    }
    /// Shape of the output.
    pub fn output_shape(&self) -> Shape {
        self.value_shape(self.output)
    }
    /// Number of output elements (1 for a scalar).
    pub fn output_len(&self) -> usize {
        self.output_shape().len()
    }
    /// The output's [`ValueId`].
    pub fn output_id(&self) -> ValueId {
        self.output
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

    /// The program that stops at value `v`: its nodes up to `v`, with `v` as the output.
    pub(crate) fn truncated(&self, v: ValueId) -> Program<T> {
        let program = Program::new(self.input_len, self.nodes[..v].to_vec(), v);
        program.input_named(&self.input_name)
    }

    /// Multiply–adds of evaluating each node, from the shapes alone.
    pub fn eval_costs(&self) -> Vec<u64> {
        self.nodes
            .iter()
            .map(|n| n.prim.eval_cost(&self.arg_shapes(n), n.shape))
            .collect()
    }

    /// The kinds and shapes of node `i`'s local Jacobians (one per argument), from the shapes
    /// alone: what the cost model multiplies.
    pub fn local_structures(&self, i: usize) -> Vec<Structure> {
        let node = &self.nodes[i];
        let m = node.shape.len();
        (node.prim.derivative().iter().zip(&node.args))
            .map(|(l, &a)| l.structure(m, self.value_shape(a).len()))
            .collect()
    }

    fn arg_shapes(&self, node: &Node<T>) -> Vec<Shape> {
        node.args.iter().map(|&a| self.value_shape(a)).collect()
    }

    /// The generic implementation of [`Program::call`](crate::Program::call): `f(x)`, with JAX's
    /// shape (`[]` for a scalar).
    pub(crate) fn evaluate(&self, x: ArrayView1<T>) -> Result<ArrayD<T>> {
        check_vector("x", x, self.input_len)?;
        let mut values = self.run(x, false, None);
        Ok(self.to_output_shape(values.pop().expect("the output")))
    }

    /// A flat output in JAX's shape (`[]` for a scalar).
    pub(crate) fn to_output_shape(&self, y: Array1<T>) -> ArrayD<T> {
        y.into_shape_with_order(self.output_shape().dims())
            .expect("output has its shape's element count")
    }

    /// Runs the program on `x` (already checked). With `keep_all`, returns every value (indexed by
    /// [`ValueId`]); otherwise frees each value after its last use and returns only the output.
    /// Values marked in `skip` are not computed (see [`Self::not_needed_for_derivative`]).
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
            values[i + 1] = Some(node.prim.eval(&inputs));
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
            values.into_iter().map(|v| v.expect("computed")).collect()
        } else {
            vec![values[self.output].take().expect("output computed")]
        }
    }

    /// The values no derivative rule reads, directly or through the values computed from them:
    /// a Jacobian does not compute them. For `G` this is its output `A1ᵀ(y1 - b1)`, whose product
    /// with the 1000×5000 matrix is half the cost of `jacfwd(G)`; XLA drops it the same way.
    pub(crate) fn not_needed_for_derivative(&self) -> Vec<bool> {
        let mut needed = vec![false; self.nodes.len() + 1];
        needed[0] = true; // the input is given anyway
        for (i, node) in self.nodes.iter().enumerate() {
            if reads_values(&*node.prim) {
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

    /// Evaluates at `x` and keeps every intermediate value: the point at which derivatives are
    /// taken.
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

    /// As [`linearize`](Self::linearize), but computes only the values the derivative rules
    /// read: for the drivers that do not return `f(x)`. Its output is NaN where not needed.
    pub(crate) fn linearize_for_derivative(
        &self,
        x: ArrayView1<T>,
    ) -> Result<Linearization<'_, T>> {
        check_vector("x", x, self.input_len)?;
        let skip = self.not_needed_for_derivative();
        Ok(Linearization {
            program: self,
            values: self.run(x, true, Some(&skip)),
        })
    }
}

/// A program evaluated at a point `x`, with all intermediate values kept: its local Jacobians
/// can be read off at that point, as often as the sweeps need them.
pub struct Linearization<'p, T> {
    program: &'p Program<T>,
    values: Vec<Array1<T>>,
}

impl<T: Scalar> Linearization<'_, T> {
    /// The value `f(x)` as a flat vector (a scalar output has length 1).
    pub fn output(&self) -> &Array1<T> {
        &self.values[self.program.output]
    }

    /// The local Jacobians of node `i` at this point, one per argument, with their structure.
    pub fn local_jacobians(&self, i: usize) -> Vec<Structured<T>> {
        let node = &self.program.nodes[i];
        let inputs: Vec<&Array1<T>> = node.args.iter().map(|&a| &self.values[a]).collect();
        node.local_jacobians(&inputs, &self.values[i + 1])
    }
}

impl<T: Scalar> Node<T> {
    /// Its local Jacobians, one per argument, at the argument values `inputs` and its `output`.
    pub(crate) fn local_jacobians(
        &self,
        inputs: &[&Array1<T>],
        output: &Array1<T>,
    ) -> Vec<Structured<T>> {
        let (m, locals) = (output.len(), self.prim.derivative().into_iter().enumerate());
        locals
            .map(|(j, l)| {
                l.at(m, inputs[j].len(), || {
                    self.prim.diagonal(j).eval(inputs, output)
                })
            })
            .collect()
    }
}

/// Prints the program like a jaxpr: one line per primitive, with shapes.
impl<T: Scalar> fmt::Display for Program<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ty = |s: Shape| match s {
            Shape::Scalar => format!("{}[]", T::NAME),
            Shape::Vector(n) => format!("{}[{n}]", T::NAME),
        };
        let name = |v: ValueId| match v {
            0 => self.input_name.to_string(),
            v => format!("v{v}"),
        };
        let input = ty(Shape::Vector(self.input_len));
        writeln!(f, "{{ lambda {}:{input} .", self.input_name)?;
        for (i, node) in self.nodes.iter().enumerate() {
            let args: Vec<String> = node.args.iter().map(|&a| name(a)).collect();
            let (op, params) = (node.prim.name(), node.prim.params());
            let (v, t) = (name(i + 1), ty(node.shape));
            writeln!(f, "    {v}:{t} = {op}{params} {}", args.join(" "))?;
        }
        write!(f, "  in {} }}", name(self.output))
    }
}
