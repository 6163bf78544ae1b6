//! Agreement with JAX: reference values, Jacobians, gradients, Hessian-vector products and
//! Hessians computed by `scripts/jax_reference.py` (JAX on CPU) and committed under
//! `tests/fixtures/` (see the README there). The second derivatives have their own tolerances,
//! below `check_case`, for the original network `F`, a `DeepNetwork` and a program that is not a
//! chain.
//!
//! Tolerances are normwise, `max|ours - jax| <= tol * max|jax|`: 2e-4 in f32 and 1e-10 in f64.
//! Both sides round differently (XLA's `sin`/`tanh` and summation orders are not ours); the
//! fixtures' README measured JAX itself against a float64 evaluation at 3e-5 (f32) and 4e-13 (f64)
//! normwise, so these bounds leave room for our own rounding of the same size and no more.

use std::path::PathBuf;

use crate::common::assert_close;
use jacobian_core::network::DeepNetwork;
use jacobian_core::{
    grad, hessian, hessian_with, hvp, jacfwd, jacrev, Matrix, Network, Program, Real, Strategy,
};
use ndarray::{Array1, Array2, ArrayD, Axis};
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

// ---------------------------------------------------------------------------------------------
// Second derivatives: `grad`, `hvp` and the Hessian against `jax.grad`, `jax.jvp(jax.grad(f))`
// and `jax.hessian` (the files `grad_f`, `v`, `hvp_f`, `hess_f*` of the fixtures; see the
// README's section "Second derivatives" for what they hold and the measured differences).

/// Tolerances of one case, normwise (`max|ours - jax| <= tol * max|jax|` over the compared
/// entries), for the value, the gradient, the HVP and the Hessian.
#[derive(Clone, Copy)]
struct Tols {
    value: f64,
    grad: f64,
    hvp: f64,
    hess: f64,
}

/// f64 at the original widths: JAX's own normwise error against a hand-written float64
/// evaluation is at most 4e-13 (README), and ours differs from JAX by 1.2e-12 at most (HVP and
/// Hessian rows, measured); 1e-11 is eight times that.
const F64_ORIGINAL_TOLS: Tols = Tols {
    value: 1e-11,
    grad: 1e-11,
    hvp: 1e-11,
    hess: 1e-11,
};

/// f64 at small widths (n0 <= 9): JAX is within 3e-15 of float64, and ours within 7e-16 of JAX
/// (measured, every strategy); 1e-13 leaves a hundredfold margin for other CPUs.
const F64_SMALL_TOLS: Tols = Tols {
    value: 1e-13,
    grad: 1e-13,
    hvp: 1e-13,
    hess: 1e-13,
};

/// f32 at small widths (n0 <= 9): JAX's error against float64 is at most 2.2e-7 normwise (a few
/// units of f32 rounding, 6e-8), ours differs from JAX by 3e-7 at most (measured, every
/// strategy); 5e-6 is about fifteen times that.
const F32_SMALL_TOLS: Tols = Tols {
    value: 5e-6,
    grad: 5e-6,
    hvp: 5e-6,
    hess: 5e-6,
};

/// f32 at the original widths: the Hessian is `A1ᵀ M A1` summed over 1000 × 5000 terms with
/// cancellation, and JAX's own error against float64 is 2.3e-4 of the largest entry (HVP 1.8e-4,
/// gradient 3.1e-5; jax.hessian and jacrev(jacrev) differ by 9e-5 among themselves). Ours has the
/// same kind of rounding error, so the difference can reach the sum of both; measured: Hessian
/// rows and diagonal 2.1e-4, HVP 1.5e-5, gradient 2.1e-5. So 1e-3 for the Hessian (about 1.2e-5
/// absolute, against entries up to 1.2e-2), 5e-4 for the HVP, 2e-4 for the gradient (as for the
/// Jacobians above).
const F32_ORIGINAL_TOLS: Tols = Tols {
    value: 2e-4,
    grad: 2e-4,
    hvp: 5e-4,
    hess: 1e-3,
};

