"""Binary cross-entropy, fused forward + backward, elementwise on flat arrays.

The plain-numpy forms: ``bce_forward``, ``bce_with_logits_forward`` and their backwards in
``minigrad/ops/loss_elementwise.py`` (what runs under ``minigrad.set_kernels(False)``).

``bce_with_logits_forward_backward(x, y, weight=None, pos_weight=None, mean=False)``
-> ``(loss, grad, loss_sum)``:
``loss = w * ((1-y) x - (1 + (pw-1) y) logsigmoid(x))`` with a stable logsigmoid
(finite for |x| up to 1e4 and beyond), ``grad = w * ((pw y + 1 - y) sigmoid(x) - pw y)``.

``bce_forward_backward(p, y, weight=None, mean=False)`` -> ``(loss, grad, loss_sum)``:
``loss = -w (y max(log p, -100) + (1-y) max(log(1-p), -100))``,
``grad = w (p - y) / max(p (1-p), 1e-12)``; raises ``RuntimeError("all elements of
input should be between 0 and 1")`` if any p is outside [0, 1] or nan (before writing).

``bce_with_logits_forward(x, y, weight=None, pos_weight=None)`` -> ``loss``: the loss alone
(forward only, for ``no_grad``), bit for bit the ``loss`` of the fused kernel.

``bce_forward(p, y, weight=None, reduce=False)`` -> ``loss``, or with ``reduce=True`` the
float64 sum of ``loss`` alone (no array is written): torch's forward of
``binary_cross_entropy`` element by element, ``w ((y - 1) max(log1p(-p), -100) - y max(log p,
-100))`` (the form ``minigrad.nn.functional.binary_cross_entropy`` runs, with or without a
graph).  Raises torch's ``RuntimeError("all elements of input should be between 0 and 1")``
(or "of target") if a p or y is outside [0, 1] or nan, checked in the same pass.  Its logs
are ``flog``/``flog1p`` (~1 ulp), where numpy's float32 ``log1p`` costs ~16 ns an element on
AVX2.  The sum goes by blocks of ``SUM_BLOCK`` elements (``_common``), the same bits serial
or parallel.

``weight`` / ``pos_weight``: None or arrays broadcastable to x's shape (the caller
normally broadcasts them already; otherwise they are broadcast here with a copy).
``loss`` and ``grad`` have x's shape and dtype; ``mean=True`` divides ``grad`` by
``x.size`` (the 'mean' gradient); ``loss_sum`` is the float64 sum of ``loss``.
"""
from __future__ import annotations

import numpy as np
from numba import prange

from ._common import SUM_BLOCK, SUM_RUN, as_float, kept_scratch, n_blocks, n_chunks, optional_full, use_parallel
from ._jitmath import fexp, flog, flog1p, fmax, fmin, helper, kernel, quiet_in_python, radd, scalar_of

__all__ = ["bce_with_logits_forward_backward", "bce_with_logits_forward", "bce_forward_backward", "bce_forward",
           "bce_with_logits_reference", "bce_reference"]

_U = np.uint64


def bce_with_logits_reference(x, y, weight=None, pos_weight=None, mean=False):
    x = np.asarray(x)
    y = np.asarray(y, x.dtype)
    pw = 1 if pos_weight is None else np.asarray(pos_weight, x.dtype)
    w = 1 if weight is None else np.asarray(weight, x.dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        logsig = np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))
        sig = np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))),
                       np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))
        loss = (w * ((1 - y) * x - (1 + (pw - 1) * y) * logsig)).astype(x.dtype)
        grad = (w * ((pw * y + 1 - y) * sig - pw * y)).astype(x.dtype)
    if mean and x.size:
        grad = (grad / x.size).astype(x.dtype)
    loss = np.broadcast_to(loss, x.shape)
    return loss, np.broadcast_to(grad, x.shape), float(np.sum(loss, dtype=np.float64))


