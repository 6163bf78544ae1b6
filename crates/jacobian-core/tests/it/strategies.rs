//! Structured seeds and the bracketed chain: every strategy computes the same Jacobian as the
//! textbook modes and the hand-derived oracle, the plan picks the cheapest, and the cost model's
//! structured counts match counts derived by hand.
//!
//! Tolerances as in `modes.rs`: the strategies differ from the textbook modes only in the order
//! of the products, so 1e-12 (f64) and 1e-4 (f32) normwise; against the f64 oracle 1e-10 (f64).

use crate::common::{assert_close, jac_f_by_hand, jac_g_by_hand, upcast};
use jacobian_core::network::DeepNetwork;
use jacobian_core::{
    jacfwd, jacfwd_structured, jacobian, jacobian_with, jacrev, jacrev_structured, random_input,
    Error, Matrix, Network, Program, Real, Strategy,
};
use ndarray::{Array1, Array2, ArrayD};
use proptest::prelude::*;

fn all_strategies<T: Real>(
    what: &str,
    f: &Program<T>,
    x: &Array1<T>,
    reference: &ArrayD<T>,
    rtol: f64,
) {
    for s in Strategy::ALL {
        let j = jacobian_with(s, f, x).unwrap();
        assert_close(
            &format!("{what}: {s} vs reference"),
            &j,
            reference,
            rtol,
            0.0,
        );
    }
    let structured = [
        jacfwd_structured(f, x).unwrap(),
        jacrev_structured(f, x).unwrap(),
    ];
    for j in &structured {
        assert_close(&format!("{what}: jac*_structured"), j, reference, rtol, 0.0);
    }
    let (j, plan) = jacobian(f, x).unwrap();
    assert_close(
        &format!("{what}: jacobian ({})", plan.strategy),
        &j,
        reference,
        rtol,
        0.0,
    );
}

fn check_network_f64(widths: &[usize], seed: u64) {
    let net = Network::<f64>::new(widths).unwrap();
    let x = random_input::<f64>(widths[0], seed);
    let z = random_input::<f64>(widths[3], seed + 1);
    let f_oracle = jac_f_by_hand(&upcast(&net), &x);
    let g_oracle = jac_g_by_hand(&upcast(&net), &z);
    all_strategies("F", &net.trace_f(), &x, &f_oracle, 1e-10);
    all_strategies("G", &net.trace_g(), &z, &g_oracle, 1e-10);
}

#[test]
fn every_strategy_matches_the_oracle_at_the_original_widths_f64() {
    check_network_f64(&[5000, 1000, 30, 1], 0);
}

#[test]
fn every_strategy_matches_jacrev_at_the_original_widths_f32() {
    let net = Network::<f32>::original();
    let (f, g) = (net.trace_f(), net.trace_g());
    let x = random_input::<f32>(5000, 3);
    let z = random_input::<f32>(1, 4);
    all_strategies("F", &f, &x, &jacrev(&f, &x).unwrap(), 1e-4);
    all_strategies("G", &g, &z, &jacfwd(&g, &z).unwrap(), 1e-4);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn every_strategy_matches_the_oracle_at_random_widths(
        n0 in 1usize..40, n1 in 1usize..40, n2 in 1usize..12, n3 in 1usize..8, seed in 0u64..1000
    ) {
        check_network_f64(&[n0, n1, n2, n3], seed);
    }
}

