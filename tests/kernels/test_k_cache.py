"""The kernels' on-disk cache never makes an import or a call fail.

The process-level cases run in subprocesses on the smallest kernel
(``validate.first_bad_target``): a non-writable install, and damaged cache files.
Tests run as root in CI, where ``chmod a-w`` does not stop writes, so "nothing is
writable" is made real by putting every cache location under a regular file
(``NUMBA_CACHE_DIR=<file>/numba``, ``HOME=<file>``, a *file* named ``__pycache__`` in
each package directory); the subprocess checks that numba's own ``FunctionCache``
indeed finds no location there.
"""
import json
import os
import pickle
import shutil
import subprocess
import sys
import textwrap

import pytest

import numba
from minigrad.kernels import _cache, cache_info, KernelCacheWarning

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
JIT_DISABLED = bool(numba.config.DISABLE_JIT)

# Imports minigrad, makes the first calls of the target validator, reports as JSON.
_PROBE = """
    import json, warnings
    warnings.simplefilter("always")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import numpy as np
        import minigrad, minigrad.optim
        from minigrad.kernels import check_targets, cache_info, validate
        check_targets(np.array([0, 2, -100]), 3)
        try:
            check_targets(np.array([[0, 1], [7, 2]]), 3)
            bad = None
        except IndexError as e:
            bad = str(e)
    numba_error = None
    if hasattr(validate.first_bad_target, "py_func"):
        from numba.core.caching import FunctionCache
        try:
            FunctionCache(validate.first_bad_target.py_func)
        except RuntimeError as e:
            numba_error = str(e)
    print(json.dumps({
        "file": minigrad.__file__, "bad": bad, "info": cache_info(), "numba_error": numba_error,
        "hits": sum(validate.first_bad_target.stats.cache_hits.values())
                if hasattr(validate.first_bad_target, "stats") else 0,
        "warnings": [f"{w.category.__name__}: {w.message}" for w in caught],
    }))
"""


def _probe(env, cwd):
    """Run _PROBE in a fresh interpreter with exactly ``env`` (plus PATH) in ``cwd``;
    returns its report."""
    full = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONDONTWRITEBYTECODE": "1", **env}
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(_PROBE)], env=full, cwd=cwd,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


