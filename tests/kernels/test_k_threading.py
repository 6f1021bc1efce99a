"""Threading layer, fork safety, concurrent Python threads, on-disk cache reuse and
NUMBA_DISABLE_JIT: the process-level ones run in subprocesses."""
import concurrent.futures as cf
import os
import subprocess
import sys
import textwrap

import numba
import numpy as np
import pytest

import minigrad.kernels.threading as kth
from minigrad.kernels import cross_entropy_forward_backward, cross_entropy_reference

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
needs_jit = pytest.mark.skipif(numba.config.DISABLE_JIT,
                               reason="NUMBA_DISABLE_JIT=1: nothing is compiled, so there is no "
                                      "on-disk cache to load or to key")


def _run(code, env=None, timeout=300):
    e = dict(os.environ)
    e.update(env or {})
    e["PYTHONPATH"] = ROOT + os.pathsep + e.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=e, timeout=timeout,
                          capture_output=True, text=True)


def test_threading_info_describes_choice():
    info = kth.threading_info()
    assert info["layer"] in ("tbb", "serial")
    assert info["parallel"] == (info["layer"] == "tbb")
    assert info["parallel_threshold"] == kth.PARALLEL_THRESHOLD
    assert info["reason"]
    assert kth.threading_layer() == info["layer"]
    if info["layer"] == "tbb":
        import numba
        assert numba.threading_layer() == "tbb"


def test_serial_fallback_when_disabled():
    r = _run("""
        import numpy as np, numba
        from minigrad.kernels import threading_info, log_softmax_forward
        info = threading_info()
        assert info["layer"] == "serial" and not info["parallel"], info
        log_softmax_forward(np.ones((300, 300)), 1)      # above the threshold: still serial
        try:
            numba.threading_layer()
        except ValueError:
            print("no numba threads launched")
        """, env={"MINIGRAD_PARALLEL": "0"})
    assert r.returncode == 0, r.stderr
    assert "no numba threads launched" in r.stdout


def test_fork_after_parallel_call():
    if not kth.parallel_available():
        pytest.skip("no tbb threading layer")
    r = _run("""
        import os, numpy as np
        import minigrad.kernels.threading as kth
        kth.PARALLEL_THRESHOLD = 0
        from minigrad.kernels import log_softmax_forward, log_softmax_reference
        x = np.random.default_rng(0).normal(size=(64, 9))
        y = log_softmax_forward(x, 1)                    # parallel region in the parent
        pid = os.fork()
        if pid == 0:
            ok = np.allclose(log_softmax_forward(x, 1), log_softmax_reference(x, 1))
            os._exit(0 if ok else 3)
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
        assert np.allclose(log_softmax_forward(x, 1), y)  # parent still fine
        print("fork ok")
        """, env={"NUMBA_CACHE_DIR": os.environ.get("NUMBA_CACHE_DIR", "")} if os.environ.get("NUMBA_CACHE_DIR") else None)
    assert r.returncode == 0, r.stderr
    assert "fork ok" in r.stdout


def test_four_python_threads(monkeypatch):
    monkeypatch.setattr(kth, "PARALLEL_THRESHOLD", 0)      # parallel variants when available
    rng = np.random.default_rng(5)
    cases = []
    for k in range(4):
        x = rng.normal(size=(50 + k, 6))
        t = rng.integers(0, 6, 50 + k)
        cases.append((x, t, cross_entropy_reference(x, t, mean=True)))
    cross_entropy_forward_backward(cases[0][0], cases[0][1])  # compile outside the threads

    def work(k):
        x, t, ref = cases[k]
        for _ in range(200):
            loss, grad, s, w = cross_entropy_forward_backward(x, t, mean=True)
            np.testing.assert_allclose(grad, ref[1], rtol=1e-12, atol=1e-15)
            assert abs(s - ref[2]) < 1e-10
        return True

    with cf.ThreadPoolExecutor(4) as ex:
        assert all(ex.map(work, range(4)))


@needs_jit
def test_second_process_loads_kernels_from_disk_cache(tmp_path):
    code = """
        import numpy as np
        import minigrad.kernels.nll as nll
        nll.nll_forward(np.ones((3, 4)), [0, 1, 2])
        k = nll._nll_fwd_k
        print("hits", sum(k.stats.cache_hits.values()), "misses", sum(k.stats.cache_misses.values()))
        """
    env = {"NUMBA_CACHE_DIR": str(tmp_path)}
    first = _run(code, env)
    assert first.returncode == 0, first.stderr
    assert "hits 0 misses 1" in first.stdout
    second = _run(code, env)
    assert second.returncode == 0, second.stderr
    assert "hits 1 misses 0" in second.stdout, second.stdout


@needs_jit
def test_cache_key_is_salted_with_helper_sources():
    from minigrad.kernels import _jitmath
    import minigrad.kernels.cross_entropy as ce
    cache = ce._ce_rows_ser._cache
    assert getattr(cache, "salt", "").startswith(_jitmath.CACHE_SALT)
    assert ce._ce_rows_ser._cache.salt != ce._ce_rows_par._cache.salt


def test_disable_jit_runs_as_plain_python():
    r = _run("""
        import numpy as np
        import minigrad.kernels as K
        rng = np.random.default_rng(0)
        x = rng.normal(size=(3, 4, 2)); t = np.array([[0, 3], [-100, 1], [2, 2]])
        for got, ref in ((K.cross_entropy_forward_backward(x, t, label_smoothing=0.1, mean=True),
                          K.cross_entropy_reference(x, t, label_smoothing=0.1, mean=True)),):
            np.testing.assert_allclose(got[0], ref[0], rtol=1e-12)
            np.testing.assert_allclose(got[1], ref[1], rtol=1e-12, atol=1e-15)
        x2 = rng.normal(size=(5, 3))
        np.testing.assert_allclose(K.log_softmax_forward(x2, 1), K.log_softmax_reference(x2, 1), rtol=1e-12)
        np.testing.assert_allclose(K.softmax_forward(x2, 1), K.softmax_reference(x2, 1), rtol=1e-12)
        l, g, s = K.bce_with_logits_forward_backward(x2, (x2 > 0).astype(float))
        np.testing.assert_allclose(l, K.bce_with_logits_reference(x2, (x2 > 0).astype(float))[0], rtol=1e-12)
        try:
            K.cross_entropy_forward_backward(x2, [0, 1, 2, 3, 0])
        except IndexError as e:
            assert str(e) == "Target 3 is out of bounds."
        print("plain python ok", K.threading_info()["layer"])
        """, env={"NUMBA_DISABLE_JIT": "1"})
    assert r.returncode == 0, r.stderr
    assert "plain python ok serial" in r.stdout
