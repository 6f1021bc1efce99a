"""What a fresh process imports: ``import minigrad`` stays light, and the first kernel call
loads only what it runs.  Each case runs in a new interpreter and checks *which* modules
are imported (never how long it took).  Timings: ``bench/bench_startup.py``."""
import json
import os
import subprocess
import sys
import textwrap

import numba
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
JIT_DISABLED = bool(numba.config.DISABLE_JIT)


def run(code, **env):
    """Run ``code`` in a fresh interpreter (from the repository root, with ``env`` added);
    returns its stdout parsed as JSON."""
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                            timeout=600, cwd=ROOT, env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_bare_import_leaves_the_heavy_modules_for_later():
    out = run("""
        import sys
        import minigrad
        loaded = sorted(sys.modules)
        import json
        print(json.dumps(loaded))
    """)
    loaded = set(out)
    assert "minigrad" in loaded and "minigrad.tensor" in loaded
    for name in ["numba", "llvmlite", "safetensors", "minigrad.kernels", "minigrad.serialization", "minigrad.viz",
                 "minigrad.nn", "minigrad.optim", "minigrad.utils.data", "minigrad.ops.loss",
                 "minigrad.ops.softmax", "minigrad.ops.index_extra", "json", "numpy.random",
                 "minigrad.autograd.gradcheck", "minigrad.autograd.functional", "minigrad.autograd.trace"]:
        assert name not in loaded, name


def test_the_random_stream_starts_at_the_first_draw_from_the_seed():
    out = run("""
        import json, sys
        import numpy as np
        import minigrad
        first = minigrad.rand(4).numpy().astype(float).tolist()
        minigrad.manual_seed(5)
        seeded = minigrad.randn(3).numpy().astype(float).tolist()
        g = minigrad.Generator().manual_seed(9)
        state = g.get_state()
        a = minigrad.rand(2, generator=g).numpy().astype(float).tolist()
        g.set_state(state)
        b = minigrad.rand(2, generator=g).numpy().astype(float).tolist()
        print(json.dumps({"first": first, "seeded": seeded, "a": a, "b": b,
                          "initial": minigrad.initial_seed()}))
    """)
    import minigrad
    # the same draws from the seeds, made here with eagerly created generators
    minigrad.manual_seed(minigrad.random._DEFAULT_SEED)
    assert out["first"] == minigrad.rand(4).numpy().astype(float).tolist()
    minigrad.manual_seed(5)
    assert out["seeded"] == minigrad.randn(3).numpy().astype(float).tolist()
    g = minigrad.Generator().manual_seed(9)
    assert out["a"] == out["b"] == minigrad.rand(2, generator=g).numpy().astype(float).tolist()
    assert out["initial"] == 5


def test_autograd_trace_and_gradcheck_stay_functions_when_their_modules_are_imported():
    out = run("""
        import json, sys
        import minigrad
        import minigrad.viz                      # imports the minigrad.autograd.trace module
        import minigrad.autograd.gradcheck       # binds the function, as before
        A = minigrad.autograd
        print(json.dumps([type(A.trace).__name__, type(A.gradcheck).__name__, A.functional.__name__,
                          A.BackwardTrace.__module__, A.GradcheckError.__name__, A.gradgradcheck.__name__,
                          sorted(set(A._LAZY) - set(dir(A)))]))
    """)
    assert out == ["function", "function", "minigrad.autograd.functional", "minigrad.autograd.trace",
                   "GradcheckError", "gradgradcheck", []]


def test_lazy_names_are_reachable_and_listed():
    out = run("""
        import json, sys
        import minigrad
        listed = [n for n in ("nn", "optim", "utils", "kernels", "serialization", "viz", "save", "load")
                  if n in dir(minigrad)]
        from minigrad import nn
        from minigrad.serialization import save
        print(json.dumps({
            "listed": listed,
            "nn": minigrad.nn is nn and nn.Linear.__name__,
            "sgd": minigrad.optim.SGD.__name__,
            "loader": minigrad.utils.data.DataLoader.__name__,
            "save": minigrad.save is save and minigrad.load.__module__,
            "ops": [minigrad.ops.loss.__name__, "loss" in dir(minigrad.ops)],
            "kernels": sorted(set(minigrad.kernels.__all__) - set(dir(minigrad.kernels))),
        }))
    """)
    assert out["listed"] == ["nn", "optim", "utils", "kernels", "serialization", "viz", "save", "load"]
    assert out["nn"] == "Linear" and out["sgd"] == "SGD" and out["loader"] == "DataLoader"
    assert out["save"] == "minigrad.serialization"
    assert out["ops"] == ["minigrad.ops.loss", True]
    assert out["kernels"] == []


def test_every_ops_module_is_reachable_as_an_attribute():
    import minigrad.ops
    files = {name[:-3] for name in os.listdir(os.path.dirname(minigrad.ops.__file__))
             if name.endswith(".py") and not name.startswith("_")}
    assert files == set(minigrad.ops._FAMILIES)


def test_the_first_cross_entropy_loads_only_its_own_kernels():
    out = run("""
        import json, sys
        import minigrad, minigrad.nn.functional as F
        x = minigrad.randn(8, 5, requires_grad=True)
        F.cross_entropy(x, minigrad.randint(0, 5, (8,))).backward()
        print(json.dumps(sorted(m for m in sys.modules if m.startswith("minigrad.kernels"))))
    """)
    assert "minigrad.kernels.cross_entropy" in out
    for name in ["softmax", "nll", "bce"]:
        assert f"minigrad.kernels.{name}" not in out


_CE = """
    import json, sys
    import numpy as np
    import minigrad.kernels as K
    from minigrad.kernels import cross_entropy as ce
    rng = np.random.default_rng(0)
    x = rng.standard_normal((37, 11)).astype(np.float32)
    t = rng.integers(0, 11, 37)
    t[5] = -100
    loss, grad, lsum, total = K.cross_entropy_forward_backward(x, t, weight=np.linspace(0.5, 2, 11, dtype=np.float32))
    hits = sum(ce._ce_rows_ser.stats.cache_hits.values())
    refreshed = "numba.np.npyimpl" in sys.modules   # imported by numba's full context refresh
    arrayobj = "numba.np.arrayobj" in sys.modules   # needed to load a kernel that calls np.empty
    # a compile after a light load: numba's compiler refreshes the context itself
    from minigrad.kernels.validate import first_bad_target
    bad = first_bad_target(np.array([0, 3, 1]), 3, -100)
    print(json.dumps({"loss": loss.tobytes().hex(), "grad": grad.tobytes().hex(), "lsum": lsum,
                      "total": total, "hits": hits, "refreshed": refreshed, "arrayobj": arrayobj, "bad": int(bad),
                      "info": K.cache_info()["mode"]}))
"""


@pytest.mark.skipif(JIT_DISABLED, reason="NUMBA_DISABLE_JIT=1: nothing is compiled or cached")
def test_a_cached_kernel_loads_without_a_full_refresh_and_gives_the_same_bits(tmp_path):
    env = {"NUMBA_CACHE_DIR": str(tmp_path / "cache"), "MINIGRAD_PARALLEL": "0"}
    compiled = run(_CE, **env)      # compiles and saves
    loaded = run(_CE, **env)        # loads from the cache
    assert compiled["hits"] == 0 and loaded["hits"] == 1
    assert compiled["info"] == loaded["info"] == "disk"
    assert not loaded["refreshed"]
    assert not loaded["arrayobj"]
    assert loaded["bad"] == compiled["bad"] == 1
    for key in ["loss", "grad", "lsum", "total"]:
        assert loaded[key] == compiled[key], key
