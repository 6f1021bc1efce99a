"""minigrad / torch time ratios for the losses and the softmax family, float32.

    python bench/losses_ratio.py                      # every case, minigrad as configured
    NUMBA_THREADING_LAYER=omp python bench/losses_ratio.py   # minigrad without tbb (serial kernels)
    python bench/losses_ratio.py --only fb            # fwd+bwd cases only ('fb', 'ng', 'chain')

Each library runs in its own process (torch from ``--torch-python``, minigrad from this
interpreter); the two take turns timing one case, round after round, and the table shows
the median per-call time in µs and the ratio minigrad / torch.

Cases:
  fb    forward + backward: cross_entropy ('mean'), log_softmax and softmax (backward with a
        fixed upstream gradient), nll_loss, at 64x10, 512x100, 4096x1000, 32768x10, 64x10x8x8
  ng    every loss under no_grad (forward only) at 64x10, 512x100, 4096x1000
  chain log_softmax -> *1.0 -> .sum() forward + backward at 4096x1000
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

from _timing import time_batches

HERE = os.path.dirname(os.path.abspath(__file__))
FB_SHAPES = [(64, 10), (512, 100), (4096, 1000), (32768, 10), (64, 10, 8, 8)]
NG_SHAPES = [(64, 10), (512, 100), (4096, 1000)]
FB_OPS = ["cross_entropy", "log_softmax", "softmax", "nll_loss"]
NG_OPS = ["cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
          "binary_cross_entropy", "bce_with_logits", "kl_div"]


def cases(only):
    out = []
    if only in (None, "fb"):
        out += [("fb", op, s) for op in FB_OPS for s in FB_SHAPES]
    if only in (None, "ng"):
        out += [("ng", op, s) for op in NG_OPS for s in NG_SHAPES]
    if only in (None, "chain"):
        out += [("chain", "log_softmax*1.sum", (4096, 1000))]
    return out


# --------------------------------------------------------------------------- worker side
def make_runner(lib, kind, op, shape):
    """A zero-argument callable doing one step of the case in library ``lib``."""
    if lib == "torch":
        import torch as M
        import torch.nn.functional as F
        tensor = lambda a, rg=False: M.tensor(a, requires_grad=rg)  # noqa: E731
    else:
        sys.path.insert(0, os.path.join(HERE, ".."))
        import minigrad as M
        import minigrad.nn.functional as F
        tensor = lambda a, rg=False: M.tensor(a, requires_grad=rg)  # noqa: E731
    rng = np.random.default_rng(0)
    shape = tuple(shape)
    C = shape[1]
    x_np = rng.normal(0, 2, shape).astype(np.float32)
    t_np = rng.integers(0, C, (shape[0],) + shape[2:])
    g_np = rng.normal(size=shape).astype(np.float32)
    x = tensor(x_np, kind != "ng")
    t, g = tensor(t_np), tensor(g_np)
    lsm_np = x_np - np.log(np.exp(x_np).sum(1, keepdims=True))
    p_np = 1 / (1 + np.exp(-x_np))
    y_np = rng.uniform(0, 1, shape).astype(np.float32)
    y = tensor(y_np)
    if kind == "chain":
        def run():
            x.grad = None
            (F.log_softmax(x, 1) * 1.0).sum().backward()
        return run
    if kind == "fb":
        if op == "nll_loss":
            x = tensor(lsm_np, True)
        calls = {"cross_entropy": lambda: F.cross_entropy(x, t).backward(),
                 "nll_loss": lambda: F.nll_loss(x, t).backward(),
                 "log_softmax": lambda: F.log_softmax(x, 1).backward(g),
                 "softmax": lambda: F.softmax(x, 1).backward(g)}
        call = calls[op]

        def run():
            x.grad = None
            call()
        return run
    lsm, p = tensor(lsm_np), tensor(p_np)
    calls = {"cross_entropy": lambda: F.cross_entropy(x, t),
             "nll_loss": lambda: F.nll_loss(lsm, t),
             "mse_loss": lambda: F.mse_loss(x, y),
             "l1_loss": lambda: F.l1_loss(x, y),
             "smooth_l1_loss": lambda: F.smooth_l1_loss(x, y),
             "huber_loss": lambda: F.huber_loss(x, y),
             "binary_cross_entropy": lambda: F.binary_cross_entropy(p, y),
             "bce_with_logits": lambda: F.binary_cross_entropy_with_logits(x, y),
             "kl_div": lambda: F.kl_div(lsm, y, reduction="batchmean")}
    call = calls[op]

    def run():
        with M.no_grad():
            call()
    return run


def worker(lib):
    threads = int(os.environ.get("LOSSES_TORCH_THREADS", "0"))
    if lib == "torch" and threads:
        import torch
        torch.set_num_threads(threads)
    runners = {}
    for line in sys.stdin:
        message = json.loads(line)
        key = json.dumps(message["case"])
        if key not in runners:
            runners[key] = make_runner(lib, *message["case"])
        print(json.dumps(time_batches(runners[key], message["budget"], batch_seconds=0.003, max_number=2000)), flush=True)


# --------------------------------------------------------------------------- driver
def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker", choices=["torch", "minigrad"])
    parser.add_argument("--only", choices=["fb", "ng", "chain"])
    parser.add_argument("--match", default="", help="only cases whose op contains this text")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--budget", type=float, default=0.05, help="seconds per library per round")
    parser.add_argument("--torch-python", default="/tmp/venv-torch/bin/python")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--torch-threads", type=int, default=0,
                        help="torch.set_num_threads(N) in the torch process (default: torch's own choice)")
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker)
    me = os.path.abspath(__file__)
    if args.torch_threads:
        os.environ["LOSSES_TORCH_THREADS"] = str(args.torch_threads)
    procs = {lib: subprocess.Popen([exe, me, "--worker", lib], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   text=True, bufsize=1)
             for lib, exe in (("torch", args.torch_python), ("minigrad", sys.executable))}
    results = []
    ratios = {}
    print(f"NUMBA_THREADING_LAYER={os.environ.get('NUMBA_THREADING_LAYER', '')!r}, torch threads "
          f"{args.torch_threads or 'default'}; medians in µs")
    print(f"{'kind':<6}{'op':<22}{'shape':<16}{'minigrad':>10}{'torch':>10}{'ratio':>8}")
    for case in cases(args.only):
        if args.match not in case[1]:
            continue
        samples = {lib: [] for lib in procs}
        for _ in range(args.rounds):
            for lib, proc in procs.items():
                proc.stdin.write(json.dumps({"case": case, "budget": args.budget}) + "\n")
                samples[lib] += json.loads(proc.stdout.readline())
        med = {lib: float(np.median(ts)) * 1e6 for lib, ts in samples.items()}
        ratio = med["minigrad"] / med["torch"]
        ratios.setdefault(case[0], []).append(ratio)
        results.append({"case": case, **med, "ratio": ratio})
        print(f"{case[0]:<6}{case[1]:<22}{'x'.join(map(str, case[2])):<16}{med['minigrad']:>10.1f}"
              f"{med['torch']:>10.1f}{ratio:>8.2f}", flush=True)
    for kind, rs in ratios.items():
        print(f"{kind}: geometric mean {float(np.exp(np.mean(np.log(rs)))):.3f}, max {max(rs):.2f}")
    for proc in procs.values():
        proc.stdin.close()
        proc.wait(10)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
