"""numba's on-disk cache for the kernels, made so that it can never break a call.

numba's own ``cache=True`` fails in two ways that have nothing to do with the
kernels:

* **nowhere to write**: with no writable ``__pycache__`` beside the source, no
  writable user cache dir (``~/.cache/numba``) and no usable ``NUMBA_CACHE_DIR``
  (a read-only install, a container, a system Python), ``cache=True`` raises
  ``RuntimeError: cannot cache function ...: no locator available`` when the
  module is *imported*;
* **a damaged entry**: a truncated or empty index (``.nbi``) or data file
  (``.nbc``), left by a full disk or a killed process, makes every later first
  call raise ``UnpicklingError``/``EOFError`` until the file is deleted by hand.

:func:`attach_cache` gives a dispatcher a :class:`RobustFunctionCache` instead:
if no cache location is writable the kernels compile in memory (every new
process compiles again) and a :class:`KernelCacheWarning` says so once, at the
first compile; an entry that cannot be read is deleted and the kernel is
recompiled (and saved again); a failed save keeps the compiled kernel in memory.
:func:`cache_info` reports what happened.  Under ``NUMBA_DISABLE_JIT=1`` nothing
is compiled and nothing is cached.

The warning is raised inside the first call that compiles; with warnings turned into
errors (``-W error``) that call raises it, so silence it by category if need be:
``warnings.filterwarnings("ignore", category=minigrad.kernels.KernelCacheWarning)``.
"""
from __future__ import annotations

import os
import threading
import warnings

import numba

__all__ = ["KernelCacheWarning", "attach_cache", "cached_njit", "cache_info"]


class KernelCacheWarning(RuntimeWarning):
    """The on-disk kernel cache could not be used; kernels compile in memory."""


_lock = threading.Lock()
_state = {
    "disk": [],          # names of kernels with an on-disk cache
    "memory": [],        # names of kernels compiled in memory only
    "dirs": set(),       # cache directories in use
    "reason": "",        # why some kernels have no on-disk cache
    "discarded": [],     # unreadable cache files that were deleted
    "errors": [],        # other load/save failures (kept in memory)
    "warned": set(),     # kinds of problem already warned about
}


def _jit_disabled():
    return bool(numba.config.DISABLE_JIT)


def _warn_once(kind, message):
    """One :class:`KernelCacheWarning` per process for each kind of problem
    (``"memory"``, ``"discard"``, ``"save"``), however many kernels it hits."""
    with _lock:
        if kind in _state["warned"]:
            return
        _state["warned"].add(kind)
    warnings.warn(message, KernelCacheWarning, stacklevel=2)


def _note(key, value):
    with _lock:
        _state[key].append(value)


try:
    from numba.core.caching import FunctionCache as _FunctionCache, NullCache as _NullCache
except ImportError:  # pragma: no cover - numba internals moved
    _FunctionCache = _NullCache = None


def _light_init(target_context):
    """Make the process ready to run cached machine code: the NRT's symbols and its
    compiled helpers (``rtsys.initialize``, idempotent) and the symbols that
    ``numba.cpython.hashing`` registers at import; no typing/lowering registries."""
    from numba.core.runtime import nrt
    import numba.cpython.hashing  # noqa: F401  (adds its LLVM symbols at import)
    nrt.rtsys.initialize(target_context)


