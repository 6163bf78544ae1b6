#!/usr/bin/env python3
"""Reference fixtures for the Rust rebuild of the JAX Jacobian notebook.

WHAT IT MAKES
    For every case in CASES below, a directory
        crates/jacobian-core/tests/fixtures/<case>/
    holding small NumPy .npy files computed with JAX on CPU:

        x.npy       input of F, shape (n0,): jax.random.normal(PRNGKey(0), (n0,))
                    in the case's dtype (f32 and f64 draws differ!)
        z.npy       input of G, shape (n3,): x[:n3]
        f.npy       F(x): 0-d when n3 == 1 (squeeze), else shape (n3,)
        jac_f.npy   jacrev(F)(x): shape (n0,) when n3 == 1, else (n3, n0)
                    (jacfwd(F)(x) is computed too and asserted to agree)
        g.npy       G(z): shape (n0,)
        jac_g.npy   jacfwd(G)(z): shape (n0, n3)
                    (jacrev(G)(z) is computed too and asserted to agree)
        widths.txt  "n0,n1,n2,n3", e.g. "5000,1000,30,1"

    and, when F has one output (n3 == 1), its second derivatives:

        grad_f.npy  jax.grad(F)(x), shape (n0,)  (jacrev(F)(x) checked to agree)
        v.npy       the HVP direction: jax.random.normal(PRNGKey(1), (n0,)) in the case dtype
        hvp_f.npy   jax.jvp(jax.grad(F), (x,), (v,))[1], shape (n0,)
        hess_f.npy  jax.hessian(F)(x), shape (n0, n0), when n0 <= FULL_HESSIAN_MAX_N (100);
                    for larger n0 (the original widths: 25 M entries) instead
        hess_f_rows.npy      its rows HESS_ROWS(n0) = 0, 1, n0//2, n0-1: shape (4, n0)
        hess_f_rows_idx.npy  those row indices (int64)
        hess_f_diag.npy      its diagonal, shape (n0,)
                    (jacrev(jacrev(F))(x), symmetry and H @ v are checked against them)

    Two more kinds of case hold only x.npy, f.npy (0-d), widths.txt and the second-derivative
    files above:
        deep_*      Rust's DeepNetwork with widths 9,6,2,6,1 (jax_network.deep_network: the
                    same matrices and biases, activations alternating from the input end, none
                    after the last layer); its output has shape (1,), JAX differentiates
                    forward(x).squeeze()
        nonchain_*  a function that is not a chain, n = 8 (jax_network.nonchain):
                    y = tanh(A @ x) * x,  f(x) = sum((exp(y) - sin(x))**2 + 0.5 * y),
                    A[i, j] = ((3i + 5j) mod 7 - 3) / 4 (exact in f32 and f64)

    plus crates/jacobian-core/tests/fixtures/README.md (JAX version, date,
    agreement statistics, how to regenerate).  All shapes are exactly JAX's.

    The network is the notebook's, with widths (n0, n1, n2, n3):
        A_i = sin(arange(rows*cols).reshape(rows, cols) * 0.001)   (in the case dtype:
              in f32 mode arange is int32 and `* 0.001` yields float32, i.e.
              A[r, c] = sin(float32(r*cols + c) * float32(0.001)) evaluated in f32;
              in f64 mode everything is float64)
        A1: (n1, n0), A2: (n2, n1), A3: (n3, n2),  b_i = tanh(sum(A_i, axis=1))
        F(x) = squeeze(A3 @ h2(A2 @ h1(A1 @ x + b1) + b2) + b3)
               h1(u) = tanh(u) + 0.1*sin(u),  h2(u) = tanh(u) + 0.1*u**2
        G(z) = A1.T @ (k1(A2.T @ (k2(A3.T @ (atleast_1d(z) - b3)) - b2)) - b1)
               k2(v) = tanh(v) + 0.1*sin(v),  k1(v) = tanh(v) + 0.1*v**2
    F and G are evaluated un-jitted (op by op), exactly like the notebook.

    Each case runs in its own subprocess, because float64 needs
    jax.config.update("jax_enable_x64", True) before any array is created.
    Besides the fixtures, every case also checks JAX against an independent
    float64 NumPy evaluation of the closed-form Jacobians (chain rule written
    out by hand) and reports the jacfwd-vs-jacrev and JAX-vs-float64 errors in
    the README: those numbers are the tolerances the Rust tests can use.  The
    same for second derivatives: gradient, HVP and Hessian against hand-written
    float64 formulas (chain_second64, nonchain_second64), jax.hessian against
    jacrev(jacrev(F)), its asymmetry, and the HVP against H @ v.

HOW TO REGENERATE (from the repository root)
    python3 -m venv /tmp/jaxvenv
    /tmp/jaxvenv/bin/pip install "jax[cpu]" numpy
    /tmp/jaxvenv/bin/python scripts/jax_reference.py
    # options: --out DIR (default crates/jacobian-core/tests/fixtures)
    #          --cases original_f32,small_f64   (default: all cases; the README
    #          then lists only those cases, so regenerate all of them for a commit)

Bit-exact reproduction is not guaranteed across JAX/XLA versions or CPUs
(XLA's sin/tanh and matmul summation order may change); compare with
tolerances, see the README that this script writes.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO_ROOT, "crates", "jacobian-core", "tests", "fixtures")

# name -> (kind, widths, dtype). Kinds: "F" the notebook's F and G, widths (n0, n1, n2, n3);
# "deep" a DeepNetwork, widths (n0, ..., nL) with nL == 1; "nonchain" jax_network.nonchain(n),
# widths (n,).
CASES = {
    "original_f32": ("F", (5000, 1000, 30, 1), "float32"),
    "original_f64": ("F", (5000, 1000, 30, 1), "float64"),
    "small_f64": ("F", (7, 5, 3, 1), "float64"),
    "small2_f64": ("F", (40, 20, 6, 4), "float64"),
    "small_f32": ("F", (7, 5, 3, 1), "float32"),
    "deep_f64": ("deep", (9, 6, 2, 6, 1), "float64"),
    "deep_f32": ("deep", (9, 6, 2, 6, 1), "float32"),
    "nonchain_f64": ("nonchain", (8,), "float64"),
    "nonchain_f32": ("nonchain", (8,), "float32"),
}

# The full Hessian is committed up to this n; above it (the original widths: 25 M entries,
# 100-200 MB) only the rows HESS_ROWS(n) and the diagonal are.
FULL_HESSIAN_MAX_N = 100


def HESS_ROWS(n):
    return sorted({0, 1, n // 2, n - 1})  # n = 5000: 0, 1, 2500, 4999

# Normwise relative checks: max|a - b| <= TOL * max|ref| (ref = the second argument).
# Measured differences (see README) are well below these.
AGREE_TOL = {"float32": 1e-4, "float64": 1e-11}
# JAX vs. an independent float64 NumPy evaluation, same normwise measure.
REF64_TOL = {"float32": 1e-3, "float64": 1e-9}
# The same two checks for second derivatives (gradient, HVP, Hessian). In original_f32,
# jax.hessian and jacrev(jacrev(F)) differ by ~9e-5 normwise, and JAX is ~2.3e-4 from float64.
HESS_AGREE_TOL = {"float32": 3e-4, "float64": 1e-11}
HESS_REF64_TOL = {"float32": 1e-3, "float64": 1e-9}

SECOND_ORDER_TOLERANCE_NOTE = (
    "Suggested tolerances for second derivatives, normwise relative to the largest entry of the "
    "JAX array compared (rows and diagonal each against their own maximum): float64 1e-11 at the "
    "original widths (JAX is within ~4e-13 of float64; a second float64 implementation differs "
    "from JAX by ~1e-12) and 1e-13 at small widths (JAX within ~3e-15); float32 at small widths "
    "5e-6 (JAX within ~3e-7); float32 at the original widths 1e-3 for the Hessian, 5e-4 for the "
    "HVP and 2e-4 for the gradient: there the Hessian `A1^T M A1` sums 1000 x 5000 products with "
    "cancellation, JAX itself is ~2e-4 (HVP ~1.8e-4) from float64, and a second float32 "
    "implementation can add as much again. Elementwise relative errors are meaningless here: "
    "Hessian entries near zero have elementwise errors of order 1 or more in float32. The "
    "Hessians of the small cases are of order 1e-8 (F, DeepNetwork), so any absolute tolerance "
    "must be far below that."
)


def _diff_stats(a, b):
    """max abs diff, max abs diff / max|b|, and elementwise max rel diff."""
    import numpy as np

    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    d = np.abs(a - b)
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    denom = np.maximum(np.abs(b), 1e-30)
    nz = np.abs(b) > 0
    return {
        "max_abs": float(d.max()) if d.size else 0.0,
        "max_abs_over_max_ref": float(d.max() / scale) if scale > 0 else 0.0,
        "max_elem_rel": float((d[nz] / denom[nz]).max()) if nz.any() else 0.0,
        "ref_max_abs": scale,
    }


def _phi(kind, u):
    """A layer's activation and its first two derivatives, float64 NumPy (None: the identity)."""
    import numpy as np

    t = np.tanh(u)
    sech2 = 1 - t**2
    if kind == "sin":  # tanh u + 0.1 sin u
        return t + 0.1 * np.sin(u), sech2 + 0.1 * np.cos(u), -2 * t * sech2 - 0.1 * np.sin(u)
    if kind == "square":  # tanh u + 0.1 u^2
        return t + 0.1 * u**2, sech2 + 0.2 * u, -2 * t * sech2 + 0.2
    assert kind is None
    return u, np.ones_like(u), np.zeros_like(u)


