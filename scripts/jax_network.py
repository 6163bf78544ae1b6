"""The original notebook's network in JAX, written once for every script that needs it.

`network(widths)` builds A1, A2, A3 and b1, b2, b3 exactly as the notebook does (arange -> * 0.001
-> sin; tanh of the row sums), in JAX's current default float type, and returns them with F and G.
Import jax (and set jax_enable_x64) before calling it.
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
