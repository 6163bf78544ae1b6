#!/usr/bin/env python3
"""JAX's side of bench/compare_jax.py (CPU, float32), the notebook's network from
scripts/jax_network.py with x = random.normal(PRNGKey(0), (n0,)) and z = x[:n3]:

    jax_bench.py serve          jit each job of common.JOBS and common.SECOND and run it once (its first call:
                                tracing, compilation and the run), print `ready`, then answer
                                `JOB K` on stdin with K warm run times in seconds on one line,
                                and `first` with the first calls as JSON (the protocol of our
                                target/release/serve)
    jax_bench.py reproduction   the notebook as written, from before `import jax`: the four
                                Jacobians un-jitted, clock stopped when each call returns
    jax_bench.py memory [--job J] jax.jit(J) once, jacfwd_f unless told: peak RSS above idle
                                (idle = after `import jax` and building the inputs, the peak
                                mark reset there)

All modes take --widths n0,n1,n2,n3 and print one line `RESULT_JSON {...}` (serve: its protocol).
"""

import time

T_SCRIPT = time.perf_counter()  # before any heavy import

import argparse
import gc
import json
import sys

from common import JOBS, ROOT, SECOND, reset_peak_mark, status_mb

sys.path.insert(0, str(ROOT / "scripts"))  # jax_network.py, shared with jax_reference.py


def build(widths):
    """The network's F and G, the inputs x and z, and each job as a fresh function and input."""
    from jax import grad, hessian, jacfwd, jacrev, jvp, random
    from jax_network import network

    *_, F, G = network(widths)
    x = random.normal(random.PRNGKey(0), (widths[0],)).block_until_ready()
    z = x[: widths[3]].block_until_ready()
    v = random.normal(random.PRNGKey(1), (widths[0],)).block_until_ready()
    jobs = {
        "eval_f": (lambda v: F(v), x),
        "jacfwd_f": (lambda v: jacfwd(F)(v), x),
        "jacrev_f": (lambda v: jacrev(F)(v), x),
        "eval_g": (lambda v: G(v), z),
        "jacfwd_g": (lambda v: jacfwd(G)(v), z),
        "jacrev_g": (lambda v: jacrev(G)(v), z),
        "grad_f": (lambda u: grad(F)(u), x),
        "hvp_f": (lambda u: jvp(grad(F), (u,), (v,))[1], x),
        "hessian_f": (lambda u: hessian(F)(u), x),
    }
    assert list(jobs) == list(JOBS) + list(SECOND)
    return jobs


def serve(widths):
    import jax

    ready, first = {}, {}
    for name, (job, inp) in build(widths).items():
        t0 = time.perf_counter()
        fn = jax.jit(job)
        fn(inp).block_until_ready()
        first[name] = time.perf_counter() - t0
        ready[name] = (fn, inp)
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        if words == ["first"]:
            print(json.dumps(first), flush=True)
            continue
        if len(words) != 2 or words[0] not in ready or not words[1].isdigit() or int(words[1]) < 1:
            print(f"error: expected `first` or `JOB K` with JOB one of {', '.join(ready)} and "
                  f"K >= 1, got {line.strip()!r}", flush=True)
            continue
        fn, inp = ready[words[0]]
        times = []
        for _ in range(int(words[1])):
            t0 = time.perf_counter()
            fn(inp).block_until_ready()
            times.append(time.perf_counter() - t0)
        print(" ".join(f"{t:e}" for t in times), flush=True)


def reproduction(widths):
    """The notebook, as written, in a fresh process."""
    n0, n3 = widths[0], widths[3]
    from jax import jacfwd, jacrev, random
    from jax_network import network

    *_, F, G = network(widths)
    times, out = {}, []
    random_x = random.normal(random.PRNGKey(0), shape=(n0,))
    random_z = random.normal(random.PRNGKey(0), shape=(n3,))
    for name, jac, f, v in (("jacfwd_f", jacfwd, F, random_x), ("jacrev_f", jacrev, F, random_x),
                            ("jacfwd_g", jacfwd, G, random_z), ("jacrev_g", jacrev, G, random_z)):
        start = time.perf_counter()
        out.append(jac(f)(v))
        times[name] = time.perf_counter() - start
    for a in out:
        a.block_until_ready()
    return {"notebook_times_s": times, "total_s": time.perf_counter() - T_SCRIPT}


def memory(widths, name):
    import jax

    job, inp = build(widths)[name]
    gc.collect()
    idle = status_mb("VmRSS")
    reset_ok = reset_peak_mark()
    jax.jit(job)(inp).block_until_ready()
    peak = status_mb("VmHWM")
    return {"idle_rss_mb": idle, "peak_rss_mb": peak, "peak_reset_ok": reset_ok,
            "peak_minus_idle_mb": None if None in (peak, idle) else peak - idle}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=["serve", "reproduction", "memory"])
    ap.add_argument("--widths", default="5000,1000,30,1")
    ap.add_argument("--job", default="jacfwd_f", choices=list(JOBS) + list(SECOND),
                    help="the job whose memory is measured (memory mode)")
    args = ap.parse_args()
    widths = tuple(int(w) for w in args.widths.split(","))
    if len(widths) != 4 or min(widths) < 1:
        ap.error(f"--widths takes four widths n0,n1,n2,n3, each at least 1, got {args.widths}")
    if args.mode == "serve":
        serve(widths)
    else:
        res = reproduction(widths) if args.mode == "reproduction" else memory(widths, args.job)
        print("RESULT_JSON " + json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
