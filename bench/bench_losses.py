"""Time forward + backward of cross_entropy and log_softmax: minigrad, plain numpy, and torch.

    python bench/bench_losses.py                 # all sizes, float32 and float64
    python bench/bench_losses.py --options       # cross_entropy with weight, ignore_index, label_smoothing
    python bench/bench_losses.py --quick         # fewer repeats

Run it with an interpreter that has torch for the torch column; without torch the ratio
column is left out.  Each implementation runs in its own process (so torch's OpenMP threads
and minigrad's numba threads never spin against each other, as they would not in a real
program), and the processes take turns timing a batch of calls, round after round, so a
noisy machine slows them alike.  The table shows medians in µs and each one's ratio to torch.

cross_entropy: loss = F.cross_entropy(x, t) (mean); loss.backward().
log_softmax:   y = F.log_softmax(x, 1); y.backward(g) with a fixed random upstream g.
"""
import argparse
import multiprocessing
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import minigrad  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402
from _timing import time_batches  # noqa: E402

torch = TF = None  # imported only where torch runs (see load_torch)


def load_torch(threads=None):
    """Import torch into this process; False if it is not installed."""
    global torch, TF
    try:
        import torch as torch_module
        import torch.nn.functional as torch_functional
    except ImportError:
        return False
    torch, TF = torch_module, torch_functional
    if threads:
        torch.set_num_threads(threads)
    return True

SIZES = [(64, 10), (512, 100), (4096, 1000), (32768, 10)]


# --------------------------------------------------------------------------- plain numpy baselines
def numpy_cross_entropy(x, t, weight=None, ignore_index=-100, eps=0.0):
    """Textbook numpy: log-softmax, gather, weighted mean; gradient (p - onehot) w / Σw."""
    N, C = x.shape
    m = x.max(axis=1, keepdims=True)
    lsm = x - m - np.log(np.exp(x - m).sum(axis=1, keepdims=True))
    valid = t != ignore_index
    safe = np.where(valid, t, 0)
    w = np.ones(C, x.dtype) if weight is None else weight
    w_t = np.where(valid, w[safe], 0)
    total = w_t.sum()
    nll = -(w_t * lsm[np.arange(N), safe])
    smooth = -(lsm * w).sum(axis=1) * valid
    loss = ((1 - eps) * nll + eps / C * smooth).sum() / total
    p = np.exp(lsm)
    grad = p * ((1 - eps) * w_t + eps / C * w.sum() * valid)[:, None] - eps / C * valid[:, None] * w
    grad[np.arange(N), safe] -= (1 - eps) * w_t
    return loss, grad / total


def numpy_log_softmax(x, g):
    m = x.max(axis=1, keepdims=True)
    out = x - m - np.log(np.exp(x - m).sum(axis=1, keepdims=True))
    return out, g - np.exp(out) * g.sum(axis=1, keepdims=True)


# --------------------------------------------------------------------------- one run of each implementation
def make_runners(kind, N, C, dtype, options, seed=0):
    rng = np.random.default_rng(seed)  # the same data in every process
    x = rng.normal(0, 2, (N, C)).astype(dtype)
    t = rng.integers(0, C, N)
    g = rng.normal(size=(N, C)).astype(dtype)
    weight = rng.uniform(0.2, 2, C).astype(dtype) if options else None
    ignore_index, eps = (3, 0.1) if options else (-100, 0.0)
    if options:
        t[::7] = ignore_index
    runners = {}

    mx = minigrad.tensor(x, requires_grad=True)
    mt, mg = minigrad.tensor(t), minigrad.tensor(g)
    mw = None if weight is None else minigrad.tensor(weight)

    def run_minigrad():
        mx.grad = None
        if kind == "cross_entropy":
            F.cross_entropy(mx, mt, weight=mw, ignore_index=ignore_index, label_smoothing=eps).backward()
        else:
            F.log_softmax(mx, 1).backward(mg)
        return mx.grad
    runners["minigrad"] = run_minigrad

    if kind == "cross_entropy":
        runners["numpy"] = lambda: numpy_cross_entropy(x, t, weight, ignore_index, eps)
    else:
        runners["numpy"] = lambda: numpy_log_softmax(x, g)

    if torch is not None:
        tx = torch.tensor(x, requires_grad=True)
        tt, tg = torch.tensor(t), torch.tensor(g)
        tw = None if weight is None else torch.tensor(weight)

        def run_torch():
            tx.grad = None
            if kind == "cross_entropy":
                TF.cross_entropy(tx, tt, weight=tw, ignore_index=ignore_index, label_smoothing=eps).backward()
            else:
                TF.log_softmax(tx, 1).backward(tg)
            return tx.grad
        runners["torch"] = run_torch
    return runners


