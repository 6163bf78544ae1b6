//! Matrix–vector products (`A x` and `xᵀ A`), which every evaluation and every single-direction
//! sweep runs: bound by reading `A`, so they get kernels of their own. Each inner loop is
//! compiled three times (AVX-512, AVX2 with FMA, the baseline) and picked at run time; many
//! independent accumulators let LLVM vectorise the sums without reassociating floating point
//! (`-ffast-math`). Large matrices are split by rows among the rayon threads.

use ndarray::{ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2, Axis};
use rayon::prelude::*;

/// The vector instructions the kernels use on this machine: 2 for AVX-512 (if built with the
/// `avx512` feature), 1 for AVX2 with FMA, 0 for the baseline. `std` caches the detection.
pub(super) fn level() -> u8 {
    #[cfg(target_arch = "x86_64")]
    {
        if cfg!(feature = "avx512") && is_x86_feature_detected!("avx512f") {
            return 2;
        }
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            return 1;
        }
    }
    0
}

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
            // halves the loads per multiply–add. Four named
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
            // Two rows against two vectors (a value and its tangent): each chunk of a row is
            // loaded once for both, so the matrix is read once. Four accumulators.
            macro_rules! body_dot2x2 {
                ($a:expr, $x:expr, $fma:expr) => {{
                    let (a, x): ([&[$t]; 2], [&[$t]; 2]) = ($a, $x);
                    let k = x[0].len();
                    let n = k / L4 * L4;
                    let (mut s00, mut s01, mut s10, mut s11) = (
                        [0.0 as $t; L4],
                        [0.0 as $t; L4],
                        [0.0 as $t; L4],
                        [0.0 as $t; L4],
                    );
                    let chunks = a[0][..n]
                        .chunks_exact(L4)
                        .zip(a[1][..n].chunks_exact(L4))
                        .zip(x[0][..n].chunks_exact(L4))
                        .zip(x[1][..n].chunks_exact(L4));
                    for (((c0, c1), u), v) in chunks {
                        for l in 0..L4 {
                            s00[l] = $fma(c0[l], u[l], s00[l]);
                            s01[l] = $fma(c0[l], v[l], s01[l]);
                            s10[l] = $fma(c1[l], u[l], s10[l]);
                            s11[l] = $fma(c1[l], v[l], s11[l]);
                        }
                    }
                    // out[row][vector]
                    let mut out = [[0.0 as $t; 2]; 2];
                    for (r, accs) in [[s00, s01], [s10, s11]].iter().enumerate() {
                        for (c, acc) in accs.iter().enumerate() {
                            for l in 0..L4 {
                                out[r][c] += acc[l];
                            }
                            for i in n..k {
                                out[r][c] += a[r][i] * x[c][i];
                            }
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
            #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
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
            #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
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
            #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
            #[target_feature(enable = "avx512f,avx2,fma")]
            unsafe fn dot2x2_512(a: [&[$t]; 2], x: [&[$t]; 2]) -> [[$t; 2]; 2] {
                body_dot2x2!(a, x, fma)
            }
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            unsafe fn dot2x2_256(a: [&[$t]; 2], x: [&[$t]; 2]) -> [[$t; 2]; 2] {
                body_dot2x2!(a, x, fma)
            }
            fn dot2x2_base(a: [&[$t]; 2], x: [&[$t]; 2]) -> [[$t; 2]; 2] {
                body_dot2x2!(a, x, mad)
            }
            #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
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
            #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
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
                    #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
                    2 => unsafe { axpy4_512(y, x, a) },
                    #[cfg(target_arch = "x86_64")]
                    1 => unsafe { axpy4_256(y, x, a) },
                    _ => axpy4_base(y, x, a),
                }
            }

            use super::level;

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
                        #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
                        2 => unsafe { dot4_512(rows, x) },
                        #[cfg(target_arch = "x86_64")]
                        1 => unsafe { dot4_256(rows, x) },
                        _ => dot4_base(rows, x),
                    });
                }
                for (i, yi) in blocks.into_remainder().iter_mut().enumerate() {
                    let row = row(done + i);
                    *yi = match lv {
                        #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
                        2 => unsafe { dot512(row, x) },
                        #[cfg(target_arch = "x86_64")]
                        1 => unsafe { dot256(row, x) },
                        _ => dot_base(row, x),
                    };
                }
            }
            /// y[c][i] = sum_j a[i*lda + j] * x[c][j] for two vectors x[0], x[1]: the rows are
            /// read once for both, two at a time
            pub fn rows_dot2(a: &[$t], lda: usize, x: [&[$t]; 2], y: [&mut [$t]; 2]) {
                let k = x[0].len();
                let lv = level();
                let row = |i: usize| &a[i * lda..i * lda + k];
                let [y0, y1] = y;
                let m = y0.len();
                for i in (0..m).step_by(2) {
                    let rows = [row(i), row((i + 1).min(m - 1))]; // an odd last row twice
                    let out = match lv {
                        #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
                        2 => unsafe { dot2x2_512(rows, x) },
                        #[cfg(target_arch = "x86_64")]
                        1 => unsafe { dot2x2_256(rows, x) },
                        _ => dot2x2_base(rows, x),
                    };
                    (y0[i], y1[i]) = (out[0][0], out[0][1]);
                    if i + 1 < m {
                        (y0[i + 1], y1[i + 1]) = (out[1][0], out[1][1]);
                    }
                }
            }
            /// y += al * a
            pub fn axpy(y: &mut [$t], al: $t, a: &[$t]) {
                match level() {
                    #[cfg(all(target_arch = "x86_64", feature = "avx512"))]
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

/// rows of A read for every column of B before moving on: a block stays in the core's cache
const FEW_BLOCK_ROWS: usize = 16;

macro_rules! matvec_impl {
    ($mv:ident, $vm:ident, $few:ident, $few_t:ident, $t:ty, $k:ident) => {
        /// C = A B for a few columns of B (a value and its tangents). A row-major A is read from
        /// memory once for all of them: each block of its rows serves every column while it is in
        /// cache. Any other layout runs one matrix–vector product per column.
        pub(crate) fn $few(a: ArrayView2<$t>, b: ArrayView2<$t>, mut c: ArrayViewMut2<$t>) {
            let ((m, k), n) = (a.dim(), b.ncols());
            let lda = a.strides()[0];
            if m > 0 && k > 0 && a.strides()[0] == 1 {
                return $few_t(a, b, c); // Aᵀ of a row-major matrix, as a gradient applies it
            }
            if m == 0 || k == 0 || a.strides()[1] != 1 || lda < k as isize {
                for j in 0..n {
                    let mut y = ndarray::Array1::zeros(m);
                    $mv(a, b.column(j), y.view_mut());
                    c.column_mut(j).assign(&y);
                }
                return;
            }
            let lda = lda as usize;
            let xs: Vec<Vec<$t>> = (0..n).map(|j| b.column(j).to_vec()).collect();
            // SAFETY: rows 0..m of length k at stride lda, all inside A's allocation
            let aslice = unsafe { std::slice::from_raw_parts(a.as_ptr(), (m - 1) * lda + k) };
            // Rows r0..r1 for every column, column after column: (r1 - r0) × n values.
            let rows_times_b = |r0: usize, r1: usize| -> Vec<$t> {
                let len = r1 - r0;
                let mut out = vec![0.0; len * n];
                for r in (r0..r1).step_by(FEW_BLOCK_ROWS) {
                    let e = (r + FEW_BLOCK_ROWS).min(r1);
                    let a = &aslice[r * lda..];
                    // Columns two at a time, each row read once for both; an odd last one alone.
                    for j in (0..n).step_by(2) {
                        let (left, right) = out.split_at_mut((j + 1) * len);
                        let y0 = &mut left[j * len + (r - r0)..j * len + (e - r0)];
                        if j + 1 < n {
                            let y1 = &mut right[(r - r0)..(e - r0)];
                            $k::rows_dot2(a, lda, [&xs[j], &xs[j + 1]], [y0, y1]);
                        } else {
                            $k::rows_dot(a, lda, &xs[j], y0);
                        }
                    }
                }
                out
            };
            if m * k < MV_PAR_MIN || rayon::current_num_threads() <= 1 {
                let part = rows_times_b(0, m);
                for j in 0..n {
                    c.column_mut(j)
                        .assign(&ndarray::ArrayView1::from(&part[j * m..(j + 1) * m]));
                }
                return;
            }
            let rows = m
                .div_ceil(4 * rayon::current_num_threads())
                .next_multiple_of(4);
            let parts: Vec<Vec<$t>> = (0..m.div_ceil(rows))
                .into_par_iter()
                .map(|t| rows_times_b(t * rows, ((t + 1) * rows).min(m)))
                .collect();
            for (t, part) in parts.iter().enumerate() {
                let len = part.len() / n;
                for j in 0..n {
                    let src = ndarray::ArrayView1::from(&part[j * len..(j + 1) * len]);
                    c.slice_mut(ndarray::s![t * rows..t * rows + len, j])
                        .assign(&src);
                }
            }
        }

        /// C = A B for a few columns of B where A = Rᵀ, R with contiguous rows (a transposed
        /// view, or `xᵀ R` for one column): each column of C is a sum of R's rows,
        /// `C[:, j] = Σᵢ B[i, j] R[i, :]`, contiguous SIMD axpys (ndarray's product would walk
        /// R's columns with a stride). Each block of R's rows serves every column while it is in
        /// cache; the threads take blocks of rows into partial sums, then add them.
        fn $few_t(a: ArrayView2<$t>, b: ArrayView2<$t>, mut c: ArrayViewMut2<$t>) {
            let ((m, k), n) = (a.dim(), b.ncols());
            let ldr = a.strides()[1];
            let xs: Vec<Vec<$t>> = (0..n).map(|j| b.column(j).to_vec()).collect();
            // SAFETY: row i of R (column i of A): m entries at unit stride, inside A's data
            let row = |i: usize| unsafe {
                std::slice::from_raw_parts(a.as_ptr().offset(i as isize * ldr), m)
            };
            // Σ over R's rows r0..r1, for every column: n × m values, column after column.
            let rows_sum = |r0: usize, r1: usize| -> Vec<$t> {
                let mut out = vec![0.0; m * n];
                for r in (r0..r1).step_by(FEW_BLOCK_ROWS) {
                    let e = (r + FEW_BLOCK_ROWS).min(r1);
                    for (x, y) in xs.iter().zip(out.chunks_exact_mut(m)) {
                        let mut i = r;
                        while i + 4 <= e {
                            let four = [x[i], x[i + 1], x[i + 2], x[i + 3]];
                            $k::axpy4(y, four, [row(i), row(i + 1), row(i + 2), row(i + 3)]);
                            i += 4;
                        }
                        for i in i..e {
                            $k::axpy(y, x[i], row(i));
                        }
                    }
                }
                out
            };
            let nt = rayon::current_num_threads().min(k.div_ceil(4));
            let sum = if m * k < MV_PAR_MIN || nt <= 1 {
                rows_sum(0, k)
            } else {
                let rows = k.div_ceil(nt).next_multiple_of(4);
                let parts: Vec<Vec<$t>> = (0..k.div_ceil(rows))
                    .into_par_iter()
                    .map(|t| rows_sum(t * rows, ((t + 1) * rows).min(k)))
                    .collect();
                let mut parts = parts.into_iter();
                let mut sum = parts.next().expect("at least one block of rows");
                for part in parts {
                    $k::axpy(&mut sum, 1.0, &part);
                }
                sum
            };
            for (j, y) in sum.chunks_exact(m).enumerate() {
                c.column_mut(j).assign(&ndarray::ArrayView1::from(y));
            }
        }

        /// y = A x. Uses SIMD dot kernels when A has unit column stride (row-major rows),
        /// row blocks in parallel over the rayon pool when A is large.
        pub(crate) fn $mv(a: ArrayView2<$t>, x: ArrayView1<$t>, mut y: ArrayViewMut1<$t>) {
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
        /// y = x^T A (= A^T x). A with contiguous rows: the one-column case of the product by
        /// a transpose above, A's rows split among the threads.
        pub(crate) fn $vm(x: ArrayView1<$t>, a: ArrayView2<$t>, mut y: ArrayViewMut1<$t>) {
            let (m, n) = a.dim();
            assert!(m == x.len() && n == y.len(), "vecmat shape mismatch");
            if n == 0 {
                return;
            }
            if a.strides()[1] != 1 || m == 0 {
                if m > 0 && a.strides()[0] == 1 && y.strides()[0] == 1 {
                    // column-major A: Aᵀ is row-major, use the dot kernel
                    return $mv(a.t(), x, y);
                }
                ndarray::linalg::general_mat_vec_mul(1.0, &a.t(), &x, 0.0, &mut y);
                return;
            }
            $few_t(a.t(), x.insert_axis(Axis(1)), y.insert_axis(Axis(1)));
        }
    };
}
matvec_impl!(
    matvec_f32,
    vecmat_f32,
    few_columns_f32,
    few_columns_t_f32,
    f32,
    k32
);
matvec_impl!(
    matvec_f64,
    vecmat_f64,
    few_columns_f64,
    few_columns_t_f64,
    f64,
    k64
);
