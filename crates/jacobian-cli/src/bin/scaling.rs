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
//! Memory: the wide mode allocates the `n × n` identity seed, 1.6 GB of f32 at `n = 20000`, plus
//! its `1000 × n` image (unless `--chunk` bounds it). The seed comes from zeroed pages that only the
//! diagonal touches, so the resident peak stays far lower (about 0.3 GB at `n = 20000` on Linux,
//! printed at the end); a machine without that much free memory (address space checked by the
//! crate against `MemAvailable`) gets an error asking for `--chunk`.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use jacobian_core::timing::{pretty, Timing};
use jacobian_core::{
    jacfwd, jacfwd_chunked, jacrev, jacrev_chunked, random_input, Network, Program,
};
use ndarray::{s, Array1, ArrayD};

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
    jacobian_core::memory::keep_freed_memory(); // as XLA's allocator does (see memory.rs)
    jacobian_core::linalg::join_global_pool()?; // this thread works in parallel products too
    anyhow::ensure!(args.fixed.len() == 3, "--fixed takes three widths n1,n2,n3");
    anyhow::ensure!(
        args.widths.len() >= 2,
        "--widths needs at least two values for a slope"
    );
    let start = Instant::now();
    eprintln!("matrix products: {}", jacobian_core::linalg::backend());
    if args.chunk.is_none() {
        let big = *args.widths.iter().max().expect("at least two widths");
        eprintln!(
            "note: at n = {big} the wide mode allocates a {big}×{big} f32 identity ({:.1} GB, \
             mostly untouched zero pages); --chunk K bounds it",
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
        let net = Network::<f32>::new(&widths)?;
        let x: Array1<f32> = random_input(n, 0);
        let z = x.slice(s![..args.fixed[2]]).to_owned();
        for (shape, prog, input) in [("F", net.trace_f(), &x), ("G", net.trace_g(), &z)] {
            let mut med = [0.0f64; 3];
            for (i, mode) in ["eval", "jacfwd", "jacrev"].into_iter().enumerate() {
                let job = |p: &Program<f32>| -> jacobian_core::Result<ArrayD<f32>> {
                    match (mode, args.chunk) {
                        ("eval", _) => p.call(input),
                        ("jacfwd", None) => jacfwd(p, input),
                        ("jacfwd", Some(k)) => jacfwd_chunked(p, input, k),
                        ("jacrev", None) => jacrev(p, input),
                        (_, Some(k)) => jacrev_chunked(p, input, k),
                        _ => jacrev(p, input),
                    }
                };
                eprintln!(
                    "[{:>7.2} s] {mode}({shape}), n = {n}: warm-up + {} runs",
                    start.elapsed().as_secs_f64(),
                    args.runs
                );
                job(&prog)?; // warm-up, and errors surface here
                let t = Timing::measure(args.runs, || job(&prog).expect("ran once already"));
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
