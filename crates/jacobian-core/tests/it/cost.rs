//! The cost model against counts derived by hand from the shapes of F and G.

use jacobian_core::Network;

#[test]
fn f_and_g_costs_by_hand() {
    let net = Network::<f32>::original();
    // Per direction, F's steps cost: A1 5000·1000, tanh/sin/scale/add 4·1000, A2 1000·30,
    // tanh/square/scale/add 4·30, A3 30·1 (add_const and squeeze are free). Backward, the VJP of
    // `add` is free, but y1 (read by tanh and sin) sums two cotangents: 3 + 1 per element again.
    let jvp_f: u64 = 5_000_000 + 4 * 1000 + 30_000 + 4 * 30 + 30;
    let vjp_f: u64 = 5_000_000 + 4 * 1000 + 30_000 + 4 * 30 + 30;
    // Evaluation: the matrix products, every elementwise step, and the three bias additions.
    let eval_f: u64 = 5_000_000 + 30_000 + 30 + 4 * 1000 + 4 * 30 + 1000 + 30 + 1;
    // A Jacobian needs only the values the derivative rules read: not the last layer's
    // tanh + 0.1·y² sum (add, scale: 2·30), A3's product (30), add_const (1).
    let lin_f = eval_f - (2 * 30 + 30 + 1);
    let c = net.trace_f().cost();
    assert_eq!(
        (c.eval, c.linearize, c.jacfwd, c.jacrev),
        (eval_f, lin_f, lin_f + 5000 * jvp_f, lin_f + vjp_f)
    );

    // G mirrors F: the same products transposed, one direction forward, 5000 backward.
    // Its elementwise layers sit at widths 30 (sin branch) and 1000 (square branch); sub_const is free
    // to differentiate and costs one per element to evaluate.
    let jvp_g: u64 = 30 + 4 * 30 + 30_000 + 4 * 1000 + 5_000_000;
    let vjp_g: u64 = 30 + 4 * 30 + 30_000 + 4 * 1000 + 5_000_000;
    let eval_g: u64 = 1 + 30 + 4 * 30 + 30 + 30_000 + 4 * 1000 + 1000 + 5_000_000;
    // Not needed: the last block's add and scale (2·1000), sub_const (1000) and A1ᵀ's product.
    let lin_g = eval_g - (3 * 1000 + 5_000_000);
    let c = net.trace_g().cost();
    assert_eq!(
        (c.eval, c.linearize, c.jacfwd, c.jacrev),
        (eval_g, lin_g, lin_g + jvp_g, lin_g + 5000 * vjp_g)
    );
}
