//! Criterion benchmarks, f32, plain evaluation as the baseline in every group. Each Jacobian runs
//! through a `Prepared` made once, outside the timed loop (as `jax.jit` compiles once), so the
//! times are those of warm calls. `cargo bench -p jacobian-core`.
//!
//! - `F`, `G`: {eval, jacfwd, jacrev} at the original widths.
//! - `F strategies`, `G strategies`: `jacobian` (the plan's pick) beside the faster textbook mode
//!   (`jacrev` for F, `jacfwd` for G); structured `jacfwd(F)`, to set beside JAX's `jacfwd(F)`.
//! - `narrow strategies`, widths 500 → 5000 → 20 → 5000 → 500: the bracketing beside both pure
//!   modes, textbook and structured.

use std::time::Duration;

use criterion::{criterion_group, Criterion};
use jacobian_core::network::DeepNetwork;
use jacobian_core::{random_input, Network, Strategy};
use ndarray::s;

fn textbook(c: &mut Criterion) {
    let net = Network::<f32>::original();
    let x = random_input::<f32>(5000, 0);
    for (name, prog, x) in [
        ("F", net.trace_f(), x.clone()),
        ("G", net.trace_g(), x.slice(s![..1]).to_owned()),
    ] {
        let mut fwd = prog.prepare().with_strategy(Strategy::Forward);
        let mut rev = prog.prepare().with_strategy(Strategy::Reverse);
        let mut group = c.benchmark_group(name);
        group
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(5));
        group.bench_function("eval", |b| b.iter(|| prog.call(&x).unwrap()));
        group.bench_function("jacfwd", |b| b.iter(|| fwd.jacobian(&x).unwrap()));
        group.bench_function("jacrev", |b| b.iter(|| rev.jacobian(&x).unwrap()));
        group.finish();
    }
}

fn strategies(c: &mut Criterion) {
    let net = Network::<f32>::original();
    let deep = DeepNetwork::<f32>::new(&[500, 5000, 20, 5000, 500]).expect("fits");
    for (name, prog) in [
        ("F", net.trace_f()),
        ("G", net.trace_g()),
        ("narrow", deep.trace()),
    ] {
        let x = random_input::<f32>(prog.input_len(), 0);
        let mut group = c.benchmark_group(format!("{name} strategies"));
        group
            .sample_size(20)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
        group.bench_function("eval", |b| b.iter(|| prog.call(&x).unwrap()));
        let mut jobs = vec![("jacobian", prog.plan().strategy)];
        match name {
            "F" => jobs.extend([
                ("jacrev", Strategy::Reverse),
                ("jacfwd structured", Strategy::StructuredForward),
            ]),
            "G" => jobs.push(("jacfwd", Strategy::Forward)),
            _ => jobs.extend(Strategy::ALL.map(|s| (s.name(), s))),
        }
        for (job, strategy) in jobs {
            let mut prepared = prog.prepare().with_strategy(strategy);
            group.bench_function(job, |b| b.iter(|| prepared.jacobian(&x).unwrap()));
        }
        group.finish();
    }
}

criterion_group!(benches, textbook, strategies);

fn main() {
    // This thread takes part in the parallel work instead of waiting for the pool's threads.
    rayon::ThreadPoolBuilder::new()
        .use_current_thread()
        .build_global()
        .expect("the first parallel work of the bench");
    benches();
    Criterion::default().configure_from_args().final_summary();
}
