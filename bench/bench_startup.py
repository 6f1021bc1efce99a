"""Start-up times of minigrad, medians over fresh processes.

    python bench/bench_startup.py [--rounds 11] [--cold] [--pyc] [TREE ...]

For each TREE (a directory holding a ``minigrad`` package; default: this repository),
rounds alternate between the trees (the machine is shared) and report:

* ``import``: ``import minigrad`` timed inside the process with ``perf_counter`` (wall) and
  ``process_time`` (CPU);
* ``wall``: ``python -c "import minigrad"`` minus ``python -c "pass"``, both timed from outside;
* ``warm``: the first ``cross_entropy(x, t)`` forward + ``.backward()`` after ``import minigrad``
  (x: 64 x 10 float32), with the kernel already compiled on disk by an earlier process;
* ``cold`` (with ``--cold``): the same with an empty cache (compiles).

Each process gets its own ``NUMBA_CACHE_DIR``: one primed directory per tree for ``warm``,
a new empty one for ``cold``.  Python's bytecode cache follows the environment
(``PYTHONDONTWRITEBYTECODE=1`` compiles minigrad's source in every process); with ``--pyc``
every process uses a primed bytecode cache (``PYTHONPYCACHEPREFIX``, one temporary
directory per tree: nothing is written into the trees).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = """
import sys, time
sys.path.insert(0, sys.argv[1])
t0, c0 = time.perf_counter(), time.process_time()
import minigrad
t1, c1 = time.perf_counter(), time.process_time()
if sys.argv[2] == "ce":
    import minigrad.nn.functional as F
    x = minigrad.randn(64, 10, requires_grad=True)
    t = minigrad.randint(0, 10, (64,))
    t2, c2 = time.perf_counter(), time.process_time()
    F.cross_entropy(x, t).backward()
    t3, c3 = time.perf_counter(), time.process_time()
    print(t3 - t2, c3 - c2)
else:
    print(t1 - t0, c1 - c0)
"""


PYC = {}    # tree -> its bytecode cache directory (--pyc)


def run(args, cache_dir=None, tree=None):
    env = dict(os.environ)
    if cache_dir:
        env["NUMBA_CACHE_DIR"] = cache_dir
    if tree in PYC:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = PYC[tree]
    t0 = time.perf_counter()
    out = subprocess.run(args, capture_output=True, text=True, env=env, cwd=tempfile.gettempdir())
    elapsed = time.perf_counter() - t0
    if out.returncode:
        sys.exit(out.stderr)
    return [float(v) for v in out.stdout.split()], elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("trees", nargs="*", default=[os.path.dirname(os.path.dirname(os.path.abspath(__file__)))])
    ap.add_argument("--rounds", type=int, default=11)
    ap.add_argument("--cold", action="store_true", help="also time the first call with an empty cache")
    ap.add_argument("--pyc", action="store_true", help="with a primed bytecode cache (PYTHONPYCACHEPREFIX)")
    a = ap.parse_args()
    if a.pyc:
        PYC.update((t, tempfile.mkdtemp(prefix="minigrad-pyc-")) for t in a.trees)
    py = sys.executable
    kinds = ["import", "wall", "warm"] + (["cold"] if a.cold else [])
    res = {(t, k): [] for t in a.trees for k in kinds}
    warm = {t: tempfile.mkdtemp(prefix="minigrad-warm-") for t in a.trees}
    for t in a.trees:
        run([py, "-c", CHILD, t, "ce"], warm[t], t)    # compile once into the warm cache
    for _ in range(a.rounds):
        for t in a.trees:
            res[t, "import"].append(run([py, "-c", CHILD, t, "import"], None, t)[0])
            _, empty = run([py, "-c", "pass"], None, t)
            _, full = run([py, "-c", f"import sys; sys.path.insert(0, {t!r}); import minigrad"], None, t)
            res[t, "wall"].append((full, full - empty))
            res[t, "warm"].append(run([py, "-c", CHILD, t, "ce"], warm[t], t)[0])
            if a.cold:
                d = tempfile.mkdtemp(prefix="minigrad-cold-")
                res[t, "cold"].append(run([py, "-c", CHILD, t, "ce"], d, t)[0])
                shutil.rmtree(d, ignore_errors=True)
    for t in a.trees:
        shutil.rmtree(warm[t], ignore_errors=True)
        if t in PYC:
            shutil.rmtree(PYC[t], ignore_errors=True)
        print(t + ("  (bytecode cached)" if a.pyc else ""))
        for k in kinds:
            w = statistics.median(v[0] for v in res[t, k]) * 1e3
            c = statistics.median(v[1] for v in res[t, k]) * 1e3
            if k == "wall":
                print(f"  {k:6s}  raw {w:7.1f} ms   minus 'python -c pass' {c:7.1f} ms")
            else:
                print(f"  {k:6s}  wall {w:7.1f} ms   cpu {c:7.1f} ms   (n={len(res[t, k])})")


if __name__ == "__main__":
    main()
