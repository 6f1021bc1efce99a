"""Threading measurements for the kernels' report (run: python bench/bench_threads.py [blas|threshold|compile]).

* blas: a parallel kernel alternated with a 256x256 np.dot, per-iteration time, under the
  layer given by --layer (tbb = minigrad's choice; omp / workqueue for comparison).
* threshold: serial vs prange variant of the fused kernels around PARALLEL_THRESHOLD.
* compile: first-call latency in a fresh process (cold cache), then in a second process.
"""
import os
import subprocess
import sys
import tempfile
import textwrap
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, ROOT)


def _med(fn, n=30):
    import numpy as np
    fn()
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return float(np.median(ts))


def blas(layer):
    import numpy as np
    if layer != "tbb":
        import numba
        numba.config.THREADING_LAYER = layer
        from numba import prange

        @numba.njit(parallel=True)
        def kern(x, out):
            for i in prange(x.shape[0]):
                out[i] = np.exp(x[i]) + 1.0
        x = np.random.default_rng(0).normal(size=200_000)
        out = np.empty_like(x)
        run = lambda: kern(x, out)  # noqa: E731
    else:
        import minigrad.kernels.threading as kth
        from minigrad.kernels import cross_entropy_forward_backward
        x = np.random.default_rng(0).normal(size=(2000, 100))
        t = np.random.default_rng(1).integers(0, 100, 2000)
        assert kth.use_parallel(x.size)
        run = lambda: cross_entropy_forward_backward(x, t, mean=True)  # noqa: E731
    a = np.random.default_rng(2).normal(size=(256, 256))
    dot = lambda: a @ a  # noqa: E731
    k = _med(run)
    d = _med(dot)

    def both():
        run()
        dot()
    b = _med(both, 50)
    import numba
    print(f"layer={numba.threading_layer()} kernel {k*1e3:.3f} ms, dot {d*1e3:.3f} ms, "
          f"alternating {b*1e3:.3f} ms/iter (sum apart {(k+d)*1e3:.3f})")


def threshold():
    import numpy as np
    import minigrad.kernels.threading as kth
    from minigrad.kernels import cross_entropy_forward_backward, log_softmax_forward, log_softmax_backward
    rng = np.random.default_rng(0)
    print("elements  shape        CE ser/par (us)      LSM fwd+bwd ser/par (us)")
    for N, C in [(512, 16), (1024, 16), (2048, 16), (4096, 16), (8192, 16), (160, 100), (320, 100),
                 (640, 100), (1280, 100), (2560, 100)]:
        for dt in (np.float32, np.float64):
            x = rng.normal(size=(N, C)).astype(dt)
            t = rng.integers(0, C, N)
            g = rng.normal(size=(N, C)).astype(dt)
            res = {}
            for rnd in range(3):
                for thr in (1 << 62, 0):
                    kth.PARALLEL_THRESHOLD = thr
                    res.setdefault(("ce", thr), []).append(_med(lambda: cross_entropy_forward_backward(x, t, mean=True), 40))
                    res.setdefault(("ls", thr), []).append(
                        _med(lambda: log_softmax_backward(g, log_softmax_forward(x, 1), 1), 40))
            m = {k: sorted(v)[1] * 1e6 for k, v in res.items()}
            print(f"{N*C:8d}  {N}x{C} {np.dtype(dt).name:8} {m[('ce', 1 << 62)]:8.1f} {m[('ce', 0)]:8.1f}      "
                  f"{m[('ls', 1 << 62)]:8.1f} {m[('ls', 0)]:8.1f}")


def compile_times():
    code = textwrap.dedent("""
        import time
        t0 = time.perf_counter()
        import numpy as np
        import minigrad.kernels as K
        import minigrad.kernels.threading as kth
        t1 = time.perf_counter()
        x = np.random.default_rng(0).normal(size=(64, 10)).astype(np.float32)
        t = np.arange(64) % 10
        a = time.perf_counter(); K.cross_entropy_forward_backward(x, t); b = time.perf_counter()
        kth.PARALLEL_THRESHOLD = 0
        K.cross_entropy_forward_backward(x, t); c = time.perf_counter()
        K.log_softmax_forward(x, 1); d = time.perf_counter()
        print(f"import {t1-t0:.2f}s  CE f32 serial first call {b-a:.2f}s  CE f32 parallel {c-b:.2f}s  "
              f"log_softmax f32 parallel {d-c:.2f}s")
        """)
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, NUMBA_CACHE_DIR=d, PYTHONPATH=ROOT)
        for label in ("cold cache", "cached (2nd process)"):
            r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
            print(label + ":", r.stdout.strip() or r.stderr[-2000:])


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    if what == "blas":
        blas(sys.argv[2] if len(sys.argv) > 2 else "tbb")
    elif what == "threshold":
        threshold()
    elif what == "compile":
        compile_times()
    else:
        for layer in ("tbb", "omp", "workqueue"):
            subprocess.run([sys.executable, __file__, "blas", layer])
        compile_times()
        threshold()
