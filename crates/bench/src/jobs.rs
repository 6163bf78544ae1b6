//! The notebook's jobs, made ready as `jax.jit` makes a function ready: the program traced once
//! and its Jacobian prepared once (the identity seed made once, on the first call), then run as
//! often as asked. JAX's side (`bench/jax_bench.py`) names its jobs the same way.

use clap::ValueEnum;
use jacobian_core::ndarray::{s, Array1, ArrayD};
use jacobian_core::{grad, hessian, hvp, random_input, Network, Result, Strategy};

/// One job: `F: R^n0 → R` or `G: R^n3 → R^n0` evaluated, or its Jacobian by one strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum Job {
    EvalF,
    JacfwdF,
    JacrevF,
    EvalG,
    JacfwdG,
    JacrevG,
    /// `jacfwd(F)` from a symbolic identity (no dense seed).
    JacfwdStructuredF,
    /// `∇F(x)`: the gradient program evaluated (JAX: `grad(F)`).
    GradF,
    /// `H(x) v`: one forward direction through the gradient program (JAX: `jvp(grad(F))`).
    HvpF,
    /// The Hessian by textbook forward over reverse (JAX: `hessian(F)` = `jacfwd(jacrev(F))`).
    HessianF,
    /// The Hessian as `jacobian_core::hessian` computes it: the cheapest strategy, the last
    /// product by symmetry.
    HessianCheapestF,
}

impl Job {
    /// Every job, in the order the tables list them.
    pub const ALL: [Job; 11] = [
        Job::EvalF,
        Job::JacfwdF,
        Job::JacrevF,
        Job::EvalG,
        Job::JacfwdG,
        Job::JacrevG,
        Job::JacfwdStructuredF,
        Job::GradF,
        Job::HvpF,
        Job::HessianF,
        Job::HessianCheapestF,
    ];

    /// The name on the command line and in the `serve` protocol: `eval_f`, `jacfwd_f`, ...
    pub fn name(self) -> &'static str {
        match self {
            Job::EvalF => "eval_f",
            Job::JacfwdF => "jacfwd_f",
            Job::JacrevF => "jacrev_f",
            Job::EvalG => "eval_g",
            Job::JacfwdG => "jacfwd_g",
            Job::JacrevG => "jacrev_g",
            Job::JacfwdStructuredF => "jacfwd_structured_f",
            Job::GradF => "grad_f",
            Job::HvpF => "hvp_f",
            Job::HessianF => "hessian_f",
            Job::HessianCheapestF => "hessian_cheapest_f",
        }
    }

    /// The job of this name, if any.
    pub fn from_name(name: &str) -> Option<Job> {
        Job::ALL.into_iter().find(|j| j.name() == name)
    }

    fn on_g(self) -> bool {
        matches!(self, Job::EvalG | Job::JacfwdG | Job::JacrevG)
    }

    /// Whether the job differentiates the gradient program rather than `F` or `G`.
    fn on_gradient(self) -> bool {
        matches!(self, Job::GradF | Job::HessianF)
    }

    /// The Jacobian's strategy; `None` for an evaluation (or a Hessian-vector product).
    fn strategy(self) -> Option<Strategy> {
        match self {
            Job::EvalF | Job::EvalG | Job::GradF | Job::HvpF | Job::HessianCheapestF => None,
            Job::JacfwdF | Job::JacfwdG | Job::HessianF => Some(Strategy::Forward),
            Job::JacrevF | Job::JacrevG => Some(Strategy::Reverse),
            Job::JacfwdStructuredF => Some(Strategy::StructuredForward),
        }
    }
}

/// The notebook's network (f32) and inputs: `x` standard normal from seed 0 for `F`, and its
/// first `n3` entries `z` for `G`.
pub struct Setup {
    pub net: Network<f32>,
    pub x: Array1<f32>,
    pub z: Array1<f32>,
    /// The direction of the Hessian-vector product: standard normal from seed 1.
    pub v: Array1<f32>,
}

impl Setup {
    /// # Errors
    /// If the widths cannot build a network (not four, or a zero).
    pub fn new(widths: &[usize]) -> Result<Setup> {
        let net = Network::<f32>::new(widths)?;
        let [n0, _, _, n3] = net.widths();
        let x: Array1<f32> = random_input(n0, 0);
        let z = x.slice(s![..n3]).to_owned();
        let v = random_input(n0, 1);
        Ok(Setup { net, x, z, v })
    }
}

/// A job ready to run: traced, and for a Jacobian prepared with its strategy.
pub struct Ready(Box<dyn FnMut() -> Result<ArrayD<f32>>>);

impl Ready {
    /// Traces the job's function and prepares its Jacobian. `chunk` is the number of basis
    /// directions per pass of `jacfwd`/`jacrev` (`None`: all at once, as JAX does); the other
    /// jobs have no passes to chunk and ignore it.
    ///
    /// # Errors
    /// A zero `chunk`.
    pub fn new(job: Job, setup: &Setup, chunk: Option<usize>) -> Result<Ready> {
        let (program, input) = if job.on_g() {
            (setup.net.trace_g(), setup.z.clone())
        } else {
            (setup.net.trace_f(), setup.x.clone())
        };
        match job {
            Job::HvpF => {
                let v = setup.v.clone();
                let hv = move || hvp(&program, &input, &v).map(|hv| hv.into_dyn());
                return Ok(Ready(Box::new(hv)));
            }
            Job::HessianCheapestF => {
                let h = move || hessian(&program, &input).map(|h| h.into_dyn());
                return Ok(Ready(Box::new(h)));
            }
            _ => {}
        }
        let program = if job.on_gradient() {
            grad(&program)?
        } else {
            program
        };
        let Some(strategy) = job.strategy() else {
            return Ok(Ready(Box::new(move || program.call(&input))));
        };
        let mut prepared = program.prepare().with_strategy(strategy);
        if let (Some(k), Strategy::Forward | Strategy::Reverse) = (chunk, strategy) {
            prepared = prepared.with_chunk(k)?;
        }
        Ok(Ready(Box::new(move || prepared.jacobian(&input))))
    }

    /// Runs the job once.
    ///
    /// # Errors
    /// What the library returns (on the first call: too little memory, say); a job that ran
    /// once runs again.
    pub fn run(&mut self) -> Result<ArrayD<f32>> {
        (self.0)()
    }
}
