//! `job`: one job of the notebook in its own process, with its time and memory, as JSON on stdout.
//!
//! Made for `bench/compare_jax.py`, which compares each job with JAX's in a fresh process:
//!
//! - `--job reproduction`: only what the original notebook did: build the matrices, then the
//!   four Jacobians `jacfwd(F)`, `jacrev(F)`, `jacfwd(G)`, `jacrev(G)` as first calls (tracing
//!   included), in its order. No warm runs. The peak RSS is the whole process's.
//! - `--job eval_f|jacfwd_f|...` (see `bench::jobs::Job`): build the matrices and the input (the
//!   *idle* footprint), reset the kernel's peak-RSS mark, run the job once as a first call
//!   (tracing and preparing included) and read the peak: the job's own peak above idle. Then
//!   `--runs` warm runs of the same prepared job (as `jax.jit` compiles once) and their median.
//!
//! `--chunk K` pushes (pulls) K basis directions per pass of `jacfwd` (`jacrev`).
//! Progress and the notebook-style lines go to stderr; stdout holds one JSON object.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use bench::jobs::{Job, Ready, Setup};
use bench::process::{age_s, reset_peak_mark, status_mib};
use bench::{json_num, timing::Timing};
use clap::Parser;
use jacobian_core::ndarray::{Array1, ArrayD};
use jacobian_core::{jacfwd, jacfwd_chunked, jacrev, jacrev_chunked, random_input, Program};

/// `--job`: the reproduction (`None`) or one job.
#[derive(Clone, Copy, Debug)]
struct Which(Option<Job>);

fn which(name: &str) -> Result<Which, String> {
    match (name, Job::from_name(name)) {
        ("reproduction", _) => Ok(Which(None)),
        (_, Some(job)) => Ok(Which(Some(job))),
        _ => Err(format!(
            "expected reproduction or one of {}",
            Job::ALL.map(Job::name).join(", ")
        )),
    }
}

#[derive(Parser, Debug)]
#[command(
    about = "One job of the notebook (f32) in this process: first call, warm median, peak RSS, as JSON"
)]
struct Args {
    /// `reproduction`, or one job: eval_f, jacfwd_f, jacrev_f, eval_g, jacfwd_g, jacrev_g,
    /// jacfwd_structured_f, grad_f, hvp_f, hessian_f, hessian_cheapest_f.
    #[arg(long, value_parser = which)]
    job: Which,
    /// Basis directions per pass for jacfwd / jacrev (default: all at once, as JAX does).
    #[arg(long)]
    chunk: Option<usize>,
    /// Warm runs after the first call (0: first call only). Ignored by `reproduction`.
    #[arg(long, default_value_t = 0)]
    runs: usize,
    /// With --runs: keep timing while the warm runs total less than this many seconds.
    #[arg(long, default_value_t = 0.0)]
    min_seconds: f64,
    /// Layer widths n0,n1,n2,n3.
    #[arg(long, value_delimiter = ',', default_value = "5000,1000,30,1")]
    widths: Vec<usize>,
}

fn main() -> Result<()> {
    let t_main = Instant::now();
    let args = Args::parse();
    bench::tune_process()?;
    if args.chunk == Some(0) {
        bail!("--chunk must be at least 1");
    }
    let at_least = Duration::try_from_secs_f64(args.min_seconds).with_context(|| {
        format!(
            "--min-seconds must be a finite number ≥ 0, got {}",
            args.min_seconds
        )
    })?;
    let t0 = Instant::now();
    let setup = Setup::new(&args.widths)?;
    let build_s = t0.elapsed().as_secs_f64();
    let mut fields: Vec<(&str, String)> = vec![
        (
            "job",
            format!("\"{}\"", args.job.0.map_or("reproduction", Job::name)),
        ),
        ("widths", format!("{:?}", setup.net.widths())),
        ("dtype", "\"f32\"".into()),
        ("chunk", args.chunk.map_or("null".into(), |k| k.to_string())),
        (
            "backend",
            format!("\"{}\"", jacobian_core::linalg::backend()),
        ),
        ("build_s", json_num(Some(build_s))),
    ];
    match args.job.0 {
        None => reproduction(&setup, args.chunk, &mut fields)?,
        Some(job) => one_job(job, &setup, &args, at_least, &mut fields)?,
    }
    fields.push((
        "total_from_main_s",
        json_num(Some(t_main.elapsed().as_secs_f64())),
    ));
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("\"{k}\": {v}"))
        .collect();
    println!("{{{}}}", body.join(", "));
    Ok(())
}

