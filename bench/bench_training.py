"""Time one training step (zero_grad, forward, cross-entropy, backward, optimizer step) in
minigrad and, when it is importable, in PyTorch, on the same model sizes and data.

    python bench/bench_training.py                 # both configurations
    python bench/bench_training.py --breakdown     # also minigrad's time per phase

The two libraries run in alternating rounds (so a noisy neighbour slows both alike);
each figure is the median over all timed steps, in µs.  ratio = minigrad / torch:
below 1 means minigrad is faster.
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import minigrad  # noqa: E402
import minigrad.nn  # noqa: E402,F401
import minigrad.nn.functional  # noqa: E402,F401
import minigrad.optim  # noqa: E402,F401
from _cases import build, step_function  # noqa: E402,F401  (shared with compare.py)

try:
    import torch
    import torch.nn.functional  # noqa: F401
except ImportError:  # the bench still times minigrad alone
    torch = None

# name -> (layer sizes, batch, optimizer name, optimizer kwargs)
CONFIGS = {
    "mlp 2-64-64-3, batch 128, SGD+momentum": ((2, 64, 64, 3), 128, "SGD", dict(lr=0.01, momentum=0.9)),
    "mlp 784-256-10, batch 256, Adam": ((784, 256, 10), 256, "Adam", dict(lr=1e-3)),
}


def time_steps(step, n):
    times = np.empty(n)
    clock = time.perf_counter
    for i in range(n):
        t0 = clock()
        step()
        times[i] = clock() - t0
    return times


def breakdown(lib, model, optimizer, x, y, n):
    """Median µs of each phase of minigrad's step."""
    cross_entropy = lib.nn.functional.cross_entropy
    phases = {"zero_grad": [], "forward": [], "loss": [], "backward": [], "optimizer.step": []}
    clock = time.perf_counter
    for _ in range(n):
        t0 = clock()
        optimizer.zero_grad()
        t1 = clock()
        out = model(x)
        t2 = clock()
        loss = cross_entropy(out, y)
        t3 = clock()
        loss.backward()
        t4 = clock()
        optimizer.step()
        t5 = clock()
        for name, (a, b) in zip(phases, [(t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5)]):
            phases[name].append(b - a)
    return {name: 1e6 * float(np.median(v)) for name, v in phases.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds per library")
    parser.add_argument("--steps", type=int, default=None, help="timed steps per round (default: by size)")
    parser.add_argument("--breakdown", action="store_true", help="also print minigrad's time per phase")
    parser.add_argument("--torch-threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    parser.add_argument("--no-torch", action="store_true")
    args = parser.parse_args(argv)
    libs = {"minigrad": minigrad}
    if torch is not None and not args.no_torch:
        libs["torch"] = torch
        if args.torch_threads:
            torch.set_num_threads(args.torch_threads)
    threads = f", torch threads {torch.get_num_threads()}" if "torch" in libs else " (torch not importable)"
    print(f"median µs per training step; {os.cpu_count()} CPUs{threads}")
    print(f"{'configuration':<42} {'minigrad':>10} {'torch':>10} {'ratio':>7}")
    for name, (sizes, batch, opt_name, kwargs) in CONFIGS.items():
        steps = args.steps or (200 if sizes[0] < 100 else 40)
        runs = {lib_name: step_function(lib, *build(lib, sizes, batch, opt_name, kwargs))
                for lib_name, lib in libs.items()}
        for step in runs.values():  # warm up: numba compiles, caches fill, BLAS threads start
            time_steps(step, max(10, steps // 4))
        samples = {lib_name: [] for lib_name in runs}
        for _ in range(args.rounds):
            for lib_name, step in runs.items():
                samples[lib_name].append(time_steps(step, steps))
        median = {k: 1e6 * float(np.median(np.concatenate(v))) for k, v in samples.items()}
        torch_us = median.get("torch")
        ratio = f"{median['minigrad'] / torch_us:7.2f}" if torch_us else f"{'-':>7}"
        torch_text = f"{torch_us:10.0f}" if torch_us else f"{'-':>10}"
        print(f"{name:<42} {median['minigrad']:10.0f} {torch_text} {ratio}")
        if args.breakdown:
            phases = breakdown(minigrad, *build(minigrad, sizes, batch, opt_name, kwargs), n=steps * 5)
            print("    minigrad phases: " + ", ".join(f"{k} {v:.0f}" for k, v in phases.items()))


if __name__ == "__main__":
    main()
