"""One library in its own process, timing the cases ``bench/compare.py`` asks for.

    python bench/_worker.py minigrad|torch [--threads N (torch only)]

Reads one JSON command per line on stdin and answers one JSON line (on the stdout it
had at start; anything the libraries print goes to stderr):

* ``{"cmd": "info"}``: versions and thread settings;
* ``{"cmd": "prepare", "case": name, "warmup": s, "batch": s}``: build the case, warm it
  up (numba compiles or loads its cache, buffers are allocated) for ``warmup`` seconds
  (at least 3 calls), answer ``{"n": calls}`` so that ``n`` calls take about ``batch`` s;
* ``{"cmd": "time", "case": name, "n": n, "budget": s}``: time ``n`` calls one by one
  (fewer if they exceed ``budget`` seconds), answer ``{"times": [seconds, ...]}``;
* ``{"cmd": "drop", "case": name}``, ``{"cmd": "quit"}``.

``python bench/_worker.py minigrad --profile CASE [--calls N]`` prints a cProfile top-10
instead (``torch`` works too).

A failing case answers ``{"error": traceback}`` and the worker carries on.
"""
import json
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def load(lib_name):
    """Import the library (minigrad from this tree) and its submodules the cases use."""
    if lib_name == "minigrad":
        sys.path.insert(0, ROOT)
        import minigrad as lib
        import minigrad.nn.functional  # noqa: F401
        import minigrad.optim  # noqa: F401
    else:
        import torch as lib
        import torch.nn.functional  # noqa: F401
        import torch.optim  # noqa: F401
    return lib


def info(lib_name, lib):
    import numpy as np
    out = {"python": sys.version.split()[0], "executable": sys.executable, "numpy": np.__version__,
           "pid": os.getpid()}
    if lib_name == "minigrad":
        import numba
        from minigrad.kernels import threading as kth
        out.update(minigrad=getattr(lib, "__version__", "?"), minigrad_path=os.path.dirname(lib.__file__),
                   numba=numba.__version__, threading=kth.threading_info())
        try:
            from importlib.metadata import version
            out["tbb_package"] = version("tbb")
        except Exception:
            out["tbb_package"] = None
    else:
        out.update(torch=lib.__version__, threads=lib.get_num_threads(),
                   interop_threads=lib.get_num_interop_threads(),
                   parallel_info=lib.__config__.parallel_info().splitlines()[:6])
    return out


def time_calls(run, reset, n, budget=None):
    """Seconds of each of ``n`` calls; stops early (after 3 calls at least) once the calls
    took ``budget`` seconds in all (calls held up by a busy machine must not stretch a turn)."""
    clock = time.perf_counter
    times = []
    spent = 0.0
    for i in range(n):
        if reset is not None:
            reset()
        t0 = clock()
        run()
        times.append(clock() - t0)
        spent += times[-1]
        if budget is not None and spent > budget and i >= 2:
            break
    return times


def profile(lib_name, case, calls=200, top=10):
    """cProfile ``calls`` warm calls of one case; print the top functions by own time."""
    import cProfile
    import pstats
    sys.path.insert(0, HERE)
    lib = load(lib_name)
    from _cases import all_cases
    builders = {name: build for name, _, build in all_cases()}
    if case not in builders:
        sys.exit(f"unknown case {case!r}; one of:\n  " + "\n  ".join(builders))
    run, reset = builders[case](lib)
    time_calls(run, reset, 20)
    prof = cProfile.Profile()
    prof.enable()
    time_calls(run, reset, calls)
    prof.disable()
    print(f"{lib_name}: {case}, {calls} calls")
    pstats.Stats(prof).sort_stats("tottime").print_stats(top)


def main():
    lib_name = sys.argv[1]
    if "--profile" in sys.argv:
        calls = int(sys.argv[sys.argv.index("--calls") + 1]) if "--calls" in sys.argv else 200
        return profile(lib_name, sys.argv[sys.argv.index("--profile") + 1], calls)
    reply_stream = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)                        # stray prints must not break the protocol
    sys.stdout = sys.stderr
    sys.path.insert(0, HERE)
    lib = load(lib_name)
    if "--threads" in sys.argv:
        lib.set_num_threads(int(sys.argv[sys.argv.index("--threads") + 1]))
    from _cases import all_cases
    builders = {name: build for name, _, build in all_cases()}
    cases = {}
    for line in sys.stdin:
        msg = json.loads(line)
        cmd = msg["cmd"]
        try:
            if cmd == "quit":
                break
            elif cmd == "info":
                reply = info(lib_name, lib)
            elif cmd == "prepare":
                run, reset = cases[msg["case"]] = builders[msg["case"]](lib)
                start, calls, per_call = time.perf_counter(), 0, float("inf")
                while calls < 3 or time.perf_counter() - start < msg["warmup"]:
                    per_call = min(per_call, time_calls(run, reset, 1)[0])
                    calls += 1
                n = int(msg["batch"] / max(per_call, 1e-7))
                reply = {"n": max(msg.get("min_calls", 3), min(n, msg.get("max_calls", 5000))),
                         "per_call": per_call}
            elif cmd == "time":
                run, reset = cases[msg["case"]]
                reply = {"times": time_calls(run, reset, msg["n"], msg.get("budget"))}
            elif cmd == "drop":
                cases.pop(msg["case"], None)
                reply = {}
            else:
                reply = {"error": f"unknown command {cmd!r}"}
        except Exception:
            reply = {"error": traceback.format_exc(limit=8)}
        reply_stream.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    main()
