//! `reproduce`: the original notebook's experiment in the terminal.
//!
//! Part (i) times `jacfwd(F)` and `jacrev(F)` on their first call, as the original printed them;
//! part (ii) the same for `G`; then a table of warm medians for evaluation and both modes.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use bench::timing::{pretty, Timing};
use clap::{Parser, ValueEnum};
use jacobian_core::{
    jacfwd, jacfwd_chunked, jacobian, jacobian_with, jacrev, jacrev_chunked, random_input, Network,
    Program, Real, Strategy,
};
use ndarray::{s, Array1, ArrayD};
use ndarray_npy::{ReadNpyExt, ReadableElement, WritableElement, WriteNpyExt};

#[derive(Parser, Debug)]
#[command(
    about = "Forward vs reverse mode on the original notebook's F: R^5000 -> R and G: R -> R^5000"
)]
struct Args {
    /// Layer widths n0,n1,n2,n3: F maps R^n0 to R^n3, G maps R^n3 to R^n0.
    #[arg(long, value_delimiter = ',', default_value = "5000,1000,30,1")]
    widths: Vec<usize>,
    /// Element type.
    #[arg(long, value_enum, default_value_t = Dtype::F32)]
    dtype: Dtype,
    /// Input vector (.npy, 1-D): its first n0 entries feed F, its first n3 feed G.
    /// Default: a standard-normal vector with seed 0.
    #[arg(long)]
    x: Option<PathBuf>,
    /// Write the four Jacobians (and the inputs) as .npy files into this directory.
    #[arg(long)]
    save: Option<PathBuf>,
    /// Basis directions per pass for jacfwd and jacrev (default: all at once, as JAX does).
    #[arg(long)]
    chunk: Option<usize>,
    /// Warm runs per job for the median table.
    #[arg(long, default_value_t = 7)]
    runs: usize,
    /// Keep timing a job after its --runs runs while its runs total less than this many
    /// seconds: hundreds of runs for a sub-millisecond job, none more for a slow one. A median
    /// over a longer window moves less with the machine's load.
    #[arg(long, default_value_t = 0.0)]
    min_seconds: f64,
    /// Also write the first-call and warm times (seconds) as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Dtype {
    F32,
    F64,
}

fn main() -> Result<()> {
    let args = Args::parse();
    bench::tune_process()?; // as XLA's runtime sets up JAX's process
    match args.dtype {
        Dtype::F32 => run::<f32>(&args),
        Dtype::F64 => run::<f64>(&args),
    }
}

/// `--min-seconds` as a duration.
fn min_seconds(s: f64) -> Result<Duration> {
    Duration::try_from_secs_f64(s)
        .with_context(|| format!("--min-seconds must be a finite number ≥ 0, got {s}"))
}

/// Prints a progress line to stderr, so that stdout holds only the results.
fn progress(start: Instant, what: &str) {
    eprintln!("[{:>7.2} s] {what}", start.elapsed().as_secs_f64());
}

/// One timed job of the warm table.
type Job<'a, T> = Box<dyn Fn() -> jacobian_core::Result<ArrayD<T>> + 'a>;

