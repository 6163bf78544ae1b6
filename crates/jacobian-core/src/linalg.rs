//! The matrix product, made fast. Not needed to understand automatic differentiation: every
//! primitive calls [`Real::gemm`](crate::Real::gemm), which lands here.
//!
//! Which kernel a machine uses is chosen at run time:
//! - x86-64 with AVX-512 (F, VL, DQ): for long f32 products, the full-depth tiles of [`panels`]
//!   (jacfwd(F)'s and jacrev(G)'s 50 GFLOP products); for the rest, the AVX-512 kernels of
//!   `private-gemm-x86` (the engine inside `faer`); on all cores of the rayon pool, a long product
//!   in blocks handed out as threads come free;
//! - x86-64 with AVX2 and FMA: the AVX2 kernels of the same crate;
//! - matrix–vector products, at any size: the SIMD kernels below, bound by reading the matrix;
//! - anything else, or small products: `ndarray`'s own product (`matrixmultiply`).
//!
//! [`backend`] names the choice; `JACOBIAN_GEMM=portable` forces the portable path, and
//! `RAYON_NUM_THREADS` bounds the threads. [`peak_gflops`] measures the ceiling they work under:
//! the machine's multiply–add peak.

use ndarray::{ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2, Axis};
use rayon::prelude::*;

#[cfg(target_arch = "x86_64")]
mod panels;

/// Below this many multiply–adds a product stays on one thread.
const PARALLEL_MIN: usize = 1 << 22;
/// Below this many multiply–adds `matrixmultiply` is as fast (no kernel set-up to amortise).
const SMALL: usize = 32 * 32 * 32;
/// Blocks of a long product (see `gemm_f32`): a multiple of every kernel's panel (96, 48, 24, 12).
const BLOCK: usize = 96;
/// Cut a product into blocks only if each thread gets at least this many: enough to even out.
const BLOCKS_PER_THREAD: usize = 8;

/// The SIMD level every kernel here uses, detected once: 2 for AVX-512 (F, VL and DQ, which the
/// product kernels use) with FMA, 1 for AVX2 with FMA, 0 for the portable path (other CPUs, or
/// `JACOBIAN_GEMM=portable`). `JACOBIAN_GEMM=avx2` keeps an AVX-512 machine on the AVX2 kernels
/// (the tests run every family this way).
fn simd_level() -> u8 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::sync::OnceLock;
        static LEVEL: OnceLock<u8> = OnceLock::new();
        return *LEVEL.get_or_init(|| {
            // The product kernels' pool (spindle) busy-waits between products by default, which
            // takes the cores from the rayon threads that run everything else: let it sleep.
            spindle::SPIN_LIMIT.store(0, std::sync::atomic::Ordering::Relaxed);
            let asked = std::env::var("JACOBIAN_GEMM").unwrap_or_default();
            if asked == "portable" {
                0
            } else if asked != "avx2"
                && is_x86_feature_detected!("avx512f")
                && is_x86_feature_detected!("avx512vl")
                && is_x86_feature_detected!("avx512dq")
                && is_x86_feature_detected!("fma")
            {
                2
            } else if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                1
            } else {
                0
            }
        });
    }
    #[allow(unreachable_code)]
    0
}

#[cfg(target_arch = "x86_64")]
fn instruction_set() -> Option<private_gemm_x86::InstrSet> {
    match simd_level() {
        2 => Some(private_gemm_x86::InstrSet::Avx512),
        1 => Some(private_gemm_x86::InstrSet::Avx256),
        _ => None,
    }
}

/// The kernel family large products use on this machine, e.g. `"avx512 (private-gemm-x86), 2 threads"`.
pub fn backend() -> String {
    let threads = match rayon::current_num_threads() {
        1 => "1 thread".to_string(),
        n => format!("{n} threads"),
    };
    #[cfg(target_arch = "x86_64")]
    match instruction_set() {
        Some(private_gemm_x86::InstrSet::Avx512) => {
            return format!(
                "avx512 (long f32 products: full-depth tiles; others: private-gemm-x86), {threads}"
            )
        }
        Some(private_gemm_x86::InstrSet::Avx256) => {
            return format!("avx2+fma (private-gemm-x86), {threads}")
        }
        None => {}
    }
    "portable (matrixmultiply), 1 thread".to_string()
}

