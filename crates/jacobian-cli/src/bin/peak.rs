//! `peak`: this machine's f32 multiply–add peak, the ceiling on every matrix product here.
//!
//! Each rayon thread runs independent fused multiply–adds on registers (no memory traffic) with the
//! widest vectors the CPU has (AVX-512 or AVX2). The rate of the best of `--runs` runs, in GFLOP/s
//! (one multiply–add = 2 FLOP), is printed as one JSON object. A dense `m × k × n` product cannot
//! take less than `2·m·k·n / peak` seconds: `scripts/compare_jax.py` uses this to show how close
//! the dense Jacobians (jacfwd(F), jacrev(G)) and XLA's come to the hardware.

use std::time::Instant;

use anyhow::{bail, Result};
use clap::Parser;

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

/// Independent accumulators: enough to cover the latency of two FMA pipes on current cores.
const ACC: usize = 16;

#[cfg(target_arch = "x86_64")]
mod kernels {
    use super::ACC;
    use std::arch::x86_64::*;

    /// `iters × ACC` AVX-512 multiply–adds of 16 lanes; returns a value so nothing is elided.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn fma512(iters: u64) -> f32 {
        let (a, b) = (_mm512_set1_ps(0.999_999), _mm512_set1_ps(1e-7));
        let mut acc = [_mm512_set1_ps(1.0); ACC];
        for _ in 0..iters {
            for v in acc.iter_mut() {
                *v = _mm512_fmadd_ps(*v, a, b);
            }
        }
        acc.iter().map(|&v| _mm512_reduce_add_ps(v)).sum()
    }

    /// The same with AVX2 (8 lanes).
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn fma256(iters: u64) -> f32 {
        let (a, b) = (_mm256_set1_ps(0.999_999), _mm256_set1_ps(1e-7));
        let mut acc = [_mm256_set1_ps(1.0); ACC];
        for _ in 0..iters {
            for v in acc.iter_mut() {
                *v = _mm256_fmadd_ps(*v, a, b);
            }
        }
        let mut lanes = [0f32; 8];
        acc.iter()
            .map(|&v| {
                _mm256_storeu_ps(lanes.as_mut_ptr(), v);
                lanes.iter().sum::<f32>()
            })
            .sum()
    }
}

/// A register-only multiply–add loop: its instruction set, its f32 lanes, and the loop.
type Kernel = (&'static str, u64, fn(u64) -> f32);

/// The widest vector kernel this CPU runs.
fn kernel() -> Option<Kernel> {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F, checked just above.
            return Some(("avx512", 16, |n| unsafe { kernels::fma512(n) }));
        }
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has AVX2 and FMA, checked just above.
            return Some(("avx2+fma", 8, |n| unsafe { kernels::fma256(n) }));
        }
    }
    None
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
    let Some((isa, lanes, fma)) = kernel() else {
        bail!("no AVX2+FMA or AVX-512 on this CPU: the peak is not measured here");
    };
    let threads = rayon::current_num_threads();
    let mut best = f64::INFINITY;
    for _ in 0..args.runs {
        let t = Instant::now();
        let sums: Vec<f32> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads).map(|_| s.spawn(|| fma(args.iters))).collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("kernel thread"))
                .collect()
        });
        std::hint::black_box(sums);
        best = best.min(t.elapsed().as_secs_f64());
    }
    let flop = 2.0 * (threads as u64 * args.iters * ACC as u64 * lanes) as f64;
    println!(
        "{{\"isa\": \"{isa}\", \"threads\": {threads}, \"gflops\": {:.1}, \"best_s\": {best:e}}}",
        flop / best / 1e9
    );
    Ok(())
}