fn run<T>(args: &Args) -> Result<()>
where
    T: Real + ReadableElement + WritableElement,
    jacobian_core::ndarray_rand::rand_distr::StandardNormal:
        jacobian_core::ndarray_rand::rand_distr::Distribution<T>,
{
    let start = Instant::now();
    let at_least = min_seconds(args.min_seconds)?;
    progress(
        start,
        &format!("building the {:?} network in {}", args.widths, T::NAME),
    );
    let net = Network::<T>::new(&args.widths)?;
    let [n0, _, _, n3] = net.widths();
    let x = match &args.x {
        Some(path) => read_input::<T>(path, n0.max(n3))?,
        None => random_input::<T>(n0, 0),
    };
    let (xf, xg) = (x.slice(s![..n0]).to_owned(), x.slice(s![..n3]).to_owned());

    let jac = |fwd: bool, prog: &Program<T>, x: &Array1<T>| -> jacobian_core::Result<ArrayD<T>> {
        match (fwd, args.chunk) {
            (true, None) => jacfwd(prog, x),
            (true, Some(k)) => jacfwd_chunked(prog, x, k),
            (false, None) => jacrev(prog, x),
            (false, Some(k)) => jacrev_chunked(prog, x, k),
        }
    };
    // First calls, as the original timed them: tracing included.
    let mut record = Vec::new(); // (job, "first", "warm_median" or "ratio", value), for --json
    let mut first = |label: &str,
                     fwd: bool,
                     trace: &dyn Fn() -> Program<T>,
                     x: &Array1<T>|
     -> Result<ArrayD<T>> {
        progress(start, &format!("{label}: first call"));
        let t = Instant::now();
        let j = jac(fwd, &trace(), x)?;
        let secs = t.elapsed().as_secs_f64();
        println!("{} time: {secs}", if fwd { "Forward" } else { "Reverse" });
        record.push((label.to_string(), "first", secs));
        Ok(j)
    };

    eprintln!("matrix products: {}", jacobian_core::linalg::backend());
    println!("# Part (i): F: R^{n0} -> R^{n3} ({})", T::NAME);
    let jf_fwd = first("jacfwd(F)", true, &|| net.trace_f(), &xf)?;
    let jf_rev = first("jacrev(F)", false, &|| net.trace_f(), &xf)?;
    println!("\n# Part (ii): G: R^{n3} -> R^{n0} ({})", T::NAME);
    let jg_fwd = first("jacfwd(G)", true, &|| net.trace_g(), &xg)?;
    let jg_rev = first("jacrev(G)", false, &|| net.trace_g(), &xg)?;
    println!(
        "\nmax |jacfwd - jacrev|: F {:.3e}, G {:.3e}",
        max_diff(&jf_fwd, &jf_rev),
        max_diff(&jg_fwd, &jg_rev)
    );

    if let Some(dir) = &args.save {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for (name, a) in [
            ("jacfwd_f", &jf_fwd),
            ("jacrev_f", &jf_rev),
            ("jacfwd_g", &jg_fwd),
            ("jacrev_g", &jg_rev),
        ] {
            save(&dir.join(format!("{name}.npy")), a)?;
        }
        save(&dir.join("x.npy"), &xf.clone().into_dyn())?;
        save(&dir.join("z.npy"), &xg.clone().into_dyn())?;
        println!(
            "saved the Jacobians and inputs as .npy in {}",
            dir.display()
        );
    }

    println!(
        "\n# Warm times, {} runs each{} (median, min … max); multiply–adds from the shapes",
        args.runs,
        if args.min_seconds > 0.0 {
            format!(", more while within {} s", args.min_seconds)
        } else {
            String::new()
        }
    );
    println!("{:<36} {:<44} {:>16}", "job", "time", "multiply–adds");
    for (name, prog, x) in [("F", net.trace_f(), &xf), ("G", net.trace_g(), &xg)] {
        let plan = prog.plan();
        let cost = plan.cost;
        let jobs: [(&str, u64, Job<'_, T>); 6] = [
            ("eval", cost.eval, Box::new(|| prog.call(x))),
            ("jacfwd", cost.jacfwd, Box::new(|| jac(true, &prog, x))),
            ("jacrev", cost.jacrev, Box::new(|| jac(false, &prog, x))),
            (
                "jacfwd structured",
                cost.jacfwd_structured,
                Box::new(|| jacobian_with(Strategy::StructuredForward, &prog, x)),
            ),
            (
                "jacrev structured",
                cost.jacrev_structured,
                Box::new(|| jacobian_with(Strategy::StructuredReverse, &prog, x)),
            ),
            (
                "jacobian",
                cost.madds(plan.strategy),
                Box::new(|| jacobian(&prog, x).map(|(j, _)| j)),
            ),
        ];
        for (job, madds, f) in jobs {
            progress(start, &format!("{job}({name}): {} warm runs", args.runs));
            // Errors surface here, not inside the timing loop. A short job then runs a few more
            // times untimed: after the job before it, its data is out of cache and its first runs
            // are noticeably slower, which would bias the comparison of short jobs.
            let t = Instant::now();
            f()?;
            if t.elapsed().as_secs_f64() < 0.05 {
                for _ in 0..5 {
                    f()?;
                }
            }
            let t = Timing::measure_for(args.runs, at_least, &f);
            println!(
                "{:<36} {:<44} {:>16}",
                format!("{job}({name})"),
                t.to_string(),
                madds
            );
            record.push((
                format!("{job}({name})"),
                "warm_median",
                t.median().as_secs_f64(),
            ));
        }
        println!("  jacobian({name}) ran {}", plan.reason());
        // jacobian() against the faster textbook mode, alternating the two (they read the same
        // matrices), so that load bursts and cache state hit both alike.
        let textbook_fwd = cost.jacfwd <= cost.jacrev;
        let mut pair: [Job<'_, T>; 2] = [
            Box::new(|| jac(textbook_fwd, &prog, x)),
            Box::new(|| jacobian(&prog, x).map(|(j, _)| j)),
        ];
        let ab = Timing::measure_interleaved(5 * args.runs, &mut pair);
        let ratio = ab[1].median().as_secs_f64() / ab[0].median().as_secs_f64();
        let mode = if textbook_fwd { "jacfwd" } else { "jacrev" };
        println!(
            "  alternating {} runs: jacobian({name}) {} vs {mode}({name}) {}: ratio {ratio:.2}",
            5 * args.runs,
            pretty(ab[1].median()),
            pretty(ab[0].median())
        );
        record.push((
            format!("jacobian/{mode}({name}) alternating"),
            "ratio",
            ratio,
        ));
    }
    progress(start, &format!("done in {}", pretty(start.elapsed())));
    if let Some(path) = &args.json {
        let rows: Vec<String> = record
            .iter()
            .map(|(job, kind, secs)| {
                let key = if *kind == "ratio" { "value" } else { "seconds" };
                format!("  {{\"job\": \"{job}\", \"kind\": \"{kind}\", \"{key}\": {secs:e}}}")
            })
            .collect();
        let text = format!(
            "{{\"dtype\": \"{}\", \"widths\": {:?}, \"runs\": {}, \"backend\": \"{}\", \"total_seconds\": {:e},\n\"results\": [\n{}\n]}}\n",
            T::NAME,
            net.widths(),
            args.runs,
            jacobian_core::linalg::backend(),
            start.elapsed().as_secs_f64(),
            rows.join(",\n")
        );
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

fn read_input<T: Real + ReadableElement>(path: &Path, needed: usize) -> Result<Array1<T>> {
    let file = || std::fs::File::open(path).with_context(|| format!("opening {}", path.display()));
    let x = match Array1::<T>::read_npy(file()?) {
        Ok(x) => x,
        // Accept the other float type too, converted.
        Err(_) => match Array1::<f64>::read_npy(file()?) {
            Ok(x) => x.mapv(T::lit),
            Err(_) => Array1::<f32>::read_npy(file()?)
                .with_context(|| {
                    format!(
                        "{}: expected a 1-D float32 or float64 .npy array",
                        path.display()
                    )
                })?
                .mapv(|v| T::lit(v as f64)),
        },
    };
    if x.len() < needed {
        bail!(
            "{}: has {} entries, but the widths need at least {needed}",
            path.display(),
            x.len()
        );
    }
    Ok(x)
}

fn save<T: Real + WritableElement>(path: &Path, a: &ArrayD<T>) -> Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    a.write_npy(std::io::BufWriter::new(file))
        .with_context(|| format!("writing {}", path.display()))
}

fn max_diff<T: Real>(a: &ArrayD<T>, b: &ArrayD<T>) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x.to_f64_lossy() - y.to_f64_lossy()).abs())
        .fold(0.0, f64::max)
}
