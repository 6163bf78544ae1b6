//! Memory layout never changes a result. The same numbers stored row-major, column-major, with a
//! reversed axis or with gaps between rows give the same Jacobian, by every driver and strategy,
//! and every result comes back row-major (standard layout), ready to reshape or hand to NumPy.
//!
//! A reshape that assumed row-major input once made the structured Jacobian of `x ↦ Aᵀx` panic;
//! this file checks the whole surface for that class of bug. The products run in a different
//! order per layout only where a kernel chooses to, so the tolerance is 1e-12, normwise.

use crate::common::assert_close;
use jacobian_core::{
    jacfwd, jacfwd_chunked, jacobian, jacobian_with, jacrev, jacrev_chunked, jvp, random_input,
    vjp, Matrix, Network, Program, Strategy,
};
use ndarray::{s, Array1, Array2, ArrayD, ArrayView1, Axis, ShapeBuilder};

/// The same logical matrix in four layouts.
fn layouts(a: &Array2<f64>) -> Vec<(&'static str, Array2<f64>)> {
    let mut column_major = Array2::zeros(a.dim().f());
    column_major.assign(a);
    let mut reversed = a.slice(s![..;-1, ..]).to_owned();
    reversed.invert_axis(Axis(0)); // same values, negative row stride
    let mut padded = Array2::zeros((2 * a.nrows(), a.ncols()));
    padded.slice_mut(s![..;2, ..]).assign(a);
    let gapped = padded.slice_move(s![..;2, ..]); // row stride twice the row length
    let out = vec![
        ("row-major", a.clone()),
        ("column-major", column_major),
        ("reversed rows", reversed),
        ("gapped rows", gapped),
    ];
    for (what, b) in &out {
        assert_eq!(b, a, "{what}: the layout must not change the values");
    }
    out
}

fn matrix(rows: usize, cols: usize, seed: f64) -> Array2<f64> {
    Array2::from_shape_fn((rows, cols), |(i, j)| {
        ((i * cols + j) as f64 * 0.37 + seed).sin()
    })
}

/// Every way to compute the Jacobian of `f` at `x`, each checked against `reference` and for
/// standard layout.
fn every_driver(what: &str, f: &Program<f64>, x: ArrayView1<f64>, reference: &ArrayD<f64>) {
    let mut results: Vec<(String, ArrayD<f64>)> = vec![
        ("jacfwd".into(), jacfwd(f, x).unwrap()),
        ("jacrev".into(), jacrev(f, x).unwrap()),
        ("jacfwd_chunked(3)".into(), jacfwd_chunked(f, x, 3).unwrap()),
        ("jacrev_chunked(2)".into(), jacrev_chunked(f, x, 2).unwrap()),
        ("jacobian".into(), jacobian(f, x).unwrap().0),
    ];
    for s in Strategy::ALL {
        results.push((s.to_string(), jacobian_with(s, f, x).unwrap()));
    }
    for (driver, j) in &results {
        let what = format!("{what}, {driver}");
        assert!(j.is_standard_layout(), "{what}: not in standard layout");
        assert_close(&what, j, reference, 1e-12, 0.0);
    }
    // One direction each way, against the same Jacobian.
    let (n, m) = (f.input_len(), f.output_len());
    let jac = reference
        .as_standard_layout()
        .into_shape_with_order((m, n))
        .expect("m×n elements");
    let v = random_input::<f64>(n, 5);
    let c = random_input::<f64>(m, 6);
    let (_, jv) = jvp(f, x, &v).unwrap();
    let (_, ctj) = vjp(f, x, &c).unwrap();
    assert!(jv.is_standard_layout() && ctj.is_standard_layout());
    let expected_jv = jac
        .dot(&v)
        .into_dyn()
        .into_shape_with_order(jv.shape())
        .unwrap();
    assert_close(&format!("{what}, jvp"), &jv, &expected_jv, 1e-12, 0.0);
    assert_close(
        &format!("{what}, vjp"),
        &ctj.into_dyn(),
        &c.dot(&jac).into_dyn(),
        1e-12,
        0.0,
    );
}

/// `x` as a view with a gap between its elements (stride 2).
fn strided(x: &Array1<f64>) -> Array1<f64> {
    let mut padded = Array1::zeros(2 * x.len());
    padded.slice_mut(s![..;2]).assign(x);
    padded
}

#[test]
fn networks_built_from_matrices_in_any_layout() {
    let widths = [9, 6, 4, 3];
    let a = [
        matrix(widths[1], widths[0], 0.1),
        matrix(widths[2], widths[1], 0.2),
        matrix(widths[3], widths[2], 0.3),
    ];
    let reference = Network::from_matrices(a[0].clone(), a[1].clone(), a[2].clone()).unwrap();
    let x = random_input::<f64>(widths[0], 1);
    let z = random_input::<f64>(widths[3], 2);
    let (jf, jg) = (
        jacrev(&reference.trace_f(), &x).unwrap(),
        jacfwd(&reference.trace_g(), &z).unwrap(),
    );
    let (l1, l2, l3) = (layouts(&a[0]), layouts(&a[1]), layouts(&a[2]));
    for i in 0..l1.len() {
        let what = l1[i].0;
        let net =
            Network::from_matrices(l1[i].1.clone(), l2[i].1.clone(), l3[i].1.clone()).unwrap();
        let (xs, zs) = (strided(&x), strided(&z));
        every_driver(
            &format!("F, {what}"),
            &net.trace_f(),
            xs.slice(s![..;2]),
            &jf,
        );
        every_driver(
            &format!("G, {what}"),
            &net.trace_g(),
            zs.slice(s![..;2]),
            &jg,
        );
    }
}

#[test]
fn constants_in_any_layout_and_their_transposes() {
    let a = matrix(7, 5, 0.4);
    let x7 = random_input::<f64>(7, 3);
    let x5 = random_input::<f64>(5, 4);
    for (what, stored) in layouts(&a) {
        let m = Matrix::new(stored).named("A");
        // The bare products, whose Jacobians are the constant itself and its transpose.
        let ax = Program::trace(5, |x| m.dot(&x)).unwrap();
        let atx = Program::trace(7, |x| m.t().dot(&x)).unwrap();
        every_driver(
            &format!("Ax, {what}"),
            &ax,
            x5.view(),
            &a.clone().into_dyn(),
        );
        every_driver(
            &format!("Aᵀx, {what}"),
            &atx,
            x7.view(),
            &a.t().to_owned().into_dyn(),
        );
        // Both in one non-chain program: Aᵀ tanh(A x) ⊙ x, with a scalar output.
        let f = Program::trace(5, |x| (m.t().dot(&m.dot(&x).tanh()) * &x).sum()).unwrap();
        let reference = {
            let reference_m = Matrix::new(a.clone());
            let g = Program::trace(5, |x| {
                (reference_m.t().dot(&reference_m.dot(&x).tanh()) * &x).sum()
            })
            .unwrap();
            jacrev(&g, &x5).unwrap()
        };
        every_driver(
            &format!("sum(Aᵀ tanh(Ax) ⊙ x), {what}"),
            &f,
            x5.view(),
            &reference,
        );
    }
}
