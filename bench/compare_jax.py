#!/usr/bin/env python3
"""Compare jacobian-core with JAX (CPU, float32) on the notebook's jobs; write bench/RESULTS.md.

    python3 bench/compare_jax.py [--pairs 40] [--repro-runs 1] [--avx2] [--widths 5000,1000,30,1]

1. creates `.venv-jax/` at the repository root with a pinned `jax[cpu]` from PyPI, unless it is
   there already;
2. builds `cargo build --release -p bench`;
3. measures, each side in processes of its own (ours: target/release/{peak,serve,job}; JAX's:
   bench/jax_bench.py):
   - the machine's f32 ceiling (target/release/peak), which no dense product can pass;
   - warm, paired: two warm servers are asked in turn for bursts (about 50 ms, or one run) of the
     same job, who goes first alternating; a job's ratio ours/JAX is the median over the pairs of
     the two bursts' medians, so a moment's load on the machine hits both sides of a pair alike.
     Our structured jacfwd(F) is paired with JAX's jit jacfwd(F) the same way; the second
     derivatives of F (grad, a Hessian-vector product, the Hessian by textbook forward over
     reverse and by jacobian_core::hessian) with JAX's grad, jvp(grad) and hessian;
   - first calls (tracing, and JAX's compilation, included), from the same servers;
   - the whole reproduction (the notebook's four Jacobians as first calls), spawn to exit, with
     the process's peak RSS (ru_maxrss from wait4);
   - the memory of jacfwd(F) above the idle process (after building the inputs; the kernel's
     peak mark reset there): JAX's jit, ours by default and with --chunk 256; and of hessian(F);
4. prints the report and writes it to bench/RESULTS.md (bench/RESULTS-avx2.md with --avx2;
   overwritten; never edit them by hand), and the same figures for programs (the notebooks read
   it) to bench/results.json (bench/results-avx2.json): date, machine, and per job the warm
   medians and first calls of both sides, in seconds.

--avx2 runs both sides on the AVX2 path of an AVX-512 machine: ours built without the `avx512`
feature (target/avx2/), JAX with XLA_FLAGS=--xla_cpu_max_isa=AVX2 (XLA logs "Will not use features newer than: AVX2").
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

from common import DENSE, JOBS, ROOT, SECOND, TARGETS, fmt_s, loadavg, mark, table

# Our jobs with no JAX job of their own name, and the JAX job each is paired with.
PAIRED_WITH = {"jacfwd_structured_f": "jacfwd_f", "hessian_cheapest_f": "hessian_f"}

VENV_PY = ROOT / ".venv-jax" / "bin" / "python"
JAX_VERSION = "0.10.2"
JAX_BENCH = ROOT / "bench" / "jax_bench.py"


def say(msg):
    print(f"[compare] {msg}", file=sys.stderr, flush=True)


def ensure_venv():
    """The pinned JAX in .venv-jax (created or updated if needed); returns `jax x, jaxlib y`."""
    check = [str(VENV_PY), "-c", "import jax, jaxlib; print(jax.__version__, jaxlib.__version__)"]
    if not VENV_PY.exists():
        say(f"creating {VENV_PY.parent.parent}")
        subprocess.run([sys.executable, "-m", "venv", str(VENV_PY.parent.parent)], check=True)
    found = subprocess.run(check, capture_output=True, text=True).stdout.split()
    if found[:1] != [JAX_VERSION]:
        say(f"installing jax[cpu]=={JAX_VERSION}")
        subprocess.run([str(VENV_PY), "-m", "pip", "install", "--quiet", "--upgrade",
                        f"jax[cpu]=={JAX_VERSION}", "numpy"], check=True)
        found = subprocess.run(check, capture_output=True, text=True, check=True).stdout.split()
    return f"jax {found[0]}, jaxlib {found[1]}"


def result(out):
    """The JSON object a program printed last (ours) or after `RESULT_JSON ` (JAX's)."""
    return json.loads(out.strip().splitlines()[-1].removeprefix("RESULT_JSON "))


def timed(cmd, env):
    """Runs cmd to exit; (its JSON result, wall seconds spawn to exit, peak RSS in MB)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen([str(c) for c in cmd], stdout=out, stderr=err, cwd=ROOT, env=env)
        _, status, ru = os.wait4(p.pid, 0)  # ru_maxrss: this child's peak RSS
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.stderr.write(out.read() + err.read())
            raise SystemExit(f"failed: {' '.join(map(str, cmd))}")
        return result(out.read()), wall, ru.ru_maxrss / 1024.0


class Server:
    """A warm process answering `JOB K` with K run times and `first` with its first calls:
    bench/jax_bench.py serve, or target/release/serve."""

    def __init__(self, cmd, env):
        self.cmd = " ".join(map(str, cmd))
        self.p = subprocess.Popen([str(c) for c in cmd], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
        if self.p.stdout.readline().strip() != "ready":
            raise SystemExit(f"{self.cmd}: did not start")

    def ask(self, request):
        self.p.stdin.write(request + "\n")
        self.p.stdin.flush()
        reply = self.p.stdout.readline()
        if not reply or reply.startswith("error"):
            raise SystemExit(f"{self.cmd}: asked {request!r}, got {reply!r}")
        return reply

    def times(self, job, k):
        return [float(t) for t in self.ask(f"{job} {k}").split()]

    def close(self):
        self.p.stdin.close()
        if self.p.wait() != 0:
            raise SystemExit(f"{self.cmd}: exit {self.p.returncode}")


def paired(jax, ours, jax_job, our_job, pairs, burst_s):
    """Bursts of jax_job and our_job in turn, who goes first alternating, a 5 ms pause before
    each. Each side's burst lasts about burst_s (at least one run). Returns the JAX and our
    medians over all runs and the ratio ours/JAX of each pair's burst medians."""
    k = {side: max(1, min(200, round(burst_s / statistics.median(server.times(job, 3)))))
         for side, server, job in (("jax", jax, jax_job), ("ours", ours, our_job))}
    sides = [("jax", jax, jax_job), ("ours", ours, our_job)]
    runs, ratios = {"jax": [], "ours": []}, []
    for i in range(pairs):
        med = {}
        for side, server, job in sides if i % 2 == 0 else sides[::-1]:
            time.sleep(0.005)
            t = server.times(job, k[side])
            runs[side] += t
            med[side] = statistics.median(t)
        ratios.append(med["ours"] / med["jax"])
    return statistics.median(runs["jax"]), statistics.median(runs["ours"]), ratios


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=int, default=40,
                    help="pairs of bursts per job (half as many, at least 3, for jobs over 50 ms)")
    ap.add_argument("--burst", type=float, default=0.05, help="seconds per burst")
    ap.add_argument("--repro-runs", type=int, default=1,
                    help="whole-reproduction processes per side, alternating (median)")
    ap.add_argument("--widths", default="5000,1000,30,1", help="n0,n1,n2,n3 (both sides)")
    ap.add_argument("--avx2", action="store_true", help="both sides on AVX2 (see above)")
    ap.add_argument("--no-build", action="store_true", help="skip cargo build")
    ap.add_argument("--results", default=None,
                    help="the report, overwritten (default bench/RESULTS.md, with --avx2 "
                         "bench/RESULTS-avx2.md)")
    args = ap.parse_args()
    args.results = args.results or str(ROOT / "bench" / ("RESULTS-avx2.md" if args.avx2 else "RESULTS.md"))
    json_path = ROOT / "bench" / ("results-avx2.json" if args.avx2 else "results.json")
    widths = [int(w) for w in args.widths.split(",")]
    if len(widths) != 4 or min(widths) < 1 or args.pairs < 1 or args.repro_runs < 1:
        ap.error("--widths takes four widths >= 1; --pairs and --repro-runs at least 1")

    jax_versions = ensure_venv()
    # The AVX2 path: jacobian-core without its `avx512` feature, in a target folder of its own.
    build = ["cargo", "build", "--release", "-p", "bench"]
    bins = ROOT / "target" / "release"
    if args.avx2:
        build += ["--no-default-features", "--features", "cli", "--target-dir", str(ROOT / "target" / "avx2")]
        bins = ROOT / "target" / "avx2" / "release"
    if not args.no_build:
        say(" ".join(build))
        subprocess.run(build, cwd=ROOT, check=True)
    ours_env, jax_env = dict(os.environ), dict(os.environ)
    if args.avx2:
        jax_env["XLA_FLAGS"] = (jax_env.get("XLA_FLAGS", "") + " --xla_cpu_max_isa=AVX2").strip()
    w = ["--widths", args.widths]
    jax_cmd = [VENV_PY, JAX_BENCH]
    load_start, t_start = loadavg(), time.perf_counter()

    say("the machine's f32 ceiling (target/release/peak)")
    peak, _, _ = timed([bins / "peak"] + (["--avx2"] if args.avx2 else []), ours_env)

    say("warm, paired: bench/jax_bench.py serve and target/release/serve in turn")
    jax_srv = Server(jax_cmd + ["serve"] + w, jax_env)
    ours_srv = Server([bins / "serve"] + w, ours_env)
    first = {"jax": json.loads(jax_srv.ask("first")), "ours": json.loads(ours_srv.ask("first"))}
    warm = {}
    for job in list(JOBS) + ["jacfwd_structured_f"] + list(SECOND) + ["hessian_cheapest_f"]:
        jax_job = PAIRED_WITH.get(job, job)
        slow = statistics.median(jax_srv.times(jax_job, 1) + ours_srv.times(job, 1)) > 0.05
        n = max(3, args.pairs // 2) if slow else args.pairs
        say(f"  {job}: {n} pairs")
        warm[job] = paired(jax_srv, ours_srv, jax_job, job, n, args.burst)
    jax_srv.close()
    ours_srv.close()

    say("the whole reproduction, each side in a fresh process, alternating")
    repro = {"jax": [], "ours": []}
    for _ in range(args.repro_runs):
        repro["jax"].append(timed(jax_cmd + ["reproduction"] + w, jax_env))
        repro["ours"].append(timed([bins / "job", "--job", "reproduction"] + w, ours_env))

    say("memory of jacfwd(F) above idle: JAX jit, ours, ours --chunk 256")
    mem = {"JAX jax.jit(jacfwd(F))": timed(jax_cmd + ["memory"] + w, jax_env)[0]}
    for label, chunk in (("ours", []), ("ours --chunk 256", ["--chunk", "256"])):
        mem[label] = timed([bins / "job", "--job", "jacfwd_f"] + chunk + w, ours_env)[0]
    say("memory of hessian(F) above idle: JAX jit, ours")
    mem_h = {"JAX jax.jit(hessian(F))": timed(jax_cmd + ["memory", "--job", "hessian_f"] + w, jax_env)[0],
             "ours hessian(F)": timed([bins / "job", "--job", "hessian_cheapest_f"] + w, ours_env)[0]}

    # ------------------------------------------------------------ report
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), platform.processor())
    has512 = "avx512f" in open("/proc/cpuinfo").read()
    isa = ("AVX2, forced (ours: built without the avx512 feature; JAX: XLA_FLAGS=--xla_cpu_max_isa=AVX2, "
           "which binds XLA's generated code but not necessarily the library call that runs its "
           "large matrix products)"
           if args.avx2 else ("AVX-512" if has512 else "AVX2 or older: the CPU has no AVX-512"))
    warm_target = TARGETS["warm_ratio_avx2" if args.avx2 else "warm_ratio"]
    met = []

    def target(ok):
        met.append(bool(ok))
        return mark(ok)

    r = ["# Ours vs JAX: results", "",
         "Written by `bench/compare_jax.py`, overwritten on each run: do not edit by hand.", "",
         f"- command: `{' '.join(['python3 bench/compare_jax.py'] + sys.argv[1:])}`",
         f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; "
         f"measurements took {time.perf_counter() - t_start:.0f} s, 1-minute load average "
         f"{load_start:.2f} at the start, {loadavg():.2f} at the end",
         f"- machine: {cpu}, {os.cpu_count()} logical CPUs ({len(os.sched_getaffinity(0))} "
         f"usable), {platform.machine()}, Linux {platform.release()}",
         f"- instruction set: {isa}",
         f"- ours: {peak['backend']}; {rustc}",
         f"- JAX: {jax_versions} (CPU), Python {platform.python_version()}",
         f"- widths {widths}, float32",
         f"- f32 ceiling (target/release/peak): {peak['gflops']:.0f} GFLOP/s, the larger of a "
         f"register-only multiply-add loop ({peak['isa']}, {peak['threads']} threads: "
         f"{peak['register_gflops'] or 0:.0f}) and our best large product through the library "
         f"({peak['product_gflops']:.0f}); memory read by A x: {peak['read_gbs']:.0f} GB/s", ""]

    r += ["## Warm (after compilation / preparation), paired", "",
          "Two warm servers asked in turn for bursts of the same job, who goes first alternating; "
          "ratio = median over the pairs of (our burst's median / JAX's).", ""]
    rows = []
    for job, label in JOBS.items():
        j, o, ratios = warm[job]
        q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
        ratio = statistics.median(ratios)
        rows.append([label, fmt_s(j), fmt_s(o), f"{ratio:.2f}", f"{q[0]:.2f}–{q[2]:.2f}",
                     len(ratios), f"≤ {warm_target} {target(ratio <= warm_target)}"])
    r += table(["job", "JAX jit", "ours", "ours/JAX", "middle half of pairs", "pairs", "target"],
               rows)
    flop = 2.0 * widths[1] * widths[0] ** 2
    r += ["", f"The dense jobs multiply A1 by the {widths[0]}×{widths[0]} standard basis: "
          f"{flop / 1e9:.1f} GFLOP, at least {fmt_s(flop / peak['gflops'] / 1e9)} at the ceiling. "
          + "; ".join(f"{JOBS[d]}: JAX {flop / warm[d][0] / 1e9:.0f}, ours "
                      f"{flop / warm[d][1] / 1e9:.0f} GFLOP/s" for d in DENSE)
          + f" (ceiling {peak['gflops']:.0f})."]
    j, o, ratios = warm["jacfwd_structured_f"]
    speedup = 1 / statistics.median(ratios)
    st = TARGETS["structured_speedup"]
    r += ["", f"Structured jacfwd(F) (symbolic identity seed), paired with JAX's jit jacfwd(F): "
          f"{fmt_s(o)} vs {fmt_s(j)}, **{speedup:.0f}× faster** (target ≥ {st:.0f}× "
          f"{target(speedup >= st)})."]

    r += ["", "## Second derivatives of F", "",
          "Warm and paired as above. Hv is one Hessian-vector product, jvp(grad(F)) in a fixed "
          "direction; JAX's hessian(F) is jacfwd(jacrev(F)), the dense identity pushed through "
          "the gradient. Ours: textbook forward over reverse (the same products), and "
          "`jacobian_core::hessian` (the cheapest strategy, the last product by symmetry), both "
          "paired with JAX's hessian(F).", ""]
    rows = []
    for job, label in list(SECOND.items()) + [("hessian_cheapest_f", "hessian(F), ours cheapest")]:
        j, o, ratios = warm[job]
        ratio = statistics.median(ratios)
        # Only these two rows have a target (a dict of both would count both on every row).
        limit = {"hvp_f": TARGETS["hvp_ratio"], "hessian_cheapest_f": TARGETS["hessian_ratio"]}.get(job)
        goal = "" if limit is None else f"≤ {limit} {target(ratio <= limit)}"
        rows.append([label, fmt_s(j), fmt_s(o), f"{ratio:.2f}", len(ratios), goal])
    r += table(["job", "JAX jit", "ours", "ours/JAX", "pairs", "target"], rows)
    hvp_eval = warm["hvp_f"][1] / warm["eval_f"][1]
    sym = statistics.median(warm["hessian_f"][2]) / statistics.median(warm["hessian_cheapest_f"][2])
    jm_h, om_h = (m["peak_minus_idle_mb"] for m in mem_h.values())
    r += ["", f"- Hv / F eval, ours: **{hvp_eval:.2f}** (target ≤ {TARGETS['hvp_over_eval']:.0f} "
          f"{target(hvp_eval <= TARGETS['hvp_over_eval'])})",
          f"- textbook forward over reverse / `hessian`, ours (each paired with JAX's): "
          f"**{sym:.2f}×** (target ≥ {TARGETS['hessian_structured_speedup']:.0f}× "
          f"{target(sym >= TARGETS['hessian_structured_speedup'])})",
          f"- peak memory of one hessian(F) above idle, fresh process: JAX jit {jm_h:.0f} MB, ours "
          f"{om_h:.0f} MB (target ours ≤ JAX's {target(om_h <= TARGETS['memory_hessian'] * jm_h)})"]

    r += ["", "## First calls", "",
          "JAX un-jitted: the notebook's calls in its order, clock stopped when each returns (from "
          "the reproduction); JAX jit: tracing, compilation and the run; ours: tracing, "
          "preparation and the run (in the servers above).", ""]
    nb = repro["jax"][0][0]["notebook_times_s"]
    r += table(["job", "JAX un-jitted", "JAX jit", "ours"],
               [[label, fmt_s(nb.get(job)), fmt_s(first["jax"][job]), fmt_s(first["ours"][job])]
                for job, label in JOBS.items()])

    jw, ow = (statistics.median(x[1] for x in repro[s]) for s in ("jax", "ours"))
    jm, om = (max(x[2] for x in repro[s]) for s in ("jax", "ours"))
    sp, mr = jw / ow, om / jm
    ours_nb = repro["ours"][0][0]["notebook_times_s"]
    r += ["", "## The whole reproduction", "",
          f"Build the matrices, then the four Jacobians as first calls; one process per side "
          f"(median of {args.repro_runs}), spawn to exit.", ""]
    r += table(["", "wall", "peak RSS", "the four Jacobians"], [
        [name, fmt_s(wall), f"{rss:.0f} MB",
         ", ".join(f"{k} {fmt_s(v)}" for k, v in times.items())]
        for name, wall, rss, times in (("JAX (import included)", jw, jm, nb),
                                        ("ours", ow, om, ours_nb))])
    r += ["", f"Speedup JAX/ours **{sp:.1f}×** (target ≥ {TARGETS['reproduction_speedup']:.0f}× "
          f"{target(sp >= TARGETS['reproduction_speedup'])}); peak memory ours/JAX "
          f"**{mr:.2f}** (target ≤ {TARGETS['reproduction_memory']:.2f} "
          f"{target(mr <= TARGETS['reproduction_memory'])})."]

    r += ["", "## Memory of jacfwd(F): one call in a fresh process, peak RSS above idle", ""]
    jax_mb = mem["JAX jax.jit(jacfwd(F))"]["peak_minus_idle_mb"]
    goals = {"ours": (TARGETS["memory_jacfwd_f"] * jax_mb, "≤ JAX's"),
             "ours --chunk 256": (TARGETS["chunk256_mb"], f"≤ {TARGETS['chunk256_mb']:.0f} MB")}
    rows = []
    for label, m in mem.items():
        goal, text = goals.get(label, (None, ""))
        ok = "" if goal is None else f"{text} {target(m['peak_minus_idle_mb'] <= goal)}"
        rows.append([label, f"{m['idle_rss_mb']:.0f} MB", f"{m['peak_rss_mb']:.0f} MB",
                     f"{m['peak_minus_idle_mb']:.1f} MB", ok])
    r += table(["process", "idle", "peak", "peak − idle", "target"], rows)
    if not all(m["peak_reset_ok"] for m in mem.values()):
        r += ["", "(the kernel's peak mark could not be reset everywhere: peaks include setup)"]
    r += ["", f"Targets met: {sum(met)} of {len(met)}."]

    report = "\n".join(r) + "\n"
    print(report)
    with open(args.results, "w") as fh:
        fh.write(report)
    say(f"wrote {args.results}")
    figures = {
        "written_by": " ".join(["python3 bench/compare_jax.py"] + sys.argv[1:]),
        "date_utc": f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M}",
        "machine": {"cpu": cpu, "logical_cpus": os.cpu_count(),
                    "usable_cpus": len(os.sched_getaffinity(0)), "arch": platform.machine(),
                    "instruction_set": "AVX2 (forced)" if args.avx2 else ("AVX-512" if has512 else "AVX2"),
                    "ceiling_gflops": peak["gflops"]},
        "versions": {"jax": jax_versions, "rustc": rustc},
        "widths": widths,
        "unit": "seconds",
        "jobs": {job: {"label": label, "jax_jit_warm_median": warm[job][0],
                       "ours_warm_median": warm[job][1],
                       "ours_over_jax": statistics.median(warm[job][2]),
                       "jax_jit_first_call": first["jax"].get(job),
                       "jax_unjitted_first_call": nb.get(job),
                       "ours_first_call": first["ours"].get(job)}
                 for job, label in JOBS.items()},
        "second_derivatives": {job: {"label": label, "paired_with_jax": PAIRED_WITH.get(job, job),
                                     "jax_jit_warm_median": warm[job][0],
                                     "ours_warm_median": warm[job][1],
                                     "ours_over_jax": statistics.median(warm[job][2])}
                               for job, label in list(SECOND.items())
                               + [("hessian_cheapest_f", "hessian(F), ours cheapest")]},
    }
    with open(json_path, "w") as fh:
        json.dump(figures, fh, indent=1)
        fh.write("\n")
    say(f"wrote {json_path}")


if __name__ == "__main__":
    main()
