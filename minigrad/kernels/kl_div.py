"""KL divergence's pointwise loss, forward only, elementwise on flat arrays.

``kl_div_forward(x, t, log_target, reduce=False)`` -> ``loss`` of x's shape and dtype, or
with ``reduce=True`` the sum of ``loss`` alone as a Python float (no array is written; the
sum goes by blocks of ``SUM_BLOCK`` elements, the same bits serial or parallel).  torch's
forward element by element:

* ``log_target=False``: ``xlogy(t, t) - t x``, i.e. ``t log t - t x`` with the first term 0
  where ``t == 0`` (a nan ``t`` stays nan);
* ``log_target=True``: ``e^t (t - x)``.

x and t: one float32/float64 dtype, one shape (the caller broadcasts).  The logs and
exps are ``flog``/``fexp`` (~1 ulp; numpy's float32 ``log`` costs ~4.5 ns an element
here, and the numpy form makes four passes over memory).  The plain-numpy form, what
runs under ``minigrad.set_kernels(False)``: ``kl_div_forward`` in
``minigrad/ops/loss_elementwise.py``.
"""
from __future__ import annotations

import numba
import numpy as np
from numba import prange

from ._common import SUM_BLOCK, SUM_RUN, as_float, n_blocks, n_chunks, use_parallel
from ._jitmath import fexp, flog, kernel, quiet_in_python, radd, scalar_of

__all__ = ["kl_div_forward"]

_U = np.uint64  # unsigned loop bounds: the loops vectorise
_NO_CONTRACT = frozenset({"nsz"})  # no "contract": t log t - t x is two roundings, as torch's two ops


def _chunk_helper(fn):
    """An inlined per-chunk loop, compiled without fused multiply-adds (near-cancelling
    terms would keep digits torch's separate ops round away)."""
    return numba.njit(nogil=True, error_model="numpy", fastmath=set(_NO_CONTRACT))(fn)


@_chunk_helper
def _kl_block(x, t, keep, loss, i0, i1):
    """Elements i0..i1 of ``t log t - t x`` (0 for the first term where t == 0), written to
    ``loss`` if ``keep``; returns their sum."""
    zero = scalar_of(x, 0.0)
    total = 0.0
    for j in range(i0, i1, SUM_RUN):  # runs summed in the arrays' dtype (they vectorise), then in float64
        s = zero
        for i in range(_U(j), _U(min(j + SUM_RUN, i1))):
            ti = t[i]
            l = (zero if ti == zero else ti * flog(ti)) - ti * x[i]
            if keep:
                loss[i] = l
            s = radd(s, l)
        total += float(s)
    return total


@_chunk_helper
def _kl_log_target_block(x, t, keep, loss, i0, i1):
    """Elements i0..i1 of ``e^t (t - x)``, as _kl_block."""
    total = 0.0
    for j in range(i0, i1, SUM_RUN):
        s = scalar_of(x, 0.0)
        for i in range(_U(j), _U(min(j + SUM_RUN, i1))):
            ti = t[i]
            l = fexp(ti) * (ti - x[i])
            if keep:
                loss[i] = l
            s = radd(s, l)
        total += float(s)
    return total


def _kl(x, t, log_target, keep, loss, block_sums, nch):
    """The blocks in nch chunks of blocks (prange); returns the sum of the block sums, in order."""
    n = x.shape[0]
    nb = block_sums.shape[0]
    for ch in prange(nch):
        for b in range(ch * nb // nch, (ch + 1) * nb // nch):
            i0, i1 = b * SUM_BLOCK, min(n, (b + 1) * SUM_BLOCK)
            if log_target:
                block_sums[b] = _kl_log_target_block(x, t, keep, loss, i0, i1)
            else:
                block_sums[b] = _kl_block(x, t, keep, loss, i0, i1)
    s = 0.0
    for b in range(nb):
        s += block_sums[b]
    return s


_kl_ser = quiet_in_python(kernel(fastmath=_NO_CONTRACT)(_kl))
_kl_par = quiet_in_python(kernel(parallel=True, fastmath=_NO_CONTRACT)(_kl))


def kl_div_forward(x, t, log_target=False, reduce=False):
    x = as_float(x)
    t = as_float(t, x.dtype)
    if t.shape != x.shape:
        raise ValueError(f"kl_div: target shape {t.shape} != input shape {x.shape}")
    loss = np.empty((1,) if reduce else x.shape, x.dtype)
    n = x.size
    par = use_parallel(n)
    block_sums = np.empty(n_blocks(n))
    s = (_kl_par if par else _kl_ser)(x.reshape(-1), t.reshape(-1), bool(log_target), not reduce,
                                      loss.reshape(-1), block_sums, n_chunks(block_sums.size, par))
    return float(s) if reduce else loss
