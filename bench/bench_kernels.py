"""Internal benchmark: minigrad kernels vs their numpy references vs torch.

    python bench/bench_kernels.py [--quick] [--dtype float32|float64] [--case ce|lsm|...]
                                  [--baseline DIR]

Forward + backward at (64, 10), (512, 100), (4096, 1000), (32768, 10).  Runs are
interleaved round-robin between one worker process per implementation (so torch's
OpenMP threads and numba's tbb threads never spin against each other) and medians
reported in us.
torch is optional (only imported here, never by minigrad): run with a python that
has torch, numba and tbb, with the repository on sys.path.

Cases (default: ce, lsm):
  ce     cross-entropy, weights and ignore_index on every 7th row, mean reduction
  ce_ls  the same with label_smoothing=0.1
  cep    cross-entropy with probability targets, mean reduction
  lsm    log_softmax forward + backward
  sm     softmax forward + backward
  bcel   binary_cross_entropy_with_logits (elementwise over N*C), mean reduction

``--baseline DIR`` adds a column for the minigrad found in DIR (another checkout, e.g.
``git worktree add /tmp/base HEAD~3``), timed in the same interleaved rounds, and the
ratio new/base: on a noisy machine the only fair before/after comparison.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import multiprocessing as mp  # noqa: E402

import numpy as np  # noqa: E402

SIZES = [(64, 10), (512, 100), (4096, 1000), (32768, 10)]
IMPLS = ("minigrad", "numpy_ref", "torch", "torch1")
CASES = ("ce", "ce_ls", "cep", "lsm", "sm", "bcel")


def _timer(fn, budget):
    """Time fn repeatedly for ~budget seconds, return per-call samples (seconds)."""
    fn()
    t0 = time.perf_counter()
    fn()
    one = time.perf_counter() - t0
    reps = max(1, min(200, int(0.002 / max(one, 1e-9))))  # batch tiny calls
    out = []
    end = time.perf_counter() + budget
    while time.perf_counter() < end or len(out) < 5:
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        out.append((time.perf_counter() - t0) / reps)
    return out


def _make(impl, case, N, C, dt):
    """Build the forward+backward closure for one implementation (in its worker)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, C)).astype(dt)
    if case in ("ce", "ce_ls"):
        t = rng.integers(0, C, N)
        t[::7] = -100
        w = rng.uniform(0.5, 2.0, C).astype(dt)
        eps = 0.1 if case == "ce_ls" else 0.0
        if impl == "minigrad":
            from minigrad.kernels import cross_entropy_forward_backward as f
            return lambda: f(x, t, w, -100, eps, True)
        if impl == "numpy_ref":
            from minigrad.kernels import cross_entropy_reference as f
            return lambda: f(x, t, w, -100, eps, True)
        import torch
        import torch.nn.functional as F
        xt = torch.from_numpy(x.copy()).requires_grad_()
        tt, wt = torch.from_numpy(t), torch.from_numpy(w)

        def tf():
            xt.grad = None
            F.cross_entropy(xt, tt, weight=wt, ignore_index=-100, label_smoothing=eps).backward()
        return tf
    if case == "cep":
        P = rng.dirichlet(np.ones(C), N).astype(dt)
        if impl == "minigrad":
            from minigrad.kernels import cross_entropy_probs_forward_backward as f
            return lambda: f(x, P, None, 0.0, True)
        if impl == "numpy_ref":
            from minigrad.kernels import cross_entropy_probs_reference as f
            return lambda: f(x, P, None, 0.0, True)
        import torch
        import torch.nn.functional as F
        xt = torch.from_numpy(x.copy()).requires_grad_()
        Pt = torch.from_numpy(P)

        def tf():
            xt.grad = None
            F.cross_entropy(xt, Pt).backward()
        return tf
    if case == "bcel":
        y = (rng.random((N, C)) < 0.5).astype(dt)
        if impl == "minigrad":
            from minigrad.kernels import bce_with_logits_forward_backward as f
            return lambda: f(x, y, None, None, True)
        if impl == "numpy_ref":
            from minigrad.kernels import bce_with_logits_reference as f
            return lambda: f(x, y, None, None, True)
        import torch
        import torch.nn.functional as F
        xt = torch.from_numpy(x.copy()).requires_grad_()
        yt = torch.from_numpy(y)

        def tf():
            xt.grad = None
            F.binary_cross_entropy_with_logits(xt, yt).backward()
        return tf
    g = rng.normal(size=(N, C)).astype(dt)
    log = case == "lsm"
    if impl == "minigrad":
        from minigrad.kernels import (log_softmax_forward, log_softmax_backward, softmax_forward,
                                      softmax_backward)
        if log:
            return lambda: log_softmax_backward(g, log_softmax_forward(x, 1), 1)
        return lambda: softmax_backward(g, softmax_forward(x, 1), 1)
    if impl == "numpy_ref":
        from minigrad.kernels import (log_softmax_reference, log_softmax_backward_reference,
                                      softmax_reference, softmax_backward_reference)
        if log:
            return lambda: log_softmax_backward_reference(g, log_softmax_reference(x, 1), 1)
        return lambda: softmax_backward_reference(g, softmax_reference(x, 1), 1)
    import torch
    xt = torch.from_numpy(x.copy()).requires_grad_()
    gt = torch.from_numpy(g)
    fn = torch.log_softmax if log else torch.softmax

    def tf():
        xt.grad = None
        fn(xt, 1).backward(gt)
    return tf


