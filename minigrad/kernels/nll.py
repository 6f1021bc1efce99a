"""NLL loss on log-probabilities: gather (forward) and scatter (backward).

The plain-numpy form: ``nll_forward`` / ``nll_backward`` in ``minigrad/ops/loss.py``
(what runs under ``minigrad.set_kernels(False)``).

The input is C-contiguous, class axis 1 (axis 0 for 1-D input), viewed as (N, C, S).

``nll_forward(x, target, weight=None, ignore_index=-100)`` ->
``(loss, loss_sum, total_weight)``: ``loss[n, s] = -w[y] * x[n, y, s]`` (0 where
``y == ignore_index``), shape = x.shape without axis 1, x's dtype; ``loss_sum`` its
float64 sum; ``total_weight`` = sum of w[y] over non-ignored positions.

``nll_backward(grad_out, target, input_shape, dtype, weight=None, ignore_index=-100)``
-> ``grad`` of ``input_shape``: ``-w[y] * grad_out[n, s]`` at the target class, 0
elsewhere and at ignored positions.  ``grad_out`` is a scalar (e.g. ``1/total_weight``
for 'mean', ``1`` for 'sum') or an array of the loss shape ('none').

Both raise ``IndexError("Target 5 is out of bounds.")`` before writing anything.
These are O(N*S) gathers/scatters (memory-latency bound), so they run serially.
"""
from __future__ import annotations

import numpy as np

from ._common import as_float, as_index, optional_vector
from ._jitmath import kernel, quiet_in_python, scalar_of
from .validate import targets_prepass, raise_bad_target, check_targets_reference

__all__ = ["nll_forward", "nll_backward", "nll_forward_reference", "nll_backward_reference"]


def _layout(shape):
    if len(shape) == 1:
        return 1, shape[0], 1, ()
    N, C = shape[0], shape[1]
    S = 1
    for d in shape[2:]:
        S *= d
    return N, C, S, (N,) + tuple(shape[2:])


def nll_forward_reference(x, target, weight=None, ignore_index=-100):
    x = np.asarray(x)
    N, C, S, lshape = _layout(x.shape)
    t = np.asarray(target, np.int64).reshape(N, S)
    check_targets_reference(t, C, ignore_index)
    w = np.ones(C, x.dtype) if weight is None else np.asarray(weight, x.dtype)
    valid = t != ignore_index
    ts = np.where(valid, t, 0)
    picked = np.take_along_axis(x.reshape(N, C, S), ts[:, None, :], axis=1)[:, 0]
    loss = np.where(valid, -w[ts] * picked, 0).astype(x.dtype)
    total = float(np.sum(np.where(valid, w[ts], 0), dtype=np.float64))
    return loss.reshape(lshape), float(np.sum(loss, dtype=np.float64)), total


def nll_backward_reference(grad_out, target, input_shape, dtype, weight=None, ignore_index=-100):
    N, C, S, lshape = _layout(tuple(input_shape))
    dtype = np.dtype(dtype)
    t = np.asarray(target, np.int64).reshape(N, S)
    check_targets_reference(t, C, ignore_index)
    w = np.ones(C, dtype) if weight is None else np.asarray(weight, dtype)
    g = np.broadcast_to(np.asarray(grad_out, dtype), lshape).reshape(N, S)
    valid = t != ignore_index
    ts = np.where(valid, t, 0)
    grad = np.zeros((N, C, S), dtype)
    vals = np.where(valid, -w[ts] * g, 0).astype(dtype)
    np.put_along_axis(grad, ts[:, None, :], vals[:, None, :], axis=1)
    return grad.reshape(input_shape)


def _nll_fwd(x, t, w, has_w, ignore_index, loss, C, S):
    """``loss = where(t == ignore_index, 0, -w[t] * take_along_axis(x, t, 1))`` on the
    flat (N, C, S) input; returns ``(bad, total_weight, float(loss.sum()), float(abs(loss).sum()))``
    (the last bounds every partial sum of the losses, whatever their order)."""
    bad, total, _ = targets_prepass(t, w, has_w, C, ignore_index)
    if bad >= 0:
        return bad, total, 0.0, 0.0
    zero = scalar_of(x, 0.0)
    one = scalar_of(x, 1.0)
    lsum = 0.0
    labs = 0.0
    N = t.shape[0] // S if S > 0 else 0
    for n in range(N):               # (n, s) loops: no integer division per position
        for s in range(S):
            p = n * S + s
            y = t[p]
            if y == ignore_index:
                loss[p] = zero
            else:
                v = -(w[y] if has_w else one) * x[(n * C + y) * S + s]
                loss[p] = v
                lsum += float(v)     # float64 also as plain Python
                labs += abs(float(v))
    return -1, total, lsum, labs