/// The notebook's four Jacobians as first calls, in its order.
fn reproduction(
    setup: &Setup,
    chunk: Option<usize>,
    fields: &mut Vec<(&str, String)>,
) -> Result<()> {
    // G's input as the notebook made it: a fresh normal vector of length n3 from seed 0.
    let [_, _, _, n3] = setup.net.widths();
    let z: Array1<f32> = random_input(n3, 0);
    let idle = status_mib("VmRSS");
    let mut times = Vec::new();
    let mut first = |label: &str, fwd: bool, trace: &dyn Fn() -> Program<f32>, x: &Array1<f32>| {
        let t = Instant::now();
        let prog = trace();
        let j: jacobian_core::Result<ArrayD<f32>> = match (fwd, chunk) {
            (true, None) => jacfwd(&prog, x),
            (true, Some(k)) => jacfwd_chunked(&prog, x, k),
            (false, None) => jacrev(&prog, x),
            (false, Some(k)) => jacrev_chunked(&prog, x, k),
        };
        let secs = t.elapsed().as_secs_f64();
        eprintln!("{} time: {secs}", if fwd { "Forward" } else { "Reverse" });
        times.push((label.to_string(), secs));
        j
    };
    let df_fwd = first("jacfwd_f", true, &|| setup.net.trace_f(), &setup.x)?;
    let df_rev = first("jacrev_f", false, &|| setup.net.trace_f(), &setup.x)?;
    let dg_fwd = first("jacfwd_g", true, &|| setup.net.trace_g(), &z)?;
    let dg_rev = first("jacrev_g", false, &|| setup.net.trace_g(), &z)?;
    std::hint::black_box((&df_fwd, &df_rev, &dg_fwd, &dg_rev));
    let notebook: Vec<String> = times
        .iter()
        .map(|(k, v)| format!("\"{k}\": {v:e}"))
        .collect();
    fields.extend([
        ("idle_rss_mb", json_num(idle)),
        ("peak_rss_mb", json_num(status_mib("VmHWM"))),
        ("notebook_times_s", format!("{{{}}}", notebook.join(", "))),
        (
            "jacobians_s",
            json_num(Some(times.iter().map(|t| t.1).sum())),
        ),
        ("total_from_process_start_s", json_num(age_s())),
    ]);
    Ok(())
}

/// One job: its first call with its peak above idle, then its warm runs.
fn one_job(
    job: Job,
    setup: &Setup,
    args: &Args,
    at_least: Duration,
    fields: &mut Vec<(&str, String)>,
) -> Result<()> {
    let idle = status_mib("VmRSS");
    let reset_ok = reset_peak_mark();
    let hwm_after_reset = status_mib("VmHWM");
    let t = Instant::now();
    let mut ready = Ready::new(job, setup, args.chunk)?;
    let out = ready.run()?;
    let first_s = t.elapsed().as_secs_f64();
    let peak = status_mib("VmHWM");
    let shape = out.shape().to_vec();
    drop(out);
    let warm = (args.runs > 0).then(|| {
        Timing::measure_for(args.runs, at_least, || {
            ready.run().expect("ran once already")
        })
    });
    let seconds = |f: fn(&Timing) -> Duration| json_num(warm.as_ref().map(|t| f(t).as_secs_f64()));
    fields.extend([
        ("out_shape", format!("{shape:?}")),
        ("idle_rss_mb", json_num(idle)),
        // The mark now equals the idle RSS (within a page or two of rounding).
        (
            "peak_reset_ok",
            matches!((hwm_after_reset, idle), (Some(h), Some(i)) if reset_ok && h <= i + 1.0)
                .to_string(),
        ),
        ("peak_rss_mb", json_num(peak)),
        (
            "peak_minus_idle_mb",
            json_num(peak.zip(idle).map(|(p, i)| p - i)),
        ),
        ("first_call_s", json_num(Some(first_s))),
        ("runs", warm.as_ref().map_or(0, Timing::runs).to_string()),
        ("warm_median_s", seconds(Timing::median)),
        ("warm_min_s", seconds(Timing::min)),
    ]);
    Ok(())
}
