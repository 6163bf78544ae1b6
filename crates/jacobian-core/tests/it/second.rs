//! Second derivatives: the gradient program, the Hessian by every composition and strategy, and
//! Hessian-vector products. For each function, in f64:
//! - the gradient program computes what `jacrev` computes;
//! - the Hessian is symmetric and matches central differences of the gradient (which share no
//!   code with the second differentiation);
//! - every strategy on the gradient program gives the same Hessian, and `hessian` picks one;
//! - `hvp` is `H v`, and `vjp` of the gradient is `vᵀ H`.

use crate::common::assert_close;
use crate::random_programs::{build, op};
use jacobian_core::finite_diff::directional;
use jacobian_core::network::DeepNetwork;
use jacobian_core::{
    grad, hessian, hessian_plan, hessian_with, hvp, jacfwd, jacrev, vjp, Error, Matrix, Network,
    Program, Strategy,
};
use ndarray::{Array1, Array2};
use proptest::prelude::{prop, prop_assert, prop_assume, proptest, ProptestConfig};
use proptest::test_runner::TestCaseError;

fn check(what: &str, f: &Program<f64>, x: &Array1<f64>) -> Result<(), TestCaseError> {
    let n = f.input_len();
    let what = |s: &str| format!("{what}: {s}");
    let g = grad(f).unwrap();
    let gx = g.call(x).unwrap();
    let jrev = jacrev(f, x).unwrap();
    let jrev = jrev.to_shape(n).unwrap().into_owned().into_dyn();
    assert_close(&what("grad vs jacrev"), &gx, &jrev, 1e-12, 1e-14);

    let h = hessian(f, x).unwrap();
    let scale = h.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let asym = (&h - &h.t()).iter().fold(0.0f64, |m, v| m.max(v.abs()));
    prop_assert!(
        asym <= 1e-12 * scale.max(1.0),
        "{}: asymmetry {asym:e}",
        what("H")
    );
    for s in Strategy::ALL {
        let hs = hessian_with(s, f, x).unwrap().into_dyn();
        assert_close(&what(s.name()), &hs, &h.clone().into_dyn(), 1e-10, 1e-12);
    }

    // Central differences of the gradient, column by column, at steps h and 2h (as in
    // random_programs.rs: their disagreement bounds the differences' own error).
    for i in 0..n {
        let e = Array1::from_shape_fn(n, |j| if i == j { 1.0 } else { 0.0 });
        let d = |h: f64| directional(&g, x.view(), e.view(), h).unwrap();
        let (d1, d2) = (d(1e-5), d(2e-5));
        for (r, (&ad, (&fd, &fd2))) in h.column(i).iter().zip(d1.iter().zip(&d2)).enumerate() {
            let allowed = 1e-8 + 1e-7 * scale + (fd - fd2).abs();
            prop_assert!(
                (ad - fd).abs() <= allowed,
                "{}: H[{r}, {i}] = {ad:e}, central differences {fd:e}",
                what("H")
            );
        }
    }

    let v = Array1::from_shape_fn(n, |i| 0.5 - (i as f64 * 0.7).cos());
    let hv = hvp(f, x, &v).unwrap().into_dyn();
    assert_close(&what("hvp"), &hv, &h.dot(&v).into_dyn(), 1e-10, 1e-12);
    let vh = vjp(&g, x, &v).unwrap().1.into_dyn();
    assert_close(
        &what("vjp of grad"),
        &vh,
        &v.dot(&h).into_dyn(),
        1e-10,
        1e-12,
    );
    Ok(())
}

#[test]
fn networks_and_a_program_that_is_not_a_chain() {
    let net = Network::<f64>::new(&[12, 7, 4, 1]).unwrap();
    check("F", &net.trace_f(), &jacobian_core::random_input(12, 3)).unwrap();
    let deep = DeepNetwork::<f64>::new(&[9, 6, 2, 6, 1]).unwrap();
    check("deep", &deep.trace(), &jacobian_core::random_input(9, 4)).unwrap();
    let a = Matrix::new(Array2::from_shape_fn((5, 5), |(i, j)| {
        ((i * 5 + j) as f64 * 0.3).sin()
    }));
    let f = Program::<f64>::trace(5, |x| {
        let y = a.dot(&x).tanh() * &x;
        ((y.exp() - x.sin()).square() + 0.5 * y).sum()
    })
    .unwrap();
    check("not a chain", &f, &jacobian_core::random_input(5, 5)).unwrap();
    // Linear and quadratic functions: a constant gradient, a constant Hessian.
    let lin = Program::<f64>::trace(3, |x| (2.0 * x).sum()).unwrap();
    check("linear", &lin, &Array1::ones(3)).unwrap();
    assert_eq!(
        hessian(&lin, &Array1::ones(3)).unwrap(),
        Array2::zeros((3, 3))
    );
    let quad = Program::<f64>::trace(3, |x| x.square().sum() + x.sum().square()).unwrap();
    let h = hessian(&quad, &Array1::ones(3)).unwrap();
    assert_eq!(h, Array2::eye(3) * 2.0 + 2.0);
}

