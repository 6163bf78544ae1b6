//! Median time of every strategy on F, G and the narrow-middle network, beside its predicted
//! multiply–adds: `cargo run --release -p jacobian-core --example strategies [runs]`.
use jacobian_core::network::DeepNetwork;
use jacobian_core::timing::{pretty, Timing};
use jacobian_core::{jacobian_with, random_input, Network, Program, Strategy};

fn report(name: &str, prog: &Program<f32>, runs: usize) {
    let x = random_input::<f32>(prog.input_len(), 0);
    let plan = prog.plan();
    println!("{name}: picked {}", plan.strategy);
    for s in Strategy::ALL {
        let t = Timing::measure(runs, || jacobian_with(s, prog, &x).expect("runs"));
        println!(
            "  {:<18} {:>12} madds  median {:>10}  min {:>10}",
            s.name(),
            jacobian_core::cost::si(plan.cost.madds(s)),
            pretty(t.median()),
            pretty(t.min())
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
