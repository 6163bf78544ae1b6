//! `peak`: this machine's f32 multiply–add ceiling, which no matrix product here can pass, as
//! one JSON object. A multiply–add counts as 2 FLOP; every rate is the best of several runs: on a
//! shared machine, the best run is the one where no other process took a core.
//!
//! - `register_gflops`: every thread of the rayon pool runs independent fused multiply–adds on
//!   registers (no memory traffic) with the widest vectors the CPU has (`isa`: AVX-512 or AVX2,
//!   detected at run time; `--avx2` keeps an AVX-512 machine on AVX2), in `--rounds` rounds of a
//!   few milliseconds. The loop keeps fewer accumulators than the CPU has vector registers: one
//!   spilled to memory would cap the loop below what a well-tiled product reaches.
//! - `product_gflops`: the rate of a large product through the library's public API: `jacfwd`
//!   of the linear program `x ↦ A x`, `A` of shape `--product M,N`, prepared once, so that each
//!   run multiplies `A` by the `N × N` identity (`2·M·N²` FLOP, the product of `jacfwd(F)`).
//! - `gflops`, the ceiling: the larger of the two. A dense `m × k × n` product cannot take less
//!   than `2·m·k·n / gflops` nanoseconds, on our side or on JAX's (`bench/compare_jax.py`
//!   reports each dense job's share of it).
//! - `read_gbs`: the rate at which the library's matrix–vector product (`A x`, evaluated) reads a
//!   `--read-mib` MiB matrix, larger than the caches: the ceiling of jobs that read a matrix
//!   once, such as evaluating `F`.

use std::time::Instant;

use anyhow::{bail, Result};
use clap::Parser;
use jacobian_core::ndarray::{Array1, Array2};
use jacobian_core::{Matrix, Program, Strategy};

#[derive(Parser, Debug)]
#[command(about = "The f32 multiply–add ceiling of this machine on all threads, as JSON")]
struct Args {
    /// Timed runs of the product and of the read (the best is reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Rounds of the register loop (the best is reported).
    #[arg(long, default_value_t = 500)]
    rounds: usize,
    /// Iterations of the register loop per thread and round, each one multiply–add per
    /// accumulator.
    #[arg(long, default_value_t = 1_000_000)]
    iters: u64,
    /// The shape M,N of A in the product through the library (A times the N×N identity).
    #[arg(long, value_delimiter = ',', default_value = "1000,5000")]
    product: Vec<usize>,
    /// MiB read per run for the read bandwidth (more than the caches hold).
    #[arg(long, default_value_t = 256)]
    read_mib: usize,
    /// Run the register loop on AVX2 even if the CPU has AVX-512 (a build of jacobian-core
    /// without its `avx512` feature keeps the products on AVX2 too).
    #[arg(long)]
    avx2: bool,
}

fn main() -> Result<()> {
    let args = Args::parse();
    bench::tune_process()?;
    let [m, n] = args.product[..] else {
        bail!("--product takes two sizes M,N (given {:?})", args.product);
    };
    if [args.runs, args.rounds, args.read_mib, m, n].contains(&0) || args.iters == 0 {
        bail!(
            "--runs, --rounds, --iters, --read-mib and both --product sizes must be at least 1 \
             (given {}, {}, {}, {} and {m},{n})",
            args.runs,
            args.rounds,
            args.iters,
            args.read_mib
        );
    }
    let (isa, threads, register) = match bench::peak::gflops(args.rounds, args.iters, args.avx2) {
        Some((isa, threads, g)) => (isa, threads, Some(g)),
        None => ("none", rayon::current_num_threads(), None),
    };
    let product = product_gflops(m, n, args.runs)?;
    let read = read_gbs(args.read_mib, args.runs)?;
    println!(
        "{{\"isa\": \"{isa}\", \"threads\": {threads}, \"register_gflops\": {}, \
         \"product_gflops\": {product:.1}, \"gflops\": {:.1}, \"read_gbs\": {read:.1}, \
         \"backend\": \"{}\"}}",
        register.map_or("null".into(), |g| format!("{g:.1}")),
        register.unwrap_or(0.0).max(product),
        jacobian_core::linalg::backend()
    );
    Ok(())
}

/// The best of `runs` seconds of `job` (after one untimed call).
fn best_seconds<R>(runs: usize, mut job: impl FnMut() -> Result<R>) -> Result<f64> {
    std::hint::black_box(job()?);
    let mut best = f64::INFINITY;
    for _ in 0..runs {
        let start = Instant::now();
        std::hint::black_box(job()?);
        best = best.min(start.elapsed().as_secs_f64());
    }
    Ok(best)
}

/// The program `x ↦ A x` for an `m × n` matrix `A` of ones.
fn linear(m: usize, n: usize) -> Result<Program<f32>> {
    let a = Matrix::new(Array2::<f32>::ones((m, n))).named("A");
    Ok(Program::trace(n, |x| a.dot(&x))?)
}

/// GFLOP/s of `jacfwd` of `x ↦ A x` (`A` is `m × n`), prepared once: `A · I`, `2·m·n²` FLOP.
fn product_gflops(m: usize, n: usize, runs: usize) -> Result<f64> {
    let x = Array1::<f32>::ones(n);
    let mut jac = linear(m, n)?.prepare().with_strategy(Strategy::Forward);
    let secs = best_seconds(runs, || Ok(jac.jacobian(&x)?))?;
    Ok(2.0 * (m * n) as f64 * n as f64 / secs / 1e9)
}

/// GB/s at which evaluating `x ↦ A x` reads a `mib` MiB matrix `A` of 16 KiB rows.
fn read_gbs(mib: usize, runs: usize) -> Result<f64> {
    const COLS: usize = 4096;
    let rows = (mib << 20) / 4 / COLS;
    let (f, x) = (linear(rows, COLS)?, Array1::<f32>::ones(COLS));
    let secs = best_seconds(runs, || Ok(f.call(&x)?))?;
    Ok((rows * COLS * 4) as f64 / secs / 1e9)
}
