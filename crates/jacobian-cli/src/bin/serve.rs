//! `serve`: times the notebook's jobs on request, for a paired comparison with JAX.
//!
//! `scripts/compare_jax.py` runs this beside JAX's `scripts/jax_bench.py --mode serve` and asks
//! the two in turn for short bursts of runs of the same job. Both sides are then timed within the
//! same few milliseconds of a shared machine, where timing them in separate processes, one after
//! the other, compares two different moments (medians of sub-millisecond jobs drift by 2× between
//! such moments here, on both sides).
//!
//! The protocol is one line each way. `ready` is printed once every job has run once. Then, for
//! each request `JOB K` on stdin (JOB one of `eval_f jacfwd_f jacrev_f eval_g jacfwd_g jacrev_g`,
//! K ≥ 1), the job runs K times and the K times in seconds come back on one line, separated by
//! spaces. A bad request is answered `error: ...`, and the server goes on until stdin closes.

use std::io::{BufRead, Write};

use anyhow::Result;
use clap::Parser;
use jacobian_core::timing::Timing;
use jacobian_core::{jacfwd, jacrev, random_input, Network};
use ndarray::{s, Array1, ArrayD};

#[derive(Parser, Debug)]
#[command(about = "Times the notebook's jobs (f32) on request: stdin `JOB K`, stdout K times")]
struct Args {
    /// Layer widths n0,n1,n2,n3.
    #[arg(long, value_delimiter = ',', default_value = "5000,1000,30,1")]
    widths: Vec<usize>,
}

type Job<'a> = Box<dyn Fn() -> jacobian_core::Result<ArrayD<f32>> + 'a>;

fn main() -> Result<()> {
    let args = Args::parse();
    jacobian_core::memory::keep_freed_memory(); // as XLA's allocator does (see memory.rs)
    jacobian_core::linalg::join_global_pool()?; // this thread works in parallel products too
    let net = Network::<f32>::new(&args.widths)?;
    let [n0, _, _, n3] = net.widths();
    let x: Array1<f32> = random_input(n0, 0);
    let z = x.slice(s![..n3]).to_owned();
    let (f, g) = (net.trace_f(), net.trace_g());
    let jobs: [(&str, Job<'_>); 6] = [
        ("eval_f", Box::new(|| f.call(&x))),
        ("jacfwd_f", Box::new(|| jacfwd(&f, &x))),
        ("jacrev_f", Box::new(|| jacrev(&f, &x))),
        ("eval_g", Box::new(|| g.call(&z))),
        ("jacfwd_g", Box::new(|| jacfwd(&g, &z))),
        ("jacrev_g", Box::new(|| jacrev(&g, &z))),
    ];
    for (_, job) in &jobs {
        job()?; // errors surface here, before any timing
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready")?;
    out.flush()?;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let reply = match request(&line, &jobs) {
            Ok((job, runs)) => Timing::measure(runs, || job().expect("ran once already"))
                .samples
                .iter()
                .map(|t| format!("{:e}", t.as_secs_f64()))
                .collect::<Vec<_>>()
                .join(" "),
            Err(e) => format!("error: {e}"),
        };
        writeln!(out, "{reply}")?;
        out.flush()?;
    }
    Ok(())
}

/// Parses `JOB K` into the job and the number of runs.
fn request<'j, 'a>(line: &str, jobs: &'j [(&str, Job<'a>)]) -> Result<(&'j Job<'a>, usize)> {
    let names = || jobs.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ");
    let mut words = line.split_whitespace();
    let (Some(name), Some(runs), None) = (words.next(), words.next(), words.next()) else {
        anyhow::bail!("expected `JOB K`, got {line:?}");
    };
    let job = jobs
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, j)| j)
        .ok_or_else(|| anyhow::anyhow!("unknown job {name:?}; expected one of {}", names()))?;
    match runs.parse::<usize>() {
        Ok(k) if k >= 1 => Ok((job, k)),
        _ => anyhow::bail!("K must be a whole number ≥ 1, got {runs:?}"),
    }
}
