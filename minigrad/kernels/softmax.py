"""Softmax / log-softmax forward and backward along one axis.

The math in plain numpy, to read first: ``softmax_forward``, ``log_softmax_forward`` and their
backwards in ``minigrad/ops/softmax.py`` (what runs under ``minigrad.set_kernels(False)``).

The input is C-contiguous and viewed as (N, C, S): N = product of the dims before
the axis, C = the axis, S = product of the dims after it.  S == 1 (the usual (N, C)
case) runs a row kernel; S > 1 runs a tile kernel that walks the class axis with
stride S and vectorises over contiguous positions, without transposed copies.

Entry points (all return new arrays of the input's shape; float32 in -> float32 out,
float64 -> float64, other dtypes are computed in float64, float16 in float32):

* ``softmax_forward(x, axis=-1)``
* ``log_softmax_forward(x, axis=-1)``
* ``softmax_backward(grad_out, out, axis=-1)``      -> ``out * (g - sum(g * out))``
* ``log_softmax_backward(grad_out, out, axis=-1)``  -> ``g - exp(out) * sum(g)``

``out`` is the forward result.  Each has a ``*_reference`` in plain numpy.
"""
from __future__ import annotations

import numpy as np
from numba import prange

from ._common import as_float, split_ncs, tile_width, n_chunks, use_parallel
from ._jitmath import (ROWBLOCK, fexp, flog, fmax, helper, kernel, quiet_in_python, radd,
                       scalar_of, transpose_in, transpose_out)

__all__ = ["softmax_forward", "log_softmax_forward", "softmax_backward", "log_softmax_backward",
           "softmax_reference", "log_softmax_reference", "softmax_backward_reference",
           "log_softmax_backward_reference"]


# --------------------------------------------------------------------------- #
# numpy references
# --------------------------------------------------------------------------- #
def _ref_ncs(x, axis):
    x = np.asarray(x)
    N, C, S, _ = split_ncs(x.shape, axis)
    return x.reshape(N, C, S)


def log_softmax_reference(x, axis=-1):
    x3 = _ref_ncs(x, axis)
    if x3.size == 0:
        return np.empty(np.shape(x), x3.dtype)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        m = np.max(x3, axis=1, keepdims=True)
        d = x3 - m
        out = d - np.log(np.sum(np.exp(d), axis=1, keepdims=True))
    return out.reshape(np.shape(x))


def softmax_reference(x, axis=-1):
    x3 = _ref_ncs(x, axis)
    if x3.size == 0:
        return np.empty(np.shape(x), x3.dtype)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        m = np.max(x3, axis=1, keepdims=True)
        e = np.exp(x3 - m)
        out = e / np.sum(e, axis=1, keepdims=True)
    return out.reshape(np.shape(x))


def softmax_backward_reference(grad_out, out, axis=-1):
    g3, s3 = _ref_ncs(grad_out, axis), _ref_ncs(out, axis)
    with np.errstate(invalid="ignore", over="ignore"):
        r = s3 * (g3 - np.sum(g3 * s3, axis=1, keepdims=True))
    return r.reshape(np.shape(out))


def log_softmax_backward_reference(grad_out, out, axis=-1):
    g3, o3 = _ref_ncs(grad_out, axis), _ref_ncs(out, axis)
    with np.errstate(invalid="ignore", over="ignore"):
        r = g3 - np.exp(o3) * np.sum(g3, axis=1, keepdims=True)
    return r.reshape(np.shape(out))


# --------------------------------------------------------------------------- #
# kernels
#
# Row kernels take 2-D (N, C) views: with a 2-D index the wraparound test on the row
# index is loop-invariant and the class index comes from range(C), so LLVM sees
# non-negative contiguous accesses and vectorises.  (Flat indexing ``x[i*C + c]``
# with a row range that does not start at a literal 0 -- as in every prange chunk --
# defeats that: per-element wraparound selects and scalarised loads, 2-3x slower.)
# Tile kernels index flat arrays with uint64 offsets for the same reason.
# The work of a chunk of rows/tiles lives in a helper; the kernel is a prange over
# chunks (one chunk for the serial variant).
# --------------------------------------------------------------------------- #
_U = np.uint64
#: classes up to which (N, C) forward passes take the transposed-block path, per dtype.
#: Measured (2 cores, AVX2, serial): float32 1.1-2x faster up to C = 32, slower at 64;
#: float64 1.2-1.4x faster at C = 10, slower from 20.  The backward passes need no log
#: and were 1.5-2x *slower* transposed (three transposes), so they never do.
SMALL_C_FWD = {np.dtype(np.float32): 32, np.dtype(np.float64): 16}


