//! Tracing: a function written with [`Var`] is run once on a symbolic input, and what it
//! computes is recorded as a [`Program`]. Nothing is computed while tracing.

use std::cell::RefCell;
use std::fmt;
use std::ops;
use std::rc::Rc;
use std::sync::Arc;

use ndarray::Array1;

use crate::elementwise as e;
use crate::error::{Error, Result};
use crate::matrix::Matrix;
use crate::primitives::{self as p, Primitive, Shape};
use crate::program::{Node, Program, ValueId};
use crate::scalar::Scalar;

struct Builder<T> {
    nodes: Vec<Node<T>>,
    input_len: usize,
    error: Option<Error>,
}

/// A value being traced: what a function written for [`Program::trace`] computes with.
///
/// Arithmetic on `Var`s records primitives; nothing is computed while tracing. The methods and
/// operators are the supported operations: `matrix.dot(&x)`, `x + &b`, `x - &b`, `x * &c` (for
/// constant vectors `b`, `c`), `x + 1.0`, `u + v`, `u - v`, `u * v`, `0.1 * x`, `-x`, `x.tanh()`,
/// `x.sin()`, `x.cos()`, `x.exp()`, `x.square()`, `x.sum()`, `x.broadcast(n)`, `x.squeeze()`,
/// `x.atleast_1d()`.
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

