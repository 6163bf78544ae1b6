//! This machine's f32 multiply–add peak on registers: independent fused multiply–adds on every
//! thread of rayon's pool, no memory traffic. The `peak` program reports the larger of this and
//! the best large product through the library, a ceiling no matrix product here can pass.
/// `(isa, threads, GFLOP/s)`: the best of `rounds` rounds of `iters` iterations on every
/// thread, on AVX-512 if the CPU has it and `avx2` is false, else on AVX2 with FMA; `None`
/// without either. A round starts all threads at a barrier and ends when the last is done.
pub fn gflops(rounds: usize, iters: u64, avx2: bool) -> Option<(&'static str, usize, f64)> {
    #[cfg(target_arch = "x86_64")]
    {
        // FLOP per iteration: 2 per lane and accumulator.
        let (isa, flop, fma): (_, u64, fn(u64) -> f32) =
            if !avx2 && is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU has AVX-512F, checked just above.
                ("avx512", 2 * 16 * x86::ACC512 as u64, |n| unsafe {
                    x86::fma512(n)
                })
            } else if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                // SAFETY: the CPU has AVX2 and FMA, checked just above.
                ("avx2+fma", 2 * 8 * x86::ACC256 as u64, |n| unsafe {
                    x86::fma256(n)
                })
            } else {
                return None;
            };
        let threads = rayon::current_num_threads();
        let barrier = std::sync::Barrier::new(threads + 1);
        let mut best = f64::INFINITY;
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    for _ in 0..rounds {
                        barrier.wait();
                        std::hint::black_box(fma(iters));
                        barrier.wait();
                    }
                });
            }
            for _ in 0..rounds {
                // The clock starts before the threads can: a round is never undercounted,
                // even if this thread wakes late from the barrier.
                let start = std::time::Instant::now();
                barrier.wait();
                barrier.wait();
                best = best.min(start.elapsed().as_secs_f64());
            }
        });
        return Some((
            isa,
            threads,
            (threads as u64 * iters * flop) as f64 / best / 1e9,
        ));
    }
    #[allow(unreachable_code)]
    {
        let _ = (rounds, iters, avx2);
        None
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// Accumulators of the AVX-512 loop: enough to cover two FMA pipes' latency, and with
    /// the two constants well within the 32 vector registers.
    pub const ACC512: usize = 16;
    /// Accumulators of the AVX2 loop: 12 plus the two constants fit the 16 vector registers
    /// (16 accumulators would not, and the spills would slow the loop below a good product).
    pub const ACC256: usize = 12;

    /// `unsafe fn $name(iters) -> f32`: `iters × $acc` vector multiply–adds on registers with
    /// the instructions of `$features`; returns the sum of the lanes so that nothing is elided.
    macro_rules! register_loop {
        ($name:ident, $features:literal, $acc:expr, $set1:ident, $fmadd:ident, $vector:ty) => {
            #[target_feature(enable = $features)]
            pub unsafe fn $name(iters: u64) -> f32 {
                let (a, b) = ($set1(0.999_999), $set1(1e-7));
                let mut acc = [$set1(1.0); $acc];
                for _ in 0..iters {
                    for v in acc.iter_mut() {
                        *v = $fmadd(*v, a, b);
                    }
                }
                let lanes = std::mem::size_of::<$vector>() / 4;
                // SAFETY: a vector of f32 lanes is that many f32s.
                let all: &[f32] =
                    unsafe { std::slice::from_raw_parts(acc.as_ptr().cast(), $acc * lanes) };
                all.iter().sum()
            }
        };
    }
    register_loop!(
        fma512,
        "avx512f",
        ACC512,
        _mm512_set1_ps,
        _mm512_fmadd_ps,
        __m512
    );
    register_loop!(
        fma256,
        "avx2,fma",
        ACC256,
        _mm256_set1_ps,
        _mm256_fmadd_ps,
        __m256
    );
}
