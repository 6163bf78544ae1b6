//! Large f32 products on AVX-512, each tile of the result summed over the whole inner dimension.
//!
//! `C = alpha · A · B + beta · C`, C's rows contiguous, in tiles of 14 rows × 32 columns. A tile
//! lives in 28 of the 32 vector registers while its `k` multiply–adds run, and is written to C
//! once: no partial sums go back and forth through memory. The operands are copied first into
//! the order the tile reads them ("packed"):
//! - A once, in panels of 14 rows, `[panel][k][row]` (20 MB for A1): every thread reads all of it,
//!   so it stays in the shared L3 cache;
//! - B by each thread, 64 columns at a time, `[32-column half][k][column]`: 1.3 MB that stays in
//!   the thread's own 2 MB L2 cache while every panel of A goes past it. Two halves per fetch of
//!   an A panel halve the reads of A from L3.
//!
//! An inner dimension longer than [`DEPTH`] is summed in passes, the later ones adding into C.
//! A tile runs at 96–98% of the core's peak here; the product as a whole, packing included, at
//! about 90% (jacfwd(F)'s `A1 · I`, against 85% for `private-gemm-x86`'s general kernels).

use ndarray::{s, ArrayView2, ArrayViewMut2};
use rayon::prelude::*;
use std::arch::x86_64::*;
use std::cell::RefCell;

/// Rows of a tile: one broadcast of A each.
const MR: usize = 14;
/// Columns of a tile: two 16-lane vectors of B.
const NR: usize = 32;
/// Tiles side by side per fetch of an A panel.
const NB: usize = 2;
/// The longest inner dimension in one pass: `NB · DEPTH · NR` floats of B (1.5 MB) fit in L2.
const DEPTH: usize = 6144;
/// How far ahead (in steps of `k`) a tile asks for its A panel: it comes from L3.
const PREFETCH: usize = 64;

