//! The Jacobian as a chain of factors, and the order of multiplying them.
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
//! - **structured `jacfwd` / `jacrev`**: the same orders, from a symbolic identity ([`Structured`]).
//!   The first matrix met is taken as it is, and a segment whose Jacobian is diagonal (an
//!   elementwise block such as `tanh(y) + 0.1 sin(y)`) is applied as one diagonal.
//! - **bracketed**: the cheapest order of the whole chain, found by dynamic programming (the
//!   matrix-chain problem, with diagonal factors costed as such).
//!
//! Each strategy is written once, generically over a `Factor` trait: run on [`Structured`] matrices it
//! computes the Jacobian; run on [`Sketch`]es it counts the multiply–adds and the peak memory,
//! from the shapes alone, before anything runs. The counts are therefore those of the code.

use std::fmt;

use ndarray::{Array2, ArrayD, AsArray, Ix1};

use crate::cost::Cost;
use crate::error::Result;
use crate::memory::check_fits;
use crate::program::{check_vector, Linearization, Program, ValueId};
use crate::scalar::Real;
use crate::structured::{Factor, Kind, Sketch, Structured};

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

    fn index(self) -> usize {
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

// ---------------------------------------------------------------------------------------------
// Counting
// ---------------------------------------------------------------------------------------------

/// Counts multiply–adds and the peak number of stored matrix entries while a strategy runs.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Meter {
    pub madds: u64,
    live: u64,
    pub peak: u64,
}

impl Meter {
    fn hold(&mut self, s: Sketch) {
        self.live = self.live.saturating_add(s.elements());
        self.peak = self.peak.max(self.live);
    }
    fn release(&mut self, s: Sketch) {
        self.live = self.live.saturating_sub(s.elements());
    }
    /// `a · b`, counted; the result is held, the operands released.
    fn mul<M: Factor>(&mut self, a: M, b: M) -> M {
        let (sa, sb) = (a.sketch(), b.sketch());
        self.madds = self.madds.saturating_add(sa.product_cost(sb));
        let out = a.product(b);
        self.hold(out.sketch());
        self.release(sa);
        self.release(sb);
        out
    }
    /// `a + b`, counted likewise.
    fn add<M: Factor>(&mut self, a: M, b: M) -> M {
        let (sa, sb) = (a.sketch(), b.sketch());
        self.madds = self.madds.saturating_add(sa.sum_cost(sb));
        let out = a.sum(b);
        self.hold(out.sketch());
        self.release(sa);
        self.release(sb);
        out
    }
    fn copy<M: Factor>(&mut self, a: &M) -> M {
        self.hold(a.sketch());
        a.clone()
    }
}

/// Local Jacobians of node `i`: numeric (from a [`Linearization`]) or sketched (from the shapes).
type Locals<'a, M> = dyn Fn(usize) -> Vec<M> + 'a;

/// Forward mode through nodes `from..to`: given `seed = ∂v_from/∂(something)`, returns `∂v_to/∂(something)`.
/// Each node's tangent is `Σᵢ Lᵢ · (tangent of argument i)`, with `Lᵢ` its local Jacobians.
pub(crate) fn push<T: Real, M: Factor>(
    prog: &Program<T>,
    (from, to): (ValueId, ValueId),
    seed: M,
    local: &Locals<'_, M>,
    meter: &mut Meter,
) -> M {
    let nodes = prog.nodes();
    let mut remaining = vec![0usize; to - from + 1];
    remaining[to - from] += 1;
    for node in &nodes[from..to] {
        node.args.iter().for_each(|&a| remaining[a - from] += 1);
    }
    let mut tan: Vec<Option<M>> = vec![None; to - from + 1];
    tan[0] = Some(seed);
    for i in from..to {
        let mut acc: Option<M> = None;
        for (&a, l) in nodes[i].args.iter().zip(local(i)) {
            meter.hold(l.sketch());
            remaining[a - from] -= 1;
            let t = if remaining[a - from] == 0 {
                tan[a - from].take()
            } else {
                tan[a - from].as_ref().map(|t| meter.copy(t))
            };
            let term = meter.mul(l, t.expect("segments are closed: arguments come first"));
            acc = Some(match acc {
                None => term,
                Some(s) => meter.add(s, term),
            });
        }
        tan[i + 1 - from] = acc;
    }
    tan[to - from]
        .take()
        .expect("the segment's end is computed")
}