/// A function that is not a chain: `x` is read again after the matrix, so the program has no cut
/// between input and output and every strategy works on one segment.
#[test]
fn a_program_that_is_not_a_chain() {
    let a = Matrix::new(Array2::from_shape_fn((7, 7), |(i, j)| {
        ((i * 7 + j) as f64 * 0.3).sin()
    }));
    let f = Program::<f64>::trace(7, |x| {
        let y = a.dot(&x).tanh() * &x; // reads x twice
        (y.exp() - x.sin()).square() + 0.5 * y
    })
    .unwrap();
    let x = random_input::<f64>(7, 9);
    let reference = jacfwd(&f, &x).unwrap();
    all_strategies("x ⊙ tanh(Ax)", &f, &x, &reference, 1e-12);
    assert_eq!(f.plan().segments.len(), 1, "{}", f.plan());

    // A scalar output through `sum`, and a function that is only elementwise (a diagonal Jacobian).
    let g = Program::<f64>::trace(7, |x| (a.dot(&x.sin()) * &a.t().dot(&x.cos())).sum()).unwrap();
    all_strategies(
        "sum(A sin x ⊙ Aᵀx)",
        &g,
        &x,
        &jacrev(&g, &x).unwrap(),
        1e-12,
    );
    let h = Program::<f64>::trace(7, |x| x.tanh() + 0.1 * x.sin()).unwrap();
    all_strategies(
        "tanh x + 0.1 sin x",
        &h,
        &x,
        &jacfwd(&h, &x).unwrap(),
        1e-12,
    );
    assert_eq!(h.plan().bracketing(), "D1");
    let id = Program::<f64>::trace(7, |x| x).unwrap();
    all_strategies("x", &id, &x, &Array2::<f64>::eye(7).into_dyn(), 0.0);
    // A bare transposed constant: its Jacobian is the constant's transposed view, stored
    // column-major; every strategy returns it as a row-major 3×7 array.
    let a = Array2::from_shape_fn((7, 3), |(i, j)| (i * 3 + j) as f64 - 4.0);
    let m = Matrix::new(a.clone()).named("A");
    let at = Program::<f64>::trace(7, |x| m.t().dot(&x)).unwrap();
    all_strategies("Aᵀx", &at, &x, &a.t().to_owned().into_dyn(), 0.0);
}

#[test]
fn the_plan_starts_at_the_narrow_end() {
    let net = Network::<f32>::original();
    let (f, g) = (net.trace_f().plan(), net.trace_g().plan());
    assert_eq!(f.strategy, Strategy::StructuredReverse, "{f}");
    assert_eq!(g.strategy, Strategy::StructuredForward, "{g}");
    assert_eq!(f.bracketing(), "(((A3 · D2) · A2) · D1) · A1");
    assert_eq!(g.bracketing(), "A1ᵀ · (D2 · (A2ᵀ · (D1 · A3ᵀ)))");

    let deep = DeepNetwork::<f32>::new(&[500, 5000, 20, 5000, 500]).unwrap();
    let plan = deep.trace().plan();
    assert_eq!(plan.strategy, Strategy::Bracketed, "{plan}");
    // Each half is multiplied towards the narrow middle (20), then the two halves.
    assert_eq!(
        plan.bracketing(),
        "((A4 · (D3 · A3)) · D2) · ((A2 · D1) · A1)"
    );
}

/// Multiply–adds of the structured modes and the bracketing, derived by hand from the shapes.
#[test]
fn structured_costs_by_hand() {
    let net = Network::<f32>::original();
    let c = net.trace_f().cost();
    // An elementwise block φ(y) = tanh y + 0.1 g(y) of width w, pushed from the identity: tanh and
    // g give diagonals for free (diag · I), scale multiplies a diagonal (w), add adds two (w).
    let block = |w: u64| 2 * w;
    // Structured jacfwd(F): A1 · I is A1 (free); D1 · A1 scales 1000×5000; A2 · (1000×5000);
    // D2 · (30×5000); A3 · (30×5000). Each diagonal is formed first.
    let fwd = block(1000) + 1000 * 5000 + 30 * 1000 * 5000 + block(30) + 30 * 5000 + 30 * 5000;
    assert_eq!(c.jacfwd_structured, c.linearize + fwd);
    // Structured jacrev(F) and the bracketing: I · A3 is A3 (free); (1×30) · D2; (1×30) · A2;
    // (1×1000) · D1; (1×1000) · A1: one vector–matrix product per layer.
    let rev = 30 + block(30) + 30 * 1000 + 1000 + block(1000) + 1000 * 5000;
    assert_eq!(c.jacrev_structured, c.linearize + rev);
    assert_eq!(c.bracketed, c.linearize + rev);

    // 500 → 5000 → 20 → 5000 → 500: each half towards the middle, then the 500×20 · 20×500 product.
    let deep = DeepNetwork::<f32>::new(&[500, 5000, 20, 5000, 500]).unwrap();
    let c = deep.trace().cost();
    let half = 5000 * 20 + 20 * 5000 * 500; // (A2 · D1): scale 20×5000 columns, then · A1 (5000×500)
    let other = 5000 * 20 + 500 * 5000 * 20; // D3 · A3 scales 5000×20 rows, then A4 · (5000×20)
    let middle = 500 * 20 + 500 * 20 * 500; // · D2 on 500×20, then (500×20) · (20×500)
    let blocks = block(5000) + block(20) + block(5000);
    assert_eq!(c.bracketed, c.linearize + half + other + middle + blocks);
    assert!(
        c.bracketed < 120_000_000 && c.jacfwd_structured > 1_300_000_000,
        "{c}"
    );
    assert!(c.jacfwd > 2_600_000_000 && c.jacrev > 2_600_000_000, "{c}");
}

