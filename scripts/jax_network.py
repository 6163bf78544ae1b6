"""The original notebook's network in JAX, written once for every script that needs it.

`network(widths)` builds A1, A2, A3 and b1, b2, b3 exactly as the notebook does (arange -> * 0.001
-> sin; tanh of the row sums), in JAX's current default float type, and returns them with F and G.
Import jax (and set jax_enable_x64) before calling it.

Also `deep_network(widths)` (Rust's `DeepNetwork`: the same formulas at any depth) and
`nonchain(n, dtype)` (a small function that is not a chain, written identically in the Rust test
`tests/it/jax_fixtures.rs`), for the second-derivative fixtures.
"""


def network(widths):
    """Returns (A1, A2, A3, b1, b2, b3, F, G) for widths (n0, n1, n2, n3)."""
    import jax.numpy as jnp

    n0, n1, n2, n3 = widths
    A1 = jnp.sin(jnp.arange(n1 * n0).reshape(n1, n0) * 0.001)
    A2 = jnp.sin(jnp.arange(n2 * n1).reshape(n2, n1) * 0.001)
    A3 = jnp.sin(jnp.arange(n3 * n2).reshape(n3, n2) * 0.001)
    b1 = jnp.tanh(jnp.sum(A1, axis=1))
    b2 = jnp.tanh(jnp.sum(A2, axis=1))
    b3 = jnp.tanh(jnp.sum(A3, axis=1))

    def F(x):
        y1 = A1 @ x + b1
        y1 = jnp.tanh(y1) + 0.1 * jnp.sin(y1)

        y2 = A2 @ y1 + b2
        y2 = jnp.tanh(y2) + 0.1 * y2**2

        y3 = A3 @ y2 + b3
        return y3.squeeze()

    def G(z):
        z = jnp.atleast_1d(z)

        y2 = A3.T @ (z - b3)
        y2 = jnp.tanh(y2) + 0.1 * jnp.sin(y2)

        y1 = A2.T @ (y2 - b2)
        y1 = jnp.tanh(y1) + 0.1 * y1**2

        x = A1.T @ (y1 - b1)
        return x

    return A1, A2, A3, b1, b2, b3, F, G


def deep_network(widths):
    """Returns (layers, forward) for a DeepNetwork of widths [n0, n1, ..., nL], as in Rust's
    `network::DeepNetwork`: layer i (from 0) computes y = A_i h + b_i with
    A_i = sin(arange(n_{i+1} * n_i).reshape(n_{i+1}, n_i) * 0.001) and b_i = tanh(row sums of A_i),
    then tanh(y) + 0.1*sin(y) for even i, tanh(y) + 0.1*y**2 for odd i, and nothing after the
    last layer. `forward(x)` has shape (nL,), not squeezed (as in Rust). `layers` is a list of
    (A, b, kind) with kind "sin", "square" or None (the last layer).
    """
    import jax.numpy as jnp

    layers = []
    for i, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:])):
        A = jnp.sin(jnp.arange(n_out * n_in).reshape(n_out, n_in) * 0.001)
        b = jnp.tanh(jnp.sum(A, axis=1))
        kind = None if i == len(widths) - 2 else ("sin" if i % 2 == 0 else "square")
        layers.append((A, b, kind))

    def forward(x):
        h = x
        for A, b, kind in layers:
            y = A @ h + b
            if kind == "sin":
                h = jnp.tanh(y) + 0.1 * jnp.sin(y)
            elif kind == "square":
                h = jnp.tanh(y) + 0.1 * y**2
            else:
                h = y
        return h

    return layers, forward


def nonchain_matrix(n):
    """The fixed n x n matrix of `nonchain`, as float64 NumPy: A[i, j] = ((3i + 5j) mod 7 - 3) / 4,
    multiples of 1/4, so exact in float32 and float64 alike (Rust builds the same numbers)."""
    import numpy as np

    i = np.arange(n)[:, None]
    j = np.arange(n)[None, :]
    return ((3 * i + 5 * j) % 7 - 3) / 4.0


def nonchain(n, dtype):
    """Returns (A, f) for a function that is not a chain (x is read three times):
        y = tanh(A @ x) * x
        f(x) = sum((exp(y) - sin(x))**2 + 0.5 * y)
    with A = nonchain_matrix(n) in `dtype`."""
    import jax.numpy as jnp

    A = jnp.asarray(nonchain_matrix(n), dtype=dtype)

    def f(x):
        y = jnp.tanh(A @ x) * x
        return jnp.sum((jnp.exp(y) - jnp.sin(x)) ** 2 + 0.5 * y)

    return A, f
