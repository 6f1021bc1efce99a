"""KL divergence's pointwise loss, forward only, elementwise on flat arrays.

``kl_div_forward(x, t, log_target)`` -> ``loss`` of x's shape and dtype, torch's forward
element by element:

* ``log_target=False``: ``xlogy(t, t) - t x``, i.e. ``t log t - t x`` with the first term 0
  where ``t == 0`` (a nan ``t`` stays nan);
* ``log_target=True``: ``e^t (t - x)``.

x and t: one float32/float64 dtype, one shape (the caller broadcasts).  The logs and
exps are ``flog``/``fexp`` (~1 ulp; numpy's float32 ``log`` costs ~4.5 ns an element
here, and the numpy form makes four passes over memory).  The plain-numpy form, what
runs under ``minigrad.set_kernels(False)``: ``kl_div_forward`` in
``minigrad/ops/loss_elementwise.py``; the reduction stays numpy's ``sum`` of the result.
"""
from __future__ import annotations

import numba
import numpy as np
from numba import prange

from ._common import as_float, n_chunks, use_parallel
from ._jitmath import fexp, flog, kernel, quiet_in_python, scalar_of

__all__ = ["kl_div_forward"]

_U = np.uint64  # unsigned loop bounds: the loops vectorise
_NO_CONTRACT = frozenset({"nsz"})  # no "contract": t log t - t x is two roundings, as torch's two ops


def _chunk_helper(fn):
    """An inlined per-chunk loop, compiled without fused multiply-adds (near-cancelling
    terms would keep digits torch's separate ops round away)."""
    return numba.njit(nogil=True, error_model="numpy", fastmath=set(_NO_CONTRACT))(fn)


@_chunk_helper
def _kl_chunk(x, t, loss, i0, i1):
    """Elements i0..i1 of ``t log t - t x`` (0 for the first term where t == 0)."""
    zero = scalar_of(x, 0.0)
    for i in range(_U(i0), _U(i1)):
        ti = t[i]
        loss[i] = (zero if ti == zero else ti * flog(ti)) - ti * x[i]


@_chunk_helper
def _kl_log_target_chunk(x, t, loss, i0, i1):
    """Elements i0..i1 of ``e^t (t - x)``."""
    for i in range(_U(i0), _U(i1)):
        ti = t[i]
        loss[i] = fexp(ti) * (ti - x[i])


def _kl(x, t, log_target, loss, nch):
    n = x.shape[0]
    for ch in prange(nch):
        if log_target:
            _kl_log_target_chunk(x, t, loss, ch * n // nch, (ch + 1) * n // nch)
        else:
            _kl_chunk(x, t, loss, ch * n // nch, (ch + 1) * n // nch)


_kl_ser = quiet_in_python(kernel(fastmath=_NO_CONTRACT)(_kl))
_kl_par = quiet_in_python(kernel(parallel=True, fastmath=_NO_CONTRACT)(_kl))


def kl_div_forward(x, t, log_target=False):
    x = as_float(x)
    t = as_float(t, x.dtype)
    if t.shape != x.shape:
        raise ValueError(f"kl_div: target shape {t.shape} != input shape {x.shape}")
    loss = np.empty_like(x)
    n = x.size
    par = use_parallel(n)
    (_kl_par if par else _kl_ser)(x.reshape(-1), t.reshape(-1), bool(log_target), loss.reshape(-1),
                                  n_chunks(n, par))
    return loss
