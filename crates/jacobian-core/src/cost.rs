//! Multiply–adds and memory of each strategy, from the shapes alone, before anything runs.
//!
//! For `f: R^n → R^m`, the textbook modes cost one evaluation (of the values the derivative rules
//! read: `linearize ≤ eval`) plus a number of directions times the cost of one direction:
//! - `jacfwd` pushes `n` tangent directions: `linearize + n · (one JVP)`;
//! - `jacrev` pulls `m` cotangent directions: `linearize + m · (one VJP)`.
//!
//! For `F` the matrix product with `A1` (1000×5000) dominates one direction: forward mode pays it
//! `n = 5000` times, reverse mode once (`m = 1`). For `G` it is the other way round.
//!
//! The structured modes and the bracketed chain are counted by running them on
//! `Structure`s (see [`plan`](crate::plan)), so their counts are
//! those of the code that computes them.

use std::fmt;

use crate::program::Program;
use crate::scalar::Scalar;
use crate::structured::{Kind, Structure};

/// How to compute a full Jacobian.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// Textbook forward mode: the dense `n × n` identity pushed through every step (`jacfwd`).
    Forward,
    /// Textbook reverse mode: the dense `m × m` identity pulled back through every step (`jacrev`).
    Reverse,
    /// Forward mode from a symbolic identity, diagonal segments applied as diagonals.
    StructuredForward,
    /// Reverse mode from a symbolic identity, diagonal segments applied as diagonals.
    StructuredReverse,
    /// The chain of segment Jacobians, multiplied in the cheapest order.
    Bracketed,
}

impl Strategy {
    /// Every strategy, in the order the tables list them.
    pub const ALL: [Strategy; 5] = [
        Strategy::Forward,
        Strategy::Reverse,
        Strategy::StructuredForward,
        Strategy::StructuredReverse,
        Strategy::Bracketed,
    ];

    /// A short name: `jacfwd`, `jacrev`, `jacfwd structured`, `jacrev structured`, `bracketed`.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Forward => "jacfwd",
            Strategy::Reverse => "jacrev",
            Strategy::StructuredForward => "jacfwd structured",
            Strategy::StructuredReverse => "jacrev structured",
            Strategy::Bracketed => "bracketed",
        }
    }

    /// Whether the seed's directions lie in the input space, so that the strategy computes
    /// `J · S` for a seed `S` (`n × k`), rather than `S · J` (`k × m`).
    pub fn seeds_inputs(self) -> bool {
        !matches!(self, Strategy::Reverse | Strategy::StructuredReverse)
    }

    /// The seed the strategy starts from when asked for the whole Jacobian: the dense identity
    /// for the textbook modes, a symbolic one for the others.
    pub(crate) fn identity_seed(self, n: usize) -> Structure {
        match self {
            Strategy::Forward | Strategy::Reverse => Structure::new(Kind::Dense, n, n),
            _ => Structure::new(Kind::Identity, n, n),
        }
    }

    pub(crate) fn index(self) -> usize {
        Strategy::ALL
            .iter()
            .position(|&s| s == self)
            .expect("listed")
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Multiply–adds of plain evaluation and of every [`Strategy`] (each includes the
/// [`linearize`](Cost::linearize) part of one evaluation), and the peak memory of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cost {
    /// `f(x)` alone.
    pub eval: u64,
    /// The part of `f(x)` every Jacobian strategy evaluates first: the values the derivative
    /// rules read (the output's last product, for instance, is not needed).
    pub linearize: u64,
    /// Textbook `jacfwd`: one evaluation plus `n` tangent directions.
    pub jacfwd: u64,
    /// Textbook `jacrev`: one evaluation plus `m` cotangent directions.
    pub jacrev: u64,
    /// `jacfwd` from a symbolic identity.
    pub jacfwd_structured: u64,
    /// `jacrev` from a symbolic identity.
    pub jacrev_structured: u64,
    /// The chain in its cheapest order.
    pub bracketed: u64,
    peak_bytes: [u64; 5],
}

impl Cost {
    pub(crate) fn new(eval: u64, linearize: u64, madds: [u64; 5], peak_bytes: [u64; 5]) -> Cost {
        let [jacfwd, jacrev, jacfwd_structured, jacrev_structured, bracketed] = madds;
        Cost {
            eval,
            linearize,
            jacfwd,
            jacrev,
            jacfwd_structured,
            jacrev_structured,
            bracketed,
            peak_bytes,
        }
    }

    /// Multiply–adds of a strategy, one evaluation included.
    pub fn madds(&self, s: Strategy) -> u64 {
        match s {
            Strategy::Forward => self.jacfwd,
            Strategy::Reverse => self.jacrev,
            Strategy::StructuredForward => self.jacfwd_structured,
            Strategy::StructuredReverse => self.jacrev_structured,
            Strategy::Bracketed => self.bracketed,
        }
    }

    /// Peak bytes a strategy holds: the intermediate values of `f`, the tangents, cotangents or
    /// factors alive at the worst moment, and the Jacobian. Shared constants (`A1`) are not counted.
    pub fn peak_bytes(&self, s: Strategy) -> u64 {
        self.peak_bytes[s.index()]
    }
}

/// A count with three significant digits and an SI prefix: `1234567` as `1.23 M`,
/// `25175785181` as `25.2 G`, `999` as `999`.
pub fn si(x: u64) -> String {
    let (v, prefix) = match x as f64 {
        v if v >= 1e12 => (v / 1e12, " T"),
        v if v >= 1e9 => (v / 1e9, " G"),
        v if v >= 1e6 => (v / 1e6, " M"),
        v if v >= 1e3 => (v / 1e3, " k"),
        _ => return x.to_string(),
    };
    let decimals = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    format!("{v:.decimals$}{prefix}")
}

/// The table of strategies: multiply–adds and peak memory.
impl fmt::Display for Cost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<20} {:>16} {:>12}",
            "strategy", "multiply–adds", "peak memory"
        )?;
        writeln!(f, "{:<20} {:>16}", "eval", si(self.eval))?;
        writeln!(f, "{:<20} {:>16}", "  of which needed", si(self.linearize))?;
        for s in Strategy::ALL {
            writeln!(
                f,
                "{:<20} {:>16} {:>9.1} MB",
                s.name(),
                si(self.madds(s)),
                self.peak_bytes(s) as f64 / 1e6
            )?;
        }
        Ok(())
    }
}

