//! Both modes against each other, against a hand-derived Jacobian, and against finite differences.
//!
//! Tolerances are normwise (`max|a - b| <= rtol · max|b|`).
//! - Forward and reverse mode use the same intermediate values and differ only in the order of the
//!   matrix products: 1e-12 in f64, 1e-4 in f32 (measured 2e-5 at the original widths).
//! - The hand-derived oracle is evaluated in f64 on the same matrices and input. In f64 the modes
//!   match it to 1e-10 (measured 1e-12; the bound JAX's own fixtures suggest). In f32 the error is
//!   that of f32 itself: the point of evaluation carries the rounding of 5000-term sums, and the
//!   Jacobian's entries (about 3e-3) come out of heavy cancellation between terms of size 1e2.
//!   Measured over six seeds at the original widths: 2e-5 to 1e-3; the bound is 2e-3.

use crate::common::{assert_close, jac_f_by_hand, jac_g_by_hand, upcast};
use jacobian_core::{
    finite_diff, jacfwd, jacfwd_chunked, jacrev, jacrev_chunked, jvp, random_input, vjp, Network,
    Program, Real,
};
use ndarray::{s, Array1, ArrayD};
use proptest::prelude::*;

/// Tolerances: (forward vs reverse, either vs the f64 oracle).
const F64_RTOL: (f64, f64) = (1e-12, 1e-10);
const F32_RTOL: (f64, f64) = (1e-4, 2e-3);

fn check_network<T: Real>(widths: &[usize], (modes_rtol, oracle_rtol): (f64, f64), seed: u64)
where
    ndarray_rand::rand_distr::StandardNormal: ndarray_rand::rand_distr::Distribution<T>,
{
    let net = Network::<T>::new(widths).unwrap();
    let (f, g) = (net.trace_f(), net.trace_g());
    let x = random_input::<T>(widths[0], seed);
    let z = random_input::<T>(widths[3], seed + 1);

    let up = |v: &Array1<T>| v.mapv(|e| e.to_f64_lossy());
    let net64 = upcast(&net);
    let to64 = |j: ArrayD<T>| j.mapv(|e| e.to_f64_lossy());

    let (fwd, rev) = (jacfwd(&f, &x).unwrap(), jacrev(&f, &x).unwrap());
    assert_close("jacfwd(F) vs jacrev(F)", &fwd, &rev, modes_rtol, 0.0);
    let oracle = jac_f_by_hand(&net64, &up(&x));
    assert_close(
        "jacfwd(F) vs hand-derived",
        &to64(fwd),
        &oracle,
        oracle_rtol,
        0.0,
    );
    assert_close(
        "jacrev(F) vs hand-derived",
        &to64(rev),
        &oracle,
        oracle_rtol,
        0.0,
    );

    let (fwd, rev) = (jacfwd(&g, &z).unwrap(), jacrev(&g, &z).unwrap());
    assert_close("jacfwd(G) vs jacrev(G)", &fwd, &rev, modes_rtol, 0.0);
    let oracle = jac_g_by_hand(&net64, &up(&z));
    assert_close(
        "jacfwd(G) vs hand-derived",
        &to64(fwd),
        &oracle,
        oracle_rtol,
        0.0,
    );
    assert_close(
        "jacrev(G) vs hand-derived",
        &to64(rev),
        &oracle,
        oracle_rtol,
        0.0,
    );
}

#[test]
fn original_widths_f64_all_modes_match_hand_derived() {
    check_network::<f64>(&[5000, 1000, 30, 1], F64_RTOL, 0);
}

#[test]
fn original_widths_f32_all_modes_match_hand_derived() {
    check_network::<f32>(&[5000, 1000, 30, 1], F32_RTOL, 0);
}

#[test]
fn jacobian_shapes_follow_jax() {
    let net = Network::<f32>::new(&[50, 20, 6, 1]).unwrap();
    let x = random_input::<f32>(50, 3);
    assert_eq!(jacfwd(&net.trace_f(), &x).unwrap().shape(), &[50]);
    assert_eq!(net.trace_f().call(&x).unwrap().shape(), &[] as &[usize]);
    let z = x.slice(s![..1]).to_owned();
    assert_eq!(jacrev(&net.trace_g(), &z).unwrap().shape(), &[50, 1]);
    assert_eq!(net.trace_g().call(&z).unwrap().shape(), &[50]);
    // n3 > 1: squeeze keeps the vector, as jnp.squeeze does.
    let net = Network::<f32>::new(&[50, 20, 6, 4]).unwrap();
    assert_eq!(jacfwd(&net.trace_f(), &x).unwrap().shape(), &[4, 50]);
    assert_eq!(
        jacfwd(&net.trace_g(), x.slice(s![..4])).unwrap().shape(),
        &[50, 4]
    );
}

/// JVP against central differences in random directions. h = 1e-5 in f64 leaves an O(h²) ≈ 1e-10
/// truncation error and an O(ε/h) ≈ 1e-11 rounding error, relative to the function's scale; 1e-7
/// is a safe bound for these smooth, O(1)-curvature functions.
#[test]
fn jvp_matches_central_differences() {
    let net = Network::<f64>::new(&[300, 80, 12, 3]).unwrap();
    for (prog, n) in [(net.trace_f(), 300), (net.trace_g(), 3)] {
        let x = random_input::<f64>(n, 11);
        for seed in 0..3 {
            let v = random_input::<f64>(n, 100 + seed);
            let (_, jv) = jvp(&prog, &x, &v).unwrap();
            let fd = finite_diff::directional(&prog, x.view(), v.view(), 1e-5).unwrap();
            let fd = fd.into_shape_with_order(jv.shape()).unwrap();
            assert_close("jvp vs central differences", &jv, &fd, 1e-7, 1e-9);
        }
    }
}