/// Reverse mode through nodes `from..to`: given `seed = ∂(something)/∂v_to`, returns `∂(something)/∂v_from`.
/// Each argument's cotangent is the sum over its readers of `(reader's cotangent) · Lᵢ`.
pub(crate) fn pull<T: Real, M: Factor>(
    prog: &Program<T>,
    (from, to): (ValueId, ValueId),
    seed: M,
    local: &Locals<'_, M>,
    meter: &mut Meter,
) -> M {
    let nodes = prog.nodes();
    let rows = seed.sketch().rows;
    let mut cot: Vec<Option<M>> = vec![None; to - from + 1];
    cot[to - from] = Some(seed);
    for i in (from..to).rev() {
        let Some(c) = cot[i + 1 - from].take() else {
            continue;
        };
        let locals = local(i);
        let last = locals.len() - 1;
        let mut c = Some(c);
        for (j, (&a, l)) in nodes[i].args.iter().zip(locals).enumerate() {
            meter.hold(l.sketch());
            let cj = if j == last {
                c.take().expect("kept for the last argument")
            } else {
                meter.copy(c.as_ref().expect("kept for the last argument"))
            };
            let g = meter.mul(cj, l);
            let slot = &mut cot[a - from];
            *slot = Some(match slot.take() {
                None => g,
                Some(acc) => meter.add(acc, g), // a value read twice gets both contributions
            });
        }
    }
    cot[0].take().unwrap_or_else(|| {
        let z = M::zeros(rows, prog.value_shape(from).len());
        meter.hold(z.sketch());
        z
    })
}

// ---------------------------------------------------------------------------------------------
// The chain
// ---------------------------------------------------------------------------------------------

/// One factor of the chain: the Jacobian of the program between two cut values.
#[derive(Debug, Clone)]
pub struct Segment {
    /// The value it starts from (`0` is the input).
    pub from: ValueId,
    /// The value it ends at.
    pub to: ValueId,
    /// The factor's kind and shape (`len(to) × len(from)`).
    pub factor: Sketch,
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
fn cut_values<T: Real>(prog: &Program<T>) -> Vec<ValueId> {
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

fn sketched<'a, T: Real>(prog: &'a Program<T>) -> impl Fn(usize) -> Vec<Sketch> + 'a {
    move |i| prog.local_sketches(i)
}

pub(crate) fn numeric<'a, T: Real>(
    lin: &'a Linearization<'_, T>,
) -> impl Fn(usize) -> Vec<Structured<T>> + 'a {
    move |i| lin.local_jacobians(i)
}

