//! `scaling`: how `jacfwd` and `jacrev` grow with the wide side of the network.
//!
//! - F-shaped: widths `[n, 1000, 30, 1]`, `F: R^n → R`, as the **input** width `n` grows;
//! - G-shaped: `G` of the same network, `G: R → R^n`, as the **output** width `n` grows.
//!
//! For each `n` it times evaluation, `jacfwd` and `jacrev` (median of `--runs` warm runs, after
//! one untimed warm-up; the program is traced once), prints a table, fits the least-squares slope
//! of `log(time)` against `log(n)` for each series, and writes a CSV
//! (`shape,width,mode,median_seconds`).
//!
//! What to expect: the mode whose directions are the wide side makes `n` passes, each about as
//! costly as an evaluation, which itself reads the `1000 × n` matrix `A1`. So relative to one
//! evaluation, forward mode on F (and reverse mode on G) grows linearly in `n` and the other mode
//! stays flat; in absolute time that is a slope near 2 (`A1 · I_n` is `1000·n²` multiply–adds)
//! against a slope near 1 (one pass, linear in `n` like the evaluation).
//!
//! Each job is traced and prepared once, then run once untimed and `--runs` times timed.
//!
//! Memory: the wide mode allocates the `n × n` identity seed, 1.6 GB of f32 at `n = 20000`, plus
//! its `1000 × n` image (unless `--chunk` bounds it); the peak RSS is printed at the end. A
//! machine without that much free memory gets the library's error, which suggests a chunk size.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use bench::jobs::{Job, Ready, Setup};
use bench::timing::{pretty, Timing};
use clap::Parser;

#[derive(Parser, Debug)]
#[command(about = "Time of jacfwd and jacrev as the wide side of F (input) and G (output) grows")]
struct Args {
    /// Wide-side widths n (the network is [n, 1000, 30, 1]).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1000,2000,5000,10000,20000"
    )]
    widths: Vec<usize>,
    /// The fixed widths n1, n2, n3.
    #[arg(long, value_delimiter = ',', default_value = "1000,30,1")]
    fixed: Vec<usize>,
    /// Timed runs per job (after one untimed warm-up).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Basis directions per pass (default: all at once, as JAX does).
    #[arg(long)]
    chunk: Option<usize>,
    /// Write the medians here as CSV: shape,width,mode,median_seconds.
    #[arg(long)]
    csv: Option<PathBuf>,
}

/// Least-squares slope of log(y) against log(x).
fn loglog_slope(points: &[(f64, f64)]) -> f64 {
    let pts: Vec<(f64, f64)> = points.iter().map(|&(x, y)| (x.ln(), y.ln())).collect();
    let n = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    sxy / sxx
}

fn main() -> Result<()> {
    let args = Args::parse();
    bench::tune_process()?;
    anyhow::ensure!(args.fixed.len() == 3, "--fixed takes three widths n1,n2,n3");
    anyhow::ensure!(args.chunk != Some(0), "--chunk must be at least 1");
    anyhow::ensure!(
        args.widths.len() >= 2,
        "--widths needs at least two values for a slope"
    );
    let start = Instant::now();
    eprintln!("matrix products: {}", jacobian_core::linalg::backend());
    if args.chunk.is_none() {
        let big = *args.widths.iter().max().expect("at least two widths");
        eprintln!(
            "note: at n = {big} the wide mode allocates a {big}×{big} f32 identity ({:.1} GB); \
             --chunk K bounds it",
            (big * big * 4) as f64 / 1e9
        );
    }

    // (shape, width, mode) -> median seconds
    let mut rows: Vec<(&'static str, usize, &'static str, f64)> = Vec::new();
    println!(
        "{:<6} {:>7} {:>12} {:>12} {:>12} {:>11} {:>11}",
        "shape", "n", "eval", "jacfwd", "jacrev", "fwd/eval", "rev/eval"
    );
    for &n in &args.widths {
        let widths = [n, args.fixed[0], args.fixed[1], args.fixed[2]];
        let setup = Setup::new(&widths)?;
        for (shape, jobs) in [
            ("F", [Job::EvalF, Job::JacfwdF, Job::JacrevF]),
            ("G", [Job::EvalG, Job::JacfwdG, Job::JacrevG]),
        ] {
            let mut med = [0.0f64; 3];
            for (i, (job, mode)) in jobs
                .into_iter()
                .zip(["eval", "jacfwd", "jacrev"])
                .enumerate()
            {
                eprintln!(
                    "[{:>7.2} s] {mode}({shape}), n = {n}: warm-up + {} runs",
                    start.elapsed().as_secs_f64(),
                    args.runs
                );
                let mut ready = Ready::new(job, &setup, args.chunk)?;
                ready.run()?; // warm-up, and errors surface here
                let t = Timing::measure(args.runs, || ready.run().expect("ran once already"));
                med[i] = t.median().as_secs_f64();
                rows.push((shape, n, mode, med[i]));
            }
            let fmt = |s: f64| pretty(std::time::Duration::from_secs_f64(s));
            println!(
                "{:<6} {:>7} {:>12} {:>12} {:>12} {:>11.1} {:>11.1}",
                shape,
                n,
                fmt(med[0]),
                fmt(med[1]),
                fmt(med[2]),
                med[1] / med[0],
                med[2] / med[0]
            );
        }
    }

    let series = |shape: &str, mode: &str| -> Vec<(f64, f64)> {
        rows.iter()
            .filter(|r| r.0 == shape && r.2 == mode)
            .map(|r| (r.1 as f64, r.3))
            .collect()
    };
    let ratio = |shape: &str, mode: &str| -> Vec<(f64, f64)> {
        series(shape, mode)
            .into_iter()
            .zip(series(shape, "eval"))
            .map(|((n, t), (_, e))| (n, t / e))
            .collect()
    };
    println!(
        "\nlog–log slopes over n = {:?} (least squares; time ∝ n^slope)",
        args.widths
    );
    println!(
        "{:<22} {:>8} {:>18}   expected",
        "series", "time", "time / eval"
    );
    for (shape, mode, expect) in [
        ("F", "eval", "~1 (reads A1, 1000×n)"),
        ("F", "jacfwd", "n passes: time ~2, per eval ~1 (linear)"),
        ("F", "jacrev", "1 pass: time ~1, per eval ~0 (flat)"),
        ("G", "eval", "~1"),
        ("G", "jacfwd", "1 pass: time ~1, per eval ~0 (flat)"),
        ("G", "jacrev", "n passes: time ~2, per eval ~1 (linear)"),
    ] {
        let per_eval = if mode == "eval" {
            "-".to_string()
        } else {
            format!("{:.2}", loglog_slope(&ratio(shape, mode)))
        };
        println!(
            "{:<22} {:>8.2} {:>18}   {expect}",
            format!("{mode}({shape}) vs n"),
            loglog_slope(&series(shape, mode)),
            per_eval
        );
    }
    eprintln!("[{:>7.2} s] done", start.elapsed().as_secs_f64());
    if let Some(hwm) = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
    {
        println!(
            "peak RSS of this process: {}",
            hwm.trim_start_matches("VmHWM:").trim()
        );
    }

    if let Some(path) = &args.csv {
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        );
        writeln!(f, "shape,width,mode,median_seconds")?;
        for (shape, n, mode, secs) in &rows {
            writeln!(f, "{shape},{n},{mode},{secs:e}")?;
        }
        f.flush()?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
