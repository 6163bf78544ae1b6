//! Random programs: any function written from the supported operations, not only F and G.
//!
//! proptest draws a small straight-line program: values of several lengths, read more than once,
//! combined again further on (so the graph is not a chain), through every supported operation
//! but `atleast_1d` (a no-op on vectors). For each, in f64 (`second.rs` differentiates the same
//! programs twice):
//! - every strategy (both textbook modes, chunked or not, both structured modes, the bracketed
//!   chain and `jacobian`) gives the same Jacobian, to rounding;
//! - that Jacobian matches central finite differences, which share no code with the AD;
//! - `jvp` and `vjp` match its columns and rows.
//!
//! In debug builds (as `cargo test` runs) every Jacobian also checks that it did the multiply–adds
//! its plan counted, so the cost model is tested on the same programs.

use crate::common::assert_close;
use jacobian_core::finite_diff::directional;
use jacobian_core::{
    jacfwd, jacfwd_chunked, jacobian, jacobian_with, jacrev, jacrev_chunked, jvp, vjp, Matrix,
    Program, Strategy, Var,
};
use ndarray::{Array1, Array2, ArrayD};
use proptest::prelude::{
    any, prop, prop_assert, prop_assume, prop_oneof, proptest, ProptestConfig, TestCaseError,
};
use proptest::strategy::Strategy as _;

/// One step of a random program. `a` and `b` pick earlier values (modulo how many there are).
#[derive(Debug, Clone)]
pub(crate) enum Op {
    Tanh(usize),
    Sin(usize),
    Cos(usize),
    /// `exp(0.5 x)`: keeps values moderate through a few nested exponentials.
    Exp(usize),
    Square(usize),
    Neg(usize),
    Scale(usize, f64),
    /// `u + v`, `u - v`, `u * v`, with `v` the `b`-th earlier value of `u`'s length (or `u` itself).
    Add(usize, usize),
    Sub(usize, usize),
    Mul(usize, usize),
    /// A constant `rows × len` matrix times a value; stored transposed when `transposed`.
    Dot(usize, usize, bool),
    AddConst(usize),
    SubConst(usize),
    /// `c ⊙ u` for a constant vector `c`.
    MulConst(usize),
    /// `u + 0.5`.
    AddScalar(usize),
    /// `Σ u`, broadcast to the length of the `b`-th value.
    SumBroadcast(usize, usize),
}

pub(crate) fn op() -> impl proptest::strategy::Strategy<Value = Op> {
    let i = 0usize..64;
    prop_oneof![
        i.clone().prop_map(Op::Tanh),
        i.clone().prop_map(Op::Sin),
        i.clone().prop_map(Op::Cos),
        i.clone().prop_map(Op::Exp),
        i.clone().prop_map(Op::Square),
        i.clone().prop_map(Op::Neg),
        (i.clone(), -2.0f64..2.0).prop_map(|(a, c)| Op::Scale(a, c)),
        (i.clone(), i.clone()).prop_map(|(a, b)| Op::Add(a, b)),
        (i.clone(), i.clone()).prop_map(|(a, b)| Op::Sub(a, b)),
        (i.clone(), i.clone()).prop_map(|(a, b)| Op::Mul(a, b)),
        (i.clone(), 1usize..7, any::<bool>()).prop_map(|(a, r, t)| Op::Dot(a, r, t)),
        (i.clone(), 1usize..7, any::<bool>()).prop_map(|(a, r, t)| Op::Dot(a, r, t)),
        i.clone().prop_map(Op::AddConst),
        i.clone().prop_map(Op::SubConst),
        i.clone().prop_map(Op::MulConst),
        i.clone().prop_map(Op::AddScalar),
        (i.clone(), i).prop_map(|(a, b)| Op::SumBroadcast(a, b)),
    ]
}

