//! Planning: the Jacobian as a chain of factors, and the order of multiplying them.
//!
//! By the chain rule, the Jacobian of a program is a product of local Jacobians. Where the
//! program passes through a single value `v` (every path from the input to the output goes through
//! it, as it does between the layers of a network), the Jacobian splits there: `J = J(v → y) · J(x → v)`.
//! Cutting at every such value gives a chain `J = M_K ⋯ M_2 · M_1`, one factor per *segment*.
//! For `F` the factors are `A1`, `D1`, `A2`, `D2`, `A3`: dense matrices and diagonals.
//!
//! Matrix products are associative, so every order of multiplying the chain gives the same `J`,
//! but not at the same cost. Five [`Strategy`]s are offered:
//!
//! - **`jacfwd`, `jacrev`** (textbook): push the dense `n × n` identity forward, or pull the dense
//!   `m × m` identity back, step by step (what JAX does).
//! - **structured `jacfwd` / `jacrev`**: the same orders, from a symbolic identity
//!   ([`Structured`](crate::structured::Structured)). The first matrix met is taken as it is, and a
//!   segment whose Jacobian is diagonal (an elementwise block such as `tanh(y) + 0.1 sin(y)`) is
//!   applied as one diagonal.
//! - **bracketed**: the cheapest order of the whole chain, found by dynamic programming (the
//!   matrix-chain problem, with diagonal factors costed as such).
//!
//! Each strategy is written once, generically over the matrix type: run on numbers it computes
//! the Jacobian; run on [`Structure`]s it counts the multiply–adds and the peak memory, from the
//! shapes alone, before anything runs ([`Plan`], [`Cost`]). The counts are those of the code.

use std::fmt;

use crate::cost::{si, Cost, CostTable, Strategy};
use crate::program::{Program, ValueId};
use crate::scalar::Scalar;
use crate::structured::{Factor, Kind, Structure};
use crate::sweep::{pull, push, structural, Locals, Meter};

/// One factor of the chain: the Jacobian of the program between two cut values.
#[derive(Debug, Clone)]
pub struct Segment {
    /// The value it starts from (`0` is the input).
    pub from: ValueId,
    /// The value it ends at.
    pub to: ValueId,
    /// The factor's kind and shape (`len(to) × len(from)`).
    pub factor: Structure,
    /// How the factor is cheapest to form on its own: by pushing (forward) or pulling (reverse)
    /// an identity through the segment, and the multiply–adds that costs.
    pub formed_by: (Strategy, u64),
    /// The primitives it consists of, e.g. `matvec[A1 1000×5000]` or `tanh sin scale add`.
    pub ops: String,
}

impl Segment {
    /// Whether the factor is applied as one diagonal (or skipped, if it is the identity).
    pub fn is_diagonal(&self) -> bool {
        self.factor.kind <= Kind::Diagonal
    }
}

/// Splits the program at every value all paths pass through. Node `j` reads `a` and makes `j + 1`;
/// value `v` is a cut unless some such edge jumps over it (`a < v < j + 1`).
fn cut_values<T: Scalar>(prog: &Program<T>) -> Vec<ValueId> {
    let out = prog.output_id();
    let mut jumps = vec![0i64; out + 2];
    for (j, node) in prog.nodes().iter().enumerate() {
        for &a in &node.args {
            if a + 1 < j + 1 {
                jumps[a + 1] += 1;
                jumps[j + 1] -= 1;
            }
        }
    }
    let mut over = 0;
    let mut cuts = Vec::new();
    for (v, &d) in jumps.iter().enumerate().take(out + 1) {
        over += d;
        if over == 0 {
            cuts.push(v);
        }
    }
    cuts
}

fn segments<T: Scalar>(prog: &Program<T>) -> Vec<Segment> {
    let cuts = cut_values(prog);
    let local = structural(prog);
    cuts.windows(2)
        .map(|w| {
            let (from, to) = (w[0], w[1]);
            let (n, m) = (prog.value_shape(from).len(), prog.value_shape(to).len());
            let (mut fwd, mut rev) = (Meter::default(), Meter::default());
            let factor = push(prog, (from, to), Structure::identity(n), &local, &mut fwd);
            pull(prog, (from, to), Structure::identity(m), &local, &mut rev);
            let formed_by = if rev.madds < fwd.madds {
                (Strategy::Reverse, rev.madds)
            } else {
                (Strategy::Forward, fwd.madds)
            };
            let ops = prog.nodes()[from..to]
                .iter()
                .map(|node| format!("{}{}", node.prim.name(), node.prim.params()))
                .collect::<Vec<_>>()
                .join(" ");
            Segment {
                from,
                to,
                factor,
                formed_by,
                ops,
            }
        })
        .collect()
}

