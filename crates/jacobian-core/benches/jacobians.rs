//! {F, G} × {eval, jacfwd, jacrev} at the original widths, f32, plain evaluation as the baseline.
//!
//! `cargo bench -p jacobian-core --bench jacobians`; criterion prints the median of each job
//! (with the other jobs of its group beside it).

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use jacobian_core::{jacfwd, jacrev, random_input, Network};
use ndarray::s;

fn bench(c: &mut Criterion) {
    // As the command-line tools do: freed memory is kept for reuse (see memory.rs), and this
    // thread takes part in parallel products (see linalg.rs).
    jacobian_core::memory::keep_freed_memory();
    jacobian_core::linalg::join_global_pool().expect("the first parallel work of the bench");
    let net = Network::<f32>::original();
    let x = random_input::<f32>(5000, 0);
    for (name, prog, x) in [
        ("F", net.trace_f(), x.clone()),
        ("G", net.trace_g(), x.slice(s![..1]).to_owned()),
    ] {
        let mut group = c.benchmark_group(name);
        group
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(5));
        group.bench_function("eval", |b| b.iter(|| prog.call(&x).unwrap()));
        group.bench_function("jacfwd", |b| b.iter(|| jacfwd(&prog, &x).unwrap()));
        group.bench_function("jacrev", |b| b.iter(|| jacrev(&prog, &x).unwrap()));
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