/// Deterministic entries in [-1, 1] scaled by `1/√cols`, so products keep values moderate.
fn constant(rows: usize, cols: usize, salt: usize) -> Array2<f64> {
    let s = 1.0 / (cols as f64).sqrt();
    Array2::from_shape_fn((rows, cols), |(r, c)| {
        s * ((salt * 7919 + r * 104_729 + c * 1_299_709) as f64 * 0.618_033_988_7).sin()
    })
}

fn vector(len: usize, salt: usize) -> Array1<f64> {
    constant(1, len, salt).row(0).to_owned()
}

/// The program the ops describe, on inputs of length `n`. Its output is the last value, or its
/// sum (a scalar output) when `sum` is set, or a single-element value squeezed.
pub(crate) fn build(n: usize, ops: &[Op], sum: bool) -> Program<f64> {
    Program::<f64>::trace(n, |x| {
        let mut vals: Vec<Var<f64>> = vec![x];
        let pick = |vals: &[Var<f64>], a: usize| vals[a % vals.len()].clone();
        // The `b`-th earlier value with the length of `u`; `u` itself if there is no other.
        let partner = |vals: &[Var<f64>], u: &Var<f64>, b: usize| {
            let same: Vec<&Var<f64>> = vals.iter().filter(|v| v.shape() == u.shape()).collect();
            same[b % same.len()].clone()
        };
        for (k, op) in ops.iter().enumerate() {
            let next = match *op {
                Op::Tanh(a) => pick(&vals, a).tanh(),
                Op::Sin(a) => pick(&vals, a).sin(),
                Op::Cos(a) => pick(&vals, a).cos(),
                Op::Exp(a) => (0.5 * pick(&vals, a)).exp(),
                Op::Square(a) => pick(&vals, a).square(),
                Op::Neg(a) => -pick(&vals, a),
                Op::Scale(a, c) => c * pick(&vals, a),
                Op::Add(a, b) => {
                    let u = pick(&vals, a);
                    &u + partner(&vals, &u, b)
                }
                Op::Sub(a, b) => {
                    let u = pick(&vals, a);
                    &u - partner(&vals, &u, b)
                }
                Op::Mul(a, b) => {
                    let u = pick(&vals, a);
                    &u * partner(&vals, &u, b)
                }
                Op::Dot(a, rows, transposed) => {
                    let u = pick(&vals, a);
                    let cols = u.shape().len();
                    let m = if transposed {
                        Matrix::new(constant(cols, rows, k)).t()
                    } else {
                        Matrix::new(constant(rows, cols, k))
                    };
                    m.dot(&u)
                }
                Op::AddConst(a) => {
                    let u = pick(&vals, a);
                    &u + &vector(u.shape().len(), k)
                }
                Op::SubConst(a) => {
                    let u = pick(&vals, a);
                    &u - &vector(u.shape().len(), k)
                }
                Op::MulConst(a) => {
                    let u = pick(&vals, a);
                    &u * &vector(u.shape().len(), k)
                }
                Op::AddScalar(a) => pick(&vals, a) + 0.5,
                Op::SumBroadcast(a, b) => {
                    let len = pick(&vals, b).shape().len();
                    pick(&vals, a).sum().broadcast(len)
                }
            };
            vals.push(next);
        }
        let last = vals.pop().expect("the input at least");
        match (sum, last.shape().len()) {
            (true, _) => last.sum(),
            (false, 1) => last.squeeze(),
            _ => last,
        }
    })
    .expect("the ops only combine values of matching lengths")
}

/// The Jacobian as an `m × n` matrix, whatever the output's shape.
fn as_matrix(j: &ArrayD<f64>, n: usize) -> Array2<f64> {
    j.to_owned()
        .into_shape_with_order((j.len() / n, n))
        .expect("m·n entries")
}