/// An order of multiplying the chain: a binary tree over the factors (numbered from the input end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Order {
    /// One factor, by its index in [`Plan::factors`].
    Factor(usize),
    /// `left · right`, `left` nearer the output.
    Product(Box<Order>, Box<Order>),
}

/// The cheapest order of `M_K ⋯ M_1` (factors given from the input end), by dynamic programming
/// over sub-chains: `best(i..=j) = min over k of best(i..=k) + best(k+1..=j) + cost(M_j⋯M_{k+1} · M_k⋯M_i)`.
fn cheapest_order(factors: &[Structure]) -> Order {
    let k = factors.len();
    // prod[i][j] = structure of M_j ⋯ M_i; cost[i][j] its cheapest cost; split[i][j] the best k.
    let mut prod = vec![vec![factors[0]; k]; k];
    let mut cost = vec![vec![0u64; k]; k];
    let mut split = vec![vec![0usize; k]; k];
    for i in 0..k {
        prod[i][i] = factors[i];
    }
    for len in 2..=k {
        for i in 0..=k - len {
            let j = i + len - 1;
            prod[i][j] = prod[i + 1][j].product(factors[i]);
            cost[i][j] = u64::MAX;
            for s in i..j {
                let c = cost[i][s]
                    .saturating_add(cost[s + 1][j])
                    .saturating_add(prod[s + 1][j].product_cost(prod[i][s]));
                if c < cost[i][j] {
                    (cost[i][j], split[i][j]) = (c, s);
                }
            }
        }
    }
    fn build(split: &[Vec<usize>], i: usize, j: usize) -> Order {
        if i == j {
            return Order::Factor(i);
        }
        let s = split[i][j];
        Order::Product(
            Box::new(build(split, s + 1, j)),
            Box::new(build(split, i, s)),
        )
    }
    build(&split, 0, k - 1)
}

/// How each strategy would compute the Jacobian of a program, and which is cheapest: what
/// [`jacobian`](crate::jacobian()) runs. Made from the shapes alone ([`Program::plan`]).
#[derive(Debug, Clone)]
pub struct Plan {
    /// The segments between cut values, from the input end; their Jacobians are the chain's factors.
    pub segments: Vec<Segment>,
    /// The segments whose factor is not the identity: the chain that is multiplied.
    pub factors: Vec<usize>,
    /// The cheapest order of multiplying the factors (`None` if there are none: `J = I`).
    pub order: Option<Order>,
    /// Multiply–adds and peak memory of every strategy.
    pub cost: Cost,
    /// The strategy [`jacobian`](crate::jacobian()) runs: the fewest multiply–adds.
    pub strategy: Strategy,
    labels: Vec<String>,
}

impl<T: Scalar> Program<T> {
    /// The chain of this program, the cost of every strategy, and the cheapest one: from the
    /// shapes alone, before anything runs.
    pub fn plan(&self) -> Plan {
        Plan::new(self)
    }

    /// The multiply–adds and peak memory of evaluation and of every strategy, from the shapes.
    ///
    /// ```
    /// use jacobian_core::Network;
    /// let c = Network::<f32>::original().trace_f().cost();
    /// // Forward mode pushes 5000 directions through A1 (1000×5000): 25 G multiply–adds.
    /// // Reverse mode pulls one direction back: about two evaluations.
    /// assert!(c.jacfwd > 25_000_000_000 && c.jacrev < 2 * c.eval + 10_000);
    /// // From a symbolic identity, forward mode takes A1 as it is: about 0.16 G.
    /// assert!(c.jacfwd_structured < 200_000_000);
    /// ```
    pub fn cost(&self) -> Cost {
        self.plan().cost
    }

    /// A table of each step with its shapes, its local Jacobians and its multiply–adds: the
    /// program annotated with its cost.
    pub fn cost_table(&self) -> CostTable<'_, T> {
        CostTable::new(self, self.cost())
    }
}