def worker(name, options, threads, conn):
    """One implementation in its own process: builds its runner for each case it is sent
    and answers with the per-call times of a timing turn."""
    if name == "torch":
        load_torch(threads)
    runners = {}
    while True:
        message = conn.recv()
        if message is None:
            return
        case, budget = message
        if case not in runners:
            runners[case] = make_runners(*case, options)[name]
        conn.send(time_batches(runners[case], budget))


def time_in_processes(names, cases, options, threads, budget, rounds):
    """Median seconds per call for every (case, implementation), the processes taking turns."""
    context = multiprocessing.get_context("spawn")
    workers = {}
    for name in names:
        here, there = context.Pipe()
        process = context.Process(target=worker, args=(name, options, threads, there), daemon=True)
        process.start()
        workers[name] = (process, here)
    try:
        for case in cases:
            samples = {name: [] for name in names}
            for _ in range(rounds):
                for name in names:
                    workers[name][1].send((case, budget / rounds))
                    samples[name] += workers[name][1].recv()
            yield case, {name: float(np.median(ts)) for name, ts in samples.items()}
    finally:
        for process, conn in workers.values():
            conn.send(None)
            process.join(5)


def check_agreement(runners):
    """minigrad's gradient must match numpy's and torch's before its speed means anything."""
    grads = {name: np.asarray(run()[1] if name == "numpy" else run()) for name, run in runners.items()}
    ref = grads["numpy"]
    for name, grad in grads.items():
        np.testing.assert_allclose(np.asarray(grad, dtype=np.float64), ref, rtol=2e-4, atol=2e-6 * np.abs(ref).max(),
                                   err_msg=name)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter timing budget per row")
    parser.add_argument("--options", action="store_true",
                        help="cross_entropy with weight, ignore_index on every 7th row and label_smoothing=0.1")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch.set_num_threads(N) (default: torch's own choice)")
    args = parser.parse_args()
    has_torch = load_torch(args.threads)
    threads = f", torch threads {args.threads or torch.get_num_threads()}" if has_torch else " (torch not importable)"
    print(f"numpy {np.__version__}{threads}; medians in µs; ratio = time / torch's time")
    names = ["minigrad", "numpy"] + (["torch"] if has_torch else [])
    cases = [(kind, N, C, dtype) for kind in ("cross_entropy", "log_softmax")
             for dtype in (np.float32, np.float64) for N, C in SIZES]
    for case in cases:  # every implementation must agree before its speed means anything
        if case[0] == "cross_entropy":
            check_agreement(make_runners(*case, args.options))
    header = f"{'op':<14}{'dtype':<9}{'shape':<13}" + "".join(f"{n:>11}" for n in names)
    header += "".join(f"{n + '/torch':>16}" for n in names[:2]) if has_torch else ""
    print(header)
    budget, rounds = (0.3, 3) if args.quick else (1.5, 7)
    for (kind, N, C, dtype), medians in time_in_processes(names, cases, args.options, args.threads,
                                                          budget, rounds):
        row = f"{kind:<14}{np.dtype(dtype).name:<9}{f'{N}x{C}':<13}"
        row += "".join(f"{medians[n] * 1e6:>11.1f}" for n in names)
        if has_torch:
            row += "".join(f"{medians[n] / medians['torch']:>16.2f}" for n in names[:2])
        print(row, flush=True)


if __name__ == "__main__":
    main()
