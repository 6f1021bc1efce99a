"""Fused cross-entropy forward + backward.

The math in plain numpy, to read first: ``cross_entropy_index_forward`` and
``cross_entropy_prob_forward`` in ``minigrad/ops/loss.py`` (what runs under
``minigrad.set_kernels(False)``); every loss as plain ops: ``minigrad/ops/loss_composite.py``.

One pass over the logits produces the per-position loss and the gradient of each
position's loss with respect to the logits, so the autograd backward only scales it.

The logits are C-contiguous, class axis 1 (axis 0 for a 1-D input), viewed as
(N, C, S) with S the product of the trailing dims; S == 1 runs the row kernel
(C <= SMALL_C: blocks of 64 rows transposed into a scratch tile, which vectorises
across rows), S > 1 the tile kernel (no transposed copies of the input).

Entry points
------------
``cross_entropy_forward_backward(logits, target, weight=None, ignore_index=-100,
label_smoothing=0.0, mean=False)`` -> ``(loss, grad, loss_sum, total_weight)``

* ``loss``: per-position loss, shape = logits.shape without axis 1 (``()`` for 1-D
  logits), logits' dtype; ignored positions are exactly 0.
* ``grad``: d(loss_i)/d(logits), logits' shape and dtype; ignored positions exactly 0.
  With ``mean=True`` it is already divided by ``total_weight`` (the gradient of the
  'mean' reduction: ignored rows stay 0 and a zero total weight gives nan elsewhere,
  as torch does).  With ``mean=False`` it is unscaled (the 'sum' gradient; for
  'none' multiply row-wise by the upstream gradient).
* ``loss_sum``: sum of ``loss`` (Python float, accumulated in float64).
* ``total_weight``: sum of w[y_i] over non-ignored positions (float; number of
  non-ignored positions without weight).  'mean' loss = loss_sum / total_weight.

Raises ``IndexError("Target 5 is out of bounds.")`` before anything is written.
``want_grad=False`` is the forward-only path (no_grad, or no input requiring grad):
``grad`` is None, the loss is the same bit for bit, no gradient is computed.

``cross_entropy_probs_forward_backward(logits, target, weight=None,
label_smoothing=0.0, mean=False, target_grad=False)`` ->
``(loss, grad, target_grad_or_None, loss_sum)`` for probability targets of the
logits' shape.  ``mean=True`` divides both gradients by the number of positions
N*S (torch's 'mean' for probability targets).  ``target_grad`` is
``-(1-eps) * w * log_softmax(logits)`` (times 1/(N*S) with ``mean``).

Both have plain-numpy ``*_reference`` twins with the same signature.
"""
from __future__ import annotations

import numpy as np
from numba import prange

from ._common import (_EMPTY, as_float, kept_scratch, as_index, optional_vector, tile_width, n_chunks,
                      use_parallel)
from ._jitmath import (ROWBLOCK, fexp, flog, fmax, helper, kernel, quiet_in_python, radd,
                       scalar_of, transpose_in, transpose_out)
from .validate import targets_prepass, raise_bad_target, check_targets, check_targets_reference

__all__ = ["cross_entropy_forward_backward", "cross_entropy_probs_forward_backward",
           "cross_entropy_reference", "cross_entropy_probs_reference"]


def _layout(x):
    """(N, C, S, loss_shape) for logits with class axis 1 (0 when 1-D)."""
    shape = x.shape
    if len(shape) == 0:
        raise ValueError("logits must have a class dimension: got a 0-d array (a single number)")
    if len(shape) == 1:
        return 1, shape[0], 1, ()
    N, C = shape[0], shape[1]
    S = 1
    for d in shape[2:]:
        S *= d
    return N, C, S, (N,) + shape[2:]


def _check_eps(label_smoothing):
    eps = float(label_smoothing)
    if eps > 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {eps}")
    return eps if eps > 0.0 else 0.0


# --------------------------------------------------------------------------- #
# numpy references
# --------------------------------------------------------------------------- #
def _ref_lsm(x3):
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        m = np.max(x3, axis=1, keepdims=True)
        d = x3 - m
        return d - np.log(np.sum(np.exp(d), axis=1, keepdims=True))