def _read_only_install(tmp_path):
    """A copy of the package where no cache location can be created, even by root."""
    site = tmp_path / "site-packages"
    shutil.copytree(os.path.join(ROOT, "minigrad"), site / "minigrad",
                    ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc", "*.pyc"))
    for d, _, _ in os.walk(site / "minigrad"):
        open(os.path.join(d, "__pycache__"), "w").close()   # a file: numba cannot make the dir
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    for d, dirs, files in os.walk(site):
        for name in dirs + files:
            p = os.path.join(d, name)
            os.chmod(p, os.stat(p).st_mode & ~0o222)
    return site, blocker


def _make_writable(path):
    for d, dirs, files in os.walk(path):
        os.chmod(d, 0o755)
        for name in files:
            os.chmod(os.path.join(d, name), 0o644)


@pytest.mark.parametrize("disable_jit", [False, True], ids=["jit", "NUMBA_DISABLE_JIT"])
def test_import_and_first_call_with_no_writable_cache_location(tmp_path, disable_jit):
    """Import and first call work, compile in memory, one warning, cache_info says so."""
    site, blocker = _read_only_install(tmp_path)
    env = {"PYTHONPATH": str(site), "HOME": str(blocker), "NUMBA_CACHE_DIR": str(blocker / "numba")}
    if disable_jit:
        env["NUMBA_DISABLE_JIT"] = "1"
    try:
        out = _probe(env, tmp_path)
    finally:
        _make_writable(site)
    assert out["file"].startswith(str(site))
    assert out["bad"] == "Target 7 is out of bounds."
    if disable_jit:
        assert out["info"]["mode"] == "disabled"
        assert out["warnings"] == []
        return
    # numba itself would raise at import here (the bug this guards against)
    assert "no locator available" in out["numba_error"]
    assert out["info"]["mode"] == "memory"
    assert out["info"]["cache_dirs"] == []
    assert "minigrad.kernels.validate.first_bad_target" in out["info"]["uncached"]
    assert "no locator available" in out["info"]["reason"]
    cache_warnings = [w for w in out["warnings"] if w.startswith("KernelCacheWarning")]
    assert len(cache_warnings) == 1, out["warnings"]
    assert "compiled in memory" in cache_warnings[0]
    assert "NUMBA_CACHE_DIR" in cache_warnings[0]


def _cache_files(cache_dir):
    files = {}
    for d, _, names in os.walk(cache_dir):
        for name in names:
            if name.startswith("validate.first_bad_target") and name.endswith((".nbi", ".nbc")):
                files[name.rsplit(".", 1)[1]] = os.path.join(d, name)
    return files


def _assert_cache_entry_valid(files):
    """The index and the data file unpickle, as numba reads them, with one entry."""
    with open(files["nbi"], "rb") as f:
        assert pickle.load(f) == numba.__version__
        _stamp, overloads = pickle.loads(f.read())
    assert len(overloads) == 1
    with open(files["nbc"], "rb") as f:
        pickle.loads(f.read())


def test_damaged_cache_files_are_discarded_and_rewritten(tmp_path):
    """A half-written data file, then an empty index: each is deleted, the kernel
    recompiled (right answer) and the entry saved again, readable by numba."""
    env = {"HOME": str(tmp_path), "NUMBA_CACHE_DIR": str(tmp_path / "numba-cache"),
           "PYTHONPATH": ROOT}
    first = _probe(env, tmp_path)
    assert first["info"]["mode"] == "disk" and first["warnings"] == []
    files = _cache_files(tmp_path / "numba-cache")
    assert set(files) == {"nbi", "nbc"}

    for kind, damage in (("nbc", lambda p: os.truncate(p, os.path.getsize(p) // 2)),
                         ("nbi", lambda p: os.truncate(p, 0))):
        damage(files[kind])
        out = _probe(env, tmp_path)  # numba alone: UnpicklingError / EOFError on every first call
        assert out["bad"] == "Target 7 is out of bounds."
        assert out["hits"] == 0
        (discarded,) = out["info"]["discarded"]
        assert files[kind] in discarded["files"]
        assert discarded["error"].startswith(("UnpicklingError", "EOFError"))
        assert [w for w in out["warnings"] if "discarded an unreadable" in w], out["warnings"]
        _assert_cache_entry_valid(_cache_files(tmp_path / "numba-cache"))


# ---------------------------------------------------------------------- in process
def test_cache_info_describes_the_cache():
    info = cache_info()
    assert set(info) == {"mode", "cache_dirs", "reason", "uncached", "discarded", "errors"}
    if JIT_DISABLED:
        assert info["mode"] == "disabled"
    else:
        assert info["mode"] in ("disk", "memory", "mixed")
        assert (info["mode"] == "disk") == (not info["uncached"])


def _fresh_kernel():
    def add_one(a):
        return a + 1
    return numba.njit(cache=False)(add_one)


@pytest.mark.skipif(JIT_DISABLED, reason="nothing is compiled or cached under NUMBA_DISABLE_JIT=1")
def test_failed_save_keeps_the_kernel_in_memory(tmp_path, monkeypatch):
    """A save that fails (disk full) warns and keeps the compiled kernel; no error."""
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))
    monkeypatch.setitem(_cache._state, "warned", set())
    monkeypatch.setitem(_cache._state, "errors", [])
    disp = _cache.attach_cache(_fresh_kernel(), salt="test")
    assert isinstance(disp._cache, _cache.RobustFunctionCache)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(disp._cache._cache_file, "_save_index", disk_full)
    with pytest.warns(KernelCacheWarning, match="could not save"):
        assert disp(41) == 42
    assert "No space left on device" in cache_info()["errors"][0]
    assert disp(1) == 2


def test_attach_cache_without_jit_returns_the_function_unchanged(monkeypatch):
    def plain(a):
        return a

    assert _cache.attach_cache(plain) is plain