/// Labels from the input end: `D1, D2, …` for diagonal factors; for a dense one the name of its
/// constant (`A1`, `A3ᵀ`) if it applies exactly one named matrix. The other dense factors are
/// `A1, A2, …` when no factor is named, and `M1, M2, …` (mixed: `A2ᵀ D A2`) when some are.
fn factor_labels<T: Scalar>(
    prog: &Program<T>,
    segments: &[Segment],
    factors: &[usize],
) -> Vec<String> {
    let named = |seg: &Segment| -> Option<String> {
        let mut names = prog.nodes()[seg.from..seg.to]
            .iter()
            .filter_map(|node| node.prim.matrix().and_then(|a| a.name()));
        let first = names.next();
        names.next().is_none().then_some(first).flatten()
    };
    let names: Vec<Option<String>> = (factors.iter())
        .map(|&s| {
            (segments[s].factor.kind == Kind::Dense)
                .then(|| named(&segments[s]))
                .flatten()
        })
        .collect();
    let unnamed = if names.iter().all(Option::is_none) {
        "A"
    } else {
        "M"
    };
    let (mut a, mut d) = (0, 0);
    (factors.iter().zip(names))
        .map(|(&s, name)| match (segments[s].factor.kind, name) {
            (Kind::Dense, Some(name)) => name,
            (Kind::Dense, None) => {
                a += 1;
                format!("{unnamed}{a}")
            }
            _ => {
                d += 1;
                format!("D{d}")
            }
        })
        .collect()
}

impl Plan {
    /// The plan of a program: its chain, the cheapest order, and the cost of every strategy.
    fn new<T: Scalar>(prog: &Program<T>) -> Plan {
        let segments = segments(prog);
        let factors: Vec<usize> = (0..segments.len())
            .filter(|&s| segments[s].factor.kind != Kind::Identity)
            .collect();
        let factor_structures: Vec<Structure> =
            factors.iter().map(|&s| segments[s].factor).collect();
        let order = (!factor_structures.is_empty()).then(|| cheapest_order(&factor_structures));
        let labels = factor_labels(prog, &segments, &factors);
        let mut plan = Plan {
            segments,
            factors,
            order,
            cost: Cost::default(),
            strategy: Strategy::Bracketed,
            labels,
        };
        let local = structural(prog);
        let values: u64 = (0..=prog.nodes().len())
            .map(|v| prog.value_shape(v).len() as u64)
            .sum();
        let eval_costs = prog.eval_costs();
        let eval = eval_costs.iter().sum();
        // What linearizing for a Jacobian evaluates: the values some derivative rule reads.
        let skip = prog.not_needed_for_derivative();
        let linearize: u64 = (0..eval_costs.len())
            .filter(|&i| !skip[i + 1])
            .map(|i| eval_costs[i])
            .sum();
        let mut madds = [0; 5];
        let mut peak_bytes = [0; 5];
        for s in Strategy::ALL {
            let mut meter = Meter::default();
            let dirs = if s.seeds_inputs() {
                prog.input_len()
            } else {
                prog.output_len()
            };
            run(s, prog, &plan, &local, s.identity_seed(dirs), &mut meter);
            madds[s.index()] = linearize.saturating_add(meter.madds);
            peak_bytes[s.index()] =
                (values.saturating_add(meter.peak)).saturating_mul(std::mem::size_of::<T>() as u64);
        }
        plan.cost = Cost::new(eval, linearize, madds, peak_bytes);
        // The fewest multiply–adds; on a tie, the first listed of the structured modes, then bracketed.
        plan.strategy = [
            Strategy::StructuredForward,
            Strategy::StructuredReverse,
            Strategy::Bracketed,
            Strategy::Forward,
            Strategy::Reverse,
        ]
        .into_iter()
        .min_by_key(|&s| madds[s.index()])
        .expect("five strategies");
        plan
    }
}

