//! A program that keeps freed memory (`memory::keep_freed_memory`) also keeps the large identity
//! seeds of unchunked textbook Jacobians between calls. The Jacobians must not change: the same
//! products on the same numbers, so the same bits, whichever Jacobian made the seed, whatever the
//! element type, and after a seed of another width has replaced it.
//!
//! Its own test binary: keeping memory is a setting of the whole process.

use jacobian_core::ndarray_rand::rand_distr::{Distribution, StandardNormal};
use jacobian_core::{jacfwd, jacfwd_chunked, jacrev, random_input, Network, Real};
use ndarray::ArrayD;

/// jacfwd(F), jacrev(G) and a chunked jacfwd(F) of the network with these widths.
fn dense_jacobians<T: Real>(widths: &[usize]) -> [ArrayD<T>; 3]
where
    StandardNormal: Distribution<T>,
{
    let net = Network::<T>::new(widths).unwrap();
    let (f, g) = (net.trace_f(), net.trace_g());
    let x = random_input::<T>(widths[0], 1);
    let z = random_input::<T>(widths[3], 2);
    [
        jacfwd(&f, &x).unwrap(),
        jacrev(&g, &z).unwrap(),
        jacfwd_chunked(&f, &x, 1500).unwrap(),
    ]
}

#[test]
fn kept_seeds_give_the_same_jacobians() {
    // 5000² f32 and 3000² f64 seeds are above the 32 MiB the C allocator keeps; 2900² f32 is not.
    let (wide, other, f64_widths) = ([5000, 40, 6, 1], [6000, 40, 6, 1], [3000, 30, 5, 1]);
    let fresh32 = dense_jacobians::<f32>(&wide);
    let fresh_other = dense_jacobians::<f32>(&other);
    let fresh64 = dense_jacobians::<f64>(&f64_widths);

    jacobian_core::memory::keep_freed_memory();
    // Each call's jacfwd(F) reads the seed kept by the call before it (and jacrev(G) the one
    // jacfwd(F) kept), except where the width or the type changed: a new seed then replaces the
    // kept one of its type. The f64 seed has a slot of its own.
    let f32_5000 = || dense_jacobians::<f32>(&wide) == fresh32;
    let f32_6000 = || dense_jacobians::<f32>(&other) == fresh_other;
    let f64_3000 = || dense_jacobians::<f64>(&f64_widths) == fresh64;
    let calls: [(&str, &dyn Fn() -> bool); 7] = [
        ("f32 5000", &f32_5000),
        ("f32 5000", &f32_5000),
        ("f64 3000", &f64_3000),
        ("f32 6000", &f32_6000),
        ("f32 6000", &f32_6000),
        ("f64 3000", &f64_3000),
        ("f32 5000", &f32_5000),
    ];
    for (i, (what, same)) in calls.into_iter().enumerate() {
        assert!(same(), "call {i} ({what}): the Jacobians changed");
    }
}