/// The per-step cost table of a program, printable (see [`Program::cost_table`]).
pub struct CostTable<'a, T> {
    program: &'a Program<T>,
    cost: Cost,
}

impl<'a, T> CostTable<'a, T> {
    pub(crate) fn new(program: &'a Program<T>, cost: Cost) -> Self {
        CostTable { program, cost }
    }
}

impl<T: Scalar> fmt::Display for CostTable<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.program;
        writeln!(
            f,
            "{:<4} {:<10} {:<20} {:<22} {:>10} {:>14} {:>14}",
            "step",
            "primitive",
            "params",
            "local Jacobian(s)",
            "eval",
            "jvp/direction",
            "vjp/direction"
        )?;
        let eval = p.eval_costs();
        for (i, node) in p.nodes().iter().enumerate() {
            let locals = p.local_structures(i);
            // One direction: a tangent column per argument, or a cotangent row from the output.
            let jvp: u64 = locals
                .iter()
                .map(|l| l.product_cost(Structure::new(Kind::Dense, l.cols, 1)))
                .sum::<u64>()
                + (locals.len() as u64 - 1) * node.shape.len() as u64;
            let vjp: u64 = locals
                .iter()
                .map(|l| Structure::new(Kind::Dense, 1, l.rows).product_cost(*l))
                .sum();
            let kinds: Vec<String> = locals
                .iter()
                .map(|l| match l.kind {
                    Kind::Identity => "identity".to_string(),
                    Kind::Diagonal => format!("diag {}", l.rows),
                    Kind::Dense => format!("dense {}×{}", l.rows, l.cols),
                })
                .collect();
            writeln!(
                f,
                "v{:<3} {:<10} {:<20} {:<22} {:>10} {:>14} {:>14}",
                i + 1,
                node.prim.name(),
                node.prim.params(),
                kinds.join(", "),
                eval[i],
                jvp,
                vjp
            )?;
        }
        let c = self.cost;
        let plural = |k: usize| if k == 1 { "direction" } else { "directions" };
        writeln!(
            f,
            "eval: {}   jacfwd ({} {}): {}   jacrev ({} {}): {}",
            c.eval,
            p.input_len(),
            plural(p.input_len()),
            c.jacfwd,
            p.output_len(),
            plural(p.output_len()),
            c.jacrev
        )?;
        write!(
            f,
            "(a Jacobian evaluates {} of the {} first; `plan()` adds the structured strategies)",
            c.linearize, c.eval
        )
    }
}