def chain_second64(layers, x):
    """Gradient and Hessian of a chain of layers u_k = A_k h_{k-1} + b_k, h_k = phi_k(u_k),
    with one output, in float64 NumPy, written out by hand (independent of JAX):
        grad = A_1^T w_1, w_k = c_k * phi_k'(u_k), c_k = A_{k+1}^T w_{k+1}, w_L = 1,
        H = sum_k J_k^T diag(c_k * phi_k''(u_k)) J_k,  J_k = du_k/dx = A_k diag(phi'_{k-1}) J_{k-1}.
    `layers` is a list of (A, b, kind) (kind as in jax_network.deep_network)."""
    import numpy as np

    h = np.asarray(x, np.float64)
    Jh = None  # dh/dx; None is the identity
    saved = []
    for A, b, kind in layers:
        A = np.asarray(A, np.float64)
        u = A @ h + np.asarray(b, np.float64)
        Ju = A if Jh is None else A @ Jh
        h, d1, d2 = _phi(kind, u)
        Jh = d1[:, None] * Ju
        saved.append((A, Ju, d1, d2))
    assert h.shape == (1,), h.shape
    n = x.shape[0]
    H = np.zeros((n, n))
    w = np.ones(1)
    for k in range(len(saved) - 1, -1, -1):
        A, Ju, d1, d2 = saved[k]
        if k < len(saved) - 1:  # c_k = A_{k+1}^T w_{k+1}
            c = saved[k + 1][0].T @ w
            w = c * d1
            s = c * d2
            H += Ju.T @ (s[:, None] * Ju)
    grad = saved[0][0].T @ w
    return float(h[0]), grad, H


