#!/usr/bin/env python3
"""JAX (CPU, float32) timing and memory baseline for the notebook's six jobs.

Jobs, at widths (n0, n1, n2, n3) (default 5000,1000,30,1; see
scripts/jax_reference.py for the network):
    f_eval    F(x)            x = jax.random.normal(PRNGKey(0), (n0,))
    jacfwd_f  jacfwd(F)(x)
    jacrev_f  jacrev(F)(x)
    g_eval    G(z)            z = x[:n3]
    jacfwd_g  jacfwd(G)(z)
    jacrev_g  jacrev(G)(z)

MODES
    --mode all (default)  runs each of the following in its own fresh
                          subprocess and prints one combined table:
                          jobs, reproduction, and memory for every job in
                          both styles (jit and eager).
    --mode jobs           in one process, after `import jax` and building the
                          matrices: (1) the four Jacobians un-jitted, first
                          call, in the notebook's order (time to return, as
                          the notebook measured, and time until the result is
                          ready); (2) per job: first call of jax.jit(job)(x)
                          (tracing + compilation + run, block_until_ready),
                          an AOT split (trace+lower vs. XLA compile) on a
                          fresh jit, warm median/min/max over --runs runs,
                          un-jitted warm median, CPU time vs. wall time and
                          per-thread CPU during the warm runs, and
                          ru_maxrss / VmRSS after the job.
    --mode reproduction   the whole notebook as it was written (import jax,
                          build matrices, four un-jitted Jacobians, with G's
                          input random.normal(key, (n3,)) as in the notebook),
                          timed from before `import jax` (and from the OS
                          process start) to the end, plus ru_maxrss.
    --mode serve          after `import jax` and building the matrices, jits
                          and runs every job once, prints `ready`, then
                          answers requests `JOB K` on stdin with the K warm
                          run times (seconds, space-separated) on one line;
                          `error: ...` for a bad request.  scripts/compare_jax.py
                          asks this and target/release/serve in turn for
                          short bursts (the paired comparison).
    --mode memory --job J [--style jit|eager]
                          import + build inputs, then run job J once; reports
                          peak RSS minus idle RSS (idle = after import and
                          building inputs).  The kernel's peak-RSS mark is reset
                          via /proc/self/clear_refs after building inputs when
                          possible, so transient memory of the matrix build
                          does not hide the job's peak; ru_maxrss deltas are
                          reported too.

USAGE (from the repository root)
    python3 -m venv /tmp/jaxvenv && /tmp/jaxvenv/bin/pip install "jax[cpu]" numpy
    /tmp/jaxvenv/bin/python scripts/jax_bench.py --widths 5000,1000,30,1 --runs 7 --json OUT.json
    /tmp/jaxvenv/bin/python scripts/jax_bench.py --mode reproduction
    /tmp/jaxvenv/bin/python scripts/jax_bench.py --mode memory --job jacfwd_f

All timings use time.perf_counter and block_until_ready (except the
"notebook-style" numbers, which, like the notebook, stop the clock when the
call returns).  The machine load (loadavg, and CPU used by other processes
during the warm runs) is recorded because a busy machine inflates wall times.
"""

import time

_T_SCRIPT = time.perf_counter()  # before any heavy import

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys

