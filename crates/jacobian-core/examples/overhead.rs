use jacobian_core::timing::{pretty, Timing};
use jacobian_core::{jacobian_with, random_input, Network, Strategy};
fn main() {
    let net = Network::<f32>::original();
    for (name, prog) in [("F", net.trace_f()), ("G", net.trace_g())] {
        let x = random_input::<f32>(prog.input_len(), 0);
        let t = Timing::measure(200, || prog.plan());
        println!("{name} plan: {}", pretty(t.median()));
        let t = Timing::measure(200, || prog.linearize(&x).unwrap().output().len());
        println!("{name} linearize: {}", pretty(t.median()));
        let t = Timing::measure(200, || prog.call(&x).unwrap());
        println!("{name} call: {}", pretty(t.median()));
        for s in Strategy::ALL {
            if prog.cost().madds(s) < 100_000_000 {
                let t = Timing::measure(200, || jacobian_with(s, &prog, &x).unwrap());
                println!("{name} {s}: {}", pretty(t.median()));
            }
        }
    }
}
