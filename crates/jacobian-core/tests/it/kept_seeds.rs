//! A `Prepared` Jacobian keeps its identity seed between calls. The Jacobians must not change:
//! the same products on the same numbers, so the same bits as a fresh `jacfwd`/`jacrev`, on every
//! call, at every input, whatever the element type, and whatever the other `Prepared`s held at the
//! same time (one per program and strategy, of other widths and types) did in between.

use jacobian_core::ndarray_rand::rand_distr::{Distribution, StandardNormal};
use jacobian_core::{
    jacfwd, jacfwd_chunked, jacrev, random_input, Network, Program, Real, Strategy,
};
use ndarray::{Array1, ArrayD};

/// F and G of a network, two inputs of each, and the Jacobians a fresh call computes there:
/// jacfwd(F), jacrev(G) and a chunked jacfwd(F).
struct Case<T: Real> {
    f: Program<T>,
    g: Program<T>,
    xs: [Array1<T>; 2],
    zs: [Array1<T>; 2],
    fresh: [[ArrayD<T>; 3]; 2],
}

const CHUNK: usize = 1500;

fn case<T: Real>(widths: &[usize]) -> Case<T>
where
    StandardNormal: Distribution<T>,
{
    let net = Network::<T>::new(widths).unwrap();
    let (f, g) = (net.trace_f(), net.trace_g());
    let xs = [1, 3].map(|seed| random_input::<T>(widths[0], seed));
    let zs = [2, 4].map(|seed| random_input::<T>(widths[3], seed));
    let fresh = [0, 1].map(|i| {
        [
            jacfwd(&f, &xs[i]).unwrap(),
            jacrev(&g, &zs[i]).unwrap(),
            jacfwd_chunked(&f, &xs[i], CHUNK).unwrap(),
        ]
    });
    Case {
        f,
        g,
        xs,
        zs,
        fresh,
    }
}

/// The three Jacobians of `case`, each through one `Prepared` held across calls: a call at input
/// `i` says whether all three are bit-for-bit the fresh ones.
fn prepared<T: Real>(case: &Case<T>) -> impl FnMut(usize) -> bool + '_ {
    let mut fwd = case.f.prepare().with_strategy(Strategy::Forward);
    let mut rev = case.g.prepare().with_strategy(Strategy::Reverse);
    let mut chunked = case
        .f
        .prepare()
        .with_strategy(Strategy::Forward)
        .with_chunk(CHUNK)
        .unwrap();
    move |i| {
        let got = [
            fwd.jacobian(&case.xs[i]).unwrap(),
            rev.jacobian(&case.zs[i]).unwrap(),
            chunked.jacobian(&case.xs[i]).unwrap(),
        ];
        got == case.fresh[i]
    }
}

#[test]
fn kept_seeds_give_the_same_jacobians() {
    let (wide, other, f64_widths) = ([5000, 40, 6, 1], [6000, 40, 6, 1], [3000, 30, 5, 1]);
    let (wide, other, f64_widths) = (
        case::<f32>(&wide),
        case::<f32>(&other),
        case::<f64>(&f64_widths),
    );
    let mut f32_5000 = prepared(&wide);
    let mut f32_6000 = prepared(&other);
    let mut f64_3000 = prepared(&f64_widths);
    // Each `Prepared` is called again after the others of other widths and types have run, and at
    // another input than before: its kept seed must serve them all.
    let calls = [
        ("f32 5000", 0),
        ("f32 5000", 1),
        ("f64 3000", 0),
        ("f32 6000", 0),
        ("f32 6000", 1),
        ("f64 3000", 1),
        ("f32 5000", 0),
    ];
    for (i, (what, input)) in calls.into_iter().enumerate() {
        let same = match what {
            "f32 5000" => f32_5000(input),
            "f32 6000" => f32_6000(input),
            _ => f64_3000(input),
        };
        assert!(
            same,
            "call {i} ({what}, input {input}): the Jacobians changed"
        );
    }
}

/// A `Prepared` switched to the other side after a run does not reuse the seed it kept: the
/// Jacobian of `R^3 → R^2` needs a 3×3 identity forward and a 2×2 one in reverse.
#[test]
fn a_switched_strategy_makes_its_own_seed() {
    let f = jacobian_core::network::DeepNetwork::<f64>::new(&[3, 4, 2])
        .unwrap()
        .trace();
    let x = random_input::<f64>(3, 7);
    let mut prepared = f.prepare().with_strategy(Strategy::Forward);
    assert_eq!(prepared.jacobian(&x).unwrap(), jacfwd(&f, &x).unwrap());
    let mut prepared = prepared.with_strategy(Strategy::Reverse);
    assert_eq!(prepared.jacobian(&x).unwrap(), jacrev(&f, &x).unwrap());
}
