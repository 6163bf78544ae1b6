//! `job`: one job of the notebook in its own process, with its time and memory, as JSON on stdout.
//!
//! Made for `scripts/compare_jax.py`, which compares each job with JAX's in a fresh process:
//!
//! - `--job reproduction`: only what the original notebook did — build the matrices, then the
//!   four Jacobians `jacfwd(F)`, `jacrev(F)`, `jacfwd(G)`, `jacrev(G)` as first calls (tracing
//!   included), in its order. No warm runs. The peak RSS is the whole process's.
//! - `--job eval_f|jacfwd_f|jacrev_f|eval_g|jacfwd_g|jacrev_g`: build the matrices and the input
//!   (the *idle* footprint), reset the kernel's peak-RSS mark (`/proc/self/clear_refs`), run the
//!   job once as a first call (tracing included) and read the peak (`VmHWM`): the job's own peak
//!   above idle. Then `--runs` warm runs (traced once, as `jax.jit` is compiled once) and their
//!   median.
//!
//! `--chunk K` pushes (pulls) K basis directions per pass (`jacfwd_chunked`, `jacrev_chunked`).
//! Progress and the notebook-style lines go to stderr; stdout holds one JSON object.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Parser, ValueEnum};
use jacobian_core::timing::Timing;
use jacobian_core::{
    jacfwd, jacfwd_chunked, jacrev, jacrev_chunked, random_input, Network, Program,
};
use ndarray::{s, Array1, ArrayD};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
enum Job {
    Reproduction,
    EvalF,
    JacfwdF,
    JacrevF,
    EvalG,
    JacfwdG,
    JacrevG,
}

#[derive(Parser, Debug)]
#[command(
    about = "One job of the notebook (f32) in this process: first call, warm median, peak RSS, as JSON"
)]
struct Args {
    /// Which job.
    #[arg(long, value_enum)]
    job: Job,
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

/// A field of /proc/self/status in MiB (`VmRSS`, `VmHWM`), if the system has it.
fn status_mib(field: &str) -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s
        .lines()
        .find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Resets VmHWM to the current RSS (Linux ≥ 4.0). True on success.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Seconds since the OS started this process (10 ms resolution; jiffies at 100 Hz assumed).
fn process_age_s() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let start: f64 = stat
        .rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(19)?
        .parse()
        .ok()?;
    let up: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(up - start / 100.0)
}

fn json_num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:e}"),
        _ => "null".into(),
    }
}