fn check(n: usize, ops: &[Op], sum: bool, seed: u64, chunk: usize) -> Result<(), TestCaseError> {
    let f = build(n, ops, sum);
    let x = Array1::from_shape_fn(n, |i| (seed as f64 + 1.3 * i as f64).sin());
    let y = f.call(&x).expect("a finite input");
    // Nested squares and exponentials can overflow; such programs say nothing about derivatives.
    prop_assume!(y.iter().all(|v| v.is_finite() && v.abs() < 1e6));

    let reference = jacfwd(&f, &x).unwrap();
    let what = |s: &str| format!("{s} of\n{f}");
    assert_close(
        &what("jacrev"),
        &jacrev(&f, &x).unwrap(),
        &reference,
        1e-10,
        1e-12,
    );
    let k = 1 + chunk % n.max(f.output_len());
    for (name, j) in [
        ("jacfwd_chunked", jacfwd_chunked(&f, &x, k)),
        ("jacrev_chunked", jacrev_chunked(&f, &x, k)),
    ] {
        assert_close(&what(name), &j.unwrap(), &reference, 1e-10, 1e-12);
    }
    for s in Strategy::ALL {
        let j = jacobian_with(s, &f, &x).unwrap();
        assert_close(&what(s.name()), &j, &reference, 1e-10, 1e-12);
    }
    let (j, plan) = jacobian(&f, &x).unwrap();
    assert_close(
        &what(&format!("jacobian ({})", plan.strategy)),
        &j,
        &reference,
        1e-10,
        1e-12,
    );

    // Central differences, one input direction at a time, at steps h and 2h. Their error is
    // about c·h² and 4c·h², so |D(h) - D(2h)| ≈ 3c·h² bounds D(h)'s own error: that much is
    // allowed on top of the tolerance. A wrong rule is off by O(1) where the two steps agree.
    let jm = as_matrix(&reference, n);
    let scale = jm.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for i in 0..n {
        let e = Array1::from_shape_fn(n, |j| if i == j { 1.0 } else { 0.0 });
        let d = |h: f64| directional(&f, x.view(), e.view(), h).unwrap();
        let (d1, d2) = (d(1e-5), d(2e-5));
        for (r, (&ad, (&fd, &fd2))) in jm.column(i).iter().zip(d1.iter().zip(&d2)).enumerate() {
            let allowed = 1e-8 + 1e-7 * scale + (fd - fd2).abs();
            prop_assert!(
                (ad - fd).abs() <= allowed,
                "J[{r}, {i}] = {ad:e} but central differences give {fd:e} (step 2h: {fd2:e}) for\n{f}"
            );
        }
    }

    // One direction each way: J v and cᵀ J.
    let v = Array1::from_shape_fn(n, |i| 0.5 - (i as f64 * 0.7).cos());
    let c = Array1::from_shape_fn(jm.nrows(), |i| (i as f64 * 1.1).sin() + 0.2);
    let jv = jvp(&f, &x, &v).unwrap().1;
    let ctj = vjp(&f, &x, &c).unwrap().1;
    let jv = Array1::from_iter(jv.iter().copied()).into_dyn();
    assert_close(&what("jvp"), &jv, &jm.dot(&v).into_dyn(), 1e-10, 1e-12);
    assert_close(
        &what("vjp"),
        &ctj.into_dyn(),
        &c.dot(&jm).into_dyn(),
        1e-10,
        1e-12,
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn every_mode_agrees_with_finite_differences_on_random_programs(
        n in 1usize..6,
        ops in prop::collection::vec(op(), 1..14),
        sum in any::<bool>(),
        seed in 0u64..1000,
        chunk in 0usize..8,
    ) {
        check(n, &ops, sum, seed, chunk)?;
    }
}

/// A program that reads its input at every step and sums two branches of different depth: the
/// case a chain-only AD would get wrong. Kept as a fixed example of what the generator draws.
#[test]
fn a_program_with_skips_and_fan_out() {
    use Op::*;
    let ops = [
        Dot(0, 4, false),
        Tanh(1),
        Mul(2, 0),
        Dot(0, 4, true),
        Add(4, 3),
        Exp(5),
        Sin(0),
        Mul(7, 0),
        Dot(6, 3, false),
        Sub(9, 0),
    ];
    check(3, &ops, false, 7, 2).unwrap();
    check(3, &ops, true, 7, 0).unwrap();
}
