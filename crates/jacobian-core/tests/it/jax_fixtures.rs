//! Agreement with JAX: reference values and Jacobians computed by `scripts/jax_reference.py`
//! (JAX on CPU) and committed under `tests/fixtures/` (see the README there).
//!
//! Tolerances are normwise, `max|ours - jax| <= tol * max|jax|`: 2e-4 in f32 and 1e-10 in f64.
//! Both sides round differently (XLA's `sin`/`tanh` and summation orders are not ours); the
//! fixtures' README measured JAX itself against a float64 evaluation at 3e-5 (f32) and 4e-13 (f64)
//! normwise, so these bounds leave room for our own rounding of the same size and no more.

use std::path::PathBuf;

use crate::common::assert_close;
use jacobian_core::{jacfwd, jacrev, Network, Real};
use ndarray::{Array1, ArrayD};
use ndarray_npy::{read_npy, ReadableElement};

fn fixture_dir(case: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(case)
}

fn check_case<T: Real + ReadableElement>(case: &str, tol: f64) {
    let dir = fixture_dir(case);
    let widths: Vec<usize> = std::fs::read_to_string(dir.join("widths.txt"))
        .unwrap()
        .trim()
        .split(',')
        .map(|w| w.parse().unwrap())
        .collect();
    let load = |name: &str| -> ArrayD<T> {
        read_npy(dir.join(name)).unwrap_or_else(|e| panic!("{case}/{name}: {e}"))
    };
    let x: Array1<T> = load("x.npy").into_dimensionality().unwrap();
    let z: Array1<T> = load("z.npy").into_dimensionality().unwrap();

    let net = Network::<T>::new(&widths).unwrap();
    let (f, g) = (net.trace_f(), net.trace_g());
    assert_close(
        &format!("{case}: F(x)"),
        &f.call(&x).unwrap(),
        &load("f.npy"),
        tol,
        0.0,
    );
    assert_close(
        &format!("{case}: G(z)"),
        &g.call(&z).unwrap(),
        &load("g.npy"),
        tol,
        0.0,
    );
    let (jf, jg) = (load("jac_f.npy"), load("jac_g.npy"));
    assert_close(
        &format!("{case}: jacfwd(F)"),
        &jacfwd(&f, &x).unwrap(),
        &jf,
        tol,
        0.0,
    );
    assert_close(
        &format!("{case}: jacrev(F)"),
        &jacrev(&f, &x).unwrap(),
        &jf,
        tol,
        0.0,
    );
    assert_close(
        &format!("{case}: jacfwd(G)"),
        &jacfwd(&g, &z).unwrap(),
        &jg,
        tol,
        0.0,
    );
    assert_close(
        &format!("{case}: jacrev(G)"),
        &jacrev(&g, &z).unwrap(),
        &jg,
        tol,
        0.0,
    );
}

const F32_TOL: f64 = 2e-4;
const F64_TOL: f64 = 1e-10;

#[test]
fn original_widths_f32() {
    check_case::<f32>("original_f32", F32_TOL);
}

#[test]
fn original_widths_f64() {
    check_case::<f64>("original_f64", F64_TOL);
}

#[test]
fn small_widths() {
    check_case::<f32>("small_f32", F32_TOL);
    check_case::<f64>("small_f64", F64_TOL);
    // n3 = 4: F keeps a vector output, G takes a 4-vector; shapes as JAX returns them.
    check_case::<f64>("small2_f64", F64_TOL);
}
