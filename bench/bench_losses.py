"""Time forward + backward of cross_entropy and log_softmax: minigrad, plain numpy, and torch.

    python bench/bench_losses.py                 # all sizes, float32 and float64
    python bench/bench_losses.py --options       # cross_entropy with weight, ignore_index, label_smoothing
    python bench/bench_losses.py --quick         # fewer repeats

Run it with an interpreter that has torch for the torch column (/work/venv-torch/bin/python);
without torch the ratio column is left out.  The implementations are interleaved (one run of
each in turn, a batch of calls at a time, repeated), so a noisy machine slows them alike; the table shows medians in µs
and each median's ratio to torch's.

cross_entropy: loss = F.cross_entropy(x, t) (mean); loss.backward().
log_softmax:   y = F.log_softmax(x, 1); y.backward(g) with a fixed random upstream g.
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import minigrad  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402

try:
    import torch
    import torch.nn.functional as TF
except ImportError:  # pragma: no cover - depends on the interpreter
    torch = None

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
def make_runners(kind, N, C, dtype, options, rng):
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


def time_interleaved(runners, budget, batch_seconds=0.002):
    """Median seconds per run of each runner.  Each turn times a batch of back-to-back runs
    (about ``batch_seconds`` long, like timeit's ``number``), so one library's idle threads
    waking up do not land inside the other's single call; the batches take turns until
    ``budget`` seconds are spent."""
    number = {}
    for name, run in runners.items():  # warm up (first-call costs, caches) and size the batches
        run()
        t0 = time.perf_counter()
        run()
        number[name] = max(1, min(1000, int(batch_seconds / max(time.perf_counter() - t0, 1e-7))))
    times = {name: [] for name in runners}
    start = time.perf_counter()
    while True:
        for name, run in runners.items():
            t0 = time.perf_counter()
            for _ in range(number[name]):
                run()
            times[name].append((time.perf_counter() - t0) / number[name])
        rounds = len(times["numpy"])
        if rounds >= 200 or (rounds >= 7 and time.perf_counter() - start > budget):
            break
    return {name: float(np.median(ts)) for name, ts in times.items()}


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
    if torch is not None and args.threads:
        torch.set_num_threads(args.threads)
    budget = 0.3 if args.quick else 1.5
    rng = np.random.default_rng(0)
    threads = f", torch threads {torch.get_num_threads()}" if torch is not None else " (torch not importable)"
    print(f"numpy {np.__version__}{threads}; medians in µs; ratio = time / torch's time")
    names = ["minigrad", "numpy"] + (["torch"] if torch is not None else [])
    header = f"{'op':<14}{'dtype':<9}{'shape':<13}" + "".join(f"{n:>11}" for n in names)
    header += "".join(f"{n + '/torch':>16}" for n in names[:2]) if torch is not None else ""
    print(header)
    for kind in ("cross_entropy", "log_softmax"):
        for dtype in (np.float32, np.float64):
            for N, C in SIZES:
                runners = make_runners(kind, N, C, dtype, args.options, rng)
                if kind == "cross_entropy":
                    check_agreement(runners)
                medians = time_interleaved(runners, budget)
                row = f"{kind:<14}{np.dtype(dtype).name:<9}{f'{N}x{C}':<13}"
                row += "".join(f"{medians[n] * 1e6:>11.1f}" for n in names)
                if torch is not None:
                    row += "".join(f"{medians[n] / medians['torch']:>16.2f}" for n in names[:2])
                print(row, flush=True)


if __name__ == "__main__":
    main()
