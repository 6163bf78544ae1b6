//! The strategies of `chain` against the textbook modes, f32 (issue: structured seeds and the
//! cheapest bracketing). `cargo bench -p jacobian-core --bench strategies`.
//!
//! - `F` and `G` at the original widths: `jacobian` (the plan's pick) beside the faster textbook
//!   mode (`jacrev` for F, `jacfwd` for G); structured `jacfwd(F)`, to set beside JAX's `jacfwd(F)`
//!   (`scripts/compare_jax.py` does that in one run).
//! - `narrow`, widths 500 → 5000 → 20 → 5000 → 500: the bracketing beside both pure modes, textbook
//!   and structured.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use jacobian_core::network::DeepNetwork;
use jacobian_core::{jacfwd, jacobian, jacobian_with, jacrev, random_input, Network, Strategy};

fn bench(c: &mut Criterion) {
    // As the command-line tools do: freed memory is kept for reuse (see memory.rs), and this
    // thread takes part in parallel products (see linalg.rs).
    jacobian_core::memory::keep_freed_memory();
    jacobian_core::linalg::join_global_pool().expect("the first parallel work of the bench");
    let net = Network::<f32>::original();
    let deep = DeepNetwork::<f32>::new(&[500, 5000, 20, 5000, 500]).expect("fits");
    for (name, prog) in [
        ("F", net.trace_f()),
        ("G", net.trace_g()),
        ("narrow", deep.trace()),
    ] {
        let x = random_input::<f32>(prog.input_len(), 0);
        let mut group = c.benchmark_group(name);
        group
            .sample_size(20)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
        group.bench_function("jacobian", |b| b.iter(|| jacobian(&prog, &x).unwrap()));
        match name {
            "F" => {
                group.bench_function("jacrev", |b| b.iter(|| jacrev(&prog, &x).unwrap()));
                group.bench_function("jacfwd structured", |b| {
                    b.iter(|| jacobian_with(Strategy::StructuredForward, &prog, &x).unwrap())
                });
            }
            "G" => {
                group.bench_function("jacfwd", |b| b.iter(|| jacfwd(&prog, &x).unwrap()));
            }
            _ => {
                for s in Strategy::ALL {
                    group.bench_function(s.name(), |b| {
                        b.iter(|| jacobian_with(s, &prog, &x).unwrap())
                    });
                }
            }
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
