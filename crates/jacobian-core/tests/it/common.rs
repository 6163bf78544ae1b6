//! Shared test helpers: a hand-derived Jacobian of F and G (the oracle), and closeness checks.
#![allow(dead_code)]

use jacobian_core::{Network, Real};
use ndarray::{Array1, Array2, ArrayD};

/// `max |a - b| <= atol + rtol * max |b|`, with a message that names the worst entry.
pub fn assert_close<T: Real>(what: &str, a: &ArrayD<T>, b: &ArrayD<T>, rtol: f64, atol: f64) {
    assert_eq!(a.shape(), b.shape(), "{what}: shapes differ");
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.to_f64_lossy().abs()));
    let (worst, idx) =
        a.iter()
            .zip(b.iter())
            .enumerate()
            .fold((0.0f64, 0), |(w, wi), (i, (x, y))| {
                let d = (x.to_f64_lossy() - y.to_f64_lossy()).abs();
                if d > w {
                    (d, i)
                } else {
                    (w, wi)
                }
            });
    let tol = atol + rtol * scale;
    assert!(
        worst <= tol,
        "{what}: max |difference| {worst:e} at flat index {idx} exceeds {tol:e} (scale {scale:e})"
    );
}

fn phi1<T: Real>(z: &Array1<T>) -> (Array1<T>, Array1<T>) {
    // φ1(z) = tanh z + 0.1 sin z,  φ1'(z) = sech² z + 0.1 cos z (sech² = 1/cosh², not the AD's form)
    let tenth = T::lit(0.1);
    (
        z.mapv(|v| v.tanh() + tenth * v.sin()),
        z.mapv(|v| T::one() - v.tanh() * v.tanh() + tenth * v.cos()),
    )
}

fn phi2<T: Real>(z: &Array1<T>) -> (Array1<T>, Array1<T>) {
    // φ2(z) = tanh z + 0.1 z²,  φ2'(z) = sech² z + 0.2 z
    let tenth = T::lit(0.1);
    (
        z.mapv(|v| v.tanh() + tenth * v * v),
        z.mapv(|v| T::one() - v.tanh() * v.tanh() + T::lit(0.2) * v),
    )
}

fn diag_times<T: Real>(d: &Array1<T>, m: &Array2<T>) -> Array2<T> {
    m * &d.view().insert_axis(ndarray::Axis(1))
}

/// The same network in f64, from the matrices of `net` converted exactly (for oracles).
pub fn upcast<T: Real>(net: &Network<T>) -> Network<f64> {
    let up = |m: &jacobian_core::Matrix<T>| m.view().mapv(|v| v.to_f64_lossy());
    Network::<f64>::from_matrices(up(&net.a1), up(&net.a2), up(&net.a3)).unwrap()
}

/// `J_F(x) = A3 · diag(φ2'(z2)) · A2 · diag(φ1'(z1)) · A1`, shaped as JAX does ((n0,) if n3 = 1).
pub fn jac_f_by_hand<T: Real>(net: &Network<T>, x: &Array1<T>) -> ArrayD<T> {
    let (a1, a2, a3) = (net.a1.view(), net.a2.view(), net.a3.view());
    let z1 = a1.dot(x) + &net.b1;
    let (y1, d1) = phi1(&z1);
    let z2 = a2.dot(&y1) + &net.b2;
    let (_, d2) = phi2(&z2);
    let j = a3.dot(&diag_times(&d2, &a2.dot(&diag_times(&d1, &a1.to_owned()))));
    squeeze_rows(j)
}

/// `J_G(z) = A1ᵀ · diag(φ2'(w1)) · A2ᵀ · diag(φ1'(w2)) · A3ᵀ`, shape (n0, n3).
pub fn jac_g_by_hand<T: Real>(net: &Network<T>, z: &Array1<T>) -> ArrayD<T> {
    let (a1, a2, a3) = (net.a1.view(), net.a2.view(), net.a3.view());
    let w2 = a3.t().dot(&(z - &net.b3));
    let (u2, d2) = phi1(&w2);
    let w1 = a2.t().dot(&(&u2 - &net.b2));
    let (_, d1) = phi2(&w1);
    a1.t()
        .dot(&diag_times(
            &d1,
            &a2.t().dot(&diag_times(&d2, &a3.t().to_owned())),
        ))
        .into_dyn()
}

fn squeeze_rows<T: Real>(j: Array2<T>) -> ArrayD<T> {
    if j.nrows() == 1 {
        j.row(0).to_owned().into_dyn()
    } else {
        j.into_dyn()
    }
}
