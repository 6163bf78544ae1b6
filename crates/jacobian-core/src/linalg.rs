//! The one matrix product everything funnels into, `c = α a·b + β c`, and which kernels run it.
//! Performance plumbing, not automatic differentiation: the rest of the crate states *what*
//! product it needs and calls [`gemm()`].
//!
//! - Matrix–matrix products go to the [`gemm`](https://docs.rs/gemm) crate (its public `gemm`
//!   function), on all threads of rayon's pool. It picks AVX-512, AVX2 with FMA or a portable
//!   kernel at run time; AVX-512 only if this crate is built with its `avx512` feature (the
//!   default). Without it, every machine runs the AVX2 path, as one without AVX-512 does.
//! - Matrix–vector products (evaluation, `jvp`, `vjp`, and every sweep of one direction) use the
//!   kernels of `matvec`, which read the matrix once at the memory's pace; so do products by a
//!   few columns (a value and its tangent), reading the matrix once for all of them, whether it
//!   is stored row-major or is the transpose of one.
//!
//! [`backend`] says which this machine uses.

use std::any::TypeId;

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2};
use rayon::prelude::*;

use crate::scalar::Scalar;

mod matvec;

/// Elementwise passes over arrays with at least this many elements run on all cores.
pub(crate) const PARALLEL_ELEMENTS: usize = 1 << 16;

/// `c = alpha · a · b + beta · c`, for any strides (transposed views included).
///
/// # Panics
/// If the shapes do not chain (`a` is m×k, `b` k×n, `c` m×n): callers check shapes first.
pub fn gemm<T: Scalar>(alpha: T, a: ArrayView2<T>, b: ArrayView2<T>, beta: T, c: ArrayViewMut2<T>) {
    let ((m, k), (k2, n)) = (a.dim(), b.dim());
    assert!(
        k == k2 && c.dim() == (m, n),
        "gemm: a is {m}×{k}, b is {k2}×{n}, c is {:?}",
        c.dim()
    );
    if TypeId::of::<T>() == TypeId::of::<f32>() {
        let (alpha, beta) = (alpha.to_f64_lossy() as f32, beta.to_f64_lossy() as f32);
        // SAFETY: `T` is `f32`.
        unsafe { product_f32(alpha, same(a), same(b), beta, same(c)) }
    } else {
        let (alpha, beta) = (alpha.to_f64_lossy(), beta.to_f64_lossy());
        // SAFETY: `Scalar` is sealed and implemented for `f32` and `f64` only, so `T` is `f64`.
        unsafe { product_f64(alpha, same(a), same(b), beta, same(c)) }
    }
}

/// Rows per block of [`symmetric_product`].
const SYMMETRIC_BLOCK: usize = 256;

/// `b · u` for a product known to be symmetric (`n × n`, such as a Hessian): only the blocks of
/// rows from the diagonal on are multiplied, `h[I, i0..] = b[I, :] · u[:, i0..]` for the rows
/// `I = i0..i1`, and each block is mirrored below the diagonal as soon as it is made. About half
/// the multiply–adds of the whole product ([`symmetric_product_cost`]); `h` is exactly symmetric.
///
/// # Panics
/// If the shapes do not chain to a square result.
pub fn symmetric_product<T: Scalar>(b: ArrayView2<T>, u: ArrayView2<T>) -> Array2<T> {
    let n = b.nrows();
    assert_eq!((b.ncols(), u.ncols()), (u.nrows(), n), "a square product");
    let mut h = Array2::zeros((n, n));
    for i0 in (0..n).step_by(SYMMETRIC_BLOCK) {
        let i1 = (i0 + SYMMETRIC_BLOCK).min(n);
        let (bi, ui) = (b.slice(s![i0..i1, ..]), u.slice(s![.., i0..]));
        gemm(T::one(), bi, ui, T::zero(), h.slice_mut(s![i0..i1, i0..]));
        // h[i, j] = h[j, i] for the columns j of this block and every row i below its diagonal:
        // inside the block, then in the rows under it, in bands of rows on all threads.
        let flat = h.as_slice_mut().expect("a new array is contiguous");
        let (top, below) = flat.split_at_mut(i1 * n);
        for i in i0 + 1..i1 {
            for j in i0..i {
                top[i * n + j] = top[j * n + i];
            }
        }
        let top = &*top;
        below
            .par_chunks_mut(MIRROR_ROWS * n)
            .enumerate()
            .for_each(|(band, rows)| {
                let r0 = i1 + band * MIRROR_ROWS;
                for j in i0..i1 {
                    let source = &top[j * n + r0..][..rows.len() / n];
                    for (row, &v) in rows.chunks_exact_mut(n).zip(source) {
                        row[j] = v;
                    }
                }
            });
    }
    h
}

