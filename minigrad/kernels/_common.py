"""Python-side input normalisation shared by the kernel entry points."""
from __future__ import annotations

import threading

import numpy as np

from . import threading as _th

F32 = np.dtype(np.float32)
F64 = np.dtype(np.float64)
I64 = np.dtype(np.int64)
_EMPTY = {F32: np.empty(0, F32), F64: np.empty(0, F64)}

use_parallel = _th.use_parallel


def as_float(x, dtype=None):
    # (dtype identity checks: builtin dtypes are singletons; anything else takes the
    # slow path below, which is correct, just not free)
    """C-contiguous float32/float64 ndarray.

    float32 stays float32, float16 becomes float32, anything else float64; with
    ``dtype`` given, that dtype.  No copy when already in that form.
    """
    if type(x) is np.ndarray:
        dt = x.dtype
        if (dt is F32 or dt is F64 if dtype is None else dt is dtype) and x.flags.c_contiguous:
            return x
    x = np.asarray(x)
    if dtype is None:
        dt = x.dtype
        if dt == F32 or dt == F64:
            dtype = dt
        elif dt == np.float16:
            dtype = F32
        else:
            dtype = F64
    return np.asarray(x, dtype=dtype, order="C")   # keeps 0-d arrays 0-d


def as_index(t):
    """C-contiguous int64 ndarray of class indices."""
    if type(t) is np.ndarray and t.dtype is I64 and t.flags.c_contiguous:
        return t
    t = np.asarray(t)
    if t.dtype.kind not in "iub":
        raise TypeError(f"class-index targets must be integers, got {t.dtype}")
    return np.ascontiguousarray(t, dtype=I64)


def optional_vector(w, C, dtype, name):
    """(array, has) for an optional per-class vector of length C."""
    if w is None:
        return _EMPTY[dtype], False
    w = as_float(w, dtype).reshape(-1)
    if w.shape[0] != C:
        raise ValueError(f"{name} must have {C} elements, got {w.shape[0]}")
    return w, True


def optional_full(w, shape, dtype, name):
    """(flat array, has) for an optional array already broadcast to ``shape``."""
    if w is None:
        return _EMPTY[dtype], False
    w = as_float(w, dtype)
    if w.shape != shape:
        w = np.ascontiguousarray(np.broadcast_to(w, shape))
    return w.reshape(-1), True


def split_ncs(shape, axis):
    """View ``shape`` as (N, C, S) around ``axis``; returns (N, C, S, axis)."""
    nd = len(shape)
    if nd == 0:
        if axis not in (0, -1):
            raise IndexError(f"Dimension out of range (expected to be in range of [-1, 0], but got {axis})")
        return 1, 1, 1, 0
    if not -nd <= axis < nd:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {axis})")
    axis %= nd
    N = 1
    for d in shape[:axis]:
        N *= d
    S = 1
    for d in shape[axis + 1:]:
        S *= d
    return N, shape[axis], S, axis


def tile_width(C, S, itemsize):
    """Positions per tile for the (N, C, S>1) kernels: the C x B tile of the input
    and of the output stay in L2 (~256 KiB together)."""
    b = (1 << 15) // max(1, C * itemsize)
    b = max(16, min(1024, b))
    b -= b % 8
    return S if S <= b else b


def n_chunks(ntiles, parallel):
    """Chunks a prange splits into: 1 when serial, else ~8 per thread (load balance)."""
    if not parallel:
        return 1
    return max(1, min(ntiles, 8 * _th.num_threads()))


#: Elements per block of a loss-only kernel's sum (``bce_forward(..., reduce=True)`` & co.):
#: each block is summed by one thread, then the block sums in order, so the total has the
#: same bits with any number of threads.  Inside a block, runs of ``SUM_RUN`` elements are
#: summed in the arrays' dtype (a float32 sum vectorises; a float64 one of float32 terms
#: costs a fifth more time) and the runs in float64: even summed one by one, a float32 run's
#: rounding stays below 128 eps of its terms' magnitudes.
SUM_BLOCK = 4096
SUM_RUN = 128


def n_blocks(n):
    return (n + SUM_BLOCK - 1) // SUM_BLOCK


_kept = threading.local()  # per thread: {key: scratch}, see kept_scratch
_KEPT_KEYS = 16


def kept_scratch(key, make):
    """The scratch arrays ``make()`` returns, kept for this thread's next call with the same
    ``key`` (a few allocations are a tenth of a small loss's call).  A kernel writes and reads
    its scratch within one call, so one set per thread is safe with threads; never return
    kept scratch to a caller.  At most 16 keys a thread."""
    sets = getattr(_kept, "sets", None)
    if sets is None:
        sets = _kept.sets = {}
    found = sets.get(key)
    if found is None:
        if len(sets) >= _KEPT_KEYS:
            sets.clear()
        found = sets[key] = make()
    return found