thread_local! {
    /// Each thread's packed columns of B, kept between products.
    static PACKED_B: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Whether `(m × k) · (k × n)` on `threads` threads runs here: enough rows for several panels
/// of A, enough columns for every thread to take two turns, and A (packed whole) no larger than
/// B, so that what every thread reads again and again is the smaller operand.
pub(super) fn suits(m: usize, k: usize, n: usize, threads: usize) -> bool {
    m >= 4 * MR && k >= 64 && n >= 2 * threads * NB * NR && m <= n
}

/// `c = alpha · a · b + beta · c` where `c`'s columns are adjacent in memory (stride 1).
///
/// # Panics
/// If the shapes do not chain or `c`'s column stride is not 1 (callers check).
pub(super) fn gemm(
    alpha: f32,
    a: ArrayView2<f32>,
    b: ArrayView2<f32>,
    beta: f32,
    mut c: ArrayViewMut2<f32>,
) {
    let ((m, k), n) = (a.dim(), b.ncols());
    assert!(
        k > 0 && b.nrows() == k && c.dim() == (m, n) && c.strides()[1] == 1 && c.strides()[0] >= 0,
        "panels::gemm: a is {m}×{k}, b is {}×{n}, c is {:?} with strides {:?}",
        b.nrows(),
        c.dim(),
        c.strides()
    );
    let packed_a = pack_a(a);
    let passes = k.div_ceil(DEPTH);
    let depth = k.div_ceil(passes);
    let ldc = c.strides()[0] as usize;
    let c_ptr = SendPtr(c.as_mut_ptr());
    let c_ptr = &c_ptr;
    let groups = n.div_ceil(NB * NR);
    (0..groups)
        .into_par_iter()
        .with_max_len(1)
        .for_each(|group| {
            PACKED_B.with_borrow_mut(|packed_b| {
                let j0 = group * NB * NR;
                let j1 = (j0 + NB * NR).min(n);
                for k0 in (0..k).step_by(depth) {
                    let kc = depth.min(k - k0);
                    pack_b(b.slice(s![k0..k0 + kc, j0..j1]), packed_b);
                    for (p, panel) in packed_a.chunks_exact(k * MR).enumerate() {
                        let (i0, rows) = (p * MR, (m - p * MR).min(MR));
                        for (half, j) in (j0..j1).step_by(NR).enumerate() {
                            // SAFETY: the panel holds k × MR values and the half kc × NR, from
                            // k0 on; the tile writes rows i0..i0 + rows < m and columns
                            // j..j + cols ≤ n of c (a unique borrow, stride ldc × 1): this
                            // group's columns, which no other group writes. The CPU has
                            // AVX-512F (the caller's choice of kernel family).
                            unsafe {
                                tile(
                                    kc,
                                    panel[k0 * MR..].as_ptr(),
                                    packed_b[half * kc * NR..].as_ptr(),
                                    c_ptr.0.add(i0 * ldc + j),
                                    ldc,
                                    rows,
                                    (j1 - j).min(NR),
                                    alpha,
                                    if k0 == 0 { beta } else { 1.0 },
                                );
                            }
                        }
                    }
                }
            })
        });
}

/// A pointer to `c` that the threads share; each writes its own columns.
struct SendPtr(*mut f32);
// SAFETY: the threads write disjoint columns of c (see `gemm`).
unsafe impl Sync for SendPtr {}

/// A (m × k) as panels of MR rows, `[panel][k][row]`; rows past m are zeros.
fn pack_a(a: ArrayView2<f32>) -> Vec<f32> {
    let (m, k) = a.dim();
    let mut packed = vec![0.0; m.div_ceil(MR) * k * MR];
    packed
        .par_chunks_mut(k * MR)
        .enumerate()
        .for_each(|(p, panel)| {
            for i in 0..(m - p * MR).min(MR) {
                for (dst, &v) in panel[i..].iter_mut().step_by(MR).zip(a.row(p * MR + i)) {
                    *dst = v;
                }
            }
        });
    packed
}

/// B (kc × up to NB·NR columns) as NB halves of NR columns, `[half][k][column]`; columns past
/// B's are zeros.
fn pack_b(b: ArrayView2<f32>, packed: &mut Vec<f32>) {
    let (kc, w) = b.dim();
    packed.resize(NB * kc * NR, 0.0);
    for (half, dst) in packed.chunks_exact_mut(kc * NR).enumerate() {
        let j0 = (half * NR).min(w);
        let cols = (w - j0).min(NR);
        let part = b.slice(s![.., j0..j0 + cols]);
        if part.strides()[0] == 1 && cols > 1 {
            // Columns contiguous (a transposed view): read them one by one.
            for (j, column) in part.columns().into_iter().enumerate() {
                for (d, &v) in dst[j..].iter_mut().step_by(NR).zip(column) {
                    *d = v;
                }
            }
        } else {
            for (row, d) in part.rows().into_iter().zip(dst.chunks_exact_mut(NR)) {
                match row.as_slice() {
                    Some(r) => d[..cols].copy_from_slice(r),
                    None => d.iter_mut().zip(row).for_each(|(d, &v)| *d = v),
                }
            }
        }
        if cols < NR {
            dst.chunks_exact_mut(NR).for_each(|d| d[cols..].fill(0.0));
        }
    }
}

/// One tile: `c[..rows, ..cols] = alpha · Σ_k a[k][i] · b[k][j] + beta · c` (c not read when
/// beta is 0), over `kc` steps of packed A (MR per step) and packed B (NR per step).
///
/// # Safety
/// `a` holds `kc · MR` values, `b` `kc · NR`; `c` addresses `rows ≤ MR` rows `ldc` apart of
/// `cols ≤ NR` values each; the CPU has AVX-512F.
#[target_feature(enable = "avx512f")]
#[allow(clippy::too_many_arguments)]
unsafe fn tile(
    kc: usize,
    a: *const f32,
    b: *const f32,
    c: *mut f32,
    ldc: usize,
    rows: usize,
    cols: usize,
    alpha: f32,
    beta: f32,
) {
    let mut acc = [[_mm512_setzero_ps(); 2]; MR];
    for step in 0..kc {
        let (a, b) = (a.add(step * MR), b.add(step * NR));
        // A prefetch never faults, even past the end of the buffer.
        _mm_prefetch::<_MM_HINT_T0>(a.wrapping_add(PREFETCH * MR) as *const i8);
        let (b0, b1) = (_mm512_loadu_ps(b), _mm512_loadu_ps(b.add(16)));
        for (i, acc) in acc.iter_mut().enumerate() {
            let ai = _mm512_set1_ps(*a.add(i));
            acc[0] = _mm512_fmadd_ps(ai, b0, acc[0]);
            acc[1] = _mm512_fmadd_ps(ai, b1, acc[1]);
        }
    }
    let lanes = |n: usize| -> __mmask16 { ((1u32 << n.min(16)) - 1) as __mmask16 };
    let masks = [lanes(cols), lanes(cols.saturating_sub(16))];
    let (alpha, beta_v) = (_mm512_set1_ps(alpha), _mm512_set1_ps(beta));
    for (i, acc) in acc.iter().enumerate().take(rows) {
        for (h, (&v, &mask)) in acc.iter().zip(&masks).enumerate() {
            // Masked-off lanes are neither read nor written, even past the end of c.
            let p = c.wrapping_add(i * ldc + 16 * h);
            let mut v = _mm512_mul_ps(alpha, v);
            if beta != 0.0 {
                v = _mm512_fmadd_ps(beta_v, _mm512_maskz_loadu_ps(mask, p), v);
            }
            _mm512_mask_storeu_ps(p, mask, v);
        }
    }
}
