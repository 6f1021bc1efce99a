"""minigrad against PyTorch: one table of medians (µs) and ratios minigrad / torch.

    /tmp/venv-torch/bin/python bench/compare.py                  # full run, ~10 min
    /tmp/venv-torch/bin/python bench/compare.py --quick          # a few minutes
    python bench/compare.py --cases 'softmax|nll' --tbb on --markdown out.md
    python bench/compare.py --profile 'scalar mlp 2-24-25-1'     # cProfile top-10 of one case

Every library runs in its own worker process (``bench/_worker.py``): minigrad with tbb,
minigrad as a user without the ``tbb`` package gets it (``bench/_envs.py``), and torch
with its default threads.  For each case the workers warm up, then take turns timing a
batch of calls, round after round (the order rotates each round), and every figure is
the median over all timed calls.  Ratio = minigrad / torch: below 1 minigrad is faster.
The cases are listed in ``bench/_cases.py``; start-up rows (fresh processes, in ms) in
``bench/_startup.py``.  Without torch the minigrad columns are still filled.
"""
from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402

import _envs  # noqa: E402
import _startup  # noqa: E402
from _cases import GROUP_TITLES, all_cases  # noqa: E402

COLUMNS = {"off": "minigrad tbb off", "on": "minigrad tbb on", "torch": "torch"}
STARTUP_ROWS = list(_startup.ROWS)
SOFTMAX_FAMILY = (1, 2)
#: a cell is flagged "!" when its median exceeds this multiple of its fastest call
UNSTABLE = 3.0