def _worker(impl, conn, baseline=None):
    """One process per implementation, so torch's OpenMP threads and numba's tbb
    threads never spin against each other; only one worker runs at a time."""
    if impl == "base":          # the minigrad of another checkout
        sys.path.insert(0, os.path.abspath(baseline))
        import minigrad
        assert os.path.dirname(os.path.dirname(os.path.abspath(minigrad.__file__))) == \
            os.path.abspath(baseline), minigrad.__file__
        impl = "minigrad"
    if impl.startswith("torch"):
        import torch
        # "torch": default threads (all cores); "torch1": one thread.  On the 2-vCPU dev VM
        # torch's OpenMP pool sometimes stalls ~16 ms per call at small sizes, so both
        # are reported and minigrad is compared with the faster one.
        torch.set_num_threads(1 if impl == "torch1" else (os.cpu_count() or 1))
        impl = "torch"
    cache = {}
    while True:
        msg = conn.recv()
        if msg is None:
            return
        key, budget = msg
        try:
            if key not in cache:
                cache[key] = _make(impl, *key)
            conn.send(_timer(cache[key], budget))
        except Exception as exc:  # e.g. torch missing
            conn.send(repr(exc))


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--dtype", choices=["float32", "float64"], action="append")
    ap.add_argument("--case", choices=CASES, action="append")
    ap.add_argument("--baseline", default=None,
                    help="directory of another minigrad checkout to time alongside")
    ap.add_argument("--sizes", default=None, help="e.g. 64x10,4096x1000")
    ap.add_argument("--rounds", type=int, default=None)
    a = ap.parse_args(argv)
    sizes = SIZES if not a.sizes else [tuple(int(v) for v in s.split("x")) for s in a.sizes.split(",")]
    rounds = a.rounds or (3 if a.quick else 7)
    budget = 0.04 if a.quick else 0.1
    ctx = mp.get_context("spawn")
    workers = {}
    impls = IMPLS + (("base",) if a.baseline else ())
    for impl in impls:
        here, there = ctx.Pipe()
        p = ctx.Process(target=_worker, args=(impl, there, a.baseline), daemon=True)
        p.start()
        workers[impl] = (p, here)
    from minigrad.kernels import threading_info
    print(threading_info())
    extra = f" {'base':>10} {'mg/base':>8}" if a.baseline else ""
    print(f"{'case':5} {'dtype':8} {'N x C':>11} {'minigrad':>10} {'numpy_ref':>10} {'torch':>10} "
          f"{'torch 1thr':>10} {'mg/best torch':>13}{extra}   (us, median)")
    try:
        for case in a.case or ["ce", "lsm"]:
            for dt in a.dtype or ["float32", "float64"]:
                for N, C in sizes:
                    key = (case, N, C, dt)
                    samples = {impl: [] for impl in impls}
                    for _ in range(rounds):          # interleaved rounds
                        for impl in impls:
                            workers[impl][1].send((key, budget))
                            r = workers[impl][1].recv()
                            if isinstance(r, str):
                                samples[impl] = None
                            elif samples[impl] is not None:
                                samples[impl] += r
                    med = {k: (float(np.median(v)) * 1e6 if v else float("nan")) for k, v in samples.items()}
                    best = min(med["torch"], med["torch1"])
                    extra = (f" {med['base']:10.1f} {med['minigrad'] / med['base']:8.2f}"
                             if a.baseline else "")
                    print(f"{case:5} {dt:8} {f'{N}x{C}':>11} {med['minigrad']:10.1f} {med['numpy_ref']:10.1f} "
                          f"{med['torch']:10.1f} {med['torch1']:10.1f} {med['minigrad'] / best:13.2f}"
                          f"{extra}", flush=True)
    finally:
        for p, conn in workers.values():
            conn.send(None)
            p.join(5)


if __name__ == "__main__":
    main()