def cross_entropy_reference(logits, target, weight=None, ignore_index=-100,
                            label_smoothing=0.0, mean=False):
    x = np.asarray(logits)
    if x.dtype not in (np.float32, np.float64):
        x = x.astype(np.float64)
    dt = x.dtype
    N, C, S, lshape = _layout(x)
    x3 = x.reshape(N, C, S)
    t = np.asarray(target, dtype=np.int64).reshape(N, S)
    eps = _check_eps(label_smoothing)
    check_targets_reference(t, C, ignore_index)
    w = np.ones(C, dt) if weight is None else np.asarray(weight, dt).reshape(C)
    valid = t != ignore_index
    ts = np.where(valid, t, 0)
    lsm = _ref_lsm(x3)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        p = np.exp(lsm)
        wy = w[ts]                                                     # (N, S)
        nll = -np.take_along_axis(lsm, ts[:, None, :], axis=1)[:, 0]   # (N, S)
        loss = (1 - eps) * wy * nll
        if eps > 0:
            loss = loss + (eps / C) * np.sum(w[None, :, None] * -lsm, axis=1)
        loss = np.where(valid, loss, 0).astype(dt)
        total = float(np.sum(np.where(valid, wy, 0), dtype=np.float64))
        onehot = np.zeros_like(x3)
        np.put_along_axis(onehot, ts[:, None, :], 1, axis=1)
        g = (1 - eps) * wy[:, None, :] * (p - onehot)
        if eps > 0:
            g = g + (eps / C) * (p * np.sum(w) - w[None, :, None])
        if mean:
            g = g / total if total != 0 else g * np.inf
        g = np.where(valid[:, None, :], g, 0).astype(dt)
    return (loss.reshape(lshape), g.reshape(x.shape), float(np.sum(loss, dtype=np.float64)),
            total)


def cross_entropy_probs_reference(logits, target, weight=None, label_smoothing=0.0,
                                  mean=False, target_grad=False):
    x = np.asarray(logits)
    if x.dtype not in (np.float32, np.float64):
        x = x.astype(np.float64)
    dt = x.dtype
    N, C, S, lshape = _layout(x)
    x3 = x.reshape(N, C, S)
    P = np.asarray(target, dt).reshape(N, C, S)
    eps = _check_eps(label_smoothing)
    w = np.ones(C, dt) if weight is None else np.asarray(weight, dt).reshape(C)
    w3 = w[None, :, None]
    q = (1 - eps) * P + eps / C
    lsm = _ref_lsm(x3)
    sc = (1.0 / (N * S) if N * S else np.inf) if mean else 1.0
    with np.errstate(invalid="ignore", over="ignore"):
        loss = (-np.sum(w3 * q * lsm, axis=1)).astype(dt)
        g = (sc * (np.exp(lsm) * np.sum(w3 * q, axis=1, keepdims=True) - w3 * q)).astype(dt)
        tg = (-(1 - eps) * w3 * lsm * sc).astype(dt) if target_grad else None
    return (loss.reshape(lshape), g.reshape(x.shape),
            None if tg is None else tg.reshape(x.shape), float(np.sum(loss, dtype=np.float64)))


# --------------------------------------------------------------------------- #
# kernels: class-index targets
# (2-D row views and uint64 tile offsets keep the loops vectorised: see softmax.py)
# --------------------------------------------------------------------------- #
_U = np.uint64
#: (N, C) inputs with C <= SMALL_C[dtype] take the transposed-block path (see softmax.py).
#: Measured serial, float32 32768x10: 1479 -> 764 us; 8192x16: 341 -> 249; 4096x32: 236 ->
#: 213; float64 32768x10: 1807 -> 1367, 8192x16: 492 -> 413, 4096x32: 391 -> 379.
SMALL_C = {np.dtype(np.float32): 32, np.dtype(np.float64): 16}


