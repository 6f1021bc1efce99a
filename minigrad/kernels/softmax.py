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

For a log-softmax that will be differentiated, ``log_softmax_forward_keep`` also returns
the forward's exps ``e = exp(x - max)`` and ``inv = 1 / sum(e)`` per position, and
``log_softmax_backward_kept(grad_out, e, inv)`` computes ``g - e * inv * sum(g)``: the
same ``exp(out)``, read back instead of computed again (an exp is ~1.5 ns an element on
an AVX2 core: half the backward's time at 4096x1000; the cost is one more array of the
input's size kept until backward).
"""
from __future__ import annotations

import numpy as np
from numba import prange

from ._common import as_float, split_ncs, tile_width, n_chunks, use_parallel
from ._jitmath import (ROWBLOCK, fexp, flog, fmax, helper, kernel, quiet_in_python, radd,
                       scalar_of, transpose_in, transpose_out)

__all__ = ["softmax_forward", "log_softmax_forward", "softmax_backward", "log_softmax_backward",
           "log_softmax_forward_keep", "log_softmax_backward_kept",
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
def _fwd_rows_chunk(x, out, i0, i1, log, keep, ex, inv):
    """Rows i0..i1 of ``m = x.max(1); e = exp(x - m); s = e.sum(1)`` and then
    ``out = (x - m) - log(s)`` (log) or ``out = e * (1 / s)``.  Only the sums are
    reordered (radd); ``(x - m) - log(s)`` keeps its order, so the small ``log(s)``
    is never rounded against a large ``m``.  With ``keep`` (log) e also goes to ``ex``
    (N, C) and 1/s to ``inv`` (N)."""
    C = x.shape[1]
    one = scalar_of(x, 1.0)
    for i in range(i0, i1):
        m = x[i, 0]
        for c in range(1, C):
            m = fmax(m, x[i, c])
        s = scalar_of(x, 0.0)
        if log:
            if keep:
                for c in range(C):
                    e = fexp(x[i, c] - m)
                    ex[i, c] = e
                    s = radd(s, e)
                inv[i] = one / s
            else:
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
            rs = one / s
            for c in range(C):
                out[i, c] *= rs


@helper
def _bwd_rows_chunk(g, o, gx, i0, i1, log, kept, inv):
    """Rows i0..i1 of ``gx = g - exp(o) * g.sum(1)`` (log) or
    ``gx = o * (g - (g * o).sum(1))``; the sums via radd.  With ``kept`` (log), ``o``
    holds the forward's exps and exp(out) = o * inv[i]."""
    C = g.shape[1]
    for i in range(i0, i1):
        s = scalar_of(g, 0.0)
        if log:
            for c in range(C):
                s = radd(s, g[i, c])
            if kept:
                a = s * inv[i]
                for c in range(C):
                    gx[i, c] = g[i, c] - o[i, c] * a
                continue
            for c in range(C):
                gx[i, c] = g[i, c] - fexp(o[i, c]) * s
        else:
            for c in range(C):
                s = radd(s, g[i, c] * o[i, c])
            for c in range(C):
                gx[i, c] = o[i, c] * (g[i, c] - s)


@helper
def _tile_max(x, base, Su, C, L, m):
    """m[j] = max over the classes of position j (a tile: x[base + c * Su + j])."""
    for j in range(L):
        m[j] = x[base + _U(j)]
    for c in range(1, C):
        o = base + _U(c) * Su
        for j in range(L):
            m[j] = fmax(m[j], x[o + _U(j)])


@helper
def _tile_log_out(x, out, base, Su, C, L, m, ls):
    """out = (x - m[j]) - ls[j], in that order."""
    for c in range(C):
        o = base + _U(c) * Su
        for j in range(L):
            out[o + _U(j)] = (x[o + _U(j)] - m[j]) - ls[j]


@helper
def _fwd_tile(x, out, base, Su, C, L, m, acc, log):
    """One tile: L positions at x[base + j], classes at stride Su; the forward of
    _fwd_rows_chunk with the class loop outside, vectorised over positions j (no
    horizontal sums, so nothing needs reordering)."""
    one = scalar_of(x, 1.0)
    _tile_max(x, base, Su, C, L, m)
    for j in range(L):
        acc[j] = 0.0
    if log:
        for c in range(C):
            o = base + _U(c) * Su
            for j in range(L):
                acc[j] += fexp(x[o + _U(j)] - m[j])
        for j in range(L):
            acc[j] = flog(acc[j])
        _tile_log_out(x, out, base, Su, C, L, m, acc)
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
def _fwd_tile_keep(x, out, base, Su, C, L, m, acc, ex, inv, p0):
    """_fwd_tile's log-softmax that also writes the exps to ``ex`` (laid out as x) and
    1/s to ``inv[p0 + j]``."""
    one = scalar_of(x, 1.0)
    _tile_max(x, base, Su, C, L, m)
    for j in range(L):
        acc[j] = 0.0
    for c in range(C):
        o = base + _U(c) * Su
        for j in range(L):
            e = fexp(x[o + _U(j)] - m[j])
            ex[o + _U(j)] = e
            acc[j] += e
    for j in range(L):
        inv[p0 + j] = one / acc[j]
        acc[j] = flog(acc[j])
    _tile_log_out(x, out, base, Su, C, L, m, acc)


@helper
def _tile_kept_factor(g, base, Su, C, L, acc, inv, p0):
    """acc[j] = inv[p0 + j] * Σ_c g: what multiplies the kept exps of position j."""
    for j in range(L):
        acc[j] = 0.0
    for c in range(C):
        k = base + _U(c) * Su
        for j in range(L):
            acc[j] += g[k + _U(j)]
    for j in range(L):
        acc[j] *= inv[p0 + j]


@helper
def _bwd_tile_kept(g, ex, gx, base, Su, C, L, acc, inv, p0):
    """One tile of log-softmax's gradient from the forward's exps ``ex`` and 1/s at
    ``inv[p0 + j]``: ``gx = g - ex * inv * Σg``, vectorised over positions j."""
    _tile_kept_factor(g, base, Su, C, L, acc, inv, p0)
    for c in range(C):
        k = base + _U(c) * Su
        for j in range(L):
            gx[k + _U(j)] = g[k + _U(j)] - ex[k + _U(j)] * acc[j]


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
def _fwd_tiles_chunk(x, out, N, C, S, B, t0, t1, log, work, keep, ex, inv):
    """Tiles t0..t1; ``work`` (2 * B) is this chunk's scratch."""
    nb = (S + B - 1) // B
    m = work[:B]
    acc = work[B:2 * B]
    for tile in range(t0, t1):
        n = tile // nb
        s0 = (tile - n * nb) * B
        if keep:
            _fwd_tile_keep(x, out, _U(n * C * S + s0), _U(S), C, min(B, S - s0), m, acc, ex, inv, n * S + s0)
        else:
            _fwd_tile(x, out, _U(n * C * S + s0), _U(S), C, min(B, S - s0), m, acc, log)


@helper
def _bwd_tiles_chunk(g, o, gx, N, C, S, B, t0, t1, log, acc, kept, inv):
    """Tiles t0..t1; ``acc`` (B) is this chunk's scratch."""
    nb = (S + B - 1) // B
    for tile in range(t0, t1):
        n = tile // nb
        s0 = (tile - n * nb) * B
        if kept:
            _bwd_tile_kept(g, o, gx, _U(n * C * S + s0), _U(S), C, min(B, S - s0), acc, inv, n * S + s0)
        else:
            _bwd_tile(g, o, gx, _U(n * C * S + s0), _U(S), C, min(B, S - s0), acc, log)


@helper
def _fwd_small_chunk(x, out, i0, i1, log, work, keep, ex, inv):
    """Rows with few classes: per-row loops would be dominated by loop overhead and a
    scalar log per row, so blocks of ROWBLOCK rows are transposed into a class-major
    scratch tile and run through the tile kernel (vectorised across rows).  ``work``
    (2 * C * ROWBLOCK + 2 * ROWBLOCK, and C * ROWBLOCK more with ``keep``) is this
    chunk's scratch."""
    C = x.shape[1]
    R = ROWBLOCK
    T = work[:C * R]
    O = work[C * R:2 * C * R]
    m = work[2 * C * R:2 * C * R + R]
    acc = work[2 * C * R + R:2 * C * R + 2 * R]
    E = work[2 * C * R + 2 * R:]
    for b0 in range(i0, i1, R):
        n = min(R, i1 - b0)
        transpose_in(x, b0, n, R, T)
        if keep:
            _fwd_tile_keep(T, O, _U(0), _U(R), C, n, m, acc, E, inv, b0)
        else:
            _fwd_tile(T, O, _U(0), _U(R), C, n, m, acc, log)
        transpose_out(O, b0, n, R, out)
        if keep:
            transpose_out(E, b0, n, R, ex)


def _fwd_rows(x, out, nch, log, small, work):
    """(N, C): ``log_softmax(x, 1)`` / ``softmax(x, 1)`` over nch row chunks (prange);
    ``work[ch]``: chunk ch's scratch for the transposed-block path (allocated by the caller:
    a kernel that calls ``np.empty`` makes every process import numba's array module).
    (``out`` and ``work[ch]`` stand in for the unused ``ex`` and ``inv`` of the helpers.)"""
    N = x.shape[0]
    for ch in prange(nch):
        if small:
            _fwd_small_chunk(x, out, ch * N // nch, (ch + 1) * N // nch, log, work[ch], False, out, work[ch])
        else:
            _fwd_rows_chunk(x, out, ch * N // nch, (ch + 1) * N // nch, log, False, out, work[ch])


def _fwd_rows_keep(x, out, nch, small, work, ex, inv):
    """_fwd_rows' log-softmax, also writing the exps to ``ex`` (N, C) and 1/s to ``inv`` (N).
    (A kernel of its own: each argument costs every call its dispatch.)"""
    N = x.shape[0]
    for ch in prange(nch):
        if small:
            _fwd_small_chunk(x, out, ch * N // nch, (ch + 1) * N // nch, True, work[ch], True, ex, inv)
        else:
            _fwd_rows_chunk(x, out, ch * N // nch, (ch + 1) * N // nch, True, True, ex, inv)


def _bwd_rows(g, o, gx, nch, log):
    """(N, C): the softmax / log-softmax gradient (_bwd_rows_chunk) over nch chunks."""
    N = g.shape[0]
    for ch in prange(nch):
        _bwd_rows_chunk(g, o, gx, ch * N // nch, (ch + 1) * N // nch, log, False, gx[0])


def _bwd_rows_kept(g, ex, gx, nch, inv):
    """(N, C): log-softmax's gradient from the forward's exps ``ex`` and 1/s ``inv``."""
    N = g.shape[0]
    for ch in prange(nch):
        _bwd_rows_chunk(g, ex, gx, ch * N // nch, (ch + 1) * N // nch, True, True, inv)


@helper
def _bwd_rows_kept_inplace_chunk(g, ex, i0, i1, inv):
    """Rows i0..i1 of log-softmax's gradient from the kept exps, written over them:
    ``ex = g - ex * (inv * g.sum(1))``.  (One array read and written at the same index:
    LLVM vectorises this; the same array passed as two arguments makes its alias check
    fall back to scalar code.)"""
    C = g.shape[1]
    for i in range(i0, i1):
        s = scalar_of(g, 0.0)
        for c in range(C):
            s = radd(s, g[i, c])
        a = s * inv[i]
        for c in range(C):
            ex[i, c] = g[i, c] - ex[i, c] * a


def _bwd_rows_kept_inplace(g, ex, nch, inv):
    """_bwd_rows_kept writing the gradient over ``ex``."""
    N = g.shape[0]
    for ch in prange(nch):
        _bwd_rows_kept_inplace_chunk(g, ex, ch * N // nch, (ch + 1) * N // nch, inv)


def _fwd_tiles(x, out, N, C, S, B, nch, log, work):
    """Flat (N, C, S): ``log_softmax(x, 1)`` / ``softmax(x, 1)``, tiles of B positions;
    ``work`` (nch, 2 * B): per-chunk scratch."""
    nt = N * ((S + B - 1) // B)
    for ch in prange(nch):
        _fwd_tiles_chunk(x, out, N, C, S, B, ch * nt // nch, (ch + 1) * nt // nch, log, work[ch], False, out,
                         work[ch])


def _fwd_tiles_keep(x, out, N, C, S, B, nch, work, ex, inv):
    """_fwd_tiles' log-softmax, also writing the exps to ``ex`` (flat, as x) and 1/s to
    ``inv`` (N * S)."""
    nt = N * ((S + B - 1) // B)
    for ch in prange(nch):
        _fwd_tiles_chunk(x, out, N, C, S, B, ch * nt // nch, (ch + 1) * nt // nch, True, work[ch], True, ex, inv)


def _bwd_tiles(g, o, gx, N, C, S, B, nch, log, work):
    """Flat (N, C, S): the gradient of _fwd_tiles, tiles of B positions; ``work``
    (nch, B): per-chunk scratch."""
    nt = N * ((S + B - 1) // B)
    for ch in prange(nch):
        _bwd_tiles_chunk(g, o, gx, N, C, S, B, ch * nt // nch, (ch + 1) * nt // nch, log, work[ch], False,
                         work[ch])


@helper
def _bwd_tile_kept_inplace(g, ex, base, Su, C, L, acc, inv, p0):
    """_bwd_tile_kept writing the gradient over ``ex`` (see _bwd_rows_kept_inplace_chunk)."""
    _tile_kept_factor(g, base, Su, C, L, acc, inv, p0)
    for c in range(C):
        k = base + _U(c) * Su
        for j in range(L):
            ex[k + _U(j)] = g[k + _U(j)] - ex[k + _U(j)] * acc[j]


def _bwd_tiles_kept_inplace(g, ex, N, C, S, B, nch, work, inv):
    """_bwd_tiles_kept writing the gradient over ``ex``."""
    nt = N * ((S + B - 1) // B)
    nb = (S + B - 1) // B
    for ch in prange(nch):
        for tile in range(ch * nt // nch, (ch + 1) * nt // nch):
            n = tile // nb
            s0 = (tile - n * nb) * B
            _bwd_tile_kept_inplace(g, ex, _U(n * C * S + s0), _U(S), C, min(B, S - s0), work[ch], inv, n * S + s0)


def _bwd_tiles_kept(g, ex, gx, N, C, S, B, nch, work, inv):
    """Flat (N, C, S): log-softmax's gradient from the forward's exps and 1/s."""
    nt = N * ((S + B - 1) // B)
    for ch in prange(nch):
        _bwd_tiles_chunk(g, ex, gx, N, C, S, B, ch * nt // nch, (ch + 1) * nt // nch, True, work[ch], True, inv)


_fwd_rows_ser = quiet_in_python(kernel()(_fwd_rows))
_fwd_rows_par = quiet_in_python(kernel(parallel=True)(_fwd_rows))
_fwd_tiles_ser = quiet_in_python(kernel()(_fwd_tiles))
_fwd_tiles_par = quiet_in_python(kernel(parallel=True)(_fwd_tiles))
_bwd_rows_ser = quiet_in_python(kernel()(_bwd_rows))
_bwd_rows_par = quiet_in_python(kernel(parallel=True)(_bwd_rows))
_bwd_tiles_ser = quiet_in_python(kernel()(_bwd_tiles))
_bwd_tiles_par = quiet_in_python(kernel(parallel=True)(_bwd_tiles))
_fwd_rows_keep_ser = quiet_in_python(kernel()(_fwd_rows_keep))
_fwd_rows_keep_par = quiet_in_python(kernel(parallel=True)(_fwd_rows_keep))
_fwd_tiles_keep_ser = quiet_in_python(kernel()(_fwd_tiles_keep))
_fwd_tiles_keep_par = quiet_in_python(kernel(parallel=True)(_fwd_tiles_keep))
_bwd_rows_kept_ser = quiet_in_python(kernel()(_bwd_rows_kept))
_bwd_rows_kept_par = quiet_in_python(kernel(parallel=True)(_bwd_rows_kept))
_bwd_tiles_kept_ser = quiet_in_python(kernel()(_bwd_tiles_kept))
_bwd_tiles_kept_par = quiet_in_python(kernel(parallel=True)(_bwd_tiles_kept))
_bwd_rows_kept_inplace_ser = quiet_in_python(kernel()(_bwd_rows_kept_inplace))
_bwd_rows_kept_inplace_par = quiet_in_python(kernel(parallel=True)(_bwd_rows_kept_inplace))
_bwd_tiles_kept_inplace_ser = quiet_in_python(kernel()(_bwd_tiles_kept_inplace))
_bwd_tiles_kept_inplace_par = quiet_in_python(kernel(parallel=True)(_bwd_tiles_kept_inplace))


# --------------------------------------------------------------------------- #
# entry points
# --------------------------------------------------------------------------- #
def _forward(x, axis, log, keep=False):
    """The forward kernels; with ``keep`` (log-softmax), returns ``(out, ex, inv)``."""
    x = as_float(x)
    out = np.empty_like(x)
    if x.ndim == 2 and (axis == 1 or axis == -1):      # fast path: (N, C), class axis last
        N, C = x.shape
        S = 1
    else:
        N, C, S, _ = split_ncs(x.shape, axis)
    if keep:
        ex, inv = np.empty_like(x), np.empty(N * S, x.dtype)
    if x.size == 0:
        return (out, ex, inv) if keep else out
    par = use_parallel(x.size)
    if S == 1:
        if x.ndim != 2:
            x, out2 = x.reshape(N, C), out.reshape(N, C)
        else:
            out2 = out
        nch = n_chunks(N, par)
        small = C <= SMALL_C_FWD[x.dtype]
        work = np.empty((nch, (3 if keep else 2) * C * ROWBLOCK + 2 * ROWBLOCK if small else 0), x.dtype)
        if keep:
            (_fwd_rows_keep_par if par else _fwd_rows_keep_ser)(x, out2, nch, small, work, ex.reshape(N, C), inv)
        else:
            (_fwd_rows_par if par else _fwd_rows_ser)(x, out2, nch, log, small, work)
    else:
        B = tile_width(C, S, x.itemsize)
        nch = n_chunks(N * ((S + B - 1) // B), par)
        work = np.empty((nch, 2 * B), x.dtype)
        if keep:
            (_fwd_tiles_keep_par if par else _fwd_tiles_keep_ser)(x.reshape(-1), out.reshape(-1), N, C, S, B, nch,
                                                                    work, ex.reshape(-1), inv)
        else:
            (_fwd_tiles_par if par else _fwd_tiles_ser)(x.reshape(-1), out.reshape(-1), N, C, S, B, nch, log, work)
    return (out, ex, inv) if keep else out


def _backward(grad_out, out, axis, log, inv=None, in_place=False):
    """The backward kernels; with ``inv`` (log-softmax), ``out`` holds the forward's exps
    (and with ``in_place`` the gradient is written over them and returned)."""
    o = as_float(out)
    g = as_float(grad_out, o.dtype)
    if g.shape != o.shape:
        g = np.ascontiguousarray(np.broadcast_to(g, o.shape))
    if in_place and (inv is None or o is not out or not o.flags.writeable):
        raise ValueError("in_place needs the forward's exps as a writeable C-contiguous float array, and inv")
    gx = o if in_place else np.empty_like(o)
    if o.ndim == 2 and (axis == 1 or axis == -1):
        N, C = o.shape
        S = 1
    else:
        N, C, S, _ = split_ncs(o.shape, axis)
    if o.size == 0:
        return gx
    if inv is not None:
        inv = as_float(inv, o.dtype)
        if inv.shape != (N * S,):
            raise ValueError(f"inv has shape {inv.shape}, expected ({N * S},) for {o.shape} along axis {axis}")
    par = use_parallel(o.size)
    if S == 1:
        nch = n_chunks(N, par)
        g2, o2, gx2 = (g, o, gx) if o.ndim == 2 else (g.reshape(N, C), o.reshape(N, C), gx.reshape(N, C))
        if in_place:
            (_bwd_rows_kept_inplace_par if par else _bwd_rows_kept_inplace_ser)(g2, o2, nch, inv)
        elif inv is not None:
            (_bwd_rows_kept_par if par else _bwd_rows_kept_ser)(g2, o2, gx2, nch, inv)
        else:
            (_bwd_rows_par if par else _bwd_rows_ser)(g2, o2, gx2, nch, log)
    else:
        B = tile_width(C, S, o.itemsize)
        nch = n_chunks(N * ((S + B - 1) // B), par)
        work = np.empty((nch, B), o.dtype)
        if in_place:
            (_bwd_tiles_kept_inplace_par if par else _bwd_tiles_kept_inplace_ser)(g.reshape(-1), o.reshape(-1),
                                                                                  N, C, S, B, nch, work, inv)
        elif inv is not None:
            (_bwd_tiles_kept_par if par else _bwd_tiles_kept_ser)(g.reshape(-1), o.reshape(-1), gx.reshape(-1),
                                                                  N, C, S, B, nch, work, inv)
        else:
            (_bwd_tiles_par if par else _bwd_tiles_ser)(g.reshape(-1), o.reshape(-1), gx.reshape(-1),
                                                          N, C, S, B, nch, log, work)
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


def log_softmax_forward_keep(x, axis=-1):
    """``log_softmax_forward`` for a backward to come: ``(out, ex, inv)`` with ``ex = exp(x - max)``
    (x's shape) and ``inv = 1 / ex.sum(axis)`` (flat, one per position), so that
    ``exp(out) = ex * inv`` without an exp (``log_softmax_backward_kept``)."""
    return _forward(x, axis, True, keep=True)


def log_softmax_backward_kept(grad_out, ex, inv, axis=-1, in_place=False):
    """Gradient of log-softmax from ``log_softmax_forward_keep``'s ``ex`` and ``inv``:
    ``grad_out - ex * inv * sum(grad_out, axis)`` (= ``log_softmax_backward(grad_out, out)``).
    With ``in_place`` it is written over ``ex`` (returned): no new array, for a backward
    that will not need the exps again."""
    return _backward(grad_out, ex, axis, True, inv, in_place)
