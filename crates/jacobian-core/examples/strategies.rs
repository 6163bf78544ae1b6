//! Median time of every strategy on F, G and the narrow-middle network, beside its predicted
//! multiply–adds: `cargo run --release -p jacobian-core --example strategies [runs]`.
//! Each strategy runs through one `Prepared` Jacobian, reused across the runs.
use std::time::{Duration, Instant};

use jacobian_core::network::DeepNetwork;
use jacobian_core::{random_input, Network, Program, Strategy};

/// The median and the fastest of `runs` calls of `f`.
fn median_and_min<R>(runs: usize, mut f: impl FnMut() -> R) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..runs.max(1))
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[times.len() / 2], times[0])
}

fn report(name: &str, prog: &Program<f32>, runs: usize) {
    let x = random_input::<f32>(prog.input_len(), 0);
    let plan = prog.plan();
    println!("{name}: picked {}", plan.strategy);
    for s in Strategy::ALL {
        let mut prepared = prog.prepare().with_strategy(s);
        let (median, min) = median_and_min(runs, || prepared.jacobian(&x).expect("runs"));
        println!(
            "  {:<18} {:>12} madds  median {:>10.2?}  min {:>10.2?}",
            s.name(),
            jacobian_core::cost::si(plan.cost.madds(s)),
            median,
            min
        );
    }
}

fn main() {
    let runs = std::env::args()
        .nth(1)
        .map_or(11, |r| r.parse().expect("a number of runs"));
    let net = Network::<f32>::original();
    report("F", &net.trace_f(), runs);
    report("G", &net.trace_g(), runs);
    let deep = DeepNetwork::<f32>::new(&[500, 5000, 20, 5000, 500]).expect("fits");
    report("500→5000→20→5000→500", &deep.trace(), runs);
}
