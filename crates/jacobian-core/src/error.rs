//! What a user can get wrong, as a typed error that names what was expected and what was given.

use std::fmt;

/// Errors returned by tracing, evaluation and the Jacobian drivers.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The input vector has the wrong length.
    InputLength {
        /// The function's input length.
        expected: usize,
        /// The given vector's length.
        actual: usize,
    },

    /// A tangent or cotangent has the wrong length.
    DirectionLength {
        /// `"v"` (a tangent) or `"c"` (a cotangent).
        what: &'static str,
        /// The length it must have.
        expected: usize,
        /// The given length.
        actual: usize,
    },

    /// The input holds a NaN or an infinity.
    NonFinite {
        /// Which argument: `"x"`, `"v"` or `"c"`.
        what: &'static str,
        /// The first non-finite entry.
        index: usize,
        /// Its value.
        value: f64,
    },

    /// A constant (a network's matrix or bias, or a matrix, vector or scalar a traced function
    /// uses) holds a NaN or an infinity.
    NonFiniteConstant {
        /// The constant: `"A2"`, or the operation and the constant (`` "`add_const` constant b" ``).
        what: String,
        /// The first non-finite entry's index, `"[3, 4]"` (empty for a scalar).
        at: String,
        /// Its value.
        value: f64,
    },

    /// A chunk size of zero directions was asked for.
    ZeroChunk,

    /// Layer widths that cannot build a network.
    Widths {
        /// The widths given.
        widths: Vec<usize>,
        /// What is wrong with them.
        reason: String,
    },

    /// An operation was applied to arguments of the wrong shape while tracing a function.
    Shape {
        /// The operation.
        op: &'static str,
        /// What it needs.
        expected: String,
        /// What it got.
        actual: String,
    },

    /// An allocation the request needs would not fit in memory.
    TooLarge {
        /// What would be allocated.
        what: String,
        /// How much it needs.
        needed_mib: f64,
        /// How much memory is available.
        available_mib: f64,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InputLength { expected, actual } => write!(
                f,
                "input has length {actual}, but the function takes a vector of length {expected}"
            ),
            Error::DirectionLength {
                what,
                expected,
                actual,
            } => write!(f, "{what} has length {actual}, expected {expected}"),
            Error::NonFinite { what, index, value } => write!(
                f,
                "{what}[{index}] = {value} is not finite; expected finite numbers"
            ),
            Error::NonFiniteConstant { what, at, value } => write!(
                f,
                "{what}{at} = {value} is not finite; constants must be finite numbers"
            ),
            Error::ZeroChunk => {
                write!(f, "chunk size must be at least 1 direction per pass, got 0")
            }
            Error::Widths { widths, reason } => write!(f, "invalid widths {widths:?}: {reason}"),
            Error::Shape {
                op,
                expected,
                actual,
            } => write!(f, "`{op}` expected {expected}, got {actual}"),
            Error::TooLarge {
                what,
                needed_mib,
                available_mib,
            } => write!(
                f,
                "{what} needs {needed_mib:.1} MiB, but only {available_mib:.1} MiB are available; \
                 use smaller widths, or for a Jacobian a chunk size (`jacfwd_chunked`, `with_chunk`)"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
