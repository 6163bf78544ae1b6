//! Multiply–add counts of each mode, from the shapes alone, before anything runs.
//!
//! For `F: R^n → R^m` with steps `s`, each costing `e_s` to evaluate and `d_s` per direction:
//! - plain evaluation costs `Σ e_s`;
//! - `jacfwd` evaluates once, then pushes `n` tangent directions: `Σ e_s + n · Σ d_s`;
//! - `jacrev` evaluates once, then pulls `m` cotangent directions: `Σ e_s + m · Σ d_s`.
//!
//! For `F` the matrix product with `A1` (1000×5000) dominates `d_s`: forward mode pays it
//! `n = 5000` times, reverse mode once (`m = 1`). For `G` it is the other way round.

use std::fmt;

use crate::program::Program;
use crate::scalar::Real;

/// Multiply–adds of plain evaluation and of the textbook Jacobian in each mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    /// `f(x)` alone.
    pub eval: u64,
    /// `jacfwd`: one evaluation plus `n` tangent directions.
    pub jacfwd: u64,
    /// `jacrev`: one evaluation plus `m` cotangent directions.
    pub jacrev: u64,
}

impl<T: Real> Program<T> {
    /// The multiply–adds of evaluation, `jacfwd` and `jacrev`, counted from the shapes.
    ///
    /// ```
    /// use jacobian_core::Network;
    /// let c = Network::<f32>::original().trace_f().cost();
    /// // Forward mode pushes 5000 directions through A1 (1000×5000): 25 G multiply–adds.
    /// // Reverse mode pulls one direction back: about two evaluations.
    /// assert!(c.jacfwd > 25_000_000_000 && c.jacrev < 2 * c.eval + 1_000);
    /// ```
    pub fn cost(&self) -> Cost {
        let costs = self.node_costs();
        let eval: u64 = costs.iter().map(|c| c.eval).sum();
        let jvp: u64 = costs.iter().map(|c| c.jvp).sum();
        let vjp: u64 = costs.iter().map(|c| c.vjp).sum();
        let (n, m) = (self.input_len() as u64, self.output_len() as u64);
        Cost {
            eval,
            jacfwd: eval + n * jvp,
            jacrev: eval + m * vjp,
        }
    }

    /// A table of each step with its shapes and multiply–adds: the program annotated with its cost.
    pub fn cost_table(&self) -> CostTable<'_, T> {
        CostTable(self)
    }
}

/// The per-step cost table of a program, printable (see [`Program::cost_table`]).
pub struct CostTable<'a, T>(&'a Program<T>);

impl<T: Real> fmt::Display for CostTable<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.0;
        writeln!(
            f,
            "{:<4} {:<12} {:<22} {:>12} {:>14} {:>14}",
            "step", "primitive", "params", "eval", "jvp/direction", "vjp/direction"
        )?;
        for (i, (node, c)) in p.nodes().iter().zip(p.node_costs()).enumerate() {
            writeln!(
                f,
                "v{:<3} {:<12} {:<22} {:>12} {:>14} {:>14}",
                i + 1,
                node.prim.name(),
                node.prim.params(),
                c.eval,
                c.jvp,
                c.vjp
            )?;
        }
        let c = p.cost();
        writeln!(
            f,
            "eval: {}   jacfwd ({} directions): {}   jacrev ({} directions): {}",
            c.eval,
            p.input_len(),
            c.jacfwd,
            p.output_len(),
            c.jacrev
        )
    }
}