/// Runs `strategy` from `seed` on numbers (it computes) or on structures (it counts). Strategies
/// that seed the input space ([`Strategy::seeds_inputs`]) return `J · seed` for a seed `n × k`;
/// the others `seed · J` for a seed `k × m`. With the identity as the seed, both are `J`.
pub(crate) fn run<T: Scalar, M: Factor>(
    strategy: Strategy,
    prog: &Program<T>,
    plan: &Plan,
    local: &Locals<'_, M>,
    seed: M,
    meter: &mut Meter,
) -> M {
    let whole = (0, prog.output_id());
    meter.hold(seed.structure());
    // A segment's own Jacobian: an identity pushed through it (for a diagonal one, cheap).
    let push_identity = |meter: &mut Meter, seg: &Segment| {
        let id = M::identity(prog.value_shape(seg.from).len());
        push(prog, (seg.from, seg.to), id, local, meter)
    };
    match strategy {
        Strategy::Forward => push(prog, whole, seed, local, meter),
        Strategy::Reverse => pull(prog, whole, seed, local, meter),
        Strategy::StructuredForward => {
            let mut p = seed;
            for seg in &plan.segments {
                p = if seg.is_diagonal() {
                    let d = push_identity(meter, seg);
                    meter.mul(d, p)
                } else {
                    push(prog, (seg.from, seg.to), p, local, meter)
                };
            }
            p
        }
        Strategy::StructuredReverse => {
            let mut q = seed;
            for seg in plan.segments.iter().rev() {
                q = if seg.is_diagonal() {
                    let d = push_identity(meter, seg);
                    meter.mul(q, d)
                } else {
                    pull(prog, (seg.from, seg.to), q, local, meter)
                };
            }
            q
        }
        Strategy::Bracketed => {
            let Some(order) = &plan.order else {
                return seed; // every factor is the identity: J · S = S
            };
            let mut factors: Vec<Option<M>> = plan
                .factors
                .iter()
                .map(|&s| {
                    let seg = &plan.segments[s];
                    Some(match seg.formed_by.0 {
                        Strategy::Reverse => {
                            let id = M::identity(prog.value_shape(seg.to).len());
                            pull(prog, (seg.from, seg.to), id, local, meter)
                        }
                        _ => push_identity(meter, seg),
                    })
                })
                .collect();
            fn multiply<M: Factor>(o: &Order, f: &mut [Option<M>], meter: &mut Meter) -> M {
                match o {
                    Order::Factor(i) => f[*i].take().expect("each factor used once"),
                    Order::Product(l, r) => {
                        let (l, r) = (multiply(l, f, meter), multiply(r, f, meter));
                        meter.mul(l, r)
                    }
                }
            }
            let jac = multiply(order, &mut factors, meter);
            meter.mul(jac, seed)
        }
    }
}

impl Plan {
    /// The label of each factor in chain order, from the input end: the names of named constants
    /// (`A1`, `A3ᵀ`), else `A1, A2, …` (`M1, M2, …` beside named ones); diagonal factors `D1, D2, …`.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The bracketing, e.g. `(((A3 · D2) · A2) · D1) · A1`.
    pub fn bracketing(&self) -> String {
        fn show(o: &Order, labels: &[String], top: bool) -> String {
            match o {
                Order::Factor(i) => labels[*i].clone(),
                Order::Product(l, r) => {
                    let s = format!("{} · {}", show(l, labels, false), show(r, labels, false));
                    if top {
                        s
                    } else {
                        format!("({s})")
                    }
                }
            }
        }
        match &self.order {
            Some(o) => show(o, &self.labels, true),
            None => "I (every factor is the identity)".into(),
        }
    }

    /// Why [`strategy`](Self::strategy) was picked, in one sentence.
    pub fn reason(&self) -> String {
        let best = self.cost.madds(self.strategy);
        let mut others: Vec<Strategy> = Strategy::ALL
            .into_iter()
            .filter(|&s| s != self.strategy)
            .collect();
        others.sort_by_key(|&s| self.cost.madds(s));
        let next = others[0];
        let theirs = self.cost.madds(next);
        if theirs == best {
            format!(
                "{}: {} multiply–adds, the fewest, tied with {next} (a single sweep is preferred \
                 to a bracketing, forward to reverse)",
                self.strategy,
                si(best)
            )
        } else {
            format!(
                "{}: {} multiply–adds, the fewest; the next cheapest, {next}, needs {} ({:.2}×)",
                self.strategy,
                si(best),
                si(theirs),
                theirs as f64 / best.max(1) as f64
            )
        }
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "chain (from the output end to the input):")?;
        for (label, &s) in self.labels.iter().zip(&self.factors).rev() {
            let seg = &self.segments[s];
            let kind = seg.factor.kind;
            writeln!(
                f,
                "  {label:<4} {:>5}×{:<5} {kind:<9} v{}→v{}: {}",
                seg.factor.rows, seg.factor.cols, seg.from, seg.to, seg.ops
            )?;
        }
        writeln!(f, "cheapest bracketing: {}", self.bracketing())?;
        write!(f, "{}", self.cost)?;
        write!(f, "picked {}", self.reason())
    }
}
