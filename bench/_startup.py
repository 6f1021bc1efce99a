"""Start-up costs, each measured in a fresh process (group 7 of ``compare.py``).

* ``import``: ``import minigrad`` (``import torch``) and nothing imported before it;
* ``first cross_entropy``: from before that import to the end of the first
  ``F.cross_entropy(x, t).backward()`` on 64x10 float32 (imports of ``nn.functional``,
  building the tensors, numba loading or compiling the kernels included);
  * **warm**: numba's cache is on disk.  A first, untimed process fills it in its usual
    place (``minigrad/kernels/__pycache__``, or ``NUMBA_CACHE_DIR`` if you set one).
  * **cold**: every process gets ``NUMBA_CACHE_DIR`` = a new empty directory.  minigrad's
    kernels cache through numba's ``FunctionCache`` (``minigrad/kernels/_cache.py``),
    whose first locator is the user-provided ``NUMBA_CACHE_DIR``: nothing cached
    elsewhere is read.  The process reports ``cache_info()``; a cold run whose cache
    directory is not inside the fresh one, or that saved nothing there, is an error.

Times are taken inside the process (``time.perf_counter``), so the interpreter's own
start (the same for both libraries) is left out.  The configurations take turns.

Python's bytecode cache: an install has it (pip compiles the ``.pyc`` files when it installs
a package; an editable install writes them on the first import), and torch's are on disk in
site-packages.  With ``PYTHONDONTWRITEBYTECODE=1`` in the environment (as on some shared
machines) minigrad's ~100 modules would be compiled from source in every process instead, so
minigrad's processes get a bytecode cache of their own, primed by the first untimed process
(``PYTHONPYCACHEPREFIX``, a temporary directory: nothing is written into the tree).  torch's
processes keep the environment as it is (the prefix would hide its cached bytecode).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile

import numpy as np

_CODE = r"""
import json, sys, time
sys.path.insert(0, {root!r})
t0 = time.perf_counter()
import {lib} as lib
t1 = time.perf_counter()
if {first}:
    import numpy as np
    import {lib}.nn.functional as F
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.normal(size=(64, 10)).astype(np.float32), requires_grad=True)
    t = lib.tensor(rng.integers(0, 10, 64))
    F.cross_entropy(x, t).backward()
t2 = time.perf_counter()
out = {{"import": t1 - t0, "first": t2 - t0}}
if {first} and {lib!r} == "minigrad":
    from minigrad.kernels._cache import cache_info
    out["cache"] = cache_info()
print("@@" + json.dumps(out))
"""


_PYC = {}  # python -> its bytecode cache directory for minigrad's processes


def _run(python, lib, root, first, env):
    code = _CODE.format(root=root if lib == "minigrad" else "", lib=lib, first=first)
    if lib == "minigrad":
        env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = _PYC.setdefault(python, tempfile.mkdtemp(prefix="minigrad-bench-pyc-"))
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    for line in out.stdout.splitlines():
        if line.startswith("@@"):
            return json.loads(line[2:])
    raise RuntimeError(f"start-up run of {lib} failed:\n{out.stderr[-2000:]}")


def _cold(python, lib, root, env):
    fresh = tempfile.mkdtemp(prefix="minigrad-bench-cold-")
    try:
        res = _run(python, lib, root, True, dict(env, NUMBA_CACHE_DIR=fresh))
        if lib == "minigrad":
            dirs = res["cache"]["cache_dirs"]
            saved = sum(len(files) for _, _, files in os.walk(fresh))
            if not dirs or not all(os.path.realpath(d).startswith(os.path.realpath(fresh)) for d in dirs) \
                    or not saved:
                raise RuntimeError(f"cold start-up did not use the fresh cache dir: {res['cache']}")
        return res
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


ROWS = ("import", "first cross_entropy, warm cache", "first cross_entropy, cold cache")


def measure(configs, root, repeats, log=print):
    """Median seconds for every (row, configuration).

    ``configs``: {column: (python, lib)}; ``repeats``: {row: fresh processes per
    configuration} for the wanted rows of :data:`ROWS`.  Returns {row: {column: s}}.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    names = list(configs)
    samples = {row: {c: [] for c in names} for row in repeats}
    for c in names:                     # fill the usual numba cache (warm runs read it) and the bytecode cache
        _run(*configs[c], root, True, env)
    rounds = max(repeats.values())
    for r in range(rounds):
        for c in names[r % len(names):] + names[:r % len(names)]:
            python, lib = configs[c]
            if r < repeats.get(ROWS[0], 0):
                samples[ROWS[0]][c].append(_run(python, lib, root, False, env)["import"])
            if r < repeats.get(ROWS[1], 0):
                samples[ROWS[1]][c].append(_run(python, lib, root, True, env)["first"])
            if r < repeats.get(ROWS[2], 0):
                samples[ROWS[2]][c].append(_cold(python, lib, root, env)["first"])
        log(f"  start-up round {r + 1}/{rounds}")
    for d in _PYC.values():
        shutil.rmtree(d, ignore_errors=True)
    _PYC.clear()
    return {row: {c: float(np.median(v)) for c, v in cols.items() if v} for row, cols in samples.items()}