if _FunctionCache is not None:

    class RobustFunctionCache(_FunctionCache):
        """numba's ``FunctionCache`` whose load and save never raise.

        ``salt`` is appended to the index key: numba keys an entry on the kernel's own
        source file only, so callers add a hash of the helper modules (and the variant:
        serial/parallel share one Python function, hence one index).
        """

        def __init__(self, py_func, salt=""):
            super().__init__(py_func)
            self.salt = salt

        def _index_key(self, sig, codegen):
            key = super()._index_key(sig, codegen)
            return key + (self.salt,) if self.salt else key

        def load_overload(self, sig, target_context):
            """The cached kernel, or None (compile) if the entry is missing or unreadable;
            an unreadable index or data file is deleted so that the save rewrites it.

            numba's own ``load_overload`` first refreshes the whole target context
            (imports and installs every typing and lowering registry: ~0.3 s, more than
            the rest of a first call together), which only a compile needs.  Loading
            machine code needs the runtime (NRT) symbols alone, so that is all that is
            set up here; numba's compiler still refreshes before any compile.  If the
            light load fails, the entry is tried once more after a full refresh before
            it counts as damaged."""
            try:
                _light_init(target_context)
                with self._guard_against_spurious_io_errors():
                    return self._load_overload(sig, target_context)
            except Exception:
                pass
            try:
                return super().load_overload(sig, target_context)
            except Exception as exc:  # UnpicklingError, EOFError, ... from a damaged file
                self._discard(exc)
                return None

        def save_overload(self, sig, data):
            """Save the compiled kernel; on failure keep it in memory only."""
            try:
                super().save_overload(sig, data)
            except Exception as exc:
                _note("errors", f"{self._name}: save failed: {type(exc).__name__}: {exc}")
                _warn_once("save", f"minigrad: could not save a compiled kernel to the cache in "
                           f"{self._cache_path} ({type(exc).__name__}: {exc}); it is kept "
                           f"in memory and compiled again in the next process")

        def flush(self):
            try:
                super().flush()
            except OSError as exc:
                _note("errors", f"{self._name}: flush failed: {exc}")

        def _discard(self, exc):
            """Delete this function's index and every data file it lists (its other
            signatures are recompiled too); if that is impossible, stop using the cache."""
            cache_file = self._cache_file
            paths = [cache_file._index_path]
            try:
                paths += [cache_file._data_path(n) for n in cache_file._load_index().values()]
            except Exception:
                pass    # the index itself is the damaged file
            removed = []
            for path in paths:
                try:
                    os.unlink(path)
                    removed.append(path)
                except FileNotFoundError:
                    pass
                except OSError as err:
                    # cannot delete (read-only cache): stop reading it, compile in memory
                    self.disable()
                    _note("errors", f"{self._name}: cannot delete {path}: {err}")
            reason = f"{type(exc).__name__}: {exc}"
            _note("discarded", {"files": removed, "error": reason})
            _warn_once("discard", f"minigrad: discarded an unreadable kernel cache entry in "
                       f"{self._cache_path} ({reason}); the kernel is recompiled")

    class InMemoryCache(_NullCache):
        """No on-disk cache: warns once (at the first compile) that kernels compile in memory."""

        def __init__(self, reason):
            self.reason = reason

        def load_overload(self, sig, target_context):
            _warn_once("memory", f"minigrad: no writable cache location for the numba kernels "
                       f"({self.reason}); they are compiled in memory in every process. "
                       f"Set NUMBA_CACHE_DIR to a writable directory to cache them.")
            return None


def attach_cache(dispatcher, salt=""):
    """Give a numba dispatcher an on-disk cache that never fails a call (see the module
    docstring); with no writable location, an in-memory fallback.  Returns ``dispatcher``.
    Does nothing under ``NUMBA_DISABLE_JIT=1`` (plain Python function)."""
    if not hasattr(dispatcher, "py_func") or _jit_disabled():
        return dispatcher
    py_func = dispatcher.py_func
    name = f"{py_func.__module__}.{getattr(py_func, '__qualname__', py_func.__name__)}"
    try:
        if _FunctionCache is None:
            raise RuntimeError("numba.core.caching.FunctionCache is unavailable")
        cache = RobustFunctionCache(dispatcher.py_func, salt)
    except Exception as exc:  # "no locator available", an unreadable source file, ...
        with _lock:
            _state["reason"] = _state["reason"] or f"{type(exc).__name__}: {exc}"
            if name not in _state["memory"]:
                _state["memory"].append(name)
        if _NullCache is not None:
            dispatcher._cache = InMemoryCache(_state["reason"])
        return dispatcher
    dispatcher._cache = cache
    with _lock:
        if name not in _state["disk"]:
            _state["disk"].append(name)
        _state["dirs"].add(cache.cache_path)
    return dispatcher


def cached_njit(**options):
    """``numba.njit(**options)`` with :func:`attach_cache` instead of ``cache=True``."""

    def deco(fn):
        return attach_cache(numba.njit(cache=False, **options)(fn))

    return deco


def cache_info():
    """Where the compiled kernels are cached, as a dict:

    * ``mode``: ``"disk"`` (every kernel has an on-disk cache), ``"memory"`` (none has:
      each process compiles again), ``"mixed"``, or ``"disabled"`` (``NUMBA_DISABLE_JIT=1``);
    * ``cache_dirs``: the directories in use; ``reason``: why a kernel has no disk cache;
    * ``uncached``: the kernels compiled in memory only;
    * ``discarded``: unreadable cache files deleted in this process (and the error);
    * ``errors``: failed saves (the kernel stayed in memory).
    """
    with _lock:
        disk, memory = list(_state["disk"]), list(_state["memory"])
        info = {
            "cache_dirs": sorted(_state["dirs"]),
            "reason": _state["reason"],
            "uncached": memory,
            "discarded": [dict(d) for d in _state["discarded"]],
            "errors": list(_state["errors"]),
        }
    if _jit_disabled():
        mode = "disabled"
    elif memory and disk:
        mode = "mixed"
    elif memory:
        mode = "memory"
    else:
        mode = "disk"
    return {"mode": mode, **info}