fn main() -> Result<()> {
    let t_main = Instant::now();
    let args = Args::parse();
    jacobian_core::memory::keep_freed_memory(); // as XLA's allocator does (see memory.rs)
    jacobian_core::linalg::join_global_pool()?; // this thread works in parallel products too
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
    let net = Network::<f32>::new(&args.widths)?;
    let [n0, _, _, n3] = net.widths();
    let x: Array1<f32> = random_input(n0, 0);
    let build_s = t0.elapsed().as_secs_f64();

    let jac =
        |fwd: bool, prog: &Program<f32>, x: &Array1<f32>| -> jacobian_core::Result<ArrayD<f32>> {
            match (fwd, args.chunk) {
                (true, None) => jacfwd(prog, x),
                (true, Some(k)) => jacfwd_chunked(prog, x, k),
                (false, None) => jacrev(prog, x),
                (false, Some(k)) => jacrev_chunked(prog, x, k),
            }
        };

    let mut fields: Vec<(String, String)> = vec![
        (
            "job".into(),
            format!(
                "\"{}\"",
                args.job
                    .to_possible_value()
                    .expect("no skipped variants")
                    .get_name()
            ),
        ),
        ("widths".into(), format!("{:?}", net.widths())),
        ("dtype".into(), "\"f32\"".into()),
        (
            "chunk".into(),
            args.chunk.map_or("null".into(), |k| k.to_string()),
        ),
        (
            "backend".into(),
            format!("\"{}\"", jacobian_core::linalg::backend()),
        ),
        ("build_s".into(), json_num(Some(build_s))),
    ];

    if args.job == Job::Reproduction {
        // G's input as the notebook made it: a fresh normal vector of length n3 from seed 0.
        let z: Array1<f32> = random_input(n3, 0);
        let idle = status_mib("VmRSS");
        let mut times = Vec::new();
        let mut first =
            |label: &str, fwd: bool, trace: &dyn Fn() -> Program<f32>, x: &Array1<f32>| {
                let t = Instant::now();
                let j = jac(fwd, &trace(), x);
                let secs = t.elapsed().as_secs_f64();
                eprintln!("{} time: {secs}", if fwd { "Forward" } else { "Reverse" });
                times.push((label.to_string(), secs));
                j
            };
        let df_fwd = first("jacfwd_f", true, &|| net.trace_f(), &x)?;
        let df_rev = first("jacrev_f", false, &|| net.trace_f(), &x)?;
        let dg_fwd = first("jacfwd_g", true, &|| net.trace_g(), &z)?;
        let dg_rev = first("jacrev_g", false, &|| net.trace_g(), &z)?;
        std::hint::black_box((&df_fwd, &df_rev, &dg_fwd, &dg_rev));
        let notebook: Vec<String> = times
            .iter()
            .map(|(k, v)| format!("\"{k}\": {v:e}"))
            .collect();
        fields.extend([
            ("idle_rss_mb".into(), json_num(idle)),
            ("peak_rss_mb".into(), json_num(status_mib("VmHWM"))),
            (
                "notebook_times_s".into(),
                format!("{{{}}}", notebook.join(", ")),
            ),
            (
                "jacobians_s".into(),
                json_num(Some(times.iter().map(|t| t.1).sum())),
            ),
            (
                "total_from_main_s".into(),
                json_num(Some(t_main.elapsed().as_secs_f64())),
            ),
            (
                "total_from_process_start_s".into(),
                json_num(process_age_s()),
            ),
        ]);
    } else {
        let xg = x.slice(s![..n3]).to_owned();
        let (trace, input): (Box<dyn Fn() -> Program<f32>>, &Array1<f32>) = match args.job {
            Job::EvalF | Job::JacfwdF | Job::JacrevF => (Box::new(|| net.trace_f()), &x),
            _ => (Box::new(|| net.trace_g()), &xg),
        };
        let run = |prog: &Program<f32>| -> jacobian_core::Result<ArrayD<f32>> {
            match args.job {
                Job::EvalF | Job::EvalG => prog.call(input),
                Job::JacfwdF | Job::JacfwdG => jac(true, prog, input),
                _ => jac(false, prog, input),
            }
        };
        let idle = status_mib("VmRSS");
        let reset_ok = reset_peak();
        let hwm_after_reset = status_mib("VmHWM");
        let t = Instant::now();
        let out = run(&trace())?;
        let first_s = t.elapsed().as_secs_f64();
        let peak = status_mib("VmHWM");
        let shape = out.shape().to_vec();
        drop(out);
        let mut warm = None;
        if args.runs > 0 {
            let prog = trace();
            let timing = Timing::measure_for(args.runs, at_least, || {
                run(&prog).expect("ran once already")
            });
            warm = Some(timing);
        }
        fields.extend([
            ("out_shape".into(), format!("{shape:?}")),
            ("idle_rss_mb".into(), json_num(idle)),
            (
                "peak_reset_ok".into(),
                // The mark now equals the idle RSS (within a page or two of rounding).
                matches!((hwm_after_reset, idle), (Some(h), Some(i)) if reset_ok && h <= i + 1.0)
                    .to_string(),
            ),
            ("peak_rss_mb".into(), json_num(peak)),
            (
                "peak_minus_idle_mb".into(),
                json_num(peak.zip(idle).map(|(p, i)| p - i)),
            ),
            ("first_call_s".into(), json_num(Some(first_s))),
            (
                "runs".into(),
                warm.as_ref().map_or(0, |t| t.samples.len()).to_string(),
            ),
            (
                "warm_median_s".into(),
                json_num(warm.as_ref().map(|t| t.median().as_secs_f64())),
            ),
            (
                "warm_min_s".into(),
                json_num(warm.as_ref().map(|t| t.min().as_secs_f64())),
            ),
            (
                "warm_times_s".into(),
                format!(
                    "[{}]",
                    warm.as_ref()
                        .map(|t| t
                            .samples
                            .iter()
                            .map(|d| format!("{:e}", d.as_secs_f64()))
                            .collect::<Vec<_>>()
                            .join(", "))
                        .unwrap_or_default()
                ),
            ),
            (
                "peak_rss_after_warm_mb".into(),
                json_num(status_mib("VmHWM")),
            ),
            (
                "total_from_main_s".into(),
                json_num(Some(t_main.elapsed().as_secs_f64())),
            ),
        ]);
    }
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("\"{k}\": {v}"))
        .collect();
    println!("{{{}}}", body.join(", "));
    Ok(())
}