JOBS = ["f_eval", "jacfwd_f", "jacrev_f", "g_eval", "jacfwd_g", "jacrev_g"]
JACOBIANS_NOTEBOOK_ORDER = ["jacfwd_f", "jacrev_f", "jacfwd_g", "jacrev_g"]
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- measurement
def maxrss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def proc_status_mb(field):
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def reset_peak_rss():
    """Reset VmHWM to the current RSS (Linux >= 4.0). Returns True on success."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def thread_sched():
    """Per-thread (cpu_seconds, runqueue_wait_seconds) from /proc/self/task/*/schedstat (ns)."""
    out = {}
    try:
        for tid in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{tid}/schedstat") as fh:
                    run_ns, wait_ns = fh.read().split()[:2]
                out[tid] = (int(run_ns) / 1e9, int(wait_ns) / 1e9)
            except (OSError, IndexError, ValueError):
                pass
    except OSError:
        pass
    return out


def system_busy_ticks():
    try:
        with open("/proc/stat") as fh:
            vals = [int(v) for v in fh.readline().split()[1:]]
        idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
        return sum(vals[:8]) - idle
    except OSError:
        return None


def loadavg():
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def process_age_seconds():
    """Seconds since the OS started this process (10 ms resolution)."""
    try:
        with open("/proc/self/stat") as fh:
            start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as fh:
            uptime = float(fh.read().split()[0])
        return uptime - start_ticks / CLK_TCK
    except (OSError, ValueError, IndexError):
        return None


def emit(obj):
    print("RESULT_JSON " + json.dumps(obj), flush=True)


# ---------------------------------------------------------------- the network
def build(widths):
    """Imports JAX and builds the notebook's network. Returns a namespace dict."""
    import jax
    import jax.numpy as jnp
    from jax import jacfwd, jacrev, random

    from jax_network import network

    n0, n1, n2, n3 = widths
    A1, A2, A3, b1, b2, b3, F, G = network(widths)

    x = random.normal(random.PRNGKey(0), (n0,))
    z = x[:n3]
    for a in (A1, A2, A3, b1, b2, b3, x, z):
        a.block_until_ready()
    assert x.dtype == jnp.float32

    def make_job(name):
        """A fresh function object per call, so every jax.jit(...) starts cold."""
        if name == "f_eval":
            return (lambda v: F(v)), x
        if name == "jacfwd_f":
            return (lambda v: jacfwd(F)(v)), x
        if name == "jacrev_f":
            return (lambda v: jacrev(F)(v)), x
        if name == "g_eval":
            return (lambda v: G(v)), z
        if name == "jacfwd_g":
            return (lambda v: jacfwd(G)(v)), z
        if name == "jacrev_g":
            return (lambda v: jacrev(G)(v)), z
        raise ValueError(name)

    return {"jax": jax, "F": F, "G": G, "x": x, "z": z, "make_job": make_job}


def env_info():
    import jax
    import jaxlib

    return {
        "jax": jax.__version__,
        "jaxlib": jaxlib.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus_online": os.cpu_count(),
        "cpus_affinity": len(os.sched_getaffinity(0)),
        "devices": [str(d) for d in jax.devices()],
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
    }


# ---------------------------------------------------------------- modes
def mode_jobs(widths, runs, min_seconds=0.0):
    t_import0 = time.perf_counter()
    import jax  # noqa: F401

    t_import = time.perf_counter() - t_import0
    idle_rss = proc_status_mb("VmRSS")
    idle_maxrss = maxrss_mb()
    t0 = time.perf_counter()
    net = build(widths)
    t_build = time.perf_counter() - t0
    make_job = net["make_job"]
    res = {
        "mode": "jobs",
        "widths": list(widths),
        "runs": runs,
        "min_seconds": min_seconds,
        "env": env_info(),
        "import_s": t_import,
        "build_s": t_build,
        "idle_rss_after_import_mb": idle_rss,
        "idle_maxrss_after_import_mb": idle_maxrss,
        "rss_after_build_mb": proc_status_mb("VmRSS"),
        "maxrss_after_build_mb": maxrss_mb(),
        "loadavg_start": loadavg(),
        "jobs": {},
    }

    # (1) the notebook's un-jitted first calls, in the notebook's order
    from jax import jacfwd, jacrev

    eager_first = {}
    F, G, x, z = net["F"], net["G"], net["x"], net["z"]
    calls = {
        "jacfwd_f": lambda: jacfwd(F)(x),
        "jacrev_f": lambda: jacrev(F)(x),
        "jacfwd_g": lambda: jacfwd(G)(z),
        "jacrev_g": lambda: jacrev(G)(z),
    }
    for name in JACOBIANS_NOTEBOOK_ORDER:
        t0 = time.perf_counter()
        out = calls[name]()
        t1 = time.perf_counter()
        out.block_until_ready()
        t2 = time.perf_counter()
        eager_first[name] = {"returned_s": t1 - t0, "ready_s": t2 - t0}

    # (2) per job: jit first call, AOT split, warm runs
    for name in JOBS:
        job, inp = make_job(name)
        fn = jax.jit(job)
        t0 = time.perf_counter()
        out = fn(inp)
        out.block_until_ready()
        first = time.perf_counter() - t0
        out_shape = list(out.shape)

        job2, _ = make_job(name)
        t0 = time.perf_counter()
        lowered = jax.jit(job2).lower(inp)
        t_lower = time.perf_counter() - t0
        t0 = time.perf_counter()
        compiled = lowered.compile()
        t_compile = time.perf_counter() - t0
        compiled(inp).block_until_ready()
        del lowered, compiled

        times = []
        th0, c0, s0 = thread_sched(), cpu_seconds(), system_busy_ticks()
        # --runs runs, then more while they total less than --min-seconds (the next run is
        # expected to take their mean), as our side's Timing::measure_for does.
        while len(times) < max(1, runs) or sum(times) * (1 + 1 / len(times)) <= min_seconds:
            t0 = time.perf_counter()
            fn(inp).block_until_ready()
            times.append(time.perf_counter() - t0)
        th1, c1, s1 = thread_sched(), cpu_seconds(), system_busy_ticks()
        wall = sum(times)
        cpu = c1 - c0
        zero = (0.0, 0.0)
        per_thread = sorted(
            (th1[t][0] - th0.get(t, zero)[0] for t in th1 if th1[t][0] - th0.get(t, zero)[0] > 0),
            reverse=True,
        )
        runq_wait = sum(max(0.0, th1[t][1] - th0.get(t, zero)[1]) for t in th1)
        busy_threads = sum(1 for t in per_thread if t >= 0.1 * max(cpu, 1e-9))
        other_cpu = None
        if s0 is not None and s1 is not None:
            other_cpu = max(0.0, (s1 - s0) / CLK_TCK - sum(per_thread))

        # un-jitted warm (op-by-op dispatch, op caches warm)
        eager_times = []
        ejob, _ = make_job(name)
        ejob(inp).block_until_ready()
        for _ in range(max(1, min(runs, 3 if name.startswith("jac") else runs))):
            t0 = time.perf_counter()
            ejob(inp).block_until_ready()
            eager_times.append(time.perf_counter() - t0)

        res["jobs"][name] = {
            "out_shape": out_shape,
            "jit_first_call_s": first,
            "aot_trace_lower_s": t_lower,
            "aot_compile_s": t_compile,
            "warm_median_s": statistics.median(times),
            "warm_min_s": min(times),
            "warm_max_s": max(times),
            "warm_times_s": times,
            "warm_cpu_s": cpu,
            "warm_wall_s": wall,
            "warm_cpu_over_wall": cpu / wall if wall > 0 else None,
            "warm_thread_cpu_s": per_thread[:6],
            "warm_threads_with_10pct_of_cpu": busy_threads,
            "warm_other_processes_cpu_s": other_cpu,
            "warm_runqueue_wait_s": runq_wait,
            "eager_first_call": eager_first.get(name),
            "eager_warm_median_s": statistics.median(eager_times),
            "maxrss_after_mb": maxrss_mb(),
            "rss_after_mb": proc_status_mb("VmRSS"),
        }
    res["loadavg_end"] = loadavg()
    res["total_s"] = time.perf_counter() - _T_SCRIPT
    return res


def mode_reproduction(widths):
    """The notebook, as written, in a fresh process."""
    age_at_script = process_age_seconds()
    t_start = _T_SCRIPT
    n0, n1, n2, n3 = widths
    t0 = time.perf_counter()
    import jax.numpy as jnp
    from jax import jacfwd, jacrev, random

    t_import = time.perf_counter() - t0

    from jax_network import network

    A1, A2, A3, b1, b2, b3, F, G = network(widths)

    t_build = time.perf_counter() - t0 - t_import
    notebook = {}
    key = random.PRNGKey(0)
    random_x = random.normal(key, shape=(n0,))
    start = time.perf_counter()
    DF_forward = jacfwd(F)(random_x)
    notebook["jacfwd_f"] = time.perf_counter() - start
    start = time.perf_counter()
    DF_reverse = jacrev(F)(random_x)
    notebook["jacrev_f"] = time.perf_counter() - start
    key = random.PRNGKey(0)
    random_z = random.normal(key, shape=(n3,))
    start = time.perf_counter()
    DG_forward = jacfwd(G)(random_z)
    notebook["jacfwd_g"] = time.perf_counter() - start
    start = time.perf_counter()
    DG_reverse = jacrev(G)(random_z)
    notebook["jacrev_g"] = time.perf_counter() - start
    for a in (DF_forward, DF_reverse, DG_forward, DG_reverse):
        a.block_until_ready()
    t_end = time.perf_counter()
    age_end = process_age_seconds()
    r = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "mode": "reproduction",
        "widths": list(widths),
        "total_from_before_import_s": t_end - t_start,
        "total_from_process_start_s": age_end,
        "process_age_at_script_start_s": age_at_script,
        "import_s": t_import,
        "build_dispatch_s": t_build,
        "notebook_times_s": notebook,
        "cpu_s": r.ru_utime + r.ru_stime,
        "maxrss_mb": r.ru_maxrss / 1024.0,
        "loadavg_end": loadavg(),
    }


def mode_serve(widths):
    ns = build(widths)
    fns = {}
    for name in JOBS:
        job, inp = ns["make_job"](name)
        fn = ns["jax"].jit(job)
        fn(inp).block_until_ready()
        fns[name] = (fn, inp)
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        if len(words) != 2 or words[0] not in fns or not words[1].isdigit() or int(words[1]) < 1:
            print(f"error: expected `JOB K` with JOB one of {', '.join(JOBS)} and K >= 1, "
                  f"got {line.strip()!r}", flush=True)
            continue
        fn, inp = fns[words[0]]
        times = []
        for _ in range(int(words[1])):
            t0 = time.perf_counter()
            fn(inp).block_until_ready()
            times.append(time.perf_counter() - t0)
        print(" ".join(f"{t:e}" for t in times), flush=True)


def mode_memory(widths, job_name, style):
    import gc

    import jax

    net = build(widths)
    gc.collect()
    idle_rss = proc_status_mb("VmRSS")
    maxrss_before = maxrss_mb()
    hwm_before_reset = proc_status_mb("VmHWM")
    reset_ok = reset_peak_rss()
    hwm_after_reset = proc_status_mb("VmHWM")
    job, inp = net["make_job"](job_name)
    fn = jax.jit(job) if style == "jit" else job
    t0 = time.perf_counter()
    out = fn(inp)
    out.block_until_ready()
    t = time.perf_counter() - t0
    hwm = proc_status_mb("VmHWM")
    maxrss_after = maxrss_mb()
    return {
        "mode": "memory",
        "widths": list(widths),
        "job": job_name,
        "style": style,
        "first_call_s": t,
        "idle_rss_mb": idle_rss,
        "peak_rss_mb": hwm,
        "peak_minus_idle_mb": (hwm - idle_rss) if (hwm is not None and idle_rss) else None,
        "hwm_reset_ok": reset_ok and hwm_after_reset is not None and hwm_after_reset <= hwm_before_reset,
        "hwm_before_reset_mb": hwm_before_reset,
        "maxrss_before_mb": maxrss_before,
        "maxrss_after_mb": maxrss_after,
        "maxrss_delta_mb": maxrss_after - maxrss_before,
        "rss_after_mb": proc_status_mb("VmRSS"),
    }


# ---------------------------------------------------------------- driver
def run_child(args_list):
    cmd = [sys.executable, os.path.abspath(__file__)] + args_list
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.stderr.write(p.stdout + p.stderr)
        raise SystemExit(f"child failed: {' '.join(args_list)}")
    line = [l for l in p.stdout.splitlines() if l.startswith("RESULT_JSON ")][-1]
    res = json.loads(line[len("RESULT_JSON "):])
    res["external_wall_s"] = wall
    return res


def fmt_s(v):
    """Seconds in the unit that suits them: `812 us`, `3.4 ms`, `1.20 s` (also used by compare_jax)."""
    if v is None:
        return "-"
    if v < 1e-3:
        return f"{v * 1e6:.0f} us"
    if v < 1:
        return f"{v * 1e3:.1f} ms"
    return f"{v:.2f} s"


def print_jobs_table(jobs_res, mem):
    env = jobs_res["env"]
    print(
        f"JAX {env['jax']} (jaxlib {env['jaxlib']}), Python {env['python']}, {env['machine']}, "
        f"{env['cpus_affinity']} CPUs, devices {env['devices']}, widths {jobs_res['widths']}, "
        f"float32, runs {jobs_res['runs']}"
    )
    print(
        f"import jax {fmt_s(jobs_res['import_s'])}; build matrices+x {fmt_s(jobs_res['build_s'])}; "
        f"idle RSS after import {jobs_res['idle_rss_after_import_mb']:.0f} MB "
        f"(ru_maxrss {jobs_res['idle_maxrss_after_import_mb']:.0f} MB); RSS after build "
        f"{jobs_res['rss_after_build_mb']:.0f} MB (ru_maxrss {jobs_res['maxrss_after_build_mb']:.0f} MB); "
        f"loadavg {jobs_res['loadavg_start']:.2f} -> {jobs_res['loadavg_end']:.2f}"
    )
    hdr = (
        f"{'job':9s} {'out':>9s} {'jit 1st':>8s} {'trace+lo':>8s} {'compile':>8s} "
        f"{'warm med':>8s} {'min':>8s} {'max':>8s} {'eager1st':>8s} {'(ready)':>8s} "
        f"{'eagerwarm':>9s} {'cpu/run':>8s} {'cpu/wall':>8s} {'thr':>3s} {'maxrss':>7s} {'mem jit':>7s} {'mem eag':>7s}"
    )
    print(hdr)
    print("-" * len(hdr))
    for name in JOBS:
        j = jobs_res["jobs"][name]
        ef = j["eager_first_call"] or {}
        mj = mem.get((name, "jit"), {}).get("peak_minus_idle_mb")
        me = mem.get((name, "eager"), {}).get("peak_minus_idle_mb")
        print(
            f"{name:9s} {str(tuple(j['out_shape'])):>9s} {fmt_s(j['jit_first_call_s']):>8s} "
            f"{fmt_s(j['aot_trace_lower_s']):>8s} {fmt_s(j['aot_compile_s']):>8s} "
            f"{fmt_s(j['warm_median_s']):>8s} {fmt_s(j['warm_min_s']):>8s} {fmt_s(j['warm_max_s']):>8s} "
            f"{fmt_s(ef.get('returned_s')):>8s} {fmt_s(ef.get('ready_s')):>8s} "
            f"{fmt_s(j['eager_warm_median_s']):>9s} {fmt_s(j['warm_cpu_s'] / len(j['warm_times_s'])):>8s} "
            f"{j['warm_cpu_over_wall']:>8.2f} "
            f"{j['warm_threads_with_10pct_of_cpu']:>3d} {j['maxrss_after_mb']:>6.0f}M "
            f"{(f'{mj:.0f}M' if mj is not None else '-'):>7s} {(f'{me:.0f}M' if me is not None else '-'):>7s}"
        )
    print(
        "columns: jit 1st = first call of jax.jit(job)(x) incl. tracing+compile; trace+lo / compile = "
        "AOT split on a fresh jit; warm = jitted, block_until_ready; eager1st = un-jitted first call "
        "in the notebook's order, clock stopped when the call returns (as the notebook did), (ready) "
        "= until block_until_ready; eagerwarm = un-jitted warm median; cpu/run = process CPU time per "
        "warm run (all threads); cpu/wall = process CPU time / wall time over the warm runs; thr = threads that used >= 10% of that CPU; maxrss = "
        "ru_maxrss after the job (cumulative); mem jit/eag = peak RSS - idle RSS, job run once in a "
        "fresh process (--mode memory)."
    )
    others = [
        (n, jobs_res["jobs"][n]["warm_other_processes_cpu_s"], jobs_res["jobs"][n]["warm_wall_s"])
        for n in JOBS
    ]
    print(
        "during the warm runs, per job: CPU used by other processes / our threads' run-queue wait "
        "(runnable but no free core) / wall, in s: "
        + ", ".join(
            f"{n} {o:.2f}/{jobs_res['jobs'][n]['warm_runqueue_wait_s']:.2f}/{w:.2f}"
            for n, o, w in others
            if o is not None
        )
    )
    print(
        "top per-thread CPU (s) during warm runs: "
        + "; ".join(
            f"{n} " + ",".join(f"{t:.3f}" for t in jobs_res["jobs"][n]["warm_thread_cpu_s"][:3])
            for n in JOBS
        )
    )


def print_reproduction(rep):
    nb = rep["notebook_times_s"]
    print(
        f"reproduction (fresh process, notebook as written): {fmt_s(rep['total_from_before_import_s'])} "
        f"from before `import jax` to end, {fmt_s(rep['total_from_process_start_s'])} from OS process "
        f"start, {fmt_s(rep.get('external_wall_s'))} as seen by the parent (incl. interpreter start/exit); "
        f"import {fmt_s(rep['import_s'])}; CPU {rep['cpu_s']:.2f}s; ru_maxrss {rep['maxrss_mb']:.0f} MB"
    )
    print(
        "  notebook-style times (clock stopped on return): "
        + ", ".join(f"{k} {fmt_s(v)}" for k, v in nb.items())
    )


def main():
    ap = argparse.ArgumentParser(description="JAX CPU float32 benchmark of the notebook's jobs")
    ap.add_argument("--widths", default="5000,1000,30,1")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--min-seconds", type=float, default=0.0,
                    help="after --runs warm runs, keep timing a job while its runs total less")
    ap.add_argument("--json", default=None, help="write results here")
    ap.add_argument("--mode", default="all", choices=["all", "jobs", "reproduction", "memory", "serve"])
    ap.add_argument("--job", default="jacfwd_f", choices=JOBS)
    ap.add_argument("--style", default="jit", choices=["jit", "eager"])
    args = ap.parse_args()
    widths = tuple(int(w) for w in args.widths.split(","))
    assert len(widths) == 4

    if args.mode == "jobs":
        res = mode_jobs(widths, args.runs, args.min_seconds)
        print_jobs_table(res, {})
    elif args.mode == "serve":
        mode_serve(widths)
        return
    elif args.mode == "reproduction":
        res = mode_reproduction(widths)
        print_reproduction(res)
    elif args.mode == "memory":
        res = mode_memory(widths, args.job, args.style)
        print(
            f"memory {res['job']} ({res['style']}): peak RSS {res['peak_rss_mb']:.0f} MB - idle "
            f"{res['idle_rss_mb']:.0f} MB = {res['peak_minus_idle_mb']:.0f} MB "
            f"(peak reset ok: {res['hwm_reset_ok']}; ru_maxrss delta {res['maxrss_delta_mb']:.0f} MB); "
            f"first call {fmt_s(res['first_call_s'])}"
        )
    else:
        common = ["--widths", args.widths]
        print("running --mode jobs ...", file=sys.stderr, flush=True)
        jobs_res = run_child(common + ["--mode", "jobs", "--runs", str(args.runs),
                                          "--min-seconds", str(args.min_seconds)])
        print("running --mode reproduction ...", file=sys.stderr, flush=True)
        rep = run_child(common + ["--mode", "reproduction"])
        mem = {}
        for style in ("jit", "eager"):
            for name in JOBS:
                print(f"running --mode memory --job {name} --style {style} ...", file=sys.stderr, flush=True)
                mem[(name, style)] = run_child(
                    common + ["--mode", "memory", "--job", name, "--style", style]
                )
        print_jobs_table(jobs_res, mem)
        print_reproduction(rep)
        res = {
            "mode": "all",
            "jobs": jobs_res,
            "reproduction": rep,
            "memory": [mem[k] for k in sorted(mem)],
        }
    if args.mode != "all":
        emit(res)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(res, fh, indent=2)


if __name__ == "__main__":
    main()
