//! `linalg::gemm`, the product every Jacobian funnels into, against ndarray's reference product,
//! over the layouts AD produces: row-major, transposed views, reversed axes, matrix–vector and
//! vector–matrix shapes, beta ≠ 0, long and thin products, inner dimensions of several thousand,
//! into row-major and column-major results; on all threads and on one.
//! Tolerance: both sum the same products in different orders, so they agree to a few ulps of
//! the sum of |terms|: 1e-5 (f32) and 1e-13 (f64) relative to k · max|a| · max|b|.

use jacobian_core::{linalg, random_input};
use ndarray::{linalg::general_mat_mul, s, Array2, ArrayView2, Axis, ShapeBuilder};

fn random(rows: usize, cols: usize, seed: u64) -> Array2<f64> {
    random_input::<f64>(rows * cols, seed)
        .into_shape_with_order((rows, cols))
        .unwrap()
}

fn check(a: ArrayView2<f64>, b: ArrayView2<f64>, beta: f64, what: &str) {
    let (m, n) = (a.nrows(), b.ncols());
    let c0 = random(m, n, 99);
    let mut want = c0.clone();
    general_mat_mul(1.0, &a, &b, beta, &mut want);
    let scale = a.ncols() as f64
        * a.iter().fold(0.0f64, |x, v| x.max(v.abs()))
        * b.iter().fold(0.0f64, |x, v| x.max(v.abs()));

    // C row-major, and column-major.
    for column_major in [false, true] {
        let what = format!("{what}, c column-major: {column_major}");
        let mut got = Array2::zeros((m, n).set_f(column_major));
        got.assign(&c0);
        linalg::gemm(1.0, a, b, beta, got.view_mut());
        let err = (&got - &want).iter().fold(0.0f64, |x, v| x.max(v.abs()));
        assert!(err <= 1e-13 * scale.max(1.0), "f64 {what}: error {err:e}");

        let (a32, b32) = (a.mapv(|v| v as f32), b.mapv(|v| v as f32));
        let mut got = Array2::zeros((m, n).set_f(column_major));
        got.assign(&c0.mapv(|v| v as f32));
        linalg::gemm(1.0, a32.view(), b32.view(), beta as f32, got.view_mut());
        let err = got
            .iter()
            .zip(&want)
            .fold(0.0f64, |x, (g, w)| x.max((*g as f64 - w).abs()));
        assert!(err <= 1e-5 * scale.max(1.0), "f32 {what}: error {err:e}");
    }
}

/// Every shape and layout, each with beta = 0, 1 and 0.5.
fn every_layout() {
    for (m, k, n) in [
        (200, 300, 250),
        (1000, 500, 1),
        (1, 700, 400),
        (1, 701, 300),  // vector–matrix, an odd inner dimension
        (1, 6, 20_000), // one row, many columns
        (3, 5, 2),
        (64, 1, 64),
        (1003, 70, 1), // matrix–vector, a row count that is no multiple of 2, 4 or 8
        (3, 40, 1),    // fewer rows than a kernel's register block
        (6, 20_001, 1),
        (30, 1000, 1), // A2 y1 in F: small matrix–vector products
        (1, 30, 1000), // and y2ᵀ A2, A2ᵀ's product in G
        (1, 1, 1),
        (5, 0, 1), // empty sums: zeros
        (1, 0, 5),
        // Long along C's contiguous axis (row-major C: along the columns; column-major C: along
        // the rows), with enough work to split among threads.
        (40, 60, 2000),
        (2000, 60, 40),
        // Rows and columns that fill no whole register tile (71, 257, 260), and an inner
        // dimension long enough to be summed in more than one pass (6200).
        (71, 300, 260),
        (260, 300, 71),
        (57, 6200, 257),
        // A few columns (a value and its tangents): the matrix read once for all of them, row
        // blocks split among threads (1003·500 entries), a remainder of rows, one thread's worth.
        (1003, 500, 2),
        (1000, 5000, 4),
        (37, 19, 3),
        (5, 7, 4),
    ] {
        let a = random(m, k, 1);
        let b = random(k, n, 2);
        let at = random(k, m, 3);
        let bt = random(n, k, 4);
        for beta in [0.0, 1.0, 0.5] {
            check(
                a.view(),
                b.view(),
                beta,
                &format!("{m}×{k}·{k}×{n} beta {beta}"),
            );
            check(at.t(), b.view(), beta, &format!("aᵀ {m}×{k}·{k}×{n}"));
            check(a.view(), bt.t(), beta, &format!("bᵀ {m}×{k}·{k}×{n}"));
            check(at.t(), bt.t(), beta, &format!("aᵀ·bᵀ {m}×{k}·{k}×{n}"));
            let mut ar = a.clone();
            ar.invert_axis(Axis(1));
            let mut br = b.clone();
            br.invert_axis(Axis(0));
            check(
                ar.view(),
                br.view(),
                beta,
                &format!("reversed k axis {m}×{k}·{k}×{n}"),
            );
        }
    }
    // A strided sub-view, as a chunk of a batch is.
    let big = random(300, 400, 5);
    let b = random(200, 50, 6);
    check(big.slice(s![..;2, ..200]), b.view(), 0.0, "strided rows");
}

#[test]
fn every_layout_matches_the_reference_product() {
    every_layout();
}

/// The same products on one thread: a kernel that splits its work among the threads of the
/// current rayon pool takes its serial path here.
#[test]
fn every_layout_matches_the_reference_product_on_one_thread() {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool of one thread")
        .install(every_layout);
}

#[test]
fn backend_is_named() {
    assert!(!linalg::backend().is_empty());
}

/// `B · U` for a symmetric product (`U = M Bᵀ`, `M` symmetric), over several column blocks and
/// a remainder: the computed upper half and the mirrored lower half equal the whole product.
#[test]
fn symmetric_product_equals_the_whole_product() {
    for (n, k) in [(600, 40), (257, 3), (5, 7)] {
        let b = random(n, k, 7);
        let m = random(k, k, 8);
        let m = &m + &m.t();
        let u = m.dot(&b.t());
        let whole = b.dot(&u);
        let half = linalg::symmetric_product(b.view(), u.view());
        let err = (&half - &whole).iter().fold(0.0f64, |e, d| e.max(d.abs()));
        let scale = whole.iter().fold(0.0f64, |e, d| e.max(d.abs()));
        assert!(err <= 1e-12 * scale, "{n}×{k}: error {err:e}");
        let full = (n * k * n) as u64;
        let counted = linalg::symmetric_product_cost(n, k);
        assert!(
            counted <= full && (n < 512 || counted < full * 3 / 4),
            "{counted} of {full}"
        );
    }
}
