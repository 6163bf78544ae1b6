//! Every error path: a typed error that names what was expected and what was given.

use jacobian_core::{
    jacfwd, jacfwd_chunked, jacobian, jacobian_with, jacrev, jacrev_chunked, jvp, vjp, Error,
    Matrix, Network, Program, Strategy,
};
use ndarray::{array, Array1, Array2};

fn small() -> (Program<f64>, Program<f64>) {
    let net = Network::<f64>::new(&[6, 4, 3, 2]).unwrap();
    (net.trace_f(), net.trace_g())
}

#[test]
fn wrong_input_length() {
    let (f, g) = small();
    let e = jacfwd(&f, &Array1::zeros(5)).unwrap_err();
    assert_eq!(
        e,
        Error::InputLength {
            expected: 6,
            actual: 5
        }
    );
    assert!(
        e.to_string().contains("length 5") && e.to_string().contains("length 6"),
        "{e}"
    );
    assert_eq!(
        jacrev(&g, &Array1::zeros(1)).unwrap_err(),
        Error::InputLength {
            expected: 2,
            actual: 1
        }
    );
    assert_eq!(
        f.call(&Array1::zeros(7)).unwrap_err(),
        Error::InputLength {
            expected: 6,
            actual: 7
        }
    );
    assert!(matches!(
        f.linearize(&Array1::zeros(0)),
        Err(Error::InputLength {
            expected: 6,
            actual: 0
        })
    ));
}

#[test]
fn wrong_direction_length() {
    let (f, _) = small();
    let x = Array1::zeros(6);
    assert_eq!(
        jvp(&f, &x, &Array1::zeros(3)).unwrap_err(),
        Error::DirectionLength {
            what: "v",
            expected: 6,
            actual: 3
        }
    );
    assert_eq!(
        vjp(&f, &x, &Array1::zeros(6)).unwrap_err(),
        Error::DirectionLength {
            what: "c",
            expected: 2,
            actual: 6
        }
    );
}

#[test]
fn non_finite_input() {
    let (f, _) = small();
    let x = array![0.0, 1.0, f64::NAN, 0.0, 0.0, 0.0];
    match jacfwd(&f, &x).unwrap_err() {
        Error::NonFinite {
            what: "x",
            index: 2,
            value,
        } => assert!(value.is_nan()),
        e => panic!("expected NonFinite at index 2, got {e:?}"),
    }
    let x = array![0.0, 1.0, 0.0, 0.0, 0.0, f64::INFINITY];
    assert!(matches!(
        jacrev(&f, &x),
        Err(Error::NonFinite { index: 5, .. })
    ));
    let v = array![0.0, f64::NEG_INFINITY, 0.0, 0.0, 0.0, 0.0];
    assert!(matches!(
        jvp(&f, &Array1::zeros(6), &v),
        Err(Error::NonFinite {
            what: "v",
            index: 1,
            ..
        })
    ));
}

#[test]
fn zero_chunk() {
    let (f, g) = small();
    assert_eq!(
        jacfwd_chunked(&f, &Array1::zeros(6), 0).unwrap_err(),
        Error::ZeroChunk
    );
    assert_eq!(
        jacrev_chunked(&g, &Array1::zeros(2), 0).unwrap_err(),
        Error::ZeroChunk
    );
}

#[test]
fn invalid_widths() {
    for widths in [
        vec![5000, 1000, 30],
        vec![5, 4, 3, 2, 1],
        vec![5, 0, 3, 1],
        vec![],
    ] {
        match Network::<f32>::new(&widths) {
            Err(Error::Widths { widths: w, reason }) => assert_eq!(w, widths, "{reason}"),
            other => panic!("{widths:?}: expected a Widths error, got {other:?}"),
        }
    }
}

#[test]
fn matrices_that_do_not_chain() {
    let e = Network::<f64>::from_matrices(
        Array2::zeros((4, 6)),
        Array2::zeros((3, 5)),
        Array2::zeros((1, 3)),
    )
    .unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::Widths { .. }), "{e:?}");
    assert!(
        msg.contains("A1 is 4×6") && msg.contains("A2 needs 4 columns") && msg.contains("3×5"),
        "{msg}"
    );
}

#[test]
fn network_too_large_for_memory() {
    let e = Network::<f32>::new(&[10_000_000, 1_000_000, 30, 1]).unwrap_err();
    assert!(matches!(e, Error::TooLarge { .. }), "{e:?}");
    assert!(e.to_string().contains("MiB"), "{e}");
}

#[test]
fn dense_basis_too_large_for_memory() {
    // A 2-million-wide input: the dense identity seed alone would need 16 TB.
    let a = Matrix::new(Array2::<f32>::zeros((1, 1)));
    let f = Program::<f32>::trace(2_000_000, |x| a.dot(&x.sum().atleast_1d())).unwrap();
    let x = Array1::zeros(2_000_000);
    let e = jacfwd(&f, &x).unwrap_err();
    assert!(matches!(e, Error::TooLarge { .. }), "{e:?}");
    assert!(matches!(
        jacfwd_chunked(&f, &x, 1_000_000),
        Err(Error::TooLarge { .. })
    ));
    // The 1 × 2M Jacobian itself fits: reverse mode seeds one direction.
    assert_eq!(jacrev(&f, &x).unwrap().shape(), &[1, 2_000_000]);
}