fn segments<T: Real>(prog: &Program<T>) -> Vec<Segment> {
    let cuts = cut_values(prog);
    let local = sketched(prog);
    cuts.windows(2)
        .map(|w| {
            let (from, to) = (w[0], w[1]);
            let (n, m) = (prog.value_shape(from).len(), prog.value_shape(to).len());
            let (mut fwd, mut rev) = (Meter::default(), Meter::default());
            let factor = push(prog, (from, to), Sketch::identity(n), &local, &mut fwd);
            pull(prog, (from, to), Sketch::identity(m), &local, &mut rev);
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
fn cheapest_order(factors: &[Sketch]) -> Order {
    let k = factors.len();
    // prod[i][j] = sketch of M_j ⋯ M_i; cost[i][j] its cheapest cost; split[i][j] the best k.
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
/// [`jacobian`] runs. Made from the shapes alone ([`Program::plan`]).
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
    /// The strategy [`jacobian`] runs: the fewest multiply–adds.
    pub strategy: Strategy,
    labels: Vec<String>,
}

impl<T: Real> Program<T> {
    /// The chain of this program, the cost of every strategy, and the cheapest one: from the
    /// shapes alone, before anything runs. Made once per program, then kept.
    pub fn plan(&self) -> Plan {
        self.cached_plan().clone()
    }

    /// The plan, made on first use: [`jacobian`] and [`jacobian_with`] do not make it again.
    pub(crate) fn cached_plan(&self) -> &Plan {
        self.plan_cell().get_or_init(|| self.make_plan())
    }

    /// Labels from the input end: `D1, D2, …` for diagonal factors; for dense ones the names of
    /// their constants (`A1`, `A3ᵀ`) if each applies exactly one named matrix, else `A1, A2, …`.
    fn factor_labels(&self, segments: &[Segment], factors: &[usize]) -> Vec<String> {
        let named = |seg: &Segment| -> Option<String> {
            let mut names = self.nodes()[seg.from..seg.to]
                .iter()
                .filter_map(|node| node.prim.constant_name());
            let first = names.next();
            names.next().is_none().then_some(first).flatten()
        };
        let dense: Vec<&Segment> = factors
            .iter()
            .map(|&s| &segments[s])
            .filter(|seg| seg.factor.kind == Kind::Dense)
            .collect();
        let names: Option<Vec<String>> = dense.iter().map(|seg| named(seg)).collect();
        let (mut a, mut d) = (0, 0);
        factors
            .iter()
            .map(|&s| {
                if segments[s].factor.kind == Kind::Dense {
                    a += 1;
                    match &names {
                        Some(names) => names[a - 1].clone(),
                        None => format!("A{a}"),
                    }
                } else {
                    d += 1;
                    format!("D{d}")
                }
            })
            .collect()
    }

    fn make_plan(&self) -> Plan {
        let segments = segments(self);
        let factors: Vec<usize> = (0..segments.len())
            .filter(|&s| segments[s].factor.kind != Kind::Identity)
            .collect();
        let sketches: Vec<Sketch> = factors.iter().map(|&s| segments[s].factor).collect();
        let order = (!sketches.is_empty()).then(|| cheapest_order(&sketches));
        let labels = self.factor_labels(&segments, &factors);
        let mut plan = Plan {
            segments,
            factors,
            order,
            cost: Cost::default(),
            strategy: Strategy::Bracketed,
            labels,
        };
        let local = sketched(self);
        let values: u64 = (0..=self.nodes().len())
            .map(|v| self.value_shape(v).len() as u64)
            .sum();
        let eval_costs = self.eval_costs();
        let eval = eval_costs.iter().sum();
        // What linearizing for a Jacobian evaluates: the values some derivative rule reads.
        let skip = self.derivative_only();
        let linearize: u64 = (0..eval_costs.len())
            .filter(|&i| !skip[i + 1])
            .map(|i| eval_costs[i])
            .sum();
        let mut madds = [0; 5];
        let mut peak_bytes = [0; 5];
        for s in Strategy::ALL {
            let mut meter = Meter::default();
            run(s, self, &plan, &local, &mut meter);
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

/// Runs a strategy on numeric or sketched matrices. The textbook modes are counted here with a
/// dense seed; [`jacfwd`](crate::jacfwd) and [`jacrev`](crate::jacrev) run the same [`push`] and
/// [`pull`] on it, in chunks if asked ([`Linearization::push_forward`], [`Linearization::pull_back`]).
fn run<T: Real, M: Factor>(
    strategy: Strategy,
    prog: &Program<T>,
    plan: &Plan,
    local: &Locals<'_, M>,
    meter: &mut Meter,
) -> M {
    let (n, m) = (prog.input_len(), prog.output_len());
    let whole = (0, prog.output_id());
    let seed = |meter: &mut Meter, s: M| {
        meter.hold(s.sketch());
        s
    };
    // A segment's own Jacobian: an identity pushed through it (for a diagonal one, cheap).
    let push_identity = |meter: &mut Meter, seg: &Segment| {
        let id = M::identity(prog.value_shape(seg.from).len());
        push(prog, (seg.from, seg.to), id, local, meter)
    };
    match strategy {
        Strategy::Forward => {
            let s = seed(meter, M::dense_identity(n));
            push(prog, whole, s, local, meter)
        }
        Strategy::Reverse => {
            let s = seed(meter, M::dense_identity(m));
            pull(prog, whole, s, local, meter)
        }
        Strategy::StructuredForward => {
            let mut p = M::identity(n);
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
            let mut q = M::identity(m);
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
                return M::identity(n);
            };
            let mut factors: Vec<Option<M>> = plan
                .factors
                .iter()
                .map(|&s| {
                    let seg = &plan.segments[s];
                    let (from, to) = (seg.from, seg.to);
                    Some(match seg.formed_by.0 {
                        Strategy::Reverse => {
                            let id = M::identity(prog.value_shape(to).len());
                            pull(prog, (from, to), id, local, meter)
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
            multiply(order, &mut factors, meter)
        }
    }
}

/// One product of the bracketed chain, in the order they run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The left operand, e.g. `A4` or `(D3 · A3)`.
    pub left: String,
    /// The right operand.
    pub right: String,
    /// The product's kind and shape.
    pub result: Sketch,
    /// Its multiply–adds.
    pub madds: u64,
}

impl Plan {
    /// This plan with another strategy, for [`Plan::jacobian`] (the chain and counts are kept).
    pub fn with_strategy(self, strategy: Strategy) -> Plan {
        Plan { strategy, ..self }
    }

    /// The products of the cheapest bracketing, in the order they run, with their shapes and costs.
    pub fn steps(&self) -> Vec<Step> {
        fn walk(o: &Order, p: &Plan, steps: &mut Vec<Step>) -> (String, Sketch) {
            match o {
                Order::Factor(i) => (p.labels[*i].clone(), p.segments[p.factors[*i]].factor),
                Order::Product(l, r) => {
                    let ((left, ls), (right, rs)) = (walk(l, p, steps), walk(r, p, steps));
                    let result = ls.product(rs);
                    let madds = ls.product_cost(rs);
                    let name = format!("({left} · {right})");
                    steps.push(Step {
                        left,
                        right,
                        result,
                        madds,
                    });
                    (name, result)
                }
            }
        }
        let mut steps = Vec::new();
        if let Some(o) = &self.order {
            walk(o, self, &mut steps);
        }
        steps
    }

    /// The label of each factor in chain order, from the input end: the names of named constants
    /// (`A1`, `A3ᵀ`), else `A1, A2, …`; diagonal factors `D1, D2, …`.
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
        let (si, theirs) = (crate::cost::si, self.cost.madds(next));
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

// ---------------------------------------------------------------------------------------------
// Running a strategy
// ---------------------------------------------------------------------------------------------

/// The full Jacobian by the cheapest strategy for this program, and the plan saying which and why.
///
/// # Errors
/// If `x` is not a finite vector of the input length, or the strategy would not fit in memory.
///
/// ```
/// use jacobian_core::{jacobian, Network, Strategy};
/// let net = Network::<f32>::new(&[50, 20, 3, 1])?;
/// let f = net.trace_f();
/// let x = jacobian_core::random_input::<f32>(50, 0);
/// let (jac, plan) = jacobian(&f, &x)?;
/// assert_eq!(jac.shape(), &[50]);
/// assert_eq!(plan.strategy, Strategy::StructuredReverse); // one output: start from it
/// println!("{plan}");
/// # Ok::<(), jacobian_core::Error>(())
/// ```
pub fn jacobian<'a, T: Real>(
    f: &Program<T>,
    x: impl AsArray<'a, T, Ix1>,
) -> Result<(ArrayD<T>, Plan)> {
    let plan = f.cached_plan();
    let jac = plan.jacobian(f, x)?;
    Ok((jac, plan.clone()))
}

/// The full Jacobian by a given strategy. All five give the same matrix (to rounding).
///
/// # Errors
/// As [`jacobian`].
pub fn jacobian_with<'a, T: Real>(
    strategy: Strategy,
    f: &Program<T>,
    x: impl AsArray<'a, T, Ix1>,
) -> Result<ArrayD<T>> {
    f.cached_plan().run_strategy(strategy, f, x)
}

/// `jacfwd` from a symbolic identity: the same Jacobian, without multiplying by the identity.
/// Shorthand for [`jacobian_with`]`(Strategy::StructuredForward, f, x)`.
///
/// # Errors
/// As [`jacobian`].
pub fn jacfwd_structured<'a, T: Real>(
    f: &Program<T>,
    x: impl AsArray<'a, T, Ix1>,
) -> Result<ArrayD<T>> {
    jacobian_with(Strategy::StructuredForward, f, x)
}

/// `jacrev` from a symbolic identity. Shorthand for
/// [`jacobian_with`]`(Strategy::StructuredReverse, f, x)`.
///
/// # Errors
/// As [`jacobian`].
pub fn jacrev_structured<'a, T: Real>(
    f: &Program<T>,
    x: impl AsArray<'a, T, Ix1>,
) -> Result<ArrayD<T>> {
    jacobian_with(Strategy::StructuredReverse, f, x)
}

impl Plan {
    /// Runs this plan's strategy on `f` (the program it was made from) at `x`.
    ///
    /// # Errors
    /// As [`jacobian`].
    pub fn jacobian<'a, T: Real>(
        &self,
        f: &Program<T>,
        x: impl AsArray<'a, T, Ix1>,
    ) -> Result<ArrayD<T>> {
        self.run_strategy(self.strategy, f, x)
    }

    /// Runs `strategy` with this plan's chain and counts.
    fn run_strategy<'a, T: Real>(
        &self,
        strategy: Strategy,
        f: &Program<T>,
        x: impl AsArray<'a, T, Ix1>,
    ) -> Result<ArrayD<T>> {
        let x = x.into();
        match strategy {
            Strategy::Forward => return crate::jacfwd(f, x),
            Strategy::Reverse => return crate::jacrev(f, x),
            _ => {}
        }
        check_vector("x", x, f.input_len())?;
        check_fits::<T>(
            &format!(
                "the {} Jacobian ({})",
                strategy,
                f.output_shape().describe()
            ),
            // What the strategy holds at its peak, and the Jacobian stored in full at the end.
            self.cost.peak_bytes(strategy) as u128 / std::mem::size_of::<T>() as u128
                + f.output_len() as u128 * f.input_len() as u128,
        )?;
        let lin = f.linearize_for_jacobian(x)?;
        let local = numeric(&lin);
        let mut meter = Meter::default();
        let jac: Array2<T> = run(strategy, f, self, &local, &mut meter).into_dense();
        debug_assert_eq!(
            meter.madds + self.cost.linearize,
            self.cost.madds(strategy),
            "the run did what the plan counted"
        );
        let mut dims = f.output_shape().dims();
        dims.push(f.input_len());
        Ok(jac.into_shape_with_order(dims).expect("m×n elements"))
    }
}
