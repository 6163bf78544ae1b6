//! What the second notebook (`structure.ipynb`) shows about the strategies of `jacobian-core`:
//! every strategy run and timed round-robin on one input ([`measure`]), and across the sizes of a
//! family of programs ([`sweep`]), a colour per strategy, and the cheapest bracketing of a [`Plan`]
//! drawn as a tree ([`Tree`]).

use std::error::Error;
use std::time::Duration;

use bench::timing::{pretty, Timing};
use jacobian_core::cost::si;
use jacobian_core::ndarray::{Array1, ArrayD};
use jacobian_core::plan::Order;
use jacobian_core::structured::{Kind, Structure};
use jacobian_core::{jacobian_with, random_input, Plan, Program, Strategy};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::chart::{FORWARD, REVERSE};
use crate::timer::Timer;

/// The colour of each strategy in every chart: forward blue and reverse orange, as in the first
/// notebook; structured forward green, structured reverse red, bracketed purple.
pub fn colour(s: Strategy) -> RGBColor {
    match s {
        Strategy::Forward => FORWARD,
        Strategy::Reverse => REVERSE,
        Strategy::StructuredForward => RGBColor(44, 160, 44),
        Strategy::StructuredReverse => RGBColor(214, 39, 40),
        Strategy::Bracketed => RGBColor(148, 103, 189),
    }
}

/// One strategy on one input: the Jacobian of its untimed first run, and its timed runs.
#[derive(Clone, Debug)]
pub struct Runs {
    /// The strategy.
    pub strategy: Strategy,
    /// The Jacobian it computed.
    pub jacobian: ArrayD<f32>,
    /// Its timed runs.
    pub timing: Timing,
}

/// Runs each strategy once untimed (keeping its Jacobian; stopping at the first error), then
/// times them round-robin: each at least `min_runs` times (at least once), then while its own
/// total stays within `budget`. A burst of load on the machine slows every strategy of a round
/// alike, so the medians of one call compare fairly.
///
/// # Errors
/// The first error a strategy returns (a wrong input length, say), on its first run or a later one.
pub fn measure(
    prog: &Program<f32>,
    x: &Array1<f32>,
    strategies: &[Strategy],
    min_runs: usize,
    budget: Duration,
) -> jacobian_core::Result<Vec<Runs>> {
    let mut jacobians = Vec::new();
    for &s in strategies {
        jacobians.push(jacobian_with(s, prog, x)?);
    }
    // The untimed runs are done: the timer starts cold.
    let mut timer = Timer::new(budget).min_runs(min_runs).cold();
    for &s in strategies {
        timer = timer.job(s.name(), move || jacobian_with(s, prog, x));
    }
    let timings = timer.run().map_err(|e| {
        *(e.source)
            .downcast::<jacobian_core::Error>()
            .expect("the jobs return jacobian_core errors")
    })?;
    Ok((strategies.iter().zip(jacobians).zip(timings.jobs))
        .map(|((&strategy, jacobian), (_, timing))| Runs {
            strategy,
            jacobian,
            timing,
        })
        .collect())
}

/// One size of a [`sweep`]: which family, a label, and each timed strategy with its predicted
/// multiply–adds.
#[derive(Clone, Debug)]
pub struct SizePoint {
    /// The family's index (the caller's numbering).
    pub family: usize,
    /// The size, as the caller labelled it (`"n=5000"`).
    pub label: String,
    /// Each strategy timed, its predicted multiply–adds, and its timed runs.
    pub timed: Vec<(Strategy, u64, Timing)>,
}

/// Times every strategy predicted at most `max_madds` multiply–adds on each program of one
/// family ([`measure`] at a random input, one run at least, `budget` each), and prints a line
/// per program: each strategy's median time and count, and the strategies skipped.
///
/// # Errors
/// The first error a strategy returns.
pub fn sweep(
    family: usize,
    progs: Vec<(String, Program<f32>)>,
    budget: Duration,
    max_madds: u64,
) -> jacobian_core::Result<Vec<SizePoint>> {
    let mut out = Vec::new();
    for (label, prog) in progs {
        let cost = prog.cost();
        let (todo, skipped): (Vec<Strategy>, Vec<Strategy>) =
            (Strategy::ALL.iter().copied()).partition(|&s| cost.madds(s) <= max_madds);
        let x = random_input::<f32>(prog.input_len(), 0);
        let runs = measure(&prog, &x, &todo, 1, budget)?;
        let timed: Vec<(Strategy, u64, Timing)> = (runs.into_iter())
            .map(|r| (r.strategy, cost.madds(r.strategy), r.timing))
            .collect();
        let line: Vec<String> = (timed.iter())
            .map(|(s, m, t)| format!("{} {} ({})", s.name(), pretty(t.median()), si(*m)))
            .collect();
        let skip: Vec<&str> = skipped.iter().map(|s| s.name()).collect();
        let skip = match skip.is_empty() {
            true => String::new(),
            false => format!("; skipped {}", skip.join(", ")),
        };
        println!("  {label:<8} {}{skip}", line.join(", "));
        out.push(SizePoint {
            family,
            label,
            timed,
        });
    }
    Ok(out)
}