/// Rows per band of [`symmetric_product`]'s mirroring: a band's part of the block stays in cache.
const MIRROR_ROWS: usize = 64;

/// Multiply–adds of [`symmetric_product`] for `b` (`n × k`) and `u` (`k × n`).
pub fn symmetric_product_cost(n: usize, k: usize) -> u64 {
    (0..n)
        .step_by(SYMMETRIC_BLOCK)
        .map(|i0| {
            let i1 = (i0 + SYMMETRIC_BLOCK).min(n);
            ((i1 - i0) * k * (n - i0)) as u64
        })
        .sum()
}

/// `x` as a value of type `U`.
///
/// # Safety
/// `T` and `U` must be the same type (they differ only in how the compiler names them here).
unsafe fn same<T, U>(x: T) -> U {
    debug_assert_eq!(std::mem::size_of::<T>(), std::mem::size_of::<U>());
    let x = std::mem::ManuallyDrop::new(x);
    std::ptr::read(&*x as *const T as *const U)
}

/// Products by at most this many columns (a value with its tangents: a Hessian-vector product, a
/// `jvp`) read a row-major matrix once for all of them (`matvec`), rather than packing it as
/// the matrix–matrix kernels do.
const FEW_COLUMNS: usize = 4;

macro_rules! product {
    ($name:ident, $t:ty, $mv:path, $vm:path, $few:path) => {
        fn $name(
            alpha: $t,
            a: ArrayView2<$t>,
            b: ArrayView2<$t>,
            beta: $t,
            mut c: ArrayViewMut2<$t>,
        ) {
            let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
            if alpha == 1.0 && beta == 0.0 && (n == 1 || m == 1) {
                return match n == 1 {
                    true => $mv(a, b.column(0), c.column_mut(0)),
                    false => $vm(a.row(0), b, c.row_mut(0)),
                };
            }
            if m == 0 || n == 0 {
                return;
            }
            if alpha == 1.0 && beta == 0.0 && n <= FEW_COLUMNS {
                return $few(a, b, c);
            }
            let (sa, sb, sc) = (a.strides(), b.strides(), c.strides().to_vec());
            // SAFETY: each pointer is element [0, 0] of a view whose strides (in elements) address
            // only its own data, with the shapes checked by `gemm`; `c` is a unique borrow, so it
            // aliases neither `a` nor `b`. The crate computes dst = alpha·dst + beta·lhs·rhs, with
            // (column, row) strides.
            unsafe {
                gemm::gemm(
                    m,
                    n,
                    k,
                    c.as_mut_ptr(),
                    sc[1],
                    sc[0],
                    beta != 0.0,
                    a.as_ptr(),
                    sa[1],
                    sa[0],
                    b.as_ptr(),
                    sb[1],
                    sb[0],
                    beta,
                    alpha,
                    false,
                    false,
                    false,
                    gemm::Parallelism::Rayon(0),
                );
            }
        }
    };
}
product!(
    product_f32,
    f32,
    matvec::matvec_f32,
    matvec::vecmat_f32,
    matvec::few_columns_f32
);
product!(
    product_f64,
    f64,
    matvec::matvec_f64,
    matvec::vecmat_f64,
    matvec::few_columns_f64
);

/// Which kernels run the products on this machine, e.g.
/// `"gemm crate, AVX-512; matrix–vector: AVX-512; 2 threads"`.
pub fn backend() -> String {
    let isa = match matvec::level() {
        2 => "AVX-512",
        1 => "AVX2+FMA",
        _ => "portable",
    };
    let threads = match rayon::current_num_threads() {
        1 => "1 thread".to_string(),
        n => format!("{n} threads"),
    };
    format!("gemm crate and own matrix–vector kernels, {isa}; {threads}")
}