/// `max|a - b| / max|b|`, asserted to be at most `tol`; prints the measured value (visible with
/// `--nocapture`) so that the tolerances can be checked against it.
fn check_rel<T: Real>(what: &str, ours: &ArrayD<T>, jax: &ArrayD<T>, tol: f64) {
    assert_eq!(ours.shape(), jax.shape(), "{what}: shapes differ");
    let scale = jax
        .iter()
        .fold(0.0f64, |m, v| m.max(v.to_f64_lossy().abs()));
    let worst = ours.iter().zip(jax).fold(0.0f64, |m, (a, b)| {
        m.max((a.to_f64_lossy() - b.to_f64_lossy()).abs())
    });
    assert!(scale > 0.0, "{what}: the JAX reference is all zeros");
    eprintln!("{what}: normwise relative difference {:.3e}", worst / scale);
    assert_close(what, ours, jax, tol, 0.0);
}

/// The second-order checks of one case: `grad(f)` at `x`, `hvp(f, x, v)`, and the Hessian by
/// `hessian` (always) and by `hessian_with` every strategy (if `all_strategies`), each compared in
/// full or, at the original widths, by the committed rows and the diagonal. The Hessian is
/// computed once per call to `hessian*`, and all committed rows are read from it.
fn check_second<T: Real + ReadableElement>(
    case: &str,
    f: &Program<T>,
    tols: Tols,
    all_strategies: bool,
) {
    let dir = fixture_dir(case);
    let load = |name: &str| -> ArrayD<T> {
        read_npy(dir.join(name)).unwrap_or_else(|e| panic!("{case}/{name}: {e}"))
    };
    let x: Array1<T> = load("x.npy").into_dimensionality().unwrap();
    let v: Array1<T> = load("v.npy").into_dimensionality().unwrap();
    let n = x.len();
    assert_eq!(f.input_len(), n, "{case}: input length");

    let g = grad(f).unwrap();
    check_rel(
        &format!("{case}: grad(f)(x)"),
        &g.call(&x).unwrap(),
        &load("grad_f.npy"),
        tols.grad,
    );
    check_rel(
        &format!("{case}: hvp(f, x, v)"),
        &hvp(f, &x, &v).unwrap().into_dyn(),
        &load("hvp_f.npy"),
        tols.hvp,
    );

    let full = dir.join("hess_f.npy").exists();
    let check_h = |what: &str, h: &Array2<T>| {
        assert_eq!(h.dim(), (n, n), "{case}: {what}: shape");
        if full {
            let what = format!("{case}: {what}, full");
            check_rel(&what, &h.clone().into_dyn(), &load("hess_f.npy"), tols.hess);
        } else {
            let idx: Array1<i64> = read_npy(dir.join("hess_f_rows_idx.npy")).unwrap();
            let idx: Vec<usize> = idx.iter().map(|&i| usize::try_from(i).unwrap()).collect();
            let rows = h.select(Axis(0), &idx).into_dyn();
            let what_rows = format!("{case}: {what}, rows {idx:?}");
            check_rel(&what_rows, &rows, &load("hess_f_rows.npy"), tols.hess);
            let diag = h.diag().to_owned().into_dyn();
            let what_diag = format!("{case}: {what}, diagonal");
            check_rel(&what_diag, &diag, &load("hess_f_diag.npy"), tols.hess);
        }
    };
    check_h("hessian", &hessian(f, &x).unwrap());
    if all_strategies {
        for s in Strategy::ALL {
            check_h(
                &format!("hessian_with({s})"),
                &hessian_with(s, f, &x).unwrap(),
            );
        }
    }
}