/// `max |a − b| / max |b|`: the largest difference, relative to the largest entry of `b`.
///
/// # Panics
/// If the shapes differ.
pub fn rel_diff(a: &ArrayD<f32>, b: &ArrayD<f32>) -> f32 {
    assert_eq!(a.shape(), b.shape(), "rel_diff: shapes differ");
    let diff = a
        .iter()
        .zip(b)
        .map(|(u, v)| (u - v).abs())
        .fold(0.0, f32::max);
    diff / b.iter().fold(f32::MIN_POSITIVE, |m, v| m.max(v.abs()))
}

/// The cheapest bracketing of a plan's chain, drawn as a tree: the leaves are the factors (output
/// end on the left, as in the formula) with their shape and what forming them cost; each box
/// above is one product, with its shape and its multiply–adds. Shown as the cell's SVG output.
pub struct Tree {
    title: String,
    nodes: Vec<Node>,
    leaves: usize,
}

struct Node {
    x: f64,
    height: usize,
    lines: [String; 3],
    leaf: Option<Kind>,
    kids: Option<(usize, usize)>,
}

impl Tree {
    /// The tree of `plan`'s bracketing.
    ///
    /// # Errors
    /// If the plan has no chain to bracket (a program with no factors).
    pub fn new(plan: &Plan, title: &str) -> Result<Tree, String> {
        let order = plan
            .order
            .as_ref()
            .ok_or("the plan has no chain to bracket")?;
        let mut tree = Tree {
            title: title.to_string(),
            nodes: Vec::new(),
            leaves: 0,
        };
        tree.place(order, plan);
        Ok(tree)
    }

    fn place(&mut self, o: &Order, plan: &Plan) -> (usize, Structure) {
        let si = jacobian_core::cost::si;
        let node = match o {
            Order::Factor(i) => {
                let segment = &plan.segments[plan.factors[*i]];
                let f = segment.factor;
                let shape = match f.kind {
                    Kind::Dense => format!("{}×{}", f.rows, f.cols),
                    _ => format!("diag {}", f.rows),
                };
                let lines = [
                    plan.labels()[*i].clone(),
                    shape,
                    format!("formed: {}", si(segment.formed_by.1)),
                ];
                self.leaves += 1;
                let x = (self.leaves - 1) as f64;
                (
                    Node {
                        x,
                        height: 0,
                        lines,
                        leaf: Some(f.kind),
                        kids: None,
                    },
                    f,
                )
            }
            Order::Product(l, r) => {
                let (li, ls) = self.place(l, plan);
                let (ri, rs) = self.place(r, plan);
                let s = ls.product(rs);
                let lines = [
                    "product".to_string(),
                    format!("{}×{}", s.rows, s.cols),
                    format!("{} madds", si(ls.product_cost(rs))),
                ];
                let (a, b) = (&self.nodes[li], &self.nodes[ri]);
                let node = Node {
                    x: (a.x + b.x) / 2.0,
                    height: 1 + a.height.max(b.height),
                    lines,
                    leaf: None,
                    kids: Some((li, ri)),
                };
                (node, s)
            }
        };
        self.nodes.push(node.0);
        (self.nodes.len() - 1, node.1)
    }

