"""What bench/compare_jax.py and bench/jax_bench.py share: the jobs, the targets, readings of a
process's memory and of the machine's load, and formatting. Standard library only."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The notebook's jobs, named alike on both sides (bench::jobs::Job on ours), and their labels.
JOBS = {
    "eval_f": "F eval",
    "jacfwd_f": "jacfwd(F)",
    "jacrev_f": "jacrev(F)",
    "eval_g": "G eval",
    "jacfwd_g": "jacfwd(G)",
    "jacrev_g": "jacrev(G)",
}
# Second derivatives of F (bench::jobs::Job::{GradF, HvpF, HessianF} on ours): the gradient,
# a Hessian-vector product jvp(grad(F)) in the direction v = normal(PRNGKey(1)), and the Hessian
# by forward over reverse (jax.hessian). Ours also runs, paired with JAX's hessian_f,
# `hessian_cheapest_f` (jacobian_core::hessian: the cheapest strategy, the last product by
# symmetry).
SECOND = {
    "grad_f": "grad(F)",
    "hvp_f": "Hv = jvp(grad(F))",
    "hessian_f": "hessian(F)",
}
# The jobs that are one dense n1 x n0 x n0 product each (A1 times the standard basis).
DENSE = ("jacfwd_f", "jacrev_g")

# The targets of the comparison: the one place they are defined.
TARGETS = {
    "warm_ratio": 0.8,  # ours / JAX's jit, warm, paired (each job)
    "warm_ratio_avx2": 1.0,  # the same on the AVX2 path (--avx2): no job slower than JAX
    "reproduction_speedup": 15.0,  # JAX's whole reproduction / ours, spawn to exit
    "reproduction_memory": 1 / 3,  # ours / JAX's, peak RSS of the whole reproduction
    "memory_jacfwd_f": 1.0,  # ours / JAX jit's, jacfwd(F)'s peak above idle
    "chunk256_mb": 64.0,  # jacfwd(F) with --chunk 256: peak above idle, MB
    "structured_speedup": 40.0,  # JAX jit jacfwd(F) / our structured jacfwd(F), warm, paired
    "hvp_ratio": 0.8,  # ours / JAX's jit jvp(grad(F)), warm, paired
    "hvp_over_eval": 4.0,  # our hvp(F) / our F eval, warm
    "hessian_ratio": 0.5,  # our hessian(F) (hessian_cheapest_f) / JAX's jit hessian(F), warm, paired
    "hessian_structured_speedup": 2.0,  # our textbook forward over reverse / our hessian(F)
    "memory_hessian": 1.0,  # ours / JAX jit's, hessian(F)'s peak above idle
}


def status_mb(field):
    """A field of /proc/self/status in MB (VmRSS: resident now, VmHWM: peak mark), or None."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def reset_peak_mark():
    """Resets VmHWM to the current RSS (Linux >= 4.0); True on success."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def loadavg():
    return os.getloadavg()[0]


def fmt_s(v):
    """Seconds in the unit that suits them: `812 us`, `3.4 ms`, `1.20 s`."""
    if v is None:
        return "-"
    if v < 1e-3:
        return f"{v * 1e6:.0f} us"
    if v < 1:
        return f"{v * 1e3:.1f} ms"
    return f"{v:.2f} s"


def mark(ok):
    return "✓" if ok else "✗"


def table(headers, rows):
    """A Markdown table, as a list of lines."""
    line = lambda r: "| " + " | ".join(str(c) for c in r) + " |"
    return [line(headers), line(["---"] * len(headers))] + [line(r) for r in rows]