#[test]
fn the_gradient_program_prints_and_counts() {
    let f = Program::<f64>::trace(2, |x| x.sin().sum()).unwrap();
    assert_eq!(
        grad(&f).unwrap().to_string(),
        "{ lambda x:f64[2] .\n    v1:f64[2] = cos x\n  in v1 }"
    );
    // F's Hessian is A1ᵀ M A1: from a symbolic identity `A1 · I = A1` is free, so the structured
    // strategies count about half of what textbook forward over reverse does.
    let g = grad(&Network::<f32>::original().trace_f()).unwrap();
    let c = g.cost();
    assert!(c.jacfwd > 50_000_000_000, "{c}");
    assert!(c.jacfwd_structured < c.jacfwd / 19 * 10, "{c}");
    assert_eq!(
        g.plan().strategy,
        Strategy::StructuredForward,
        "{}",
        g.plan()
    );
    // `hessian` takes the last product, A1ᵀ · U, by symmetry: in all, under a third of textbook.
    let h = hessian_plan(&Network::<f32>::original().trace_f()).unwrap();
    let last = h.symmetric_last.expect("F's gradient ends in A1ᵀ u");
    assert_eq!((last.n, last.k), (5000, 1000), "{h}");
    // A low-rank pair M2 M1 (2×600 · 600×600): splitting off M1ᵀ costs more than the whole
    // gradient's bracketing, so `hessian` does not split.
    let m1 = Matrix::new(Array2::from_shape_fn((600, 600), |(i, j)| {
        ((i + 2 * j) as f64).sin()
    }));
    let m2 = Matrix::new(Array2::from_shape_fn((2, 600), |(i, j)| {
        ((i * j) as f64).cos()
    }));
    let low_rank = Program::<f64>::trace(600, |x| m2.dot(&m1.dot(&x)).tanh().sum()).unwrap();
    let p = hessian_plan(&low_rank).unwrap();
    assert!(p.symmetric_last.is_none(), "{p}");
    assert!(h.madds() < c.jacfwd / 3, "{h}");
}

#[test]
fn errors_name_what_was_expected() {
    let g_of_z = Network::<f64>::new(&[6, 4, 3, 2]).unwrap().trace_g();
    match grad(&g_of_z) {
        Err(Error::Shape {
            op: "grad", actual, ..
        }) => assert!(actual.contains("length 6"), "{actual}"),
        other => panic!("expected a shape error, got {other:?}"),
    }
    let f = Program::<f64>::trace(3, |x| x.square().sum()).unwrap();
    let x = Array1::ones(3);
    assert_eq!(
        hvp(&f, &x, &Array1::ones(4)),
        Err(Error::DirectionLength {
            what: "v",
            expected: 3,
            actual: 4
        })
    );
    let mut v = Array1::ones(3);
    v[1] = f64::NAN;
    assert!(matches!(
        hvp(&f, &x, &v),
        Err(Error::NonFinite {
            what: "v",
            index: 1,
            ..
        })
    ));
    assert!(matches!(
        hessian(&f, &Array1::ones(2)),
        Err(Error::InputLength {
            expected: 3,
            actual: 2
        })
    ));
    // 10⁶ inputs: a 10⁶ × 10⁶ Hessian, refused before anything is allocated.
    let big = Program::<f64>::trace(1_000_000, |x| x.square().sum()).unwrap();
    match hessian(&big, &Array1::ones(1_000_000)) {
        Err(Error::TooLarge { what, .. }) => assert!(what.starts_with("the Hessian"), "{what}"),
        other => panic!("expected TooLarge, got {:?}", other.map(|h| h.dim())),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_programs_with_one_output(
        n in 1usize..5,
        ops in prop::collection::vec(op(), 1..10),
        seed in 0u64..1000,
    ) {
        let f = build(n, &ops, true);
        let x = Array1::from_shape_fn(n, |i| (seed as f64 + 1.3 * i as f64).sin());
        let y = f.call(&x).expect("a finite input");
        prop_assume!(y.iter().all(|v| v.is_finite() && v.abs() < 1e4));
        check(&format!("\n{f}\n"), &f, &x)?;
        // A gradient program is a program: its own Jacobian by both textbook modes agrees.
        let g = grad(&f).unwrap();
        assert_close("jacfwd vs jacrev of grad", &jacfwd(&g, &x).unwrap(), &jacrev(&g, &x).unwrap(), 1e-10, 1e-12);
    }
}