/// Peak memory, derived by hand: the values of F kept by linearizing, plus the matrices alive at
/// the worst moment (a product's result is allocated while its operands are still held).
#[test]
fn peak_memory_by_hand() {
    let c = Network::<f32>::original().trace_f().cost();
    // x (5000), six values of width 1000, six of width 30, three scalars.
    let values: u64 = 5000 + 6 * 1000 + 6 * 30 + 3;
    // Textbook jacfwd: the dense 5000×5000 seed and A1 · seed (1000×5000) at once.
    assert_eq!(
        c.peak_bytes(Strategy::Forward),
        4 * (values + 5000 * 5000 + 1000 * 5000)
    );
    // Structured jacfwd: A1 is shared, not counted; D1 · A1 (1000×5000) and A2 · (D1 · A1) (30×5000).
    assert_eq!(
        c.peak_bytes(Strategy::StructuredForward),
        4 * (values + 1000 * 5000 + 30 * 5000)
    );
}

#[test]
fn a_deep_network_with_the_original_widths_is_f() {
    let net = Network::<f64>::new(&[300, 40, 6, 1]).unwrap();
    let deep = DeepNetwork::<f64>::new(&[300, 40, 6, 1]).unwrap();
    let x = random_input::<f64>(300, 5);
    let from_f = jacrev(&net.trace_f(), &x).unwrap();
    let from_deep = jacrev(&deep.trace(), &x).unwrap();
    assert_close(
        "deep vs F",
        &from_deep.into_shape_with_order(300).unwrap().into_dyn(),
        &from_f,
        1e-14,
        0.0,
    );
}

#[test]
fn deep_networks_of_any_depth() {
    for widths in [vec![6, 3], vec![6, 9, 2, 9, 6], vec![4, 8, 8, 8, 8, 8, 3]] {
        let f = DeepNetwork::<f64>::new(&widths).unwrap().trace();
        let x = random_input::<f64>(widths[0], 1);
        let reference = jacfwd(&f, &x).unwrap();
        assert_close(
            "jacrev vs jacfwd",
            &jacrev(&f, &x).unwrap(),
            &reference,
            1e-12,
            0.0,
        );
        all_strategies(&format!("{widths:?}"), &f, &x, &reference, 1e-12);
    }
    for widths in [vec![5], vec![], vec![5, 0, 3]] {
        assert!(
            matches!(DeepNetwork::<f32>::new(&widths), Err(Error::Widths { .. })),
            "{widths:?}"
        );
    }
}

#[test]
fn strategies_reject_bad_input() {
    let f = Network::<f32>::new(&[20, 10, 3, 1]).unwrap().trace_f();
    for s in Strategy::ALL {
        let short = jacobian_with(s, &f, &Array1::<f32>::zeros(19));
        assert!(
            matches!(
                short,
                Err(Error::InputLength {
                    expected: 20,
                    actual: 19
                })
            ),
            "{s}"
        );
        let mut x = Array1::<f32>::zeros(20);
        x[4] = f32::NAN;
        assert!(
            matches!(
                jacobian_with(s, &f, &x),
                Err(Error::NonFinite { index: 4, .. })
            ),
            "{s}"
        );
    }
}

/// Plans and printed programs name the constants (`A1ᵀ` for a transpose); a dense factor without
/// one name is numbered from the input end: `A1, A2, …` if none is named, `M1, …` beside names.
#[test]
fn factors_are_labelled_by_their_constants() {
    let a = Matrix::new(Array2::<f64>::from_elem((3, 4), 0.5));
    let b = Matrix::new(Array2::<f64>::from_elem((3, 2), 0.25));
    let trace = |a: &Matrix<f64>, b: &Matrix<f64>| {
        Program::trace(4, |x| b.t().dot(&a.dot(&x).tanh())).unwrap()
    };
    let p = trace(&a.clone().named("W"), &b.clone().named("V"));
    assert_eq!(p.plan().labels(), ["W", "D1", "Vᵀ"]);
    assert!(p.to_string().contains("matvec[Vᵀ 2×3]"), "{p}");
    let p = trace(&a.clone().named("W"), &b);
    assert_eq!(p.plan().labels(), ["W", "D1", "M1"]);
    assert_eq!(trace(&a, &b).plan().labels(), ["A1", "D1", "A2"]);
    assert!(p.to_string().contains("matvec[2×3, transposed]"), "{p}");
}