/// Makes the calling thread one of the threads of rayon's global pool, which keeps one thread per
/// core, this one included. For programs: call it first thing in `main`.
///
/// A parallel product started from a thread outside the pool is handed to the pool whole, and
/// the caller sleeps until a pool thread wakes it again: two thread wake-ups in every product,
/// about 20% of `A1 x` (1000×5000) here. From inside the pool, the caller does its share and
/// only one other core is woken. The library never calls it: only a program knows that its
/// thread will stay to do the pool's work (this thread runs pool jobs only while it waits in one).
///
/// # Errors
/// If the global pool already exists: built by an earlier call, or by earlier parallel work.
pub fn join_global_pool() -> Result<(), rayon::ThreadPoolBuildError> {
    rayon::ThreadPoolBuilder::new()
        .use_current_thread()
        .build_global()
}

/// This machine's f32 multiply–add peak on every thread of the rayon pool: the ceiling of any
/// matrix product here (see [`peak_gflops`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Peak {
    /// The vector instructions used: `"avx512"` or `"avx2+fma"`.
    pub isa: &'static str,
    /// Threads that ran the kernel at once.
    pub threads: usize,
    /// Billions of floating-point operations per second (a multiply–add counts as two).
    pub gflops: f64,
}

/// Independent accumulators of the peak kernel: enough to cover two FMA pipes' latency.
const PEAK_ACC: usize = 16;

#[cfg(target_arch = "x86_64")]
mod peak_kernels {
    use super::PEAK_ACC;
    use std::arch::x86_64::*;

