//! `peak`: this machine's f32 multiply–add peak, the ceiling on every matrix product here.
//!
//! `jacobian_core::linalg::peak_gflops`: each rayon thread runs independent fused multiply–adds on
//! registers (no memory traffic) with the widest vectors the CPU has (AVX-512 or AVX2). The rate of
//! the best of `--runs` runs, in GFLOP/s (one multiply–add = 2 FLOP), is printed as one JSON
//! object. A dense `m × k × n` product cannot take less than `2·m·k·n / peak` seconds:
//! `scripts/compare_jax.py` uses this to show how close the dense Jacobians (jacfwd(F),
//! jacrev(G)) and XLA's come to the hardware.

use anyhow::{bail, Result};
use clap::Parser;
use jacobian_core::linalg::peak_gflops;

#[derive(Parser, Debug)]
#[command(about = "The f32 multiply–add peak of this machine on all threads, as JSON")]
struct Args {
    /// Timed runs (the best is reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Iterations per thread and run, each 16 vector multiply–adds.
    #[arg(long, default_value_t = 50_000_000)]
    iters: u64,
}

fn main() -> Result<()> {
    let args = Args::parse();
    if args.runs == 0 || args.iters == 0 {
        bail!(
            "--runs and --iters must be at least 1 (given {} and {})",
            args.runs,
            args.iters
        );
    }
    let Some(peak) = peak_gflops(args.runs, args.iters) else {
        bail!("no AVX2+FMA or AVX-512 on this CPU: the peak is not measured here");
    };
    println!(
        "{{\"isa\": \"{}\", \"threads\": {}, \"gflops\": {:.1}}}",
        peak.isa, peak.threads, peak.gflops
    );
    Ok(())
}
