//! Each primitive's derivative (its local Jacobian), through every mode, against the analytic
//! derivative at fixed points (f64, to 1e-14: the only error is the rounding of one or two
//! operations).

use crate::common::assert_close;
use jacobian_core::{jacfwd, jacobian_with, jacrev, Matrix, Program, Strategy, Var};
use ndarray::{array, Array1, Array2, ArrayD};

const X: [f64; 4] = [-1.3, 0.2, 0.9, 2.5];

/// Checks that every mode gives `expected` as the Jacobian of `f` at `X`: the textbook ones (a
/// dense seed pushed or pulled through the local Jacobians), and the structured and bracketed ones
/// (the same local Jacobians, multiplied in other orders, with their structure kept).
fn check(name: &str, f: impl FnOnce(Var<f64>) -> Var<f64>, expected: ArrayD<f64>) {
    let prog = Program::trace(X.len(), f).unwrap();
    let x = Array1::from(X.to_vec());
    assert_close(
        &format!("{name}: jacfwd"),
        &jacfwd(&prog, &x).unwrap(),
        &expected,
        1e-14,
        1e-15,
    );
    assert_close(
        &format!("{name}: jacrev"),
        &jacrev(&prog, &x).unwrap(),
        &expected,
        1e-14,
        1e-15,
    );
    for s in [
        Strategy::StructuredForward,
        Strategy::StructuredReverse,
        Strategy::Bracketed,
    ] {
        assert_close(
            &format!("{name}: {s}"),
            &jacobian_with(s, &prog, &x).unwrap(),
            &expected,
            1e-14,
            1e-15,
        );
    }
}

fn diag(d: impl Fn(f64) -> f64) -> ArrayD<f64> {
    Array2::from_diag(&Array1::from_iter(X.iter().map(|&x| d(x)))).into_dyn()
}

#[test]
fn elementwise_rules() {
    check("tanh", |x| x.tanh(), diag(|x| 1.0 - x.tanh().powi(2)));
    check("sin", |x| x.sin(), diag(f64::cos));
    check("cos", |x| x.cos(), diag(|x| -x.sin()));
    check("exp", |x| x.exp(), diag(f64::exp));
    check("square", |x| x.square(), diag(|x| 2.0 * x));
    check("scale", |x| 0.1 * x, diag(|_| 0.1));
    check("neg", |x| -x, diag(|_| -1.0));
}

#[test]
fn binary_rules() {
    check("add", |x| x.sin() + x.square(), diag(|x| x.cos() + 2.0 * x));
    check("sub", |x| x.sin() - x.square(), diag(|x| x.cos() - 2.0 * x));
    check(
        "mul",
        |x| x.sin() * x.square(),
        diag(|x| x.cos() * x * x + x.sin() * 2.0 * x),
    );
    check("fan-out x·x", |x| &x * &x, diag(|x| 2.0 * x));
}

#[test]
fn linear_rules() {
    let a = array![[1.0, 2.0, 3.0, 4.0], [-1.0, 0.5, 0.0, 2.0]];
    let m = Matrix::new(a.clone());
    check("matvec", |x| m.dot(&x), a.clone().into_dyn());
    let sq = array![
        [1.0, 2.0, 3.0, 4.0],
        [5.0, 6.0, 7.0, 8.0],
        [0.0, 1.0, 0.0, 1.0],
        [2.0, 0.0, 2.0, 0.0]
    ];
    let ms = Matrix::new(sq.clone());
    check(
        "matvec transposed",
        |x| ms.t().dot(&x),
        sq.t().to_owned().into_dyn(),
    );
    let b = array![1.0, 2.0, 3.0, 4.0];
    check("add_const", |x| x + &b, Array2::eye(4).into_dyn());
    check("sub_const", |x| x - &b, Array2::eye(4).into_dyn());
}

#[test]
fn reductions_and_shapes() {
    check("sum", |x| x.sum(), Array1::ones(4).into_dyn());
    // sum → atleast_1d → squeeze: still the gradient of the sum, with a scalar's shape.
    check(
        "atleast_1d then squeeze",
        |x| x.sum().atleast_1d().squeeze(),
        Array1::ones(4).into_dyn(),
    );
    check(
        "atleast_1d of a vector is the identity",
        |x| x.atleast_1d(),
        Array2::eye(4).into_dyn(),
    );
}

#[test]
fn values_match_the_formulas() {
    let prog = Program::<f64>::trace(4, |x| x.tanh() + 0.1 * x.sin()).unwrap();
    let y = prog.call(&Array1::from(X.to_vec())).unwrap();
    for (yi, &xi) in y.iter().zip(X.iter()) {
        assert!((yi - (xi.tanh() + 0.1 * xi.sin())).abs() < 1e-15);
    }
}

#[test]
fn printed_program_reads_like_a_jaxpr() {
    let prog = Program::<f32>::trace(4, |x| (x.tanh() + 0.1 * x.sin()).sum()).unwrap();
    let text = prog.to_string();
    assert_eq!(
        text,
        "{ lambda x:f32[4] .\n    v1:f32[4] = tanh x\n    v2:f32[4] = sin x\n    v3:f32[4] = scale[0.1] v2\n    v4:f32[4] = add v1 v3\n    v5:f32[] = sum v4\n  in v5 }"
    );
    // G's input is z, as in the original's G(z); its matrices print as the transposes it applies.
    let g = jacobian_core::Network::<f32>::new(&[6, 4, 3, 1])
        .unwrap()
        .trace_g()
        .to_string();
    assert!(
        g.starts_with("{ lambda z:f32[1] .\n    v1:f32[1] = sub_const[1] z\n"),
        "{g}"
    );
    assert!(g.contains("= matvec[A3ᵀ 3×1] v1\n"), "{g}");
}

#[test]
fn unused_work_is_dropped_from_the_program() {
    let prog = Program::<f64>::trace(4, |x| {
        let _unused = x.exp().sum();
        x.sin()
    })
    .unwrap();
    assert_eq!(prog.nodes().len(), 1);
}