    /// The tree as an SVG document.
    ///
    /// # Errors
    /// If `plotters` fails.
    pub fn svg(&self) -> Result<String, Box<dyn Error>> {
        let levels = self.nodes.iter().map(|n| n.height).max().unwrap_or(0);
        let (dx, dy, top) = (140.0, 86.0, 64.0);
        let size = (
            (dx * self.leaves as f64 + 20.0) as u32,
            (top + dy * levels as f64 + 60.0) as u32,
        );
        let at = |n: &Node| {
            let x = 20.0 + dx * (n.x + 0.5);
            let y = top + dy * (levels - n.height) as f64;
            (x as i32, y as i32)
        };
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
            root.fill(&WHITE)?;
            let title = ("sans-serif", 15).into_font();
            root.draw(&Text::new(self.title.clone(), (10, 12), title))?;
            for n in &self.nodes {
                for k in n.kids.iter().flat_map(|&(l, r)| [l, r]) {
                    let edge = vec![at(n), at(&self.nodes[k])];
                    root.draw(&PathElement::new(edge, BLACK.stroke_width(1)))?;
                }
            }
            for n in &self.nodes {
                let (x, y) = at(n);
                let fill = match n.leaf {
                    Some(Kind::Dense) => RGBColor(198, 219, 239),
                    Some(_) => RGBColor(225, 225, 225),
                    None => RGBColor(255, 244, 204),
                };
                let corners = [(x - 62, y - 27), (x + 62, y + 27)];
                root.draw(&Rectangle::new(corners, fill.filled()))?;
                root.draw(&Rectangle::new(corners, BLACK.stroke_width(1)))?;
                for (j, line) in n.lines.iter().enumerate() {
                    let style = ("sans-serif", if j == 0 { 14 } else { 12 })
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    let at = (x, y - 16 + 16 * j as i32);
                    root.draw(&Text::new(line.clone(), at, style))?;
                }
            }
            root.present()?;
        }
        Ok(svg)
    }

    /// Shows the tree as the cell's SVG output (or, if it cannot be drawn, says why on stderr).
    pub fn evcxr_display(&self) {
        match self.svg() {
            Ok(svg) => crate::display("image/svg+xml", &svg),
            Err(e) => eprintln!("the tree could not be drawn: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jacobian_core::network::DeepNetwork;

    #[test]
    fn every_strategy_is_timed_and_gives_the_same_jacobian() {
        let prog = DeepNetwork::<f32>::new(&[6, 9, 2, 9, 5]).unwrap().trace();
        let x = jacobian_core::random_input::<f32>(6, 0);
        let runs = measure(&prog, &x, &Strategy::ALL, 2, Duration::ZERO).unwrap();
        assert_eq!(runs.len(), Strategy::ALL.len());
        for r in &runs {
            assert_eq!(r.timing.runs(), 2);
            assert!(
                rel_diff(&r.jacobian, &runs[0].jacobian) < 1e-5,
                "{}",
                r.strategy
            );
        }
        let e = measure(&prog, &Array1::zeros(3), &Strategy::ALL, 1, Duration::ZERO);
        assert!(e.is_err(), "a wrong input length is an error");
    }

    #[test]
    fn a_sweep_times_what_fits_under_the_limit_and_skips_the_rest() {
        let progs: Vec<(String, Program<f32>)> = [4, 40]
            .into_iter()
            .map(|n| {
                (
                    format!("n={n}"),
                    DeepNetwork::<f32>::new(&[n, 9, 2, 1]).unwrap().trace(),
                )
            })
            .collect();
        let limit = progs[1].1.cost().jacrev;
        let points = sweep(7, progs.clone(), Duration::ZERO, limit).unwrap();
        assert_eq!(points.len(), 2);
        for (point, (label, prog)) in points.iter().zip(&progs) {
            let cost = prog.cost();
            let expected: Vec<Strategy> = (Strategy::ALL.iter().copied())
                .filter(|&s| cost.madds(s) <= limit)
                .collect();
            let timed: Vec<Strategy> = point.timed.iter().map(|t| t.0).collect();
            assert_eq!((point.family, &point.label, &timed), (7, label, &expected));
            assert!(point
                .timed
                .iter()
                .all(|(s, m, t)| *m == cost.madds(*s) && t.runs() >= 1));
        }
        // At n = 40, forward mode counts more than the limit (jacrev's count at n = 40): skipped.
        assert!(!points[1].timed.iter().any(|t| t.0 == Strategy::Forward));
    }

    #[test]
    fn the_tree_has_a_leaf_per_factor_and_a_box_per_product() {
        let plan = DeepNetwork::<f32>::new(&[40, 200, 3, 200, 40])
            .unwrap()
            .trace()
            .plan();
        let tree = Tree::new(&plan, "t").unwrap();
        assert_eq!(tree.leaves, plan.factors.len());
        assert_eq!(tree.nodes.len(), 2 * plan.factors.len() - 1);
        let svg = tree.svg().unwrap();
        assert!(svg.contains("product") && svg.contains("formed:"));
    }
}