def _nll_bwd(g, g_scalar, t, w, has_w, ignore_index, grad, C, S):
    """``put_along_axis(grad, t, -w[t] * g, 1)`` for non-ignored positions (grad is
    zeros); returns the first bad target's position or -1."""
    bad, total, _ = targets_prepass(t, w, has_w, C, ignore_index)
    if bad >= 0:
        return bad
    one = scalar_of(g, 1.0)
    N = t.shape[0] // S if S > 0 else 0
    for n in range(N):
        for s in range(S):
            p = n * S + s
            y = t[p]
            if y != ignore_index:
                gv = g[0] if g_scalar else g[p]
                grad[(n * C + y) * S + s] = -(w[y] if has_w else one) * gv
    return -1


_nll_fwd_k = quiet_in_python(kernel()(_nll_fwd))
_nll_bwd_k = quiet_in_python(kernel()(_nll_bwd))


def nll_fused(x, t, w, has_w, ignore_index):
    """nll_forward without argument normalisation: C-contiguous float32/float64 ``x``, flat
    int64 ``t`` of the right size, ``w`` (C,) of x's dtype (``has_w``), an int ``ignore_index``.
    Returns ``(loss, loss_sum, total_weight, abs_sum)``: abs_sum = Σ|loss| in float64 bounds
    every partial sum, so below the dtype's largest value no sum in that dtype overflows."""
    N, C, S, lshape = _layout(x.shape)
    loss = np.empty(lshape, x.dtype)
    bad, total, lsum, labs = _nll_fwd_k(x.reshape(-1), t, w, has_w, ignore_index, loss.reshape(-1), C, S)
    if bad >= 0:
        raise_bad_target(t, bad)
    return loss, lsum, total, labs


def nll_backward_fused(g, t, w, has_w, ignore_index, C, S):
    """nll_backward without argument normalisation: ``g`` the upstream gradient, C-contiguous
    float32/float64, one element (a reduced loss: the same factor everywhere) or N*S; flat
    int64 ``t`` (N*S); ``w`` (C,) of g's dtype (``has_w``).  Returns the flat gradient (N*C*S)."""
    grad = np.zeros(t.shape[0] * C, g.dtype)
    bad = _nll_bwd_k(g.reshape(-1), g.size == 1, t, w, has_w, ignore_index, grad, C, S)
    if bad >= 0:
        raise_bad_target(t, bad)
    return grad


def nll_forward(x, target, weight=None, ignore_index=-100):
    x = as_float(x)
    N, C, S, lshape = _layout(x.shape)
    t = as_index(target).reshape(-1)
    if t.size != N * S:
        raise ValueError(f"target has {t.size} elements, expected {N * S} for input {x.shape}")
    w, has_w = optional_vector(weight, C, x.dtype, "weight")
    return nll_fused(x, t, w, has_w, int(ignore_index))[:3]


def nll_backward(grad_out, target, input_shape, dtype, weight=None, ignore_index=-100):
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        dtype = np.dtype(np.float64)
    input_shape = tuple(input_shape)
    N, C, S, lshape = _layout(input_shape)
    t = as_index(target).reshape(-1)
    if t.size != N * S:
        raise ValueError(f"target has {t.size} elements, expected {N * S} for input {input_shape}")
    w, has_w = optional_vector(weight, C, dtype, "weight")
    g = as_float(grad_out, dtype)
    if g.size == 1:
        g = g.reshape(1)
        g_scalar = True
    else:
        if g.shape != lshape:
            g = np.ascontiguousarray(np.broadcast_to(g, lshape))
        g = g.reshape(-1)
        g_scalar = False
    grad = np.zeros(input_shape, dtype)
    bad = _nll_bwd_k(g, g_scalar, t, w, has_w, int(ignore_index), grad.reshape(-1), C, S)
    if bad >= 0:
        raise_bad_target(t, bad)
    return grad