@helper
def _fwd_rows_chunk(x, out, i0, i1, log):
    """Rows i0..i1 of ``m = x.max(1); e = exp(x - m); s = e.sum(1)`` and then
    ``out = (x - m) - log(s)`` (log) or ``out = e * (1 / s)``.  Only the sums are
    reordered (radd); ``(x - m) - log(s)`` keeps its order, so the small ``log(s)``
    is never rounded against a large ``m``."""
    C = x.shape[1]
    one = scalar_of(x, 1.0)
    for i in range(i0, i1):
        m = x[i, 0]
        for c in range(1, C):
            m = fmax(m, x[i, c])
        s = scalar_of(x, 0.0)
        if log:
            for c in range(C):
                s = radd(s, fexp(x[i, c] - m))
            ls = np.log(s)
            for c in range(C):
                out[i, c] = (x[i, c] - m) - ls
        else:
            for c in range(C):
                e = fexp(x[i, c] - m)
                out[i, c] = e
                s = radd(s, e)
            inv = one / s
            for c in range(C):
                out[i, c] *= inv


@helper
def _bwd_rows_chunk(g, o, gx, i0, i1, log):
    """Rows i0..i1 of ``gx = g - exp(o) * g.sum(1)`` (log) or
    ``gx = o * (g - (g * o).sum(1))``; the sums via radd."""
    C = g.shape[1]
    for i in range(i0, i1):
        s = scalar_of(g, 0.0)
        if log:
            for c in range(C):
                s = radd(s, g[i, c])
            for c in range(C):
                gx[i, c] = g[i, c] - fexp(o[i, c]) * s
        else:
            for c in range(C):
                s = radd(s, g[i, c] * o[i, c])
            for c in range(C):
                gx[i, c] = o[i, c] * (g[i, c] - s)


@helper
def _fwd_tile(x, out, base, Su, C, L, m, acc, log):
    """One tile: L positions at x[base + j], classes at stride Su; the forward of
    _fwd_rows_chunk with the class loop outside, vectorised over positions j (no
    horizontal sums, so nothing needs reordering)."""
    one = scalar_of(x, 1.0)
    for j in range(L):
        m[j] = x[base + _U(j)]
        acc[j] = 0.0
    for c in range(1, C):
        o = base + _U(c) * Su
        for j in range(L):
            m[j] = fmax(m[j], x[o + _U(j)])
    if log:
        for c in range(C):
            o = base + _U(c) * Su
            for j in range(L):
                acc[j] += fexp(x[o + _U(j)] - m[j])
        for j in range(L):
            acc[j] = flog(acc[j])
        for c in range(C):
            o = base + _U(c) * Su
            for j in range(L):
                out[o + _U(j)] = (x[o + _U(j)] - m[j]) - acc[j]
    else:
        for c in range(C):
            o = base + _U(c) * Su
            for j in range(L):
                e = fexp(x[o + _U(j)] - m[j])
                out[o + _U(j)] = e
                acc[j] += e
        for j in range(L):
            acc[j] = one / acc[j]
        for c in range(C):
            o = base + _U(c) * Su
            for j in range(L):
                out[o + _U(j)] *= acc[j]


@helper
def _bwd_tile(g, o, gx, base, Su, C, L, acc, log):
    """One tile of _bwd_rows_chunk's formulas, vectorised over positions j."""
    for j in range(L):
        acc[j] = 0.0
    if log:
        for c in range(C):
            k = base + _U(c) * Su
            for j in range(L):
                acc[j] += g[k + _U(j)]
        for c in range(C):
            k = base + _U(c) * Su
            for j in range(L):
                gx[k + _U(j)] = g[k + _U(j)] - fexp(o[k + _U(j)]) * acc[j]
    else:
        for c in range(C):
            k = base + _U(c) * Su
            for j in range(L):
                acc[j] += g[k + _U(j)] * o[k + _U(j)]
        for c in range(C):
            k = base + _U(c) * Su
            for j in range(L):
                gx[k + _U(j)] = o[k + _U(j)] * (g[k + _U(j)] - acc[j])


