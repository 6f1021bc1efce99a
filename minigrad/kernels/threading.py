"""Choose numba's threading layer for the parallel kernels.

Decision (measured on the 2-core dev machine, see the kernels' report):

* ``tbb`` layer when the ``tbb`` package (``pip install minigrad[parallel]``) or a
  system ``libtbb.so.12`` (interface >= 12060) is present.  numba only finds the
  pip-installed library if it is already loaded, so it is loaded here with
  ``ctypes`` and ``RTLD_GLOBAL`` before numba launches its threads.  tbb does not
  fight OpenBLAS when parallel kernels alternate with ``np.dot``, and survives
  ``os.fork()`` and concurrent Python threads.
* otherwise **serial kernels only**.  The ``omp`` layer (numba's default) is never
  selected: alternating with OpenBLAS costs ~30x, and ``fork()`` after a parallel
  region kills the child.  ``workqueue`` launches in ~110 us and aborts when
  several Python threads call in.

``MINIGRAD_PARALLEL=0`` forces serial kernels.  ``MINIGRAD_PARALLEL_THRESHOLD``
overrides :data:`PARALLEL_THRESHOLD`.  If numba's threads were already launched by
other code with another layer, minigrad stays serial.

This module sets ``numba.config.THREADING_LAYER = "tbb"`` at import (unless the
user chose a layer with ``NUMBA_THREADING_LAYER``), which also applies to any other
numba code in the process that has not launched its threads yet.
"""
from __future__ import annotations

import ctypes
import os
import sys
import threading as _pythreading

import numba

__all__ = ["PARALLEL_THRESHOLD", "threading_layer", "threading_info", "use_parallel",
           "parallel_available", "num_threads"]

#: Number of elements (N*C*S) from which the prange variants are used.  Measured: a
#: parallel launch under tbb costs ~3-5 us; the fused cross-entropy / softmax kernels
#: break even around 16-32k elements on 2 cores (see bench/bench_kernels.py).
PARALLEL_THRESHOLD = int(os.environ.get("MINIGRAD_PARALLEL_THRESHOLD", 32768))

_TBB_MIN_INTERFACE = 12060

_lock = _pythreading.Lock()
_state = {"layer": None, "reason": "", "libtbb": None, "threads": 1}
#: fast flag read by use_parallel(): None = not decided yet, True/False afterwards
_parallel_ok = None


def _find_libtbb():
    """Path of libtbb.so.12 shipped by the ``tbb`` PyPI package, or None."""
    try:
        from importlib.metadata import distribution, PackageNotFoundError
    except ImportError:  # pragma: no cover
        return None
    try:
        dist = distribution("tbb")
    except PackageNotFoundError:
        dist = None
    if dist is not None:
        for f in dist.files or ():
            if f.name == "libtbb.so.12":
                p = str(dist.locate_file(f))
                if os.path.exists(p):
                    return os.path.realpath(p)
    for prefix in (sys.prefix, getattr(sys, "base_prefix", sys.prefix)):
        p = os.path.join(prefix, "lib", "libtbb.so.12")
        if os.path.exists(p):
            return p
    return None


def _load_tbb():
    """Load libtbb RTLD_GLOBAL.  Returns (ok, description)."""
    if not sys.platform.startswith("linux"):
        # numba's own lookup handles tbb on other platforms (conda installs).
        return False, f"tbb preloading is only implemented on Linux ({sys.platform})"
    path = _find_libtbb()
    name = path or "libtbb.so.12"
    try:
        lib = ctypes.CDLL(name, mode=ctypes.RTLD_GLOBAL)
        fn = lib.TBB_runtime_interface_version
        fn.restype = ctypes.c_int
        fn.argtypes = []
        ver = fn()
    except (OSError, AttributeError) as exc:
        return False, f"libtbb.so.12 not available ({exc.__class__.__name__}: {exc})"
    if ver < _TBB_MIN_INTERFACE:
        return False, f"{name} has TBB interface {ver} < {_TBB_MIN_INTERFACE}"
    try:
        from numba.np.ufunc import tbbpool  # noqa: F401
    except ImportError as exc:  # pragma: no cover
        return False, f"numba was built without the tbb layer ({exc})"
    _state["libtbb"] = name
    return True, f"{name} (interface {ver})"


def _configure():
    """Runs at import: pick the layer before any parallel kernel compiles."""
    global _parallel_ok
    if os.environ.get("MINIGRAD_PARALLEL", "1").strip().lower() in ("0", "false", "no", "off"):
        _state.update(layer="serial", reason="MINIGRAD_PARALLEL=0")
        _parallel_ok = False
        return
    if os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0"):
        _state.update(layer="serial", reason="NUMBA_DISABLE_JIT is set")
        _parallel_ok = False
        return
    user_layer = os.environ.get("NUMBA_THREADING_LAYER", "").strip().lower()
    if user_layer and user_layer not in ("default", "tbb", "safe"):
        _state.update(layer="serial",
                      reason=f"NUMBA_THREADING_LAYER={user_layer} (only tbb is used by minigrad)")
        _parallel_ok = False
        return
    ok, why = _load_tbb()
    if not ok:
        _state.update(layer="serial", reason=why + "; install minigrad[parallel] for threads")
        _parallel_ok = False
        return
    try:
        from numba.np.ufunc import parallel as _npar
        launched = _npar._is_initialized
    except Exception:  # pragma: no cover
        launched = False
    if not launched:
        numba.config.THREADING_LAYER = "tbb"
    _state.update(layer=None, reason="tbb " + why)
    # threads are launched lazily, on the first call above PARALLEL_THRESHOLD


def _launch():
    """Launch numba's threads (once) and check the layer really is tbb."""
    global _parallel_ok
    with _lock:
        if _parallel_ok is not None:
            return _parallel_ok
        try:
            from numba.np.ufunc import parallel as _npar
            _npar._launch_threads()
            layer = numba.threading_layer()
        except Exception as exc:  # pragma: no cover
            _state.update(layer="serial", reason=f"numba could not launch tbb threads: {exc}")
            _parallel_ok = False
            return False
        if layer != "tbb":
            _state.update(layer="serial",
                          reason=f"numba threads already launched with the {layer!r} layer")
            _parallel_ok = False
            return False
        n = numba.get_num_threads()
        _state.update(layer="tbb", threads=n)
        if n < 2:
            _state["reason"] += "; only 1 numba thread: serial kernels"
            _parallel_ok = False
            return False
        _parallel_ok = True
        return True


def parallel_available():
    """True when the parallel kernel variants may run (launches threads on first use)."""
    ok = _parallel_ok
    if ok is None:
        ok = _launch()
    return ok


def use_parallel(size):
    """Whether a kernel over ``size`` elements should use its prange variant."""
    if size < PARALLEL_THRESHOLD:
        return False
    ok = _parallel_ok
    if ok is None:
        ok = _launch()
    return ok


def num_threads():
    """numba threads the parallel kernels split over (1 when serial)."""
    return _state["threads"] if _parallel_ok else 1


def threading_layer():
    """``"tbb"`` or ``"serial"`` (decides, launching threads, if not decided yet)."""
    parallel_available()
    return "tbb" if _parallel_ok else "serial"


def threading_info():
    """A dict describing the decision: layer, reason, libtbb path, threads, threshold."""
    parallel_available()
    return {
        "layer": "tbb" if _parallel_ok else "serial",
        "parallel": bool(_parallel_ok),
        "reason": _state["reason"],
        "libtbb": _state["libtbb"],
        "threads": _state["threads"] if _parallel_ok else 1,
        "parallel_threshold": PARALLEL_THRESHOLD,
    }


_configure()