@helper
def _ce_consts(x, w, has_w, eps, C, total, mean):
    keep = scalar_of(x, 1.0 - eps)
    epsc = scalar_of(x, eps / C)
    # np.float64 division: inf for a zero total weight in plain Python too (no
    # ZeroDivisionError under NUMBA_DISABLE_JIT), as compiled with the numpy error model
    sc = scalar_of(x, np.float64(1.0) / total if mean else 1.0)
    W = scalar_of(x, 0.0)
    if has_w:
        for c in range(C):
            W += w[c]
    else:
        W = scalar_of(x, C)
    return keep, epsc, sc, W


@helper
def _ce_rows_chunk(x, t, w, has_w, ignore_index, eps, keep, epsc, sc, W, loss, grad, i0, i1, want_grad,
                   row):
    """Rows i0..i1, with ``d = x - x.max(1)``, ``e = exp(d)``, ``s = e.sum(1)``::

        loss = keep * w[y] * (log(s) - d[y]) + eps/C * (W * log(s) - (w * d).sum(1))
        grad = ((keep * w[y] + eps/C * W) * e / s - eps/C * w - keep * w[y] * onehot(y)) * sc

    (``W = w.sum()``, ``sc = 1/total`` for 'mean'; ignored rows are 0).  Only the
    sums use radd; ``log(s) - (x[y] - m)`` keeps its order at any magnitude.
    Without ``want_grad`` the exps go to ``row``, a (1, C) scratch (the same loops, so the
    same loss bit for bit) and grad is not touched."""
    C = x.shape[1]
    one = scalar_of(x, 1.0)
    zero = scalar_of(x, 0.0)
    smooth = eps > 0.0
    g = grad if want_grad else row
    for i in range(i0, i1):
        r = i if want_grad else 0
        y = t[i]
        if y == ignore_index:
            loss[i] = zero
            if want_grad:
                for c in range(C):
                    grad[i, c] = zero
            continue
        wy = w[y] if has_w else one
        m = x[i, 0]
        for c in range(1, C):
            m = fmax(m, x[i, c])
        s = zero
        sw = zero
        if not smooth:
            for c in range(C):
                e = fexp(x[i, c] - m)
                g[r, c] = e
                s = radd(s, e)
        elif has_w:
            for c in range(C):
                d = x[i, c] - m
                e = fexp(d)
                g[r, c] = e
                s = radd(s, e)
                sw = radd(sw, w[c] * d)
        else:
            for c in range(C):
                d = x[i, c] - m
                e = fexp(d)
                g[r, c] = e
                s = radd(s, e)
                sw = radd(sw, d)
        ls = np.log(s)
        l = keep * wy * (ls - (x[i, y] - m))
        if smooth:
            l += epsc * (W * ls - sw)
        loss[i] = l
        if not want_grad:
            continue
        a = (keep * wy + epsc * W) * sc / s
        if not smooth:
            for c in range(C):
                grad[i, c] *= a
        elif has_w:
            bb = epsc * sc
            for c in range(C):
                grad[i, c] = a * grad[i, c] - bb * w[c]
        else:
            bb = epsc * sc
            for c in range(C):
                grad[i, c] = a * grad[i, c] - bb
        grad[i, y] -= keep * wy * sc