def bce_reference(p, y, weight=None, mean=False):
    p = np.asarray(p)
    y = np.asarray(y, p.dtype)
    if np.any(~((p >= 0) & (p <= 1))):
        raise RuntimeError("all elements of input should be between 0 and 1")
    w = 1 if weight is None else np.asarray(weight, p.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        lp = np.maximum(np.log(p), -100)
        l1p = np.maximum(np.log(1 - p), -100)
        loss = (-w * (y * lp + (1 - y) * l1p)).astype(p.dtype)
        grad = (w * (p - y) / np.maximum(p * (1 - p), 1e-12)).astype(p.dtype)
    if mean and p.size:
        grad = (grad / p.size).astype(p.dtype)
    loss = np.broadcast_to(loss, p.shape)
    return loss, np.broadcast_to(grad, p.shape), float(np.sum(loss, dtype=np.float64))


@helper
def _bcel_elements(x, y, w, has_w, pw, has_pw, sc, want_grad, loss, grad, i0, i1):
    """Elements i0..i1 of, with ``z = exp(-|x|)``::

        loss = w * ((1 - y) * x - (1 + (pw - 1) * y) * (min(x, 0) - log1p(z)))
        grad = w * ((pw * y + 1 - y) * sigmoid(x) - pw * y) * sc      (if want_grad)

    One loop for both uses (the flag is a constant where the two chunks below inline it).
    Every load comes before the stores: ``loss`` and ``grad`` might alias the inputs for all
    LLVM knows, and with a load after a store the loop did not vectorise (7x slower;
    ``tests/kernels/test_k_vectorised.py`` checks the machine code)."""
    one = scalar_of(x, 1.0)
    zero = scalar_of(x, 0.0)
    for i in range(_U(i0), _U(i1)):
        xi = x[i]  # every load before the stores: loss and grad might alias the inputs for all
        yi = y[i]  # LLVM knows, and a load after a store stops it vectorising
        pwi = pw[i] if has_pw else one
        wi = w[i] if has_w else one
        z = fexp(-abs(xi))
        logsig = fmin(xi, zero) - flog1p(z)
        l = (one - yi) * xi - (one + (pwi - one) * yi) * logsig
        if has_w:
            l *= wi
        loss[i] = l
        if want_grad:
            u = one + z
            sig = one / u if xi >= zero else z / u
            g = (pwi * yi + one - yi) * sig - pwi * yi
            if has_w:
                g *= wi
            grad[i] = g * sc


@helper
def _bcel_chunk(x, y, w, has_w, pw, has_pw, sc, loss, grad, i0, i1):
    _bcel_elements(x, y, w, has_w, pw, has_pw, sc, True, loss, grad, i0, i1)


@helper
def _bcel_loss_chunk(x, y, w, has_w, pw, has_pw, loss, i0, i1):
    _bcel_elements(x, y, w, has_w, pw, has_pw, scalar_of(x, 1.0), False, loss, loss, i0, i1)


@helper
def _bce_chunk(p, y, w, has_w, sc, loss, grad, i0, i1):
    """Elements i0..i1 of::

        loss = -w * (y * max(log(p), -100) + (1 - y) * max(log(1 - p), -100))
        grad = w * (p - y) / max(p * (1 - p), 1e-12) * sc
    """
    one = scalar_of(p, 1.0)
    lo = scalar_of(p, -100.0)
    eps = scalar_of(p, 1e-12)
    for i in range(_U(i0), _U(i1)):
        pi = p[i]
        yi = y[i]
        q = one - pi
        lp = fmax(flog(pi), lo)
        l1p = fmax(flog(q), lo)
        l = -(yi * lp + (one - yi) * l1p)
        g = (pi - yi) / fmax(pi * q, eps)
        if has_w:
            l *= w[i]
            g *= w[i]
        loss[i] = l
        grad[i] = g * sc


@helper
def _clamped(v, lo):
    """max(v, lo) with numpy's nan (LLVM's maxnum would return lo for a nan v)."""
    return v if (v > lo or v != v) else lo


@helper
def _bce_loss_block(p, y, w, has_w, keep, loss, i0, i1):
    """Elements i0..i1 of ``w ((y - 1) max(log1p(-p), -100) - y max(log p, -100))``, written
    to ``loss`` if ``keep``; returns their float64 sum, and False if some p or y is outside
    [0, 1] or nan (the checks ride along the pass that reads them anyway)."""
    zero = scalar_of(p, 0.0)
    one = scalar_of(p, 1.0)
    lo = scalar_of(p, -100.0)
    total = 0.0
    ok = True
    for j in range(i0, i1, SUM_RUN):  # runs summed in the arrays' dtype (they vectorise), then in float64
        s = zero
        for i in range(_U(j), _U(min(j + SUM_RUN, i1))):
            pi = p[i]
            yi = y[i]
            ok &= (pi >= zero) & (pi <= one) & (yi >= zero) & (yi <= one)
            l = (yi - one) * _clamped(flog1p(-pi), lo) - yi * _clamped(flog(pi), lo)
            l = l * w[i] if has_w else l
            if keep:
                loss[i] = l
            s = radd(s, l)
        total += float(s)
    return total, ok


def _bcel(x, y, w, has_w, pw, has_pw, sc_, loss, grad, nch):
    """_bcel_chunk over nch chunks (prange); returns ``float(loss.sum())`` (radd)."""
    n = x.shape[0]
    sc = scalar_of(x, sc_)
    for ch in prange(nch):
        _bcel_chunk(x, y, w, has_w, pw, has_pw, sc, loss, grad, ch * n // nch, (ch + 1) * n // nch)
    s = 0.0
    for i in range(n):
        s = radd(s, float(loss[i]))    # float64 also as plain Python
    return s


def _bcel_fwd(x, y, w, has_w, pw, has_pw, loss, nch):
    """_bcel_chunk over nch chunks (prange), the loss alone."""
    n = x.shape[0]
    for ch in prange(nch):
        _bcel_loss_chunk(x, y, w, has_w, pw, has_pw, loss, ch * n // nch, (ch + 1) * n // nch)


def _bce_fwd(p, y, w, has_w, keep, loss, block_sums, block_ok, nch):
    """_bce_loss_block over the blocks, in nch chunks of blocks (prange); returns the sum
    of the block sums, in order, and whether every block's p and y were in [0, 1]."""
    n = p.shape[0]
    nb = block_sums.shape[0]
    for ch in prange(nch):
        for b in range(ch * nb // nch, (ch + 1) * nb // nch):
            block_sums[b], block_ok[b] = _bce_loss_block(p, y, w, has_w, keep, loss, b * SUM_BLOCK,
                                                         min(n, (b + 1) * SUM_BLOCK))
    s = 0.0
    ok = True
    for b in range(nb):
        s += block_sums[b]
        ok &= block_ok[b]
    return s, ok


def _bce(p, y, w, has_w, sc_, loss, grad, nch):
    """Checks ``0 <= p <= 1`` (returns the first bad position), then _bce_chunk over
    nch chunks; returns ``(float(loss.sum()), -1)``."""
    n = p.shape[0]
    for i in range(n):          # validate before writing anything
        if not (p[i] >= 0.0 and p[i] <= 1.0):
            return -1.0, i
    sc = scalar_of(p, sc_)
    for ch in prange(nch):
        _bce_chunk(p, y, w, has_w, sc, loss, grad, ch * n // nch, (ch + 1) * n // nch)
    s = 0.0
    for i in range(n):
        s = radd(s, float(loss[i]))    # float64 also as plain Python
    return s, -1


_bcel_ser = quiet_in_python(kernel()(_bcel))
_bcel_par = quiet_in_python(kernel(parallel=True)(_bcel))
_bcel_fwd_ser = quiet_in_python(kernel()(_bcel_fwd))
_bcel_fwd_par = quiet_in_python(kernel(parallel=True)(_bcel_fwd))
_bce_fwd_ser = quiet_in_python(kernel()(_bce_fwd))
_bce_fwd_par = quiet_in_python(kernel(parallel=True)(_bce_fwd))
_bce_ser = quiet_in_python(kernel()(_bce))
_bce_par = quiet_in_python(kernel(parallel=True)(_bce))


def _prep(x, y, name):
    x = as_float(x)
    y = as_float(y, x.dtype)
    if y.shape != x.shape:
        raise ValueError(f"{name}: target shape {y.shape} != input shape {x.shape}")
    return x, y


def bce_with_logits_forward_backward(x, y, weight=None, pos_weight=None, mean=False):
    x, y = _prep(x, y, "bce_with_logits")
    w, has_w = optional_full(weight, x.shape, x.dtype, "weight")
    pw, has_pw = optional_full(pos_weight, x.shape, x.dtype, "pos_weight")
    loss = np.empty_like(x)
    grad = np.empty_like(x)
    n = x.size
    sc = (1.0 / n if n else 1.0) if mean else 1.0
    par = use_parallel(n)
    s = (_bcel_par if par else _bcel_ser)(x.reshape(-1), y.reshape(-1), w, has_w, pw, has_pw,
                                          sc, loss.reshape(-1), grad.reshape(-1),
                                          n_chunks(n, par))
    return loss, grad, s


def bce_with_logits_forward(x, y, weight=None, pos_weight=None):
    x, y = _prep(x, y, "bce_with_logits")
    w, has_w = optional_full(weight, x.shape, x.dtype, "weight")
    pw, has_pw = optional_full(pos_weight, x.shape, x.dtype, "pos_weight")
    loss = np.empty_like(x)
    n = x.size
    par = use_parallel(n)
    (_bcel_fwd_par if par else _bcel_fwd_ser)(x.reshape(-1), y.reshape(-1), w, has_w, pw, has_pw,
                                              loss.reshape(-1), n_chunks(n, par))
    return loss


def bce_forward(p, y, weight=None, reduce=False):
    p, y = _prep(p, y, "bce")
    w, has_w = optional_full(weight, p.shape, p.dtype, "weight")
    n = p.size
    par = use_parallel(n)
    nb = n_blocks(n)
    if reduce:  # the loss is not returned: the scratch is kept (kept_scratch)
        loss, block_sums, block_ok = kept_scratch(("bce sum", nb, p.dtype), lambda: (
            np.empty(1, p.dtype), np.empty(nb), np.empty(nb, np.bool_)))
    else:
        loss, block_sums, block_ok = np.empty(p.shape, p.dtype), np.empty(nb), np.empty(nb, np.bool_)
    s, ok = (_bce_fwd_par if par else _bce_fwd_ser)(p.reshape(-1), y.reshape(-1), w, has_w, not reduce,
                                                    loss.reshape(-1), block_sums, block_ok,
                                                    n_chunks(block_sums.size, par))
    if not ok:
        raise RuntimeError(f"all elements of {unit_interval_culprit(p, y)} should be between 0 and 1")
    return float(s) if reduce else loss


def unit_interval_culprit(p, y):
    """"input" or "target": which holds the first element (in flat order, the input's first
    at a tie) outside [0, 1] or nan, as torch's element-by-element check finds it."""
    bad_p = ~((p >= 0) & (p <= 1)).reshape(-1)
    bad = np.flatnonzero(bad_p | ~((y >= 0) & (y <= 1)).reshape(-1))
    return "input" if bad.size and bad_p[bad[0]] else "target"


def bce_forward_backward(p, y, weight=None, mean=False):
    p, y = _prep(p, y, "bce")
    w, has_w = optional_full(weight, p.shape, p.dtype, "weight")
    loss = np.empty_like(p)
    grad = np.empty_like(p)
    n = p.size
    sc = (1.0 / n if n else 1.0) if mean else 1.0
    par = use_parallel(n)
    s, bad = (_bce_par if par else _bce_ser)(p.reshape(-1), y.reshape(-1), w, has_w, sc,
                                             loss.reshape(-1), grad.reshape(-1),
                                             n_chunks(n, par))
    if bad >= 0:
        raise RuntimeError("all elements of input should be between 0 and 1")
    return loss, grad, s