/// The dot-product test: ⟨c, J t⟩ = ⟨Jᵀ c, t⟩ for random t and c, in f64.
#[test]
fn vjp_passes_dot_product_test() {
    let net = Network::<f64>::new(&[300, 80, 12, 3]).unwrap();
    for (prog, n, m) in [(net.trace_f(), 300, 3), (net.trace_g(), 3, 300)] {
        let x = random_input::<f64>(n, 5);
        for seed in 0..3 {
            let t = random_input::<f64>(n, 200 + seed);
            let c = random_input::<f64>(m, 300 + seed);
            let (_, jt) = jvp(&prog, &x, &t).unwrap();
            let (_, jtc) = vjp(&prog, &x, &c).unwrap();
            let lhs: f64 = c.iter().zip(jt.iter()).map(|(a, b)| a * b).sum();
            let rhs = jtc.dot(&t);
            assert!(
                (lhs - rhs).abs() <= 1e-12 * lhs.abs().max(1.0),
                "⟨c, Jt⟩ = {lhs} but ⟨Jᵀc, t⟩ = {rhs}"
            );
        }
    }
}

/// Chunked and unchunked Jacobians: each entry is computed by the same operations in the same
/// order whatever the chunk, except that matrix-product kernels may block differently, so they
/// agree to rounding: 1e-12 relative in f64, 1e-5 in f32.
#[test]
fn chunked_equals_unchunked() {
    let net = Network::<f32>::original();
    let (f, g) = (net.trace_f(), net.trace_g());
    let x = random_input::<f32>(5000, 7);
    let full = jacfwd(&f, &x).unwrap();
    for chunk in [700, 4999, 5000, 9000] {
        let c = jacfwd_chunked(&f, &x, chunk).unwrap();
        assert_close(&format!("jacfwd(F) chunk {chunk}"), &c, &full, 1e-5, 0.0);
    }
    let z = x.slice(s![..1]).to_owned();
    let full = jacrev(&g, &z).unwrap();
    for chunk in [333, 5000] {
        let c = jacrev_chunked(&g, &z, chunk).unwrap();
        assert_close(&format!("jacrev(G) chunk {chunk}"), &c, &full, 1e-5, 0.0);
    }
    let net = Network::<f64>::new(&[40, 20, 6, 4]).unwrap();
    let (f, g) = (net.trace_f(), net.trace_g());
    let x = random_input::<f64>(40, 8);
    assert_close(
        "jacfwd(F) chunk 1",
        &jacfwd_chunked(&f, &x, 1).unwrap(),
        &jacfwd(&f, &x).unwrap(),
        1e-12,
        0.0,
    );
    assert_close(
        "jacrev(F) chunk 3",
        &jacrev_chunked(&f, &x, 3).unwrap(),
        &jacrev(&f, &x).unwrap(),
        1e-12,
        0.0,
    );
    let z = x.slice(s![..4]).to_owned();
    assert_close(
        "jacfwd(G) chunk 3",
        &jacfwd_chunked(&g, &z, 3).unwrap(),
        &jacfwd(&g, &z).unwrap(),
        1e-12,
        0.0,
    );
}

/// A function a user writes, not F or G: fan-out, products, sums and every elementwise op.
#[test]
fn user_function_with_every_operation() {
    let a = jacobian_core::Matrix::new(ndarray::array![[0.3, -1.2, 0.5], [0.7, 0.1, -0.4]]);
    let b = ndarray::array![0.2, -0.1];
    let f = Program::<f64>::trace(3, |x| {
        let h = (a.dot(&x) + &b).tanh();
        let u = &h * &h.exp() - h.cos() + h.sin().square() * 2.0;
        let v = -(a.t().dot(&(u.clone() - &b)) * &x);
        (v.sum().atleast_1d() + u.sum().atleast_1d()).squeeze()
    })
    .unwrap();
    let x = ndarray::array![0.4, -0.3, 1.1];
    let (jf, jr) = (jacfwd(&f, &x).unwrap(), jacrev(&f, &x).unwrap());
    assert_close("jacfwd vs jacrev", &jf, &jr, 1e-13, 0.0);
    for i in 0..3 {
        let e = Array1::from_shape_fn(3, |j| if i == j { 1.0 } else { 0.0 });
        let fd = finite_diff::directional(&f, x.view(), e.view(), 1e-6).unwrap();
        assert!(
            (fd[0] - jf[i]).abs() < 1e-8,
            "∂f/∂x{i}: AD {} vs central difference {}",
            jf[i],
            fd[0]
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// jacfwd = jacrev = hand-derived for random small widths, in f64 and f32.
    #[test]
    fn random_widths_agree(n0 in 1usize..40, n1 in 1usize..25, n2 in 1usize..10, n3 in 1usize..5, seed in 0u64..1000) {
        check_network::<f64>(&[n0, n1, n2, n3], F64_RTOL, seed);
        check_network::<f32>(&[n0, n1, n2, n3], F32_RTOL, seed);
    }
}