def nonchain_second64(A, x):
    """Value, gradient and Hessian of jax_network.nonchain in float64 NumPy, by hand:
    y = t * x with t = tanh(A x), r = exp(y) - sin(x), f = sum(r^2 + y / 2);
        grad = 2 Jr^T r + 0.5 Jy^T 1,  Jy = diag(x t') A + diag(t),  Jr = diag(e^y) Jy - diag(cos x),
        H = 2 Jr^T Jr + Jy^T diag(2 r e^y) Jy + diag(2 r sin x)
            + A^T diag(c x t'') A + B + B^T,  c = 2 r e^y + 1/2,  B = diag(c t') A."""
    import numpy as np

    A = np.asarray(A, np.float64)
    x = np.asarray(x, np.float64)
    t = np.tanh(A @ x)
    tp = 1 - t**2
    tpp = -2 * t * tp
    y = t * x
    ey = np.exp(y)
    r = ey - np.sin(x)
    Jy = (x * tp)[:, None] * A + np.diag(t)
    Jr = ey[:, None] * Jy - np.diag(np.cos(x))
    f = float(np.sum(r**2 + 0.5 * y))
    grad = 2 * Jr.T @ r + 0.5 * Jy.sum(axis=0)
    c = 2 * r * ey + 0.5
    B = (c * tp)[:, None] * A
    H = (
        2 * Jr.T @ Jr
        + Jy.T @ ((2 * r * ey)[:, None] * Jy)
        + np.diag(2 * r * np.sin(x))
        + A.T @ ((c * x * tpp)[:, None] * A)
        + B
        + B.T
    )
    return f, grad, H