impl<T: Scalar> Var<T> {
    /// The shape of this value.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    fn record(&self, prim: impl Primitive<T> + 'static, others: &[&Var<T>]) -> Var<T> {
        self.apply(Arc::new(prim), others)
    }

    /// Records `prim` applied to `self` and `others`, checking shapes and constants.
    pub(crate) fn apply(&self, prim: Arc<dyn Primitive<T>>, others: &[&Var<T>]) -> Var<T> {
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
        if b.error.is_none() {
            b.error =
                non_finite_constant(&*prim).map(|(constant, at, value)| Error::NonFiniteConstant {
                    what: format!("`{}` constant {constant}", prim.name()),
                    at,
                    value,
                });
        }
        b.nodes.push(Node { prim, args, shape });
        Var {
            id: b.nodes.len(),
            shape,
            builder: Rc::clone(&self.builder),
        }
    }

    /// `s · x` for a constant of the trace's type.
    pub(crate) fn scale(&self, s: T) -> Var<T> {
        self.record(p::Scale { s }, &[])
    }

    /// `tanh` elementwise.
    pub fn tanh(&self) -> Var<T> {
        self.record(e::Unary(e::Tanh), &[])
    }
    /// `sin` elementwise.
    pub fn sin(&self) -> Var<T> {
        self.record(e::Unary(e::Sin), &[])
    }
    /// `cos` elementwise.
    pub fn cos(&self) -> Var<T> {
        self.record(e::Unary(e::Cos), &[])
    }
    /// `exp` elementwise.
    pub fn exp(&self) -> Var<T> {
        self.record(e::Unary(e::Exp), &[])
    }
    /// `x²` elementwise (the original's `y**2`).
    pub fn square(&self) -> Var<T> {
        self.record(e::Unary(e::Square), &[])
    }
    /// The sum of the elements, a scalar.
    pub fn sum(&self) -> Var<T> {
        self.record(p::Sum, &[])
    }
    /// A scalar (or a length-1 vector) repeated `len` times (`jnp.broadcast_to(x, (len,))`).
    pub fn broadcast(&self, len: usize) -> Var<T> {
        self.record(p::Broadcast { len }, &[])
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

impl<T: Scalar> Matrix<T> {
    /// `A x`, recorded as a `matvec` primitive (the original's `A @ x`).
    pub fn dot(&self, x: &Var<T>) -> Var<T> {
        x.record(p::MatVec { a: self.clone() }, &[])
    }
}

// Operators, for owned and borrowed operands alike.
macro_rules! var_binop {
    ($Trait:ident, $method:ident, $prim:expr) => {
        impl<T: Scalar> ops::$Trait<&Var<T>> for &Var<T> {
            type Output = Var<T>;
            fn $method(self, rhs: &Var<T>) -> Var<T> {
                self.record($prim, &[rhs])
            }
        }
        impl<T: Scalar> ops::$Trait<Var<T>> for Var<T> {
            type Output = Var<T>;
            fn $method(self, rhs: Var<T>) -> Var<T> {
                (&self).$method(&rhs)
            }
        }
        impl<T: Scalar> ops::$Trait<&Var<T>> for Var<T> {
            type Output = Var<T>;
            fn $method(self, rhs: &Var<T>) -> Var<T> {
                (&self).$method(rhs)
            }
        }
        impl<T: Scalar> ops::$Trait<Var<T>> for &Var<T> {
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
        impl<T: Scalar> ops::$Trait<&Array1<T>> for &Var<T> {
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
        impl<T: Scalar> ops::$Trait<&Array1<T>> for Var<T> {
            type Output = Var<T>;
            fn $method(self, b: &Array1<T>) -> Var<T> {
                (&self).$method(b)
            }
        }
    };
}
const_binop!(Add, add, false);
const_binop!(Sub, sub, true);

impl<T: Scalar> ops::Mul<&Array1<T>> for &Var<T> {
    type Output = Var<T>;
    /// Multiplies elementwise by a constant vector (copied into the program).
    fn mul(self, c: &Array1<T>) -> Var<T> {
        self.record(
            p::MulConst {
                c: Arc::new(c.clone()),
            },
            &[],
        )
    }
}
impl<T: Scalar> ops::Mul<&Array1<T>> for Var<T> {
    type Output = Var<T>;
    fn mul(self, c: &Array1<T>) -> Var<T> {
        &self * c
    }
}
impl<T: Scalar> ops::Add<f64> for &Var<T> {
    type Output = Var<T>;
    /// Adds a constant to every element.
    fn add(self, c: f64) -> Var<T> {
        let b = Array1::from_elem(self.shape.len(), T::lit(c));
        self + &b
    }
}
impl<T: Scalar> ops::Add<f64> for Var<T> {
    type Output = Var<T>;
    fn add(self, c: f64) -> Var<T> {
        &self + c
    }
}

impl<T: Scalar> ops::Mul<&Var<T>> for f64 {
    type Output = Var<T>;
    /// Scales by a constant; the literal is converted to the trace's type, like a JAX weak type.
    fn mul(self, x: &Var<T>) -> Var<T> {
        x.record(p::Scale { s: T::lit(self) }, &[])
    }
}
impl<T: Scalar> ops::Mul<Var<T>> for f64 {
    type Output = Var<T>;
    fn mul(self, x: Var<T>) -> Var<T> {
        self * &x
    }
}
impl<T: Scalar> ops::Mul<f64> for &Var<T> {
    type Output = Var<T>;
    fn mul(self, s: f64) -> Var<T> {
        s * self
    }
}
impl<T: Scalar> ops::Mul<f64> for Var<T> {
    type Output = Var<T>;
    fn mul(self, s: f64) -> Var<T> {
        s * &self
    }
}
impl<T: Scalar> ops::Neg for &Var<T> {
    type Output = Var<T>;
    fn neg(self) -> Var<T> {
        -1.0 * self
    }
}
impl<T: Scalar> ops::Neg for Var<T> {
    type Output = Var<T>;
    fn neg(self) -> Var<T> {
        -1.0 * &self
    }
}

/// The first NaN or infinite entry of a primitive's constants, as `(name, index, value)`.
fn non_finite_constant<T: Scalar>(prim: &dyn Primitive<T>) -> Option<(String, String, f64)> {
    if let Some(a) = prim.matrix() {
        if let Some((at, v)) = a.first_non_finite() {
            return Some((a.name().unwrap_or("A".into()), at, v));
        }
    }
    prim.non_finite_constant()
}

impl<T: Scalar> Program<T> {
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
}