#[test]
fn shape_errors_while_tracing() {
    let a = Matrix::new(Array2::<f64>::zeros((3, 4)));
    let e = Program::<f64>::trace(5, |x| a.dot(&x)).unwrap_err();
    assert_eq!(
        e,
        Error::Shape {
            op: "matvec",
            expected: "a vector of length 4 for a 3×4 matrix".into(),
            actual: "a vector of length 5".into()
        }
    );
    let b = array![1.0, 2.0];
    let e = Program::<f64>::trace(3, |x| x + &b).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Shape {
                op: "add_const",
                ..
            }
        ),
        "{e:?}"
    );
    let e = Program::<f64>::trace(3, |x| x.sum() + x).unwrap_err();
    assert!(
        e.to_string().contains("a scalar and a vector of length 3"),
        "{e}"
    );
    let e = Program::<f64>::trace(3, |x| x.sum().sum()).unwrap_err();
    assert!(matches!(e, Error::Shape { op: "sum", .. }), "{e:?}");
    assert!(matches!(
        Program::<f64>::trace(0, |x| x),
        Err(Error::Widths { .. })
    ));
}

#[test]
fn variables_from_another_trace_are_rejected() {
    let mut leaked = None;
    let _ = Program::<f64>::trace(3, |x| {
        leaked = Some(x.clone());
        x
    });
    let other = leaked.unwrap();
    let e = Program::<f64>::trace(3, |x| x + other.clone()).unwrap_err();
    assert!(e.to_string().contains("another trace"), "{e}");
    let e = Program::<f64>::trace(3, |_| other.clone()).unwrap_err();
    assert!(e.to_string().contains("another trace"), "{e}");
}

#[test]
fn strategies_that_would_not_fit() {
    // An elementwise function of 300 000 inputs: its Jacobian is diagonal, but every strategy
    // returns it dense (360 GB in f32), so each one refuses before allocating.
    let n = 300_000;
    let f = Program::<f32>::trace(n, |x| x.tanh()).unwrap();
    let x = Array1::<f32>::zeros(n);
    for s in Strategy::ALL {
        match jacobian_with(s, &f, &x) {
            Err(Error::TooLarge {
                what, needed_mib, ..
            }) => {
                assert!(needed_mib > 300_000.0, "{s}: {what} needs {needed_mib} MiB")
            }
            other => panic!(
                "{s}: expected TooLarge, got {:?}",
                other.map(|j| j.shape().to_vec())
            ),
        }
    }
    assert!(matches!(jacobian(&f, &x), Err(Error::TooLarge { .. })));
    // The plan itself is shapes only, and fine at any size.
    assert!(f.plan().cost.jacfwd > f.plan().cost.jacfwd_structured);
}

#[test]
fn non_finite_constants() {
    // A network's matrix: named, with the entry's row and column.
    let mut a2 = Array2::<f64>::ones((3, 4));
    a2[[1, 2]] = f64::NAN;
    let e = Network::from_matrices(Array2::ones((4, 6)), a2, Array2::ones((1, 3))).unwrap_err();
    assert_eq!(
        e.to_string(),
        "A2[1, 2] = NaN is not finite; constants must be finite numbers"
    );

    // Finite entries whose row sum is +∞ + (−∞): ndarray sums a row in eight interleaved partial
    // sums, two of which overflow with opposite signs, so the bias tanh(row sum) is NaN.
    let mut a1 = Array2::<f32>::zeros((2, 16));
    for j in [0, 8] {
        a1[[1, j]] = 3e38;
        a1[[1, j + 1]] = -3e38;
    }
    let e = Network::from_matrices(a1, Array2::ones((1, 2)), Array2::ones((1, 1))).unwrap_err();
    assert!(matches!(e, Error::NonFiniteConstant { .. }), "{e:?}");
    assert!(
        e.to_string()
            .starts_with("the bias b1 = tanh(row sums of A1)[1] = NaN"),
        "{e}"
    );

    // The constants of a traced function: a matrix, a vector and a scalar.
    let mut a = Array2::<f64>::ones((2, 3));
    a[[0, 1]] = f64::INFINITY;
    let m = Matrix::new(a).named("W");
    let e = Program::<f64>::trace(3, |x| m.dot(&x)).unwrap_err();
    assert_eq!(
        e,
        Error::NonFiniteConstant {
            what: "`matvec` constant W".into(),
            at: "[0, 1]".into(),
            value: f64::INFINITY
        }
    );
    // The transpose reports the entry where it acts: Wᵀ[1, 0].
    let e = Program::<f64>::trace(2, |x| m.t().dot(&x)).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("`matvec` constant Wᵀ[1, 0] = inf"),
        "{e}"
    );
    let b = array![1.0, f64::NEG_INFINITY, 3.0];
    let e = Program::<f64>::trace(3, |x| (x - &b).tanh()).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("`sub_const` constant b[1] = -inf"),
        "{e}"
    );
    let e = Program::<f64>::trace(3, |x| f64::NAN * x).unwrap_err();
    assert_eq!(
        e.to_string(),
        "`scale` constant s = NaN is not finite; constants must be finite numbers"
    );
}