@helper
def _ce_tile(x, t, tb, w, has_w, ignore_index, eps, keep, epsc, sc, W, loss, grad,
             base, Su, C, L, m, acc, sw, coef, bneg, vm, want_grad):
    """One tile: positions j < L at x[base + j], classes at stride Su; targets and
    losses at t[tb + j], loss[tb + j].  _ce_rows_chunk's formulas with the class loop
    outside, vectorised over positions j (no horizontal sums to reorder).  grad holds
    the exps first; without ``want_grad`` they are left there, unscaled."""
    one = scalar_of(x, 1.0)
    zero = scalar_of(x, 0.0)
    smooth = eps > 0.0
    for j in range(L):
        m[j] = x[base + _U(j)]
        acc[j] = zero
        sw[j] = zero
    for c in range(1, C):
        o = base + _U(c) * Su
        for j in range(L):
            m[j] = fmax(m[j], x[o + _U(j)])
    for c in range(C):
        o = base + _U(c) * Su
        if smooth:
            wc = w[c] if has_w else one
            for j in range(L):
                d = x[o + _U(j)] - m[j]
                e = fexp(d)
                grad[o + _U(j)] = e
                acc[j] += e
                sw[j] += wc * d
        else:
            for j in range(L):
                e = fexp(x[o + _U(j)] - m[j])
                grad[o + _U(j)] = e
                acc[j] += e
    for j in range(L):                    # vectorised: 1/sum and log(sum)
        coef[j] = one / acc[j]
        acc[j] = flog(acc[j])
    for j in range(L):
        y = t[tb + j]
        if y == ignore_index:
            vm[j] = False
            loss[tb + j] = zero
            coef[j] = zero
            bneg[j] = zero
        else:
            vm[j] = True
            wy = w[y] if has_w else one
            ls = acc[j]
            l = keep * wy * (ls - (x[base + _U(y) * Su + _U(j)] - m[j]))
            if smooth:
                l += epsc * (W * ls - sw[j])
            loss[tb + j] = l
            coef[j] = (keep * wy + epsc * W) * sc * coef[j]
            bneg[j] = epsc * sc
    if not want_grad:
        return
    for c in range(C):
        o = base + _U(c) * Su
        if smooth:
            wc = w[c] if has_w else one
            for j in range(L):
                v = coef[j] * grad[o + _U(j)] - bneg[j] * wc
                grad[o + _U(j)] = v if vm[j] else zero
        else:
            for j in range(L):
                v = coef[j] * grad[o + _U(j)]
                grad[o + _U(j)] = v if vm[j] else zero
    for j in range(L):
        y = t[tb + j]
        if y != ignore_index:
            wy = w[y] if has_w else one
            grad[base + _U(y) * Su + _U(j)] -= keep * wy * sc


@helper
def _ce_tiles_chunk(x, t, w, has_w, ignore_index, eps, keep, epsc, sc, W, loss, grad,
                    N, C, S, B, t0, t1, want_grad, work, vm):
    """Tiles t0..t1; ``work`` (5 * B) and ``vm`` (B) are this chunk's scratch."""
    nb = (S + B - 1) // B
    m = work[:B]
    acc = work[B:2 * B]
    sw = work[2 * B:3 * B]
    coef = work[3 * B:4 * B]
    bneg = work[4 * B:5 * B]
    for tile in range(t0, t1):
        n = tile // nb
        s0 = (tile - n * nb) * B
        _ce_tile(x, t, n * S + s0, w, has_w, ignore_index, eps, keep, epsc, sc, W, loss, grad,
                 _U(n * C * S + s0), _U(S), C, min(B, S - s0), m, acc, sw, coef, bneg, vm, want_grad)


@helper
def _ce_small_chunk(x, t, w, has_w, ignore_index, eps, keep, epsc, sc, W, loss, grad, i0, i1, want_grad,
                    work, vm):
    """(N, C) rows with few classes: blocks of ROWBLOCK rows are transposed into a
    class-major scratch tile and run through the tile kernel (vectorised across rows,
    one vectorised log per block instead of a scalar log per row).  ``work``
    (``small_work_size(C)``) and ``vm`` (ROWBLOCK) are this chunk's scratch."""
    C = x.shape[1]
    R = ROWBLOCK
    T = work[:C * R]
    O = work[C * R:2 * C * R]
    k = 2 * C * R
    m = work[k:k + R]
    acc = work[k + R:k + 2 * R]
    sw = work[k + 2 * R:k + 3 * R]
    coef = work[k + 3 * R:k + 4 * R]
    bneg = work[k + 4 * R:k + 5 * R]
    for b0 in range(i0, i1, R):
        n = min(R, i1 - b0)
        transpose_in(x, b0, n, R, T)
        _ce_tile(T, t, b0, w, has_w, ignore_index, eps, keep, epsc, sc, W, loss, O,
                 _U(0), _U(R), C, n, m, acc, sw, coef, bneg, vm, want_grad)
        if want_grad:
            transpose_out(O, b0, n, R, grad)


