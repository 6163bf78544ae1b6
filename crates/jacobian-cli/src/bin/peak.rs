//! `peak`: this machine's f32 multiply–add peak, the ceiling on every matrix product here.
//!
//! `jacobian_core::linalg::peak_gflops`: each rayon thread runs independent fused multiply–adds on
//! registers (no memory traffic) with the widest vectors the CPU has (AVX-512 or AVX2). The rate of
//! the best of `--runs` runs, in GFLOP/s (one multiply–add = 2 FLOP), is printed as one JSON
//! object. A dense `m × k × n` product cannot take less than `2·m·k·n / peak` seconds:
//! `scripts/compare_jax.py` uses this to show how close the dense Jacobians (jacfwd(F),
//! jacrev(G)) and XLA's come to the hardware.
//!
//! It also prints the rate at which the matrix–vector product reads a matrix larger than the
//! caches (`read_gbs`, best of `--runs`): the other ceiling, for jobs that read a matrix once. Other
//! tenants of a host can take memory bandwidth and cache without slowing the cores'
//! multiply–adds, so the comparison samples both.

use anyhow::{bail, Result};
use clap::Parser;
use jacobian_core::linalg::{matvec_f32, peak_gflops};
use jacobian_core::ndarray::{Array1, Array2};
use std::time::Instant;

#[derive(Parser, Debug)]
#[command(about = "The f32 multiply–add peak of this machine on all threads, as JSON")]
struct Args {
    /// Timed runs (the best is reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Iterations per thread and run, each 16 vector multiply–adds.
    #[arg(long, default_value_t = 50_000_000)]
    iters: u64,
    /// MiB read per run for the read bandwidth (more than the caches hold).
    #[arg(long, default_value_t = 256)]
    read_mib: usize,
}

/// GB/s at which the library's matrix–vector product (all threads, SIMD) reads a `mib` MiB
/// matrix of 16 KiB rows: best of `runs`.
fn read_gbs(mib: usize, runs: usize) -> f64 {
    const COLS: usize = 4096;
    let a = Array2::<f32>::ones((mib * (1 << 20) / 4 / COLS, COLS));
    let (x, mut y) = (Array1::ones(COLS), Array1::zeros(a.nrows()));
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            matvec_f32(a.view(), x.view(), y.view_mut());
            (a.len() * 4) as f64 / start.elapsed().as_secs_f64() / 1e9
        })
        .fold(0.0, f64::max)
}

fn main() -> Result<()> {
    let args = Args::parse();
    if args.runs == 0 || args.iters == 0 || args.read_mib == 0 {
        bail!(
            "--runs, --iters and --read-mib must be at least 1 (given {}, {} and {})",
            args.runs,
            args.iters,
            args.read_mib
        );
    }
    let Some(peak) = peak_gflops(args.runs, args.iters) else {
        bail!("no AVX2+FMA or AVX-512 on this CPU: the peak is not measured here");
    };
    let gbs = read_gbs(args.read_mib, args.runs);
    println!(
        "{{\"isa\": \"{}\", \"threads\": {}, \"gflops\": {:.1}, \"read_gbs\": {gbs:.1}}}",
        peak.isa, peak.threads, peak.gflops
    );
    Ok(())
}