/// `f(x)` against the fixture's `f.npy` (0-d): our output may be a length-1 vector.
fn check_value<T: Real + ReadableElement>(case: &str, f: &Program<T>, tol: f64) {
    let dir = fixture_dir(case);
    let x: Array1<T> = read_npy::<_, ArrayD<T>>(dir.join("x.npy"))
        .unwrap()
        .into_dimensionality()
        .unwrap();
    let jax: ArrayD<T> = read_npy(dir.join("f.npy")).unwrap();
    assert_eq!(jax.ndim(), 0, "{case}: f.npy is 0-d");
    let ours = f.call(&x).unwrap();
    assert_eq!(ours.len(), 1, "{case}: one output");
    let ours = ours.into_shape_with_order(()).unwrap().into_dyn();
    check_rel(&format!("{case}: f(x)"), &ours, &jax, tol);
}

fn widths_of(case: &str) -> Vec<usize> {
    std::fs::read_to_string(fixture_dir(case).join("widths.txt"))
        .unwrap()
        .trim()
        .split(',')
        .map(|w| w.parse().unwrap())
        .collect()
}

/// The function of the `nonchain_*` fixtures, as `jax_network.nonchain` writes it: x is read by
/// the matrix product, by the product with `tanh` and by the sine, so the program is not a chain.
///     y = tanh(A x) ⊙ x,   f(x) = Σ ((exp(y) − sin(x))² + 0.5 y),
/// with `A[i, j] = ((3i + 5j) mod 7 − 3) / 4` (multiples of 1/4: exact in f32 and f64).
fn nonchain<T: Real>(n: usize) -> Program<T> {
    let a = Array2::from_shape_fn((n, n), |(i, j)| {
        T::lit((((3 * i + 5 * j) % 7) as f64 - 3.0) / 4.0)
    });
    let a = Matrix::new(a).named("A");
    Program::trace(n, |x| {
        let y = a.dot(&x).tanh() * &x;
        let r = y.exp() - x.sin();
        (r.square() + 0.5 * &y).sum()
    })
    .unwrap()
}

fn check_second_f<T: Real + ReadableElement>(case: &str, tols: Tols, all_strategies: bool) {
    let f = Network::<T>::new(&widths_of(case)).unwrap().trace_f();
    check_second(case, &f, tols, all_strategies);
}

#[test]
fn second_original_widths_f32() {
    // One Hessian (the default strategy): 25 M entries; its committed rows and diagonal.
    check_second_f::<f32>("original_f32", F32_ORIGINAL_TOLS, false);
}

#[test]
fn second_original_widths_f64() {
    check_second_f::<f64>("original_f64", F64_ORIGINAL_TOLS, false);
}

#[test]
fn second_small_widths() {
    check_second_f::<f32>("small_f32", F32_SMALL_TOLS, true);
    check_second_f::<f64>("small_f64", F64_SMALL_TOLS, true);
}

fn check_deep<T: Real + ReadableElement>(case: &str, tols: Tols) {
    // Its output has shape (1,), as JAX's `forward(x)` (JAX differentiates its squeeze).
    let f = DeepNetwork::<T>::new(&widths_of(case)).unwrap().trace();
    check_value(case, &f, tols.value);
    check_second(case, &f, tols, true);
}

#[test]
fn second_deep_network() {
    check_deep::<f64>("deep_f64", F64_SMALL_TOLS);
    check_deep::<f32>("deep_f32", F32_SMALL_TOLS);
}

#[test]
fn second_not_a_chain() {
    let f = nonchain::<f64>(widths_of("nonchain_f64")[0]);
    check_value("nonchain_f64", &f, F64_SMALL_TOLS.value);
    check_second("nonchain_f64", &f, F64_SMALL_TOLS, true);
    let f = nonchain::<f32>(widths_of("nonchain_f32")[0]);
    check_value("nonchain_f32", &f, F32_SMALL_TOLS.value);
    check_second("nonchain_f32", &f, F32_SMALL_TOLS, true);
}
