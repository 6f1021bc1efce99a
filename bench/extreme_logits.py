"""Accuracy at large logits: minigrad and torch against a long-double reference.

    python bench/extreme_logits.py            # float32 shifts 1e0..1e8, float64 1e0..1e300

Logits are ``shift + normal(0, 2)`` (rounded once to the dtype), 256 rows of 10 classes
(minigrad's few-classes path) and 64 rows of 100 (its per-row path).  For each shift
the table gives the largest absolute error, over both shapes, of

* ``lsm``:  log_softmax(x, 1)
* ``ce``:   cross_entropy(x, t, reduction='none')
* ``grad``: d sum(cross_entropy(x, t, 'none')) / dx

against the same quantities computed in ``np.longdouble`` from the rounded inputs, so
only each library's own arithmetic is measured.  The exact values are O(1) at every
shift; an error that grows with the shift means the small terms were rounded against
the large ones.  Each library runs in its own process (torch only when importable;
run with a python that has torch to fill its columns).
"""
from __future__ import annotations

import multiprocessing as mp
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

SHIFTS = {"float32": [10.0 ** k for k in range(0, 9)],
          "float64": [1.0, 1e2, 1e4, 1e6, 1e8, 1e10, 1e12, 1e14, 1e15, 1e16, 1e30, 1e100, 1e300]}
SHAPES = [(256, 10), (64, 100)]


def make_inputs(dtype, shift):
    out = []
    for N, C in SHAPES:
        rng = np.random.default_rng(N * 1000 + C)
        x = (shift + rng.normal(0.0, 2.0, (N, C))).astype(dtype)
        t = rng.integers(0, C, N)
        out.append((x, t))
    return out


def run_lib(lib, dtype, shift):
    """(log_softmax, ce loss, ce grad) for each shape, computed by ``lib``."""
    res = []
    for x, t in make_inputs(dtype, shift):
        if lib == "minigrad":
            import minigrad
            import minigrad.nn.functional as F
            xt = minigrad.from_numpy(x.copy()).requires_grad_()
            lsm = F.log_softmax(minigrad.from_numpy(x.copy()), 1).numpy()
            loss = F.cross_entropy(xt, minigrad.from_numpy(t), reduction="none")
            loss.sum().backward()
            res.append((lsm, loss.detach().numpy(), xt.grad.numpy()))
        else:
            import torch
            import torch.nn.functional as F
            xt = torch.from_numpy(x.copy()).requires_grad_()
            lsm = F.log_softmax(torch.from_numpy(x.copy()), 1).numpy()
            loss = F.cross_entropy(xt, torch.from_numpy(t), reduction="none")
            loss.sum().backward()
            res.append((lsm, loss.detach().numpy(), xt.grad.numpy()))
    return res


def reference(x, t):
    xl = x.astype(np.longdouble)
    d = xl - xl.max(axis=1, keepdims=True)
    lse = np.log(np.exp(d).sum(axis=1, keepdims=True))
    lsm = d - lse
    loss = -np.take_along_axis(lsm, t[:, None], 1)[:, 0]
    grad = np.exp(lsm)
    grad[np.arange(len(t)), t] -= 1
    return lsm, loss, grad


def _worker(lib, jobs, conn):
    try:
        if lib == "torch":
            import torch
            torch.set_num_threads(1)
        conn.send([run_lib(lib, dt, s) for dt, s in jobs])
    except ImportError as exc:
        conn.send(repr(exc))


def main():
    jobs = [(dt, s) for dt in SHIFTS for s in SHIFTS[dt]]
    ctx = mp.get_context("spawn")
    results = {}
    for lib in ("minigrad", "torch"):
        here, there = ctx.Pipe()
        p = ctx.Process(target=_worker, args=(lib, jobs, there))
        p.start()
        results[lib] = here.recv()
        p.join()
    libs = [lib for lib in results if not isinstance(results[lib], str)]
    print("max |error| against a long-double reference (exact values are O(1))")
    head = f"{'dtype':8} {'shift':>7}"
    for lib in libs:
        head += f" | {lib + ' lsm':>13} {'ce':>9} {'grad':>9}"
    print(head)
    for j, (dt, s) in enumerate(jobs):
        line = f"{dt:8} {s:7.0e}"
        for lib in libs:
            errs = np.zeros(3)
            for (x, t), got in zip(make_inputs(dt, s), results[lib][j]):
                for k, (g, r) in enumerate(zip(got, reference(x, t))):
                    errs[k] = max(errs[k], float(np.max(np.abs(g.astype(np.longdouble) - r))))
            line += f" | {errs[0]:13.1e} {errs[1]:9.1e} {errs[2]:9.1e}"
        print(line, flush=True)
    for lib in results:
        if lib not in libs:
            print(f"({lib} not run: {results[lib]})")


if __name__ == "__main__":
    main()