@helper
def _fwd_tiles_chunk(x, out, N, C, S, B, t0, t1, log, work):
    """Tiles t0..t1; ``work`` (2 * B) is this chunk's scratch."""
    nb = (S + B - 1) // B
    m = work[:B]
    acc = work[B:2 * B]
    for tile in range(t0, t1):
        n = tile // nb
        s0 = (tile - n * nb) * B
        _fwd_tile(x, out, _U(n * C * S + s0), _U(S), C, min(B, S - s0), m, acc, log)


@helper
def _bwd_tiles_chunk(g, o, gx, N, C, S, B, t0, t1, log, acc):
    """Tiles t0..t1; ``acc`` (B) is this chunk's scratch."""
    nb = (S + B - 1) // B
    for tile in range(t0, t1):
        n = tile // nb
        s0 = (tile - n * nb) * B
        _bwd_tile(g, o, gx, _U(n * C * S + s0), _U(S), C, min(B, S - s0), acc, log)


@helper
def _fwd_small_chunk(x, out, i0, i1, log, work):
    """Rows with few classes: per-row loops would be dominated by loop overhead and a
    scalar log per row, so blocks of ROWBLOCK rows are transposed into a class-major
    scratch tile and run through the tile kernel (vectorised across rows).  ``work``
    (2 * C * ROWBLOCK + 2 * ROWBLOCK) is this chunk's scratch."""
    C = x.shape[1]
    R = ROWBLOCK
    T = work[:C * R]
    O = work[C * R:2 * C * R]
    m = work[2 * C * R:2 * C * R + R]
    acc = work[2 * C * R + R:2 * C * R + 2 * R]
    for b0 in range(i0, i1, R):
        n = min(R, i1 - b0)
        transpose_in(x, b0, n, R, T)
        _fwd_tile(T, O, _U(0), _U(R), C, n, m, acc, log)
        transpose_out(O, b0, n, R, out)