class Worker:
    """A ``_worker.py`` process spoken to in JSON lines; its stderr goes to a temp file."""

    def __init__(self, column, python, lib, extra=()):
        self.column = column
        self.err = tempfile.TemporaryFile(mode="w+")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        self.proc = subprocess.Popen([python, os.path.join(HERE, "_worker.py"), lib, *extra], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.err, text=True, bufsize=1, env=env)

    def ask(self, **msg):
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            self.err.seek(0)
            raise RuntimeError(f"the {self.column} worker died:\n{self.err.read()[-3000:]}")
        return json.loads(line)

    def close(self):
        try:
            self.ask(cmd="quit")
        except (RuntimeError, OSError, ValueError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _cpu_ticks(pids):
    """(busy ticks of the whole machine, ticks used by ``pids`` and this process) from /proc."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
        busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]     # user nice system irq softirq steal
        own = 0
        for pid in pids:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            own += int(fields[11]) + int(fields[12])        # utime stime, all threads
        t = os.times()
        return busy, own + round((t.user + t.system) * os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None


# Training steps time batches of at least this many seconds.  A step multiplies matrices
# on two BLAS threads, and after a worker's turn its BLAS / OpenMP threads spin on and the
# next worker starts with cold caches: with 50 ms turns the first calls of every turn were
# held up (784-256-10: minigrad 4.4-9.7 ms and torch 9-14 ms from run to run, either tbb
# column the slow one; with 0.3 s turns 4.5-5.8 ms and 6.2-7.3 ms, as in a plain loop).
TRAINING_BATCH = 0.3


def time_case(workers, name, args, log, group=None):
    """{column: median µs} (or an error string) for one case, the workers taking turns."""
    counts, result = {}, {}
    batch = max(args.batch, TRAINING_BATCH) if group == 6 and not args.quick else args.batch
    for column, worker in workers.items():
        reply = worker.ask(cmd="prepare", case=name, warmup=args.warmup, batch=batch)
        if "error" in reply:
            result[column] = reply["error"].strip().splitlines()[-1]
            log(f"  {COLUMNS[column]} failed on {name}:\n{reply['error']}")
        else:
            counts[column] = reply["n"]
    samples = {column: [] for column in counts}
    order = list(counts)
    pids = [w.proc.pid for w in workers.values()]
    ticks0, wall0 = _cpu_ticks(pids), time.perf_counter()
    for r in range(args.rounds):
        for column in order[r % len(order):] + order[:r % len(order)]:
            samples[column] += workers[column].ask(cmd="time", case=name, n=counts[column],
                                                      budget=3 * batch)["times"]
            time.sleep(args.gap)    # let the last worker's spinning threads go idle
    ticks1, wall = _cpu_ticks(pids), time.perf_counter() - wall0
    if ticks0 and ticks1:       # CPUs busy with other processes while this case was timed
        others = (ticks1[0] - ticks0[0]) - (ticks1[1] - ticks0[1])
        result["other load"] = max(0.0, others / os.sysconf("SC_CLK_TCK") / wall)
    for worker in workers.values():
        worker.ask(cmd="drop", case=name)
    for column, ts in samples.items():
        result[column] = 1e6 * float(np.median(ts))
        if np.median(ts) > UNSTABLE * np.min(ts):
            result[column + "!"] = True     # more than half the calls were held up
    return result


# --------------------------------------------------------------------------- the table
def _fmt(v):
    if isinstance(v, str) or v is None:
        return "fail" if isinstance(v, str) else "-"
    return f"{v:.0f}" if v >= 100 else f"{v:.1f}" if v >= 10 else f"{v:.2f}"


def _ratio(row, column):
    v, ref = row.get(column), row.get("torch")
    if isinstance(v, float) and isinstance(ref, float) and ref > 0:
        return v / ref
    return None


def geomean(rows, groups, column):
    ratios = [_ratio(vals, column) for _, group, vals in rows if group in groups]
    ratios = [r for r in ratios if r]
    return (math.exp(sum(map(math.log, ratios)) / len(ratios)), len(ratios)) if ratios else (None, 0)


def render(rows, header, columns, markdown=False):
    """The table as text (fixed width) or markdown: rows are (name, group, {column: value})."""
    ratio_cols = [c for c in ("off", "on") if c in columns and "torch" in columns]
    heads = ["#", "case"] + [COLUMNS[c] + " µs" for c in columns] + [f"{c}/torch" for c in ratio_cols] \
        + ["other load"]
    lines = [f"{h}  " if markdown else h for h in header] + [""]
    body = []
    for name, group, vals in rows:
        unit = 1e-3 if group == 7 else 1.0                 # start-up rows in ms
        cells = [str(group), name + (" (ms)" if group == 7 else "")]
        cells += [_fmt(vals.get(c) * unit if isinstance(vals.get(c), float) else vals.get(c))
                  + ("!" if vals.get(c + "!") else "") for c in columns]
        cells += [f"{r:.2f}" if r else "-" for r in (_ratio(vals, c) for c in ratio_cols)]
        cells += [f"{vals['other load']:.1f}" if "other load" in vals else ""]
        body.append(cells)
    summary = []
    if ratio_cols and "torch" in columns:
        for groups, label in [(SOFTMAX_FAMILY, "softmax family (1-2)")] + [((g,), GROUP_TITLES[g])
                                                                             for g in range(1, 8)]:
            means = [geomean(rows, groups, c) for c in ratio_cols]
            if any(m for m, _ in means):
                summary.append(["", f"geomean ratio, {label} [{max(n for _, n in means)} rows]"]
                               + [""] * len(columns) + [f"{m:.2f}" if m else "-" for m, _ in means] + [""])
    if markdown:
        out = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
        out += ["| " + " | ".join(c) + " |" for c in body]
        out += ["| " + " | ".join(c[:1] + [f"**{c[1]}**"] + c[2:]) + " |" for c in summary]
        return "\n".join(lines + out) + "\n"
    widths = [max(len(r[i]) for r in [heads] + body + summary) for i in range(len(heads))]
    fmt = lambda cells: "  ".join(c.ljust(w) if i < 2 else c.rjust(w)  # noqa: E731
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    out = [fmt(heads)] + [fmt(c) for c in body] + ([""] + [fmt(c) for c in summary] if summary else [])
    return "\n".join(lines + out) + "\n"


FLAG_NOTE = (f"! = unstable: the median is over {UNSTABLE:g}x the fastest call (most calls were held up, "
             "typically threads waiting for a CPU that another process holds); re-run, or compare with "
             "--torch-threads 1")


def describe(infos, columns, args):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    mg = infos.get("on") or infos.get("off") or {}
    header = [f"machine: {_envs.machine()}; {now}",
              f"minigrad {mg.get('minigrad', '?')} ({_envs.git_describe(ROOT)}) from {mg.get('minigrad_path', '?')}; "
              f"python {mg.get('python', '?')}, numpy {mg.get('numpy', '?')}, numba {mg.get('numba', '?')}"]
    for c in ("off", "on"):
        if c in infos:
            th = infos[c]["threading"]
            layer = f"tbb, {th['threads']} numba threads from {th['parallel_threshold']} elements" \
                if th["parallel"] else f"serial ({th['reason'].split(';')[0]})"
            header.append(f"{COLUMNS[c]}: {layer}; tbb package {infos[c]['tbb_package'] or 'absent'}; "
                          f"{infos[c]['executable']}")
    if "torch" in infos:
        t = infos["torch"]
        chosen = "set by --torch-threads" if args.torch_threads else "defaults"
        header.append(f"torch {t['torch']}: {t['threads']} intra-op / {t['interop_threads']} inter-op threads "
                      f"({chosen}); {t['executable']}")
    else:
        header.append("torch: not run")
    header.append(FLAG_NOTE)
    header.append("other load = CPUs kept busy by other processes while the row was timed (from /proc/stat); "
                  "above ~0.3 the 2-thread figures (torch, tbb on, BLAS) may be held up")
    long_turns = "" if args.quick else f" (training steps ~{max(args.batch, TRAINING_BATCH) * 1e3:.0f} ms)"
    header.append(f"medians of all timed calls; {args.rounds} alternating rounds of ~{args.batch * 1e3:.0f} ms"
                  f"{long_turns} per worker; ratio = minigrad / torch (< 1: minigrad faster)")
    return header


# --------------------------------------------------------------------------- main
def parse(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="fewer rounds, shorter batches, fewer fresh processes")
    p.add_argument("--cases", default=None, help="regex (case-insensitive) on the case names; 'start-up' "
                   "rows are named 'start-up import' etc.")
    p.add_argument("--rounds", type=int, default=None, help="alternating rounds per case (default 15, quick 5)")
    p.add_argument("--tbb", choices=("on", "off", "both"), default="both")
    p.add_argument("--python", default=sys.executable, help="interpreter for minigrad's workers (default: this one)")
    p.add_argument("--torch-python", default=None, help="interpreter for torch's worker (default: this one if it "
                   "has torch, else /tmp/venv-torch/bin/python if it exists)")
    p.add_argument("--no-torch", action="store_true")
    p.add_argument("--torch-threads", type=int, default=None, help="torch.set_num_threads(N) in torch's worker "
                   "(default: torch's own choice, as the brief of this table asks)")
    p.add_argument("--markdown", default=None, metavar="PATH", help="also write the table as markdown")
    p.add_argument("--batch", type=float, default=None, help="seconds per timing turn (default 0.05, quick 0.02)")
    p.add_argument("--warmup", type=float, default=None, help="seconds of warm-up per case (default 0.5)")
    p.add_argument("--gap", type=float, default=0.005, help="pause between turns, seconds")
    p.add_argument("--profile", default=None, metavar="CASE", help="cProfile one case in minigrad, print top 10")
    p.add_argument("--calls", type=int, default=200, help="calls profiled by --profile")
    args = p.parse_args(argv)
    args.rounds = args.rounds or (5 if args.quick else 15)
    args.batch = args.batch or (0.02 if args.quick else 0.05)
    args.warmup = args.warmup if args.warmup is not None else (0.2 if args.quick else 0.5)
    return args


def main(argv=None):
    args = parse(argv)
    if args.profile:
        return subprocess.call([args.python, os.path.join(HERE, "_worker.py"), "minigrad", "--profile", args.profile,
                                "--calls", str(args.calls)])
    log = lambda *a: print(*a, file=sys.stderr, flush=True)  # noqa: E731
    start = time.time()
    pattern = re.compile(args.cases, re.I) if args.cases else None
    cases = [c for c in all_cases() if not pattern or pattern.search(c[0])]
    startup_rows = [r for r in STARTUP_ROWS if not pattern or pattern.search("start-up " + r)]
    if not cases and not startup_rows:
        sys.exit(f"no case matches {args.cases!r}")

    info = _envs.probe(args.python)
    pythons = {}
    if args.tbb in ("off", "both"):
        pythons["off"] = (_envs.python_without_tbb(args.python, info), "minigrad")
    if args.tbb in ("on", "both"):
        if info["tbb_dist"] or info["libtbb"]:
            pythons["on"] = (args.python, "minigrad")
        else:
            log(f"{args.python} has no tbb: the 'tbb on' column is left out")
    torch_python = None if args.no_torch else args.torch_python or _envs.default_torch_python(args.python)
    if torch_python:
        pythons["torch"] = (torch_python, "torch")
    columns = [c for c in COLUMNS if c in pythons]

    load_start = os.getloadavg()[0]
    extra = {"torch": ["--threads", str(args.torch_threads)] if args.torch_threads else []}
    workers = {c: Worker(c, *pythons[c], extra.get(c, ())) for c in columns}
    rows = []
    try:
        infos = {c: w.ask(cmd="info") for c, w in workers.items()}
        for i, (name, group, _) in enumerate(cases):
            vals = time_case(workers, name, args, log, group)
            rows.append((name, group, vals))
            log(f"[{i + 1}/{len(cases)} {time.time() - start:5.0f}s] {name}: "
                + ", ".join(f"{c} {_fmt(v)}" for c, v in vals.items() if not c.endswith("!")))
    finally:
        for w in workers.values():
            w.close()
    if startup_rows:
        repeats, cold = (3, 1) if args.quick else (7, 3)
        log(f"start-up: {repeats} fresh processes per configuration, {cold} with a cold cache")
        measured = _startup.measure(pythons, ROOT, {r: cold if r.endswith("cold cache") else repeats
                                                    for r in startup_rows}, log)
        rows += [("start-up " + r, 7, {c: 1e6 * s for c, s in measured[r].items()}) for r in startup_rows]
    header = describe(infos, columns, args)
    header.append(f"run took {time.time() - start:.0f} s; load average {load_start:.1f} at the start, "
                  f"{os.getloadavg()[0]:.1f} at the end (other processes share these CPUs)")
    print(render(rows, header, columns))
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(render(rows, header, columns, markdown=True))
        log(f"markdown table written to {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