def second_order(name, fun, x, ref64):
    """Second-derivative fixtures of a function with one (0-d) output: returns (arrays, stats).

    grad_f = jax.grad(fun)(x), v = random.normal(PRNGKey(1), (n,)) in x's dtype,
    hvp_f = jax.jvp(jax.grad(fun), (x,), (v,))[1], and jax.hessian(fun)(x): in full as hess_f
    when n <= FULL_HESSIAN_MAX_N, else its rows HESS_ROWS(n) (hess_f_rows, indices in
    hess_f_rows_idx) and its diagonal (hess_f_diag). Checked against jacrev(fun),
    jacrev(jacrev(fun)), H v and ref64 = (f, grad, H), an independent float64 evaluation."""
    import jax
    import numpy as np
    from jax import jacrev, random

    dtype = x.dtype
    n = x.shape[0]
    v = random.normal(random.PRNGKey(1), (n,), dtype=dtype)
    g = jax.grad(fun)(x)
    hv = jax.jvp(jax.grad(fun), (x,), (v,))[1]
    H = np.asarray(jax.hessian(fun)(x))
    for a in (g, hv, v, H):
        assert a.dtype == dtype and a.shape in ((n,), (n, n)), (a.dtype, a.shape)
    g_rev = jacrev(fun)(x)
    H_rr = np.asarray(jacrev(jacrev(fun))(x))
    f64, g64, H64 = ref64
    v64 = np.asarray(v, np.float64)
    rows = HESS_ROWS(n)
    stats = {
        "n": n,
        "agree": {
            "grad_vs_jacrev": _diff_stats(g, g_rev),
            "hessian_vs_jacrev_jacrev": _diff_stats(H, H_rr),
            "hessian_asymmetry": _diff_stats(H, H.T),
            "hvp_vs_hessian_v": _diff_stats(hv, np.asarray(H, np.float64) @ v64),
        },
        "vs_f64": {
            "f": _diff_stats(fun(x), f64),
            "grad": _diff_stats(g, g64),
            "hvp": _diff_stats(hv, H64 @ v64),
            "hessian": _diff_stats(H, H64),
            "hessian_rows": _diff_stats(H[rows], H64[rows]),
            "hessian_diag": _diff_stats(np.diag(H), np.diag(H64)),
        },
        "hessian_max_abs": float(np.max(np.abs(H))),
        "hessian_rows": rows,
        "full_hessian": n <= FULL_HESSIAN_MAX_N,
    }
    del H_rr
    dt = str(dtype)
    for key, st in stats["agree"].items():
        assert st["max_abs"] <= HESS_AGREE_TOL[dt] * (st["ref_max_abs"] or 1.0), (name, key, st)
    for key, st in stats["vs_f64"].items():
        assert st["max_abs"] <= HESS_REF64_TOL[dt] * (st["ref_max_abs"] or 1.0), (name, key, st)
    arrays = {"grad_f": g, "v": v, "hvp_f": hv}
    if stats["full_hessian"]:
        arrays["hess_f"] = H
    else:
        arrays["hess_f_rows"] = H[rows]
        arrays["hess_f_rows_idx"] = np.asarray(rows, dtype=np.int64)
        arrays["hess_f_diag"] = np.diag(H).copy()
    return arrays, stats


def _save(case_dir, arrays, np_dtype):
    import numpy as np

    os.makedirs(case_dir, exist_ok=True)
    for fname, arr in arrays.items():
        arr = np.asarray(arr)
        if arr.dtype.kind == "f":
            arr = arr.astype(np_dtype)
        np.save(os.path.join(case_dir, fname + ".npy"), arr)


def run_case(name, out_dir):
    """Runs in a fresh subprocess: computes one case and writes its fixtures."""
    kind, widths, dtype = CASES[name]
    import jax

    if dtype == "float64":
        jax.config.update("jax_enable_x64", True)  # before any array exists
    if kind == "F":
        stats = run_f_case(name, widths, dtype, out_dir)
    else:
        stats = run_other_case(name, kind, widths, dtype, out_dir)
    with open(os.path.join(out_dir, name, "widths.txt"), "w") as fh:
        fh.write(",".join(str(w) for w in widths) + "\n")
    print("STATS_JSON " + json.dumps(stats))


