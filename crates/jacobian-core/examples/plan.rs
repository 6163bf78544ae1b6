//! Prints the plan (chain, cost of every strategy, cheapest bracketing) for F, G and a network
//! that is narrow in the middle: `cargo run --release -p jacobian-core --example plan`.
use jacobian_core::{network::DeepNetwork, Network};

fn main() {
    let net = Network::<f32>::original();
    println!("F:\n{}\n", net.trace_f().plan());
    println!("G:\n{}\n", net.trace_g().plan());
    let deep = DeepNetwork::<f32>::new(&[500, 5000, 20, 5000, 500]).expect("fits");
    println!("500→5000→20→5000→500:\n{}", deep.trace().plan());
}
