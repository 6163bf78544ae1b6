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
    the README: those numbers are the tolerances the Rust tests can use.

HOW TO REGENERATE (from the repository root)
    python3 -m venv /tmp/jaxvenv
    /tmp/jaxvenv/bin/pip install "jax[cpu]" numpy
    /tmp/jaxvenv/bin/python scripts/jax_reference.py
    # options: --out DIR (default crates/jacobian-core/tests/fixtures)
    #          --cases original_f32,small_f64   (default: all cases)

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

# name -> (widths (n0, n1, n2, n3), dtype)
CASES = {
    "original_f32": ((5000, 1000, 30, 1), "float32"),
    "original_f64": ((5000, 1000, 30, 1), "float64"),
    "small_f64": ((7, 5, 3, 1), "float64"),
    "small2_f64": ((40, 20, 6, 4), "float64"),
    "small_f32": ((7, 5, 3, 1), "float32"),
}

# Normwise relative checks: max|a - b| <= TOL * max|ref| (ref = the second argument).
# Measured differences (see README) are well below these.
AGREE_TOL = {"float32": 1e-4, "float64": 1e-11}
# JAX vs. an independent float64 NumPy evaluation, same normwise measure.
REF64_TOL = {"float32": 1e-3, "float64": 1e-9}


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


def run_case(name, out_dir):
    """Runs in a fresh subprocess: computes one case and writes its fixtures."""
    widths, dtype = CASES[name]
    import jax

    if dtype == "float64":
        jax.config.update("jax_enable_x64", True)  # before any array exists
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
    }

    for key, s in stats["jacfwd_vs_jacrev"].items():
        lim = AGREE_TOL[dtype] * (s["ref_max_abs"] or 1.0)
        assert s["max_abs"] <= lim, f"{name}: jacfwd/jacrev disagree on {key}: {s}"
    for key, s in stats["jax_vs_numpy_f64"].items():
        lim = REF64_TOL[dtype] * (s["ref_max_abs"] or 1.0)
        assert s["max_abs"] <= lim, f"{name}: JAX vs float64 NumPy on {key}: {s}"

    case_dir = os.path.join(out_dir, name)
    os.makedirs(case_dir, exist_ok=True)
    arrays = {
        "x": x,
        "z": z,
        "f": f,
        "jac_f": jf_rev,
        "g": g,
        "jac_g": jg_fwd,
    }
    for fname, arr in arrays.items():
        np.save(os.path.join(case_dir, fname + ".npy"), np.asarray(arr, dtype=np_dtype))
    with open(os.path.join(case_dir, "widths.txt"), "w") as fh:
        fh.write(",".join(str(w) for w in widths) + "\n")
    print("STATS_JSON " + json.dumps(stats))


def _fmt(s, elem=False):
    out = f"{s['max_abs']:.3g} abs / {s['max_abs_over_max_ref']:.3g} rel (max abs ref {s['ref_max_abs']:.3g})"
    if elem:
        out += f", elementwise rel {s['max_elem_rel']:.3g}"
    return out


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
    ]
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
        a = st["jacfwd_vs_jacrev"]
        r = st["jax_vs_numpy_f64"]
        print(f"{name:13s} {st['dtype']} widths={st['widths']}")
        print(f"    jacfwd vs jacrev  jac_f: {_fmt(a['jac_f'])}")
        print(f"    jacfwd vs jacrev  jac_g: {_fmt(a['jac_g'])}")
        for k in ("f", "jac_f", "jac_f_fwd", "g", "jac_g", "jac_g_rev"):
            print(f"    JAX vs f64 numpy {k:9s}: {_fmt(r[k])}  elem-rel {r[k]['max_elem_rel']:.3g}")
        print(f"    A1 sin max ulp error vs f64: {st['A1_sin_max_ulp_vs_f64']:.3g}")
    write_readme(args.out, all_stats, jax.__version__, jaxlib.__version__, np.__version__)
    total = 0
    for root, _, files in os.walk(args.out):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    print(f"fixtures written to {args.out} ({total} bytes total)")


if __name__ == "__main__":
    main()
