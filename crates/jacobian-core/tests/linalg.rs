//! The fast matrix product against ndarray's reference product, over the layouts AD produces:
//! row-major, transposed views, reversed axes, matrix–vector and vector–matrix shapes, beta ≠ 0,
//! long products cut into blocks, and long f32 products in full-depth tiles, into row-major and
//! column-major results.
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

    // C row-major, and column-major (its rows contiguous: long products are cut the other way).
    for column_major in [false, true] {
        let what = format!("{what}, c column-major: {column_major}");
        let mut got = Array2::zeros((m, n).set_f(column_major));
        got.assign(&c0);
        linalg::gemm_f64(1.0, a, b, beta, got.view_mut());
        let err = (&got - &want).iter().fold(0.0f64, |x, v| x.max(v.abs()));
        assert!(err <= 1e-13 * scale.max(1.0), "f64 {what}: error {err:e}");

        let (a32, b32) = (a.mapv(|v| v as f32), b.mapv(|v| v as f32));
        let mut got = Array2::zeros((m, n).set_f(column_major));
        got.assign(&c0.mapv(|v| v as f32));
        linalg::gemm_f32(1.0, a32.view(), b32.view(), beta as f32, got.view_mut());
        let err = got
            .iter()
            .zip(&want)
            .fold(0.0f64, |x, (g, w)| x.max((*g as f64 - w).abs()));
        assert!(err <= 1e-5 * scale.max(1.0), "f32 {what}: error {err:e}");
    }
}

#[test]
fn every_layout_matches_the_reference_product() {
    for (m, k, n) in [
        (200, 300, 250),
        (1000, 500, 1),
        (1, 700, 400),
        (1, 701, 300),  // vector–matrix, rows split among threads with a remainder
        (1, 6, 20_000), // few rows, many columns: two threads of one and a half row blocks
        (3, 5, 2),
        (64, 1, 64),
        (1003, 70, 1), // matrix–vector, threads' row blocks of four with a remainder of three
        (3, 40, 1),    // fewer rows than one block of four
        (6, 20_001, 1),
        (30, 1000, 1), // A2 y1 in F: small matrix–vector products use the same kernels
        (1, 30, 1000), // and y2ᵀ A2, A2ᵀ's product in G
        (1, 1, 1),
        (5, 0, 1), // empty sums: the kernels' fallbacks give zeros
        (1, 0, 5),
        // Long along C's contiguous axis, with enough work for every core: cut into blocks of
        // 96 (20 and a remainder of 80), one thread each (row-major C: along the columns;
        // column-major C: along the rows).
        (40, 60, 2000),
        (2000, 60, 40),
        // Long f32 products on AVX-512: full-depth tiles of 14 rows × 32 columns, 64 columns per
        // thread's turn; rows and columns that fill no whole tile (71 = 5·14 + 1, 260 = 4·64 + 4);
        // a column-major C as Cᵀ = Bᵀ·Aᵀ; an inner dimension summed in two passes (6200 > 6144)
        // with a last turn of one column.
        (71, 300, 260),
        (260, 300, 71),
        (57, 6200, 257),
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

/// The kernels of the other families this CPU can run (`JACOBIAN_GEMM` picks one for a process):
/// the test above again, in a child process per family.
#[test]
fn every_kernel_family_matches_the_reference_product() {
    let mut families = vec!["portable"];
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
        families.push("avx2");
    }
    for family in families {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["every_layout_matches_the_reference_product", "--exact"])
            .env("JACOBIAN_GEMM", family)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "JACOBIAN_GEMM={family}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn backend_is_named() {
    assert!(!linalg::backend().is_empty());
}

#[test]
fn the_peak_is_measured_or_declined() {
    match linalg::peak_gflops(1, 10_000) {
        Some(p) => {
            assert!(p.gflops > 0.0 && p.gflops.is_finite(), "{p:?}");
            assert!(
                p.threads >= 1 && ["avx512", "avx2+fma"].contains(&p.isa),
                "{p:?}"
            );
        }
        // Only where no kernel measures it: never on an x86-64 CPU with AVX2 and FMA.
        None => {
            #[cfg(target_arch = "x86_64")]
            assert!(!(is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")));
        }
    }
}