def run_other_case(name, kind, widths, dtype, out_dir):
    """A DeepNetwork ("deep") or the non-chain function ("nonchain"): x, f and second order."""
    import numpy as np
    from jax import random

    np_dtype = np.dtype(dtype)
    n = widths[0]
    x = random.normal(random.PRNGKey(0), (n,), dtype=np_dtype)
    if kind == "deep":
        from jax_network import deep_network

        layers, forward = deep_network(widths)
        assert widths[-1] == 1
        for A, b, _ in layers:
            assert A.dtype == np_dtype and b.dtype == np_dtype

        def fun(x):
            return forward(x).squeeze()  # Rust's DeepNetwork output has shape (1,)

        ref64 = chain_second64(layers, x)
    else:
        from jax_network import nonchain

        A, fun = nonchain(n, np_dtype)
        ref64 = nonchain_second64(A, x)
    f = fun(x)
    assert f.shape == () and f.dtype == np_dtype and x.dtype == np_dtype
    arrays, second = second_order(name, fun, x, ref64)
    _save(os.path.join(out_dir, name), {"x": x, "f": f, **arrays}, np_dtype)
    return {"case": name, "kind": kind, "widths": list(widths), "dtype": dtype, "second": second}


def run_f_case(name, widths, dtype, out_dir):
    """The notebook's F and G: values and Jacobians; second order of F when n3 == 1."""
    import jax.numpy as jnp
    import numpy as np
    from jax import jacfwd, jacrev, random

    n0, n1, n2, n3 = widths
    np_dtype = np.dtype(dtype)

    from jax_network import network

    # Exactly the notebook's construction (arange -> * 0.001 -> sin), in the case's dtype.
    A1, A2, A3, b1, b2, b3, F, G = network(widths)
    for a in (A1, A2, A3, b1, b2, b3):
        assert a.dtype == np_dtype, (a.dtype, np_dtype)

    x = random.normal(random.PRNGKey(0), (n0,), dtype=np_dtype)
    z = x[:n3]
    f = F(x)
    jf_rev = jacrev(F)(x)
    jf_fwd = jacfwd(F)(x)
    g = G(z)
    jg_fwd = jacfwd(G)(z)
    jg_rev = jacrev(G)(z)

    exp_f_shape = () if n3 == 1 else (n3,)
    exp_jf_shape = (n0,) if n3 == 1 else (n3, n0)
    assert x.shape == (n0,) and z.shape == (n3,)
    assert f.shape == exp_f_shape, f.shape
    assert jf_rev.shape == exp_jf_shape and jf_fwd.shape == exp_jf_shape, jf_rev.shape
    assert g.shape == (n0,), g.shape
    assert jg_fwd.shape == (n0, n3) and jg_rev.shape == (n0, n3), jg_fwd.shape
    for a in (x, z, f, jf_rev, jf_fwd, g, jg_fwd, jg_rev):
        assert a.dtype == np_dtype, a.dtype

    # --- independent float64 NumPy evaluation (same matrices, upcast) ---------
    A1n, A2n, A3n = (np.asarray(a, np.float64) for a in (A1, A2, A3))
    b1n, b2n, b3n = (np.asarray(a, np.float64) for a in (b1, b2, b3))
    xn = np.asarray(x, np.float64)
    zn = np.asarray(z, np.float64)
    u1 = A1n @ xn + b1n
    y1 = np.tanh(u1) + 0.1 * np.sin(u1)
    d1 = 1 - np.tanh(u1) ** 2 + 0.1 * np.cos(u1)
    u2 = A2n @ y1 + b2n
    y2 = np.tanh(u2) + 0.1 * u2**2
    d2 = 1 - np.tanh(u2) ** 2 + 0.2 * u2
    f64_f = (A3n @ y2 + b3n).squeeze()
    f64_jf = (((A3n * d2) @ A2n) * d1) @ A1n  # (n3, n0)
    f64_jf = f64_jf.reshape(exp_jf_shape)
    v2 = A3n.T @ (zn - b3n)
    w2 = np.tanh(v2) + 0.1 * np.sin(v2)
    e2 = 1 - np.tanh(v2) ** 2 + 0.1 * np.cos(v2)
    v1 = A2n.T @ (w2 - b2n)
    w1 = np.tanh(v1) + 0.1 * v1**2
    e1 = 1 - np.tanh(v1) ** 2 + 0.2 * v1
    f64_g = A1n.T @ (w1 - b1n)
    f64_jg = A1n.T @ ((e1[:, None] * A2n.T) @ (e2[:, None] * A3n.T))  # (n0, n3)

    # Matrix construction check: JAX's sin vs. float64 sin of the same argument.
    arg = np.asarray(jnp.arange(n1 * n0) * 0.001)
    a1_exact = np.sin(arg.astype(np.float64))
    a1_ulp = np.abs(np.asarray(A1, np.float64).ravel() - a1_exact) / np.spacing(
        np.abs(a1_exact).astype(np_dtype)
    ).astype(np.float64)

    stats = {
        "case": name,
        "widths": list(widths),
        "dtype": dtype,
        "jacfwd_vs_jacrev": {
            "jac_f": _diff_stats(jf_fwd, jf_rev),
            "jac_g": _diff_stats(jg_rev, jg_fwd),
        },
        "jax_vs_numpy_f64": {
            "f": _diff_stats(f, f64_f),
            "jac_f": _diff_stats(jf_rev, f64_jf),
            "jac_f_fwd": _diff_stats(jf_fwd, f64_jf),
            "g": _diff_stats(g, f64_g),
            "jac_g": _diff_stats(jg_fwd, f64_jg),
            "jac_g_rev": _diff_stats(jg_rev, f64_jg),
        },
        "A1_sin_max_ulp_vs_f64": float(a1_ulp.max()),
        "f_value": np.asarray(f).tolist(),
        "b3": np.asarray(b3).tolist(),
        "kind": "F",
        "second": None,
    }

    for key, s in stats["jacfwd_vs_jacrev"].items():
        lim = AGREE_TOL[dtype] * (s["ref_max_abs"] or 1.0)
        assert s["max_abs"] <= lim, f"{name}: jacfwd/jacrev disagree on {key}: {s}"
    for key, s in stats["jax_vs_numpy_f64"].items():
        lim = REF64_TOL[dtype] * (s["ref_max_abs"] or 1.0)
        assert s["max_abs"] <= lim, f"{name}: JAX vs float64 NumPy on {key}: {s}"

    arrays = {
        "x": x,
        "z": z,
        "f": f,
        "jac_f": jf_rev,
        "g": g,
        "jac_g": jg_fwd,
    }
    if n3 == 1:  # F has one output: its gradient, HVP and Hessian
        layers = [(A1, b1, "sin"), (A2, b2, "square"), (A3, b3, None)]
        second_arrays, stats["second"] = second_order(name, F, x, chain_second64(layers, x))
        arrays.update(second_arrays)
    _save(os.path.join(out_dir, name), arrays, np_dtype)
    return stats