def _ce_rows(x, t, w, has_w, ignore_index, eps, mean, loss, grad, nch, small, want_grad, work, rows, flags):
    """(N, C) logits, index targets: validate t, then _ce_rows_chunk (or the
    transposed-block path) over nch chunks; returns ``(bad, total, float(loss.sum()),
    n_ignored)``.  Without ``want_grad`` only the loss is computed (grad is not written).
    Scratch per chunk ch (allocated by the caller: no allocation in compiled code):
    ``work[ch]``, ``flags[ch]`` for the transposed-block path, ``rows[ch]`` (1, C) for the
    row path without ``want_grad``; see ``_scratch``."""
    N, C = x.shape
    bad, total, ignored = targets_prepass(t, w, has_w, C, ignore_index)
    if bad >= 0:
        return bad, total, 0.0, ignored
    keep, epsc, sc, W = _ce_consts(x, w, has_w, eps, C, total, mean)
    for ch in prange(nch):
        if small:
            _ce_small_chunk(x, t, w, has_w, ignore_index, eps, keep, epsc, sc, W, loss, grad,
                            ch * N // nch, (ch + 1) * N // nch, want_grad, work[ch], flags[ch])
        else:
            _ce_rows_chunk(x, t, w, has_w, ignore_index, eps, keep, epsc, sc, W, loss, grad,
                           ch * N // nch, (ch + 1) * N // nch, want_grad, rows[ch])
    lsum = 0.0
    for i in range(N):
        lsum = radd(lsum, float(loss[i]))    # float64 also as plain Python
    return -1, total, lsum, ignored


def _ce_tiles(x, t, w, has_w, ignore_index, eps, mean, loss, grad, N, C, S, B, nch, want_grad, work, flags):
    """Flat (N, C, S) logits: as _ce_rows, tiles of B positions (grad is scratch for the
    exps without ``want_grad``; ``work`` (nch, 5 * B), ``flags`` (nch, B): per-chunk scratch)."""
    bad, total, ignored = targets_prepass(t, w, has_w, C, ignore_index)
    if bad >= 0:
        return bad, total, 0.0, ignored
    keep, epsc, sc, W = _ce_consts(x, w, has_w, eps, C, total, mean)
    nt = N * ((S + B - 1) // B)
    for ch in prange(nch):
        _ce_tiles_chunk(x, t, w, has_w, ignore_index, eps, keep, epsc, sc, W, loss, grad,
                        N, C, S, B, ch * nt // nch, (ch + 1) * nt // nch, want_grad, work[ch], flags[ch])
    lsum = 0.0
    for i in range(N * S):
        lsum = radd(lsum, float(loss[i]))
    return -1, total, lsum, ignored


_ce_rows_ser = quiet_in_python(kernel()(_ce_rows))
_ce_rows_par = quiet_in_python(kernel(parallel=True)(_ce_rows))
_ce_tiles_ser = quiet_in_python(kernel()(_ce_tiles))
_ce_tiles_par = quiet_in_python(kernel(parallel=True)(_ce_tiles))


_NO_GRAD = {np.dtype(np.float32): np.empty((0, 0), np.float32),
            np.dtype(np.float64): np.empty((0, 0), np.float64)}


def _rows_scratch(nch, C, dtype, small, want_grad):
    """The row kernel's scratch, one slice per chunk: ``(work, rows, flags)`` for
    ``_ce_rows``, kept per thread (``kept_scratch``).  Allocated here, not inside the compiled
    code: a kernel that calls ``np.empty`` makes every process import numba's array module
    (~50 ms) to load it."""
    def make():
        R = ROWBLOCK
        return (np.empty((nch, (2 * C * R + 5 * R) if small else 0), dtype),
                np.empty((nch, 1, C if not (small or want_grad) else 0), dtype),
                np.empty((nch, R if small else 0), np.bool_))
    return kept_scratch(("ce rows", nch, C, dtype, small, want_grad), make)


def _run_rows(x, t, w, has_w, ignore_index, eps, mean, par, loss, grad):
    """The row kernel on (N, C) ``x``, (N,) ``loss`` and ``grad`` (N, C), or ``_NO_GRAD`` for
    the loss alone; returns the kernel's ``(bad, total, loss_sum, n_ignored)``."""
    N, C = x.shape
    nch = n_chunks(N, par)
    small = C <= SMALL_C[x.dtype]
    want_grad = grad.size > 0
    return (_ce_rows_par if par else _ce_rows_ser)(x, t, w, has_w, ignore_index, eps, mean, loss, grad, nch,
                                                   small, want_grad, *_rows_scratch(nch, C, x.dtype, small, want_grad))


def cross_entropy_loss_rows(x, t, ignore_index, mean):
    """cross_entropy_fused's forward-only call for (N, C) logits with no weight and no label
    smoothing (an evaluation loop's call), with less Python around the kernel: ``x`` (N, C)
    C-contiguous float32/float64 with N*C > 0, ``t`` (N,) int64, an int ``ignore_index``.
    Returns ``(loss, loss_sum, total_weight, n_ignored)``, the numbers cross_entropy_fused
    gives; raises torch's IndexError for a bad target."""
    loss = np.empty(x.shape[0], x.dtype)
    bad, total, lsum, ignored = _run_rows(x, t, _EMPTY[x.dtype], False, ignore_index, 0.0, mean,
                                          use_parallel(x.size), loss, _NO_GRAD[x.dtype])
    if bad >= 0:
        raise_bad_target(t, bad)
    return loss, lsum, total, ignored


def cross_entropy_fused(x, t, w, has_w, ignore_index, eps, mean, want_grad):
    """The kernel call without argument normalisation, for callers that already hold
    C-contiguous float32/float64 logits ``x`` (N, C) or (N, C, d1..), flat int64 targets
    ``t`` (N*d1*..), ``w`` (C,) of x's dtype (``has_w``), an int ``ignore_index`` and a
    float ``eps`` in [0, 1].  Returns ``(loss, grad, loss_sum, total_weight, n_ignored)``;
    ``grad`` is None without ``want_grad`` (the forward-only path: the same loss bit for
    bit, no gradient computed or stored).  Raises torch's IndexError for a bad target."""
    shape = x.shape
    if len(shape) == 2:
        N, C = shape
        S = 1
        lshape = (N,)
    else:
        N, C, S, lshape = _layout(x)
    loss = np.empty(lshape, x.dtype)
    if x.size == 0:
        grad = np.empty_like(x) if want_grad else None
        if N * S:  # C == 0: every non-ignored target is out of bounds
            check_targets(t, C, ignore_index)
            loss.fill(0)
        return loss, grad, 0.0, 0.0, 0
    par = use_parallel(x.size)
    if S == 1:
        grad = np.empty_like(x) if want_grad else None
        bad, total, lsum, ignored = _run_rows(
            x if len(shape) == 2 else x.reshape(N, C), t, w, has_w, ignore_index, eps, mean, par,
            loss if len(lshape) == 1 else loss.reshape(-1),
            _NO_GRAD[x.dtype] if grad is None else (grad if len(shape) == 2 else grad.reshape(N, C)))
    else:
        B = tile_width(C, S, x.itemsize)
        nch = n_chunks(N * ((S + B - 1) // B), par)
        grad = np.empty_like(x)  # without want_grad: scratch for the exps
        bad, total, lsum, ignored = (_ce_tiles_par if par else _ce_tiles_ser)(
            x.reshape(-1), t, w, has_w, ignore_index, eps, mean, loss.reshape(-1),
            grad.reshape(-1), N, C, S, B, nch, want_grad,
            np.empty((nch, 5 * B), x.dtype), np.empty((nch, B), np.bool_))
        if not want_grad:
            grad = None
    if bad >= 0:
        raise_bad_target(t, bad)
    return loss, grad, lsum, total, ignored


def cross_entropy_forward_backward(logits, target, weight=None, ignore_index=-100,
                                   label_smoothing=0.0, mean=False, want_grad=True):
    x = as_float(logits)
    t = as_index(target)
    N, C, S, _ = _layout(x)
    if t.size != N * S:
        raise ValueError(f"target has {t.size} elements, expected {N * S} for logits {x.shape}")
    eps = _check_eps(label_smoothing) if label_smoothing else 0.0
    w, has_w = optional_vector(weight, C, x.dtype, "weight")
    loss, grad, lsum, total, _ = cross_entropy_fused(
        x, t if t.ndim == 1 else t.reshape(-1), w, has_w, int(ignore_index), float(eps), bool(mean),
        bool(want_grad))
    return loss, grad, lsum, total


# --------------------------------------------------------------------------- #
# kernels: probability targets
# --------------------------------------------------------------------------- #
@helper
def _cep_rows_chunk(x, P, w, has_w, keep, epsc, sc, want_tg, loss, grad, tg, i0, i1):
    """Rows i0..i1, with ``q = w * (keep * P + eps/C)`` and ``lsm = (x - m) - log(s)``::

        loss = -(q * lsm).sum(1)
        grad = (q.sum(1) * exp(x - m) / s - q) * sc
        tg   = -keep * w * lsm * sc                 (the target's gradient, if wanted)

    Only the sums use radd."""
    C = x.shape[1]
    one = scalar_of(x, 1.0)
    zero = scalar_of(x, 0.0)
    for i in range(i0, i1):
        m = x[i, 0]
        for c in range(1, C):
            m = fmax(m, x[i, c])
        s = zero
        Q = zero
        if has_w:
            for c in range(C):
                e = fexp(x[i, c] - m)
                grad[i, c] = e
                s = radd(s, e)
                Q = radd(Q, w[c] * (keep * P[i, c] + epsc))
        else:
            for c in range(C):
                e = fexp(x[i, c] - m)
                grad[i, c] = e
                s = radd(s, e)
                Q = radd(Q, keep * P[i, c] + epsc)
        ls = np.log(s)
        a = Q * sc / s
        L = zero
        for c in range(C):
            wc = w[c] if has_w else one
            wq = wc * (keep * P[i, c] + epsc)
            lsm = (x[i, c] - m) - ls
            L = radd(L, -(wq * lsm))
            grad[i, c] = a * grad[i, c] - sc * wq
            if want_tg:
                tg[i, c] = -(keep * wc * lsm * sc)
        loss[i] = L


@helper
def _cep_tiles_chunk(x, P, w, has_w, keep, epsc, sc, want_tg, loss, grad, tg, N, C, S, B,
                     t0, t1, work):
    """Tiles t0..t1 of _cep_rows_chunk's formulas, vectorised over positions; ``work``
    (4 * B) is this chunk's scratch."""
    one = scalar_of(x, 1.0)
    zero = scalar_of(x, 0.0)
    nb = (S + B - 1) // B
    Su = _U(S)
    m = work[:B]
    acc = work[B:2 * B]
    Q = work[2 * B:3 * B]
    Ls = work[3 * B:4 * B]
    for tile in range(t0, t1):
        n = tile // nb
        s0 = (tile - n * nb) * B
        L = min(B, S - s0)
        base = _U(n * C * S + s0)
        tb = n * S + s0
        for j in range(L):
            m[j] = x[base + _U(j)]
            acc[j] = zero
            Q[j] = zero
            Ls[j] = zero
        for c in range(1, C):
            o = base + _U(c) * Su
            for j in range(L):
                m[j] = fmax(m[j], x[o + _U(j)])
        for c in range(C):
            o = base + _U(c) * Su
            wc = w[c] if has_w else one
            for j in range(L):
                e = fexp(x[o + _U(j)] - m[j])
                grad[o + _U(j)] = e
                acc[j] += e
                Q[j] += wc * (keep * P[o + _U(j)] + epsc)
        for j in range(L):
            Q[j] = Q[j] * sc / acc[j]      # gradient coefficient
            acc[j] = np.log(acc[j])        # log-sum-exp minus max
        for c in range(C):
            o = base + _U(c) * Su
            wc = w[c] if has_w else one
            for j in range(L):
                wq = wc * (keep * P[o + _U(j)] + epsc)
                lsm = (x[o + _U(j)] - m[j]) - acc[j]
                Ls[j] -= wq * lsm
                grad[o + _U(j)] = Q[j] * grad[o + _U(j)] - sc * wq
                if want_tg:
                    tg[o + _U(j)] = -(keep * wc * lsm * sc)
        for j in range(L):
            loss[tb + j] = Ls[j]


def _cep_rows(x, P, w, has_w, eps, sc_, want_tg, loss, grad, tg, nch):
    """(N, C) logits, probability targets: _cep_rows_chunk over nch chunks; returns
    ``float(loss.sum())``."""
    N, C = x.shape
    keep = scalar_of(x, 1.0 - eps)
    epsc = scalar_of(x, eps / C)
    sc = scalar_of(x, sc_)
    for ch in prange(nch):
        _cep_rows_chunk(x, P, w, has_w, keep, epsc, sc, want_tg, loss, grad, tg,
                        ch * N // nch, (ch + 1) * N // nch)
    lsum = 0.0
    for i in range(N):
        lsum = radd(lsum, float(loss[i]))
    return lsum


def _cep_tiles(x, P, w, has_w, eps, sc_, want_tg, loss, grad, tg, N, C, S, B, nch, work):
    """Flat (N, C, S): as _cep_rows, tiles of B positions (_cep_tiles_chunk); ``work``
    (nch, 4 * B): per-chunk scratch."""
    keep = scalar_of(x, 1.0 - eps)
    epsc = scalar_of(x, eps / C)
    sc = scalar_of(x, sc_)
    nt = N * ((S + B - 1) // B)
    for ch in prange(nch):
        _cep_tiles_chunk(x, P, w, has_w, keep, epsc, sc, want_tg, loss, grad, tg, N, C, S, B,
                         ch * nt // nch, (ch + 1) * nt // nch, work[ch])
    lsum = 0.0
    for i in range(N * S):
        lsum = radd(lsum, float(loss[i]))
    return lsum


_cep_rows_ser = quiet_in_python(kernel()(_cep_rows))
_cep_rows_par = quiet_in_python(kernel(parallel=True)(_cep_rows))
_cep_tiles_ser = quiet_in_python(kernel()(_cep_tiles))
_cep_tiles_par = quiet_in_python(kernel(parallel=True)(_cep_tiles))


def cross_entropy_probs_forward_backward(logits, target, weight=None, label_smoothing=0.0,
                                         mean=False, target_grad=False):
    x = as_float(logits)
    N, C, S, lshape = _layout(x)
    P = as_float(target, x.dtype)
    if P.shape != x.shape:
        raise ValueError(f"probability target shape {P.shape} != logits shape {x.shape}")
    eps = _check_eps(label_smoothing)
    w, has_w = optional_vector(weight, C, x.dtype, "weight")
    loss = np.empty(lshape, x.dtype)
    grad = np.empty_like(x)
    tg = np.empty_like(x) if target_grad else grad
    npos = N * S
    sc = (1.0 / npos if npos else np.inf) if mean else 1.0
    if x.size == 0:
        loss.fill(0)
        return loss, grad, (tg if target_grad else None), 0.0
    par = use_parallel(x.size)
    lf = loss.reshape(-1)
    if S == 1:
        lsum = (_cep_rows_par if par else _cep_rows_ser)(
            x.reshape(N, C), P.reshape(N, C), w, has_w, eps, sc, bool(target_grad), lf,
            grad.reshape(N, C), tg.reshape(N, C), n_chunks(N, par))
    else:
        B = tile_width(C, S, x.itemsize)
        nch = n_chunks(N * ((S + B - 1) // B), par)
        lsum = (_cep_tiles_par if par else _cep_tiles_ser)(
            x.reshape(-1), P.reshape(-1), w, has_w, eps, sc, bool(target_grad), lf,
            grad.reshape(-1), tg.reshape(-1), N, C, S, B, nch, np.empty((nch, 4 * B), x.dtype))
    return loss, grad, (tg if target_grad else None), lsum