def _fwd_rows(x, out, nch, log, small, work):
    """(N, C): ``log_softmax(x, 1)`` / ``softmax(x, 1)`` over nch row chunks (prange);
    ``work[ch]``: chunk ch's scratch for the transposed-block path (allocated by the caller:
    a kernel that calls ``np.empty`` makes every process import numba's array module)."""
    N = x.shape[0]
    for ch in prange(nch):
        if small:
            _fwd_small_chunk(x, out, ch * N // nch, (ch + 1) * N // nch, log, work[ch])
        else:
            _fwd_rows_chunk(x, out, ch * N // nch, (ch + 1) * N // nch, log)


def _bwd_rows(g, o, gx, nch, log):
    """(N, C): the softmax / log-softmax gradient (_bwd_rows_chunk) over nch chunks."""
    N = g.shape[0]
    for ch in prange(nch):
        _bwd_rows_chunk(g, o, gx, ch * N // nch, (ch + 1) * N // nch, log)


def _fwd_tiles(x, out, N, C, S, B, nch, log, work):
    """Flat (N, C, S): ``log_softmax(x, 1)`` / ``softmax(x, 1)``, tiles of B positions;
    ``work`` (nch, 2 * B): per-chunk scratch."""
    nt = N * ((S + B - 1) // B)
    for ch in prange(nch):
        _fwd_tiles_chunk(x, out, N, C, S, B, ch * nt // nch, (ch + 1) * nt // nch, log, work[ch])


def _bwd_tiles(g, o, gx, N, C, S, B, nch, log, work):
    """Flat (N, C, S): the gradient of _fwd_tiles, tiles of B positions; ``work``
    (nch, B): per-chunk scratch."""
    nt = N * ((S + B - 1) // B)
    for ch in prange(nch):
        _bwd_tiles_chunk(g, o, gx, N, C, S, B, ch * nt // nch, (ch + 1) * nt // nch, log, work[ch])


_fwd_rows_ser = quiet_in_python(kernel()(_fwd_rows))
_fwd_rows_par = quiet_in_python(kernel(parallel=True)(_fwd_rows))
_fwd_tiles_ser = quiet_in_python(kernel()(_fwd_tiles))
_fwd_tiles_par = quiet_in_python(kernel(parallel=True)(_fwd_tiles))
_bwd_rows_ser = quiet_in_python(kernel()(_bwd_rows))
_bwd_rows_par = quiet_in_python(kernel(parallel=True)(_bwd_rows))
_bwd_tiles_ser = quiet_in_python(kernel()(_bwd_tiles))
_bwd_tiles_par = quiet_in_python(kernel(parallel=True)(_bwd_tiles))


# --------------------------------------------------------------------------- #
# entry points
# --------------------------------------------------------------------------- #
def _forward(x, axis, log):
    x = as_float(x)
    out = np.empty_like(x)
    if x.ndim == 2 and (axis == 1 or axis == -1):      # fast path: (N, C), class axis last
        N, C = x.shape
        S = 1
    else:
        N, C, S, _ = split_ncs(x.shape, axis)
    if x.size == 0:
        return out
    par = use_parallel(x.size)
    if S == 1:
        if x.ndim != 2:
            x, out2 = x.reshape(N, C), out.reshape(N, C)
        else:
            out2 = out
        nch = n_chunks(N, par)
        small = C <= SMALL_C_FWD[x.dtype]
        work = np.empty((nch, 2 * C * ROWBLOCK + 2 * ROWBLOCK if small else 0), x.dtype)
        (_fwd_rows_par if par else _fwd_rows_ser)(x, out2, nch, log, small, work)
    else:
        B = tile_width(C, S, x.itemsize)
        nch = n_chunks(N * ((S + B - 1) // B), par)
        (_fwd_tiles_par if par else _fwd_tiles_ser)(x.reshape(-1), out.reshape(-1),
                                                      N, C, S, B, nch, log, np.empty((nch, 2 * B), x.dtype))
    return out


def _backward(grad_out, out, axis, log):
    o = as_float(out)
    g = as_float(grad_out, o.dtype)
    if g.shape != o.shape:
        g = np.ascontiguousarray(np.broadcast_to(g, o.shape))
    gx = np.empty_like(o)
    if o.ndim == 2 and (axis == 1 or axis == -1):
        N, C = o.shape
        S = 1
    else:
        N, C, S, _ = split_ncs(o.shape, axis)
    if o.size == 0:
        return gx
    par = use_parallel(o.size)
    if S == 1:
        if o.ndim == 2:
            (_bwd_rows_par if par else _bwd_rows_ser)(g, o, gx, n_chunks(N, par), log)
        else:
            (_bwd_rows_par if par else _bwd_rows_ser)(g.reshape(N, C), o.reshape(N, C),
                                                        gx.reshape(N, C), n_chunks(N, par), log)
    else:
        B = tile_width(C, S, o.itemsize)
        nch = n_chunks(N * ((S + B - 1) // B), par)
        (_bwd_tiles_par if par else _bwd_tiles_ser)(g.reshape(-1), o.reshape(-1), gx.reshape(-1),
                                                      N, C, S, B, nch, log, np.empty((nch, B), o.dtype))
    return gx


def softmax_forward(x, axis=-1):
    """Softmax of ``x`` along ``axis`` (max-shifted; an all ``-inf`` row gives nan)."""
    return _forward(x, axis, False)


def log_softmax_forward(x, axis=-1):
    """Log-softmax of ``x`` along ``axis``."""
    return _forward(x, axis, True)


def softmax_backward(grad_out, out, axis=-1):
    """Gradient of softmax: ``out * (grad_out - sum(grad_out * out, axis))``."""
    return _backward(grad_out, out, axis, False)


def log_softmax_backward(grad_out, out, axis=-1):
    """Gradient of log-softmax: ``grad_out - exp(out) * sum(grad_out, axis)``."""
    return _backward(grad_out, out, axis, True)