def _fmt(s, elem=False):
    out = f"{s['max_abs']:.3g} abs / {s['max_abs_over_max_ref']:.3g} rel (max abs ref {s['ref_max_abs']:.3g})"
    if elem:
        out += f", elementwise rel {s['max_elem_rel']:.3g}"
    return out


def second_order_readme(all_stats):
    """The README's section on gradients, HVPs and Hessians."""
    second = [st for st in all_stats if st["second"]]
    if not second:
        return []
    lines = [
        "## Second derivatives: gradient, Hessian-vector product, Hessian",
        "",
        "Every case whose function has one output also holds `grad_f.npy` (`jax.grad(F)(x)`), `v.npy` "
        "(the HVP direction, `jax.random.normal(PRNGKey(1), (n0,))` in the case dtype), `hvp_f.npy` "
        "(`jax.jvp(jax.grad(F), (x,), (v,))[1]`) and the Hessian `jax.hessian(F)(x)` (forward over "
        f"reverse): in full as `hess_f.npy` (n0, n0) when n0 <= {FULL_HESSIAN_MAX_N}; at the original "
        "widths (25 M entries, 100-200 MB) only the rows listed in `hess_f_rows_idx.npy` (int64: 0, 1, "
        "n0/2, n0-1) as `hess_f_rows.npy` (4, n0), and the diagonal as `hess_f_diag.npy` (n0,). "
        "`small2_f64` has none (its F has 4 outputs).",
        "",
        "Cases besides F (no `z`, `g`, `jac_*`; `x.npy`, `f.npy` (0-d) and the files above):",
        "",
        "- `deep_*`: Rust's `DeepNetwork` with `widths.txt` = `9,6,2,6,1` (same matrices and biases "
        "as F's; layer i is followed by `tanh(y) + 0.1 sin(y)` for even i, `tanh(y) + 0.1 y^2` for odd "
        "i, nothing after the last), `jax_network.deep_network`. Its output has shape (1,) on both "
        "sides; JAX differentiates `forward(x).squeeze()`.",
        "- `nonchain_*`: a function that is not a chain (x is read by the matrix product, the product "
        "with tanh and the sine), `widths.txt` = `8` (n): `y = tanh(A @ x) * x`, "
        "`f(x) = sum((exp(y) - sin(x))**2 + 0.5 * y)` with `A[i, j] = ((3i + 5j) mod 7 - 3) / 4` "
        "(exact in both dtypes), `jax_network.nonchain`.",
        "",
        "Within JAX (same run): `jax.hessian` vs `jacrev(jacrev(F))`, the asymmetry "
        "max|H - H^T|, and the HVP vs `H @ v` (in float64 from the rounded H and v); "
        "`grad` vs `jacrev(F)` agree exactly in every case.",
        "",
        "| case | dtype | n0 | max abs H | hessian vs jacrev(jacrev) | asymmetry | hvp vs H v |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for st in second:
        a = st["second"]["agree"]
        lines.append(
            f"| {st['case']} | {st['dtype']} | {st['second']['n']} | "
            f"{st['second']['hessian_max_abs']:.3g} | {_fmt(a['hessian_vs_jacrev_jacrev'], 1)} | "
            f"{_fmt(a['hessian_asymmetry'])} | {_fmt(a['hvp_vs_hessian_v'], 1)} |"
        )
    lines += [
        "",
        "JAX vs an independent float64 NumPy evaluation, written out by hand on the same (upcast) "
        "constants and inputs (`chain_second64`: H = sum_k J_k^T diag(c_k phi_k''(u_k)) J_k over "
        "the layers; `nonchain_second64`), normwise relative to the max of the float64 reference "
        "over the compared entries (the committed rows and the diagonal separately, as the Rust "
        "tests compare them):",
        "",
        "| case | dtype | grad | hvp | hessian (full) | committed rows | diagonal |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for st in second:
        r = st["second"]["vs_f64"]
        lines.append(
            f"| {st['case']} | {st['dtype']} | {_fmt(r['grad'], 1)} | {_fmt(r['hvp'], 1)} | "
            f"{_fmt(r['hessian'], 1)} | {_fmt(r['hessian_rows'])} | {_fmt(r['hessian_diag'])} |"
        )
    worst = {}
    for st in second:
        for group in ("agree", "vs_f64"):
            for k, d in st["second"][group].items():
                if k in ("f", "hessian_asymmetry"):
                    continue
                w = worst.setdefault(st["dtype"], (0.0, ""))
                if d["max_abs_over_max_ref"] > w[0]:
                    worst[st["dtype"]] = (d["max_abs_over_max_ref"], f"{st['case']} {group} {k}")
    lines += [
        "",
        "Largest normwise relative difference of any gradient, HVP or Hessian above: "
        + ", ".join(f"{dt} {w:.3g} ({where})" for dt, (w, where) in sorted(worst.items()))
        + ".",
        "",
        SECOND_ORDER_TOLERANCE_NOTE,
        "",
    ]
    return lines


def write_readme(out_dir, all_stats, jax_version, jaxlib_version, numpy_version):
    today = datetime.date.today().isoformat()
    lines = [
        "# JAX reference fixtures",
        "",
        f"Produced on {today} by `scripts/jax_reference.py` with JAX {jax_version} "
        f"(jaxlib {jaxlib_version}, NumPy {numpy_version}, Python {platform.python_version()}) "
        f"on CPU ({platform.machine()}, {platform.system()}).",
        "",
        "Regenerate from the repository root:",
        "",
        "```sh",
        "python3 -m venv /tmp/jaxvenv",
        '/tmp/jaxvenv/bin/pip install "jax[cpu]" numpy',
        "/tmp/jaxvenv/bin/python scripts/jax_reference.py",
        "```",
        "",
        "Each case directory holds `x.npy` (F's input, `jax.random.normal(PRNGKey(0), (n0,))` in the "
        "case dtype; the f32 and f64 draws are different numbers), `z.npy` (G's input, `x[:n3]`), "
        "`f.npy` (F(x)), `jac_f.npy` (jacrev F; jacfwd checked to agree), `g.npy` (G(z)), "
        "`jac_g.npy` (jacfwd G; jacrev checked to agree) and `widths.txt` (`n0,n1,n2,n3`).",
        "",
        "Shapes are exactly JAX's: with n3 == 1, `f` is 0-d and `jac_f` is `(n0,)` (F squeezes); "
        "`jac_g` is `(n0, n3)` (G takes a length-n3 vector). In `small2_f64` (n3 = 4) F's squeeze "
        "leaves shape `(4,)`, so `f` is `(4,)` and `jac_f` is `(4, 40)`; this is kept as JAX returns it.",
        "",
        "Matrices: `A[r, c] = sin(float(r*cols + c) * 0.001)` computed in the case dtype (in f32 the "
        "product is a float32 multiply by float32(0.001)), `b_i = tanh(sum(A_i, axis=1))`. F and G are "
        "evaluated un-jitted, as in the notebook. Values are not expected to be bit-identical across "
        "JAX versions or CPUs; compare with tolerances.",
        "",
        "## Measured differences (normwise: max|a-b| and max|a-b| / max|ref|)",
        "",
        "jacfwd vs jacrev (same JAX run), and JAX vs an independent float64 NumPy evaluation of the "
        "hand-written chain rule on the same (upcast) matrices and inputs:",
        "",
        "| case | dtype | jac_f fwd vs rev | jac_g fwd vs rev | f vs f64 | jac_f vs f64 | g vs f64 | jac_g vs f64 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for st in all_stats:
        if st["kind"] != "F":
            continue
        a = st["jacfwd_vs_jacrev"]
        r = st["jax_vs_numpy_f64"]
        lines.append(
            f"| {st['case']} | {st['dtype']} | {_fmt(a['jac_f'], 1)} | {_fmt(a['jac_g'], 1)} | "
            f"{_fmt(r['f'])} | {_fmt(r['jac_f'], 1)} | {_fmt(r['g'], 1)} | {_fmt(r['jac_g'], 1)} |"
        )
    lines += [
        "",
        "Suggested test tolerances for a Rust implementation, normwise relative "
        "(max|a-b| <= tol * max|ref|): about 2e-4 for float32 and 1e-10 for float64. Do not use a "
        "pure elementwise relative tolerance: small entries suffer cancellation (elementwise relative "
        "errors reach ~2e-2 in `original_f32` and ~4e-10 in `original_f64` even though the normwise "
        "errors are ~3e-5 and ~4e-13). Note that the small cases have Jacobian entries of order 1e-6, "
        "so an absolute tolerance such as 1e-5 would accept anything there.",
        "",
    ] + second_order_readme(all_stats)
    with open(os.path.join(out_dir, "README.md"), "w") as fh:
        fh.write("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--case", help=argparse.SUPPRESS)  # internal: run one case in this process
    args = ap.parse_args()

    if args.case:
        run_case(args.case, args.out)
        return

    import jax
    import jaxlib
    import numpy as np

    print(f"jax {jax.__version__}, jaxlib {jaxlib.__version__}, numpy {np.__version__}")
    os.makedirs(args.out, exist_ok=True)
    all_stats = []
    for name in args.cases.split(","):
        proc = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--case", name, "--out", args.out],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout + proc.stderr)
            sys.exit(f"case {name} failed")
        line = [l for l in proc.stdout.splitlines() if l.startswith("STATS_JSON ")][-1]
        st = json.loads(line[len("STATS_JSON "):])
        all_stats.append(st)
        print(f"{name:13s} {st['kind']} {st['dtype']} widths={st['widths']}")
        if st["kind"] == "F":
            a = st["jacfwd_vs_jacrev"]
            r = st["jax_vs_numpy_f64"]
            print(f"    jacfwd vs jacrev  jac_f: {_fmt(a['jac_f'])}")
            print(f"    jacfwd vs jacrev  jac_g: {_fmt(a['jac_g'])}")
            for k in ("f", "jac_f", "jac_f_fwd", "g", "jac_g", "jac_g_rev"):
                print(f"    JAX vs f64 numpy {k:9s}: {_fmt(r[k])}  elem-rel {r[k]['max_elem_rel']:.3g}")
            print(f"    A1 sin max ulp error vs f64: {st['A1_sin_max_ulp_vs_f64']:.3g}")
        if st["second"]:
            for group in ("agree", "vs_f64"):
                for k, d in st["second"][group].items():
                    print(f"    {group:6s} {k:24s}: {_fmt(d)}  elem-rel {d['max_elem_rel']:.3g}")
    write_readme(args.out, all_stats, jax.__version__, jaxlib.__version__, np.__version__)
    total = 0
    for root, _, files in os.walk(args.out):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    print(f"fixtures written to {args.out} ({total} bytes total)")


if __name__ == "__main__":
    main()