    /// `iters × PEAK_ACC` AVX-512 multiply–adds of 16 lanes on registers; returns a value so that
    /// nothing is elided.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn fma512(iters: u64) -> f32 {
        let (a, b) = (_mm512_set1_ps(0.999_999), _mm512_set1_ps(1e-7));
        let mut acc = [_mm512_set1_ps(1.0); PEAK_ACC];
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
        let mut acc = [_mm256_set1_ps(1.0); PEAK_ACC];
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

/// Measures the f32 multiply–add peak: each rayon thread runs `iters × 16` vector fused
/// multiply–adds on registers (no memory traffic) with the widest vectors the CPU has; the best
/// of `runs` runs (at least one) is reported. `None` on CPUs without AVX2 and FMA, where no
/// kernel here measures it. A dense `m × k × n` product cannot take less than
/// `2·m·k·n / gflops` nanoseconds.
pub fn peak_gflops(runs: usize, iters: u64) -> Option<Peak> {
    #[cfg(target_arch = "x86_64")]
    {
        let (isa, lanes, fma): (&'static str, u64, fn(u64) -> f32) =
            if is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU has AVX-512F, checked just above.
                ("avx512", 16, |n| unsafe { peak_kernels::fma512(n) })
            } else if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                // SAFETY: the CPU has AVX2 and FMA, checked just above.
                ("avx2+fma", 8, |n| unsafe { peak_kernels::fma256(n) })
            } else {
                return None;
            };
        let threads = rayon::current_num_threads();
        let best = (0..runs.max(1))
            .map(|_| {
                let start = std::time::Instant::now();
                std::thread::scope(|s| {
                    let handles: Vec<_> = (0..threads).map(|_| s.spawn(|| fma(iters))).collect();
                    for h in handles {
                        std::hint::black_box(h.join().expect("peak kernel thread"));
                    }
                });
                start.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min);
        let flop = 2.0 * (threads as u64 * iters * PEAK_ACC as u64 * lanes) as f64;
        return Some(Peak {
            isa,
            threads,
            gflops: flop / best / 1e9,
        });
    }
    #[allow(unreachable_code)]
    {
        let _ = (runs, iters, PEAK_ACC);
        None
    }
}

/// The threads a product of `work` multiply–adds runs on.
fn threads_for(work: usize) -> usize {
    if work < PARALLEL_MIN {
        1
    } else {
        rayon::current_num_threads()
    }
}

/// Whether a product on `threads` threads is cut into blocks along an axis of its result this
/// long (see `gemm_f32`).
fn cut(long: usize, threads: usize) -> bool {
    threads > 1 && long >= BLOCKS_PER_THREAD * threads * BLOCK
}

/// Whether the product `(m × k) · (k × n)` runs faster into a column-major result: when only its
/// rows are long enough to be cut into blocks (see `gemm_f32`), as in jacrev(G)'s `I · A1ᵀ`
/// (5000×1000), which the full-depth tiles then run as `A1 · Iᵀ` into a row-major `Cᵀ`, packing
/// the smaller `A1`. The structured products allocate their results accordingly.
pub(crate) fn prefers_column_major(m: usize, k: usize, n: usize) -> bool {
    let threads = threads_for(m.saturating_mul(k).saturating_mul(n));
    simd_level() > 0 && cut(m, threads) && !cut(n, threads)
}

/// Runs `c = alpha · a · b + beta · c` on the full-depth tiles of [`panels`] if this machine has
/// AVX-512 and the product suits them, in whichever orientation does (a column-major `c` as
/// `cᵀ = bᵀ · aᵀ`); false if it did not run.
#[cfg(target_arch = "x86_64")]
fn panels_f32(
    alpha: f32,
    a: ArrayView2<f32>,
    b: ArrayView2<f32>,
    beta: f32,
    c: ArrayViewMut2<f32>,
    threads: usize,
) -> bool {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    // Small products stay on private-gemm-x86: packing all of A would not pay for itself.
    if simd_level() < 2 || m.saturating_mul(k).saturating_mul(n) < PARALLEL_MIN {
        return false;
    }
    if c.strides()[1] == 1 && panels::suits(m, k, n, threads) {
        panels::gemm(alpha, a, b, beta, c);
    } else if c.strides()[0] == 1 && panels::suits(n, k, m, threads) {
        panels::gemm(alpha, b.t(), a.t(), beta, c.reversed_axes());
    } else {
        return false;
    }
    true
}

/// f64 products always go to `private-gemm-x86`.
#[cfg(target_arch = "x86_64")]
fn panels_f64(
    _: f64,
    _: ArrayView2<f64>,
    _: ArrayView2<f64>,
    _: f64,
    _: ArrayViewMut2<f64>,
    _: usize,
) -> bool {
    false
}

macro_rules! gemm_impl {
    ($name:ident, $t:ty, $dtype:ident, $mv:ident, $vm:ident, $panels:ident) => {
        /// `c = alpha · a · b + beta · c` for any strides.
        ///
        /// # Panics
        /// If the shapes do not chain.
        pub fn $name(
            alpha: $t,
            a: ArrayView2<$t>,
            b: ArrayView2<$t>,
            beta: $t,
            mut c: ArrayViewMut2<$t>,
        ) {
            let ((m, k), (k2, n)) = (a.dim(), b.dim());
            assert!(
                k == k2 && c.dim() == (m, n),
                "gemm: a is {m}×{k}, b is {k2}×{n}, c is {:?}",
                c.dim()
            );
            let work = m.saturating_mul(n).saturating_mul(k);
            // Matrix–vector products are bound by reading the matrix: dedicated kernels, at
            // every size (matrixmultiply packs A first: 12.8 µs for the 30×1000 A2, against 1.5).
            if alpha == 1.0 && beta == 0.0 {
                if n == 1 {
                    return $mv(a, b.column(0), c.column_mut(0));
                }
                if m == 1 {
                    return $vm(a.row(0), b, c.row_mut(0));
                }
            }
            #[cfg(target_arch = "x86_64")]
            if work >= SMALL {
                if let Some(instr) = instruction_set() {
                    // The kernels take non-negative strides for c and a's columns: flip axes as needed.
                    let (mut a, mut b) = (a, b);
                    if c.strides()[0] < 0 {
                        c.invert_axis(Axis(0));
                        a.invert_axis(Axis(0));
                    }
                    if c.strides()[1] < 0 {
                        c.invert_axis(Axis(1));
                        b.invert_axis(Axis(1));
                    }
                    if a.strides()[1] < 0 {
                        a.invert_axis(Axis(1));
                        b.invert_axis(Axis(0));
                    }
                    let threads = threads_for(work);
                    if $panels(alpha, a, b, beta, c.view_mut(), threads) {
                        return;
                    }
                    let accum = if beta == 0.0 {
                        private_gemm_x86::Accum::Replace
                    } else {
                        if beta != 1.0 {
                            c.mapv_inplace(|v| v * beta);
                        }
                        private_gemm_x86::Accum::Add
                    };
                    let product = |a: ArrayView2<$t>,
                                   b: ArrayView2<$t>,
                                   mut c: ArrayViewMut2<$t>,
                                   threads| {
                        let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
                        let (sa, sb, sc) = (
                            a.strides().to_vec(),
                            b.strides().to_vec(),
                            c.strides().to_vec(),
                        );
                        // SAFETY: the pointers are element [0, 0] of views whose strides (in elements)
                        // address only their own data; c is a unique borrow, so it aliases neither a nor b;
                        // the shapes chain (checked above, kept by the blocks below).
                        unsafe {
                            private_gemm_x86::gemm(
                                private_gemm_x86::DType::$dtype,
                                private_gemm_x86::IType::U64,
                                instr,
                                m,
                                n,
                                k,
                                c.as_mut_ptr() as *mut (),
                                sc[0],
                                sc[1],
                                std::ptr::null(),
                                std::ptr::null(),
                                private_gemm_x86::DstKind::Full,
                                accum,
                                a.as_ptr() as *const (),
                                sa[0],
                                sa[1],
                                false,
                                std::ptr::null(),
                                0,
                                b.as_ptr() as *const (),
                                sb[0],
                                sb[1],
                                false,
                                &alpha as *const $t as *const (),
                                threads,
                            );
                        }
                    };
                    // The kernels fill C in panels along its contiguous axis (96 entries for f32 with
                    // AVX-512), and split a product between threads in fixed shares: a core that
                    // another process takes for a while holds the whole product back. A product
                    // long enough along that axis is cut there into blocks of 96, one thread each,
                    // handed out as threads come free (A1 · I, before the full-depth tiles took it
                    // over: 0.87–0.98 of the time here).
                    let along_columns = c.strides()[1] <= c.strides()[0];
                    if cut(if along_columns { n } else { m }, threads) {
                        // Blocks of C's columns; for a column-major C, of Cᵀ = Bᵀ · Aᵀ's columns.
                        let (a, b, mut c) = if along_columns {
                            (a.view(), b.view(), c.view_mut())
                        } else {
                            (b.t(), a.t(), c.view_mut().reversed_axes())
                        };
                        c.axis_chunks_iter_mut(Axis(1), BLOCK)
                            .into_par_iter()
                            .zip(b.axis_chunks_iter(Axis(1), BLOCK))
                            .with_max_len(1)
                            .for_each(|(c, b)| product(a, b, c, 1));
                    } else {
                        product(a, b, c, threads);
                    }
                    return;
                }
            }
            let _ = work;
            ndarray::linalg::general_mat_mul(alpha, &a, &b, beta, &mut c);
        }
    };
}
gemm_impl!(gemm_f32, f32, F32, matvec_f32, vecmat_f32, panels_f32);
gemm_impl!(gemm_f64, f64, F64, matvec_f64, vecmat_f64, panels_f64);

// ---------- matvec / vecmat: runtime-dispatched SIMD kernels + rayon ----------
// dot(a, x) and y += alpha * a; compiled three times (avx512f / avx2+fma / baseline)
// and picked at run time. 16/32 independent accumulators let LLVM vectorise the
// reduction without -ffast-math.
macro_rules! simd_kernels {
    ($t:ty, $modname:ident) => {
        mod $modname {
            const L: usize = 32;
            macro_rules! body_dot {
                ($a:expr, $x:expr, $fma:expr) => {{
                    let (a, x): (&[$t], &[$t]) = ($a, $x);
                    let n = a.len() / L * L;
                    let mut acc = [0.0 as $t; L];
                    for (ca, cx) in a[..n].chunks_exact(L).zip(x[..n].chunks_exact(L)) {
                        for l in 0..L {
                            acc[l] = $fma(ca[l], cx[l], acc[l]);
                        }
                    }
                    let mut s: $t = 0.0;
                    for l in 0..L {
                        s += acc[l];
                    }
                    for i in n..a.len() {
                        s += a[i] * x[i];
                    }
                    s
                }};
            }
            // Four rows against one x: each chunk of x is loaded once for four rows, which
            // halves the loads per multiply–add (25% faster on A1 x here). Four named
            // accumulator arrays, not an array of arrays: that is the form LLVM vectorises.
            // 64 bytes of each (one AVX-512 register, two AVX2 ones): no spills on AVX2.
            const L4: usize = 64 / std::mem::size_of::<$t>();
            macro_rules! body_dot4 {
                ($a:expr, $x:expr, $fma:expr) => {{
                    let (a, x): ([&[$t]; 4], &[$t]) = ($a, $x);
                    let n = x.len() / L4 * L4;
                    let (mut s0, mut s1, mut s2, mut s3) = (
                        [0.0 as $t; L4],
                        [0.0 as $t; L4],
                        [0.0 as $t; L4],
                        [0.0 as $t; L4],
                    );
                    let rows = a[0][..n]
                        .chunks_exact(L4)
                        .zip(a[1][..n].chunks_exact(L4))
                        .zip(a[2][..n].chunks_exact(L4))
                        .zip(a[3][..n].chunks_exact(L4));
                    for ((((c0, c1), c2), c3), cx) in rows.zip(x[..n].chunks_exact(L4)) {
                        for l in 0..L4 {
                            s0[l] = $fma(c0[l], cx[l], s0[l]);
                            s1[l] = $fma(c1[l], cx[l], s1[l]);
                            s2[l] = $fma(c2[l], cx[l], s2[l]);
                            s3[l] = $fma(c3[l], cx[l], s3[l]);
                        }
                    }
                    let mut out = [0.0 as $t; 4];
                    for (r, acc) in [s0, s1, s2, s3].iter().enumerate() {
                        for l in 0..L4 {
                            out[r] += acc[l];
                        }
                        for i in n..x.len() {
                            out[r] += a[r][i] * x[i];
                        }
                    }
                    out
                }};
            }
            macro_rules! body_axpy4 {
                ($y:expr, $x:expr, $a:expr, $fma:expr) => {{
                    let (y, x, a): (&mut [$t], [$t; 4], [&[$t]; 4]) = ($y, $x, $a);
                    let n = y.len();
                    let (a0, a1, a2, a3) = (&a[0][..n], &a[1][..n], &a[2][..n], &a[3][..n]);
                    for j in 0..n {
                        y[j] = $fma(
                            x[3],
                            a3[j],
                            $fma(x[2], a2[j], $fma(x[1], a1[j], $fma(x[0], a0[j], y[j]))),
                        );
                    }
                }};
            }
            macro_rules! body_axpy {
                ($y:expr, $al:expr, $a:expr, $fma:expr) => {{
                    let (y, al, a): (&mut [$t], $t, &[$t]) = ($y, $al, $a);
                    for (yi, ai) in y.iter_mut().zip(a) {
                        *yi = $fma(al, *ai, *yi);
                    }
                }};
            }
            #[inline(always)]
            fn fma(a: $t, b: $t, c: $t) -> $t {
                a.mul_add(b, c)
            }
            #[inline(always)]
            fn mad(a: $t, b: $t, c: $t) -> $t {
                a * b + c
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx2,fma")]
            unsafe fn dot512(a: &[$t], x: &[$t]) -> $t {
                body_dot!(a, x, fma)
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            unsafe fn dot256(a: &[$t], x: &[$t]) -> $t {
                body_dot!(a, x, fma)
            }
            fn dot_base(a: &[$t], x: &[$t]) -> $t {
                body_dot!(a, x, mad)
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx2,fma")]
            unsafe fn dot4_512(a: [&[$t]; 4], x: &[$t]) -> [$t; 4] {
                body_dot4!(a, x, fma)
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            unsafe fn dot4_256(a: [&[$t]; 4], x: &[$t]) -> [$t; 4] {
                body_dot4!(a, x, fma)
            }
            fn dot4_base(a: [&[$t]; 4], x: &[$t]) -> [$t; 4] {
                body_dot4!(a, x, mad)
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx2,fma")]
            unsafe fn axpy512(y: &mut [$t], al: $t, a: &[$t]) {
                body_axpy!(y, al, a, fma)
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            unsafe fn axpy256(y: &mut [$t], al: $t, a: &[$t]) {
                body_axpy!(y, al, a, fma)
            }
            fn axpy_base(y: &mut [$t], al: $t, a: &[$t]) {
                body_axpy!(y, al, a, mad)
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx2,fma")]
            unsafe fn axpy4_512(y: &mut [$t], x: [$t; 4], a: [&[$t]; 4]) {
                body_axpy4!(y, x, a, fma)
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            unsafe fn axpy4_256(y: &mut [$t], x: [$t; 4], a: [&[$t]; 4]) {
                body_axpy4!(y, x, a, fma)
            }
            fn axpy4_base(y: &mut [$t], x: [$t; 4], a: [&[$t]; 4]) {
                body_axpy4!(y, x, a, mad)
            }
            /// y += x[0]*a[0] + .. + x[3]*a[3]
            pub fn axpy4(y: &mut [$t], x: [$t; 4], a: [&[$t]; 4]) {
                match level() {
                    #[cfg(target_arch = "x86_64")]
                    2 => unsafe { axpy4_512(y, x, a) },
                    #[cfg(target_arch = "x86_64")]
                    1 => unsafe { axpy4_256(y, x, a) },
                    _ => axpy4_base(y, x, a),
                }
            }

            use super::simd_level as level;

            /// y[i] = sum_j a[i*lda + j] * x[j]  for a row-major block, four rows at a time
            pub fn rows_dot(a: &[$t], lda: usize, x: &[$t], y: &mut [$t]) {
                let k = x.len();
                let lv = level();
                let row = |i: usize| &a[i * lda..i * lda + k];
                let done = y.len() / 4 * 4;
                let mut blocks = y.chunks_exact_mut(4);
                for (b, yb) in (&mut blocks).enumerate() {
                    let rows = [row(4 * b), row(4 * b + 1), row(4 * b + 2), row(4 * b + 3)];
                    yb.copy_from_slice(&match lv {
                        #[cfg(target_arch = "x86_64")]
                        2 => unsafe { dot4_512(rows, x) },
                        #[cfg(target_arch = "x86_64")]
                        1 => unsafe { dot4_256(rows, x) },
                        _ => dot4_base(rows, x),
                    });
                }
                for (i, yi) in blocks.into_remainder().iter_mut().enumerate() {
                    let row = row(done + i);
                    *yi = match lv {
                        #[cfg(target_arch = "x86_64")]
                        2 => unsafe { dot512(row, x) },
                        #[cfg(target_arch = "x86_64")]
                        1 => unsafe { dot256(row, x) },
                        _ => dot_base(row, x),
                    };
                }
            }
            /// y += al * a
            pub fn axpy(y: &mut [$t], al: $t, a: &[$t]) {
                match level() {
                    #[cfg(target_arch = "x86_64")]
                    2 => unsafe { axpy512(y, al, a) },
                    #[cfg(target_arch = "x86_64")]
                    1 => unsafe { axpy256(y, al, a) },
                    _ => axpy_base(y, al, a),
                }
            }
        }
    };
}
simd_kernels!(f32, k32);
simd_kernels!(f64, k64);

/// below this many elements of A, stay on one thread
const MV_PAR_MIN: usize = 1 << 16;

macro_rules! matvec_impl {
    ($mv:ident, $vm:ident, $t:ty, $k:ident) => {
        /// y = A x. Uses SIMD dot kernels when A has unit column stride (row-major rows),
        /// row blocks in parallel over the rayon pool when A is large.
        pub fn $mv(a: ArrayView2<$t>, x: ArrayView1<$t>, mut y: ArrayViewMut1<$t>) {
            let (m, k) = a.dim();
            assert!(k == x.len() && m == y.len(), "matvec shape mismatch");
            if m == 0 {
                return;
            }
            let lda = a.strides()[0];
            if k == 0 || a.strides()[1] != 1 || lda < k as isize || y.strides()[0] != 1 {
                if k > 0 && a.strides()[0] == 1 && y.strides()[0] == 1 {
                    // columns contiguous (a transposed view): y = Σ_j x_j A[:, j], rows of Aᵀ
                    return $vm(x, a.t(), y);
                }
                ndarray::linalg::general_mat_vec_mul(1.0, &a, &x, 0.0, &mut y);
                return;
            }
            let lda = lda as usize;
            let xs = x
                .as_slice()
                .map(std::borrow::Cow::Borrowed)
                .unwrap_or_else(|| std::borrow::Cow::Owned(x.to_vec()));
            let xs: &[$t] = &xs;
            // SAFETY: rows 0..m of length k at stride lda, all inside A's allocation
            let aslice = unsafe { std::slice::from_raw_parts(a.as_ptr(), (m - 1) * lda + k) };
            let ys = y.as_slice_mut().unwrap();
            let nt = if m * k < MV_PAR_MIN {
                1
            } else {
                rayon::current_num_threads()
            };
            if nt <= 1 {
                $k::rows_dot(aslice, lda, xs, ys);
                return;
            }
            let rows = m.div_ceil(4 * nt).next_multiple_of(4); // whole blocks of four rows
            ys.par_chunks_mut(rows).enumerate().for_each(|(c, yb)| {
                let r0 = c * rows;
                $k::rows_dot(&aslice[r0 * lda..], lda, xs, yb);
            });
        }
        /// y = x^T A (= A^T x). Row-major A: contiguous SIMD axpys over A's rows, the rows split
        /// among the threads. (ndarray's x.dot(&A) walks A's columns with a stride.)
        pub fn $vm(x: ArrayView1<$t>, a: ArrayView2<$t>, mut y: ArrayViewMut1<$t>) {
            let (m, n) = a.dim();
            assert!(m == x.len() && n == y.len(), "vecmat shape mismatch");
            if n == 0 {
                return;
            }
            if a.strides()[1] != 1 || y.strides()[0] != 1 || m == 0 {
                if m > 0 && a.strides()[0] == 1 && y.strides()[0] == 1 {
                    // column-major A: Aᵀ is row-major, use the dot kernel
                    return $mv(a.t(), x, y);
                }
                ndarray::linalg::general_mat_vec_mul(1.0, &a.t(), &x, 0.0, &mut y);
                return;
            }
            let lda = a.strides()[0];
            // yb = Σ_{i in rows} x_i A[i, :], four rows at a time.
            let body = |rows: std::ops::Range<usize>, yb: &mut [$t]| {
                yb.fill(0.0);
                // SAFETY: row i of A, all n columns
                let row = |i: usize| unsafe {
                    std::slice::from_raw_parts(a.as_ptr().offset(i as isize * lda), n)
                };
                let mut i = rows.start;
                while i + 4 <= rows.end {
                    $k::axpy4(
                        yb,
                        [x[i], x[i + 1], x[i + 2], x[i + 3]],
                        [row(i), row(i + 1), row(i + 2), row(i + 3)],
                    );
                    i += 4;
                }
                for i in i..rows.end {
                    $k::axpy(yb, x[i], row(i));
                }
            };
            let ys = y.as_slice_mut().unwrap();
            let nt = rayon::current_num_threads().min(m.div_ceil(4));
            if m * n < MV_PAR_MIN || nt <= 1 {
                return body(0..m, ys);
            }
            // Each thread streams its own block of rows (contiguous memory: 25–30% faster than
            // splitting the columns) into a partial y; the partials are then added.
            let rows = m.div_ceil(nt).next_multiple_of(4);
            let (_, partials) = rayon::join(
                || body(0..rows.min(m), ys),
                || -> Vec<Vec<$t>> {
                    (1..nt)
                        .into_par_iter()
                        .map(|t| {
                            let mut part = vec![0.0; n];
                            body((t * rows).min(m)..((t + 1) * rows).min(m), &mut part);
                            part
                        })
                        .collect()
                },
            );
            for part in &partials {
                $k::axpy(ys, 1.0, part);
            }
        }
    };
}
matvec_impl!(matvec_f32, vecmat_f32, f32, k32);
matvec_impl!(matvec_f64, vecmat_f64, f64, k64);
