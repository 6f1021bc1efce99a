"""More reductions and scans: prod, cumsum, cumprod, logcumsumexp, vector norms.

``axis`` is one non-negative dim.  Backward rules are written once for arrays and
Tensors (``dual.py``) and call other ops, so they can be differentiated again.
Products with zeros get their exact gradient (the product of the other elements),
as torch's do, by building, for each element, the input with that element set to 1.
"""
import numpy as np

from minigrad.autograd.function import ArrayFunction
from minigrad.ops.dual import call, data, permute, where
from minigrad.ops.elementwise import Exp
from minigrad.ops.elementwise_extra import _quiet, sign_of
from minigrad.ops.reduce import _expand_back


def _to_last(x, axis):
    """Move ``axis`` to the end (a view): returns the moved value and the permutation."""
    order = [d for d in range(data(x).ndim) if d != axis] + [axis]
    return permute(x, order), order


def _from_last(x, order):
    return permute(x, list(np.argsort(order)))


def _each_set_to_one(x, axis):
    """``(..., n, n)`` with the axis moved last: row i is x's slice with element i set to 1."""
    moved, order = _to_last(x, axis)
    n = data(x).shape[axis]
    rows = moved.reshape(tuple(data(moved).shape[:-1]) + (1, n))
    return where(np.eye(n, dtype=bool), data(x).dtype.type(1), rows), order


class Prod(ArrayFunction):
    """Product over ``axis`` (None: all elements)."""

    @staticmethod
    def forward(ctx, x, axis, keepdim, dtype):
        out = np.asarray(np.prod(x, axis=axis, keepdims=keepdim, dtype=dtype))
        ctx.save_for_backward(x, out)
        ctx.shape_info = (x.shape, axis, keepdim)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        shape, axis, keepdim = ctx.shape_info
        axes = None if axis is None else (axis,)
        g = _expand_back(g, shape, axes, keepdim)
        if not np.any(data(x) == 0):  # d/dx_i Π x = Π x / x_i
            return g * (_expand_back(out, shape, axes, keepdim) / x), None, None, None
        flat = x.reshape(-1) if axis is None else x
        rows, order = _each_set_to_one(flat, 0 if axis is None else axis)
        others = _from_last(call(Prod, rows, data(rows).ndim - 1, False, None), order)
        return g * others.reshape(shape), None, None, None  # the product of the other elements


class Cumsum(ArrayFunction):
    """Running sum along ``axis``; ``reverse``: from the end."""

    @staticmethod
    def forward(ctx, x, axis, reverse, dtype):
        ctx.scan = (axis, reverse)
        if reverse:
            return np.flip(np.cumsum(np.flip(x, axis), axis=axis, dtype=dtype), axis).copy()
        return np.cumsum(x, axis=axis, dtype=dtype)

    @staticmethod
    def backward(ctx, g):
        axis, reverse = ctx.scan  # each x_i enters every later (earlier) running sum once
        return call(Cumsum, g, axis, not reverse, None), None, None, None


class Cumprod(ArrayFunction):
    @staticmethod
    def forward(ctx, x, axis, dtype):
        out = np.cumprod(x, axis=axis, dtype=dtype)
        ctx.save_for_backward(x, out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        axis = ctx.axis
        if not np.any(data(x) == 0):  # d out_k / d x_i = out_k / x_i for k >= i
            return call(Cumsum, g * out, axis, True, None) / x, None, None
        rows, order = _each_set_to_one(x, axis)  # row i: the running products without x_i
        scans = call(Cumprod, rows, data(rows).ndim - 1, None)
        n = data(x).shape[axis]
        later = np.triu(np.ones((n, n), dtype=bool))  # [i, k]: k >= i
        g_moved, _ = _to_last(g, axis)
        g_rows = g_moved.reshape(tuple(data(g_moved).shape[:-1]) + (1, n))
        grad = (where(later, scans, 0) * g_rows).sum(-1)
        return _from_last(grad, order), None, None


class LogCumSumExp(ArrayFunction):
    """``log Σ_{j<=k} exp x_j`` along ``axis`` (``reverse``: j >= k), without overflow."""

    @staticmethod
    def forward(ctx, x, axis, reverse):
        ctx.axis, ctx.reverse = axis, reverse
        with np.errstate(all="ignore"):
            if reverse:
                out = np.flip(np.logaddexp.accumulate(np.flip(x, axis), axis=axis), axis).copy()
            else:
                out = np.logaddexp.accumulate(x, axis=axis)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        # d out_k / d x_j = exp(x_j - out_k) for the k whose sums hold x_j, i.e.
        # grad_j = exp(x_j - M) * Σ_k g_k exp(M - out_k), shifted by M = the largest x (a constant)
        x, out = ctx.saved_tensors
        axis, reverse = ctx.axis, ctx.reverse
        xd = data(x)
        finite = xd[np.isfinite(xd)]
        shift = xd.dtype.type(finite.max() if finite.size else 0)
        with np.errstate(all="ignore"):
            weighted = g * call(Exp, shift - out)
            return call(Exp, x - shift) * call(Cumsum, weighted, axis, not reverse, None), None, None


class AbsPow(ArrayFunction):
    """Exponent helper used by norms: ``|x|^p`` with the gradient ``p |x|^(p-1) sign x``
    (0 at x == 0, as torch's pow of abs for p > 0)."""

    @staticmethod
    def forward(ctx, x, p):
        ctx.save_for_backward(x)
        ctx.p = p
        return np.asarray(_quiet(np.power, np.abs(x), p))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with np.errstate(all="ignore"):
            return where(data(x) == 0, 0, g * (call(AbsPow, x, ctx.p - 1) * sign_of(x)) * ctx.p), None


class VectorNorm(ArrayFunction):
    """``(Σ |x|^p)^(1/p)`` over ``axes`` (p = inf / -inf: the largest / smallest |x|; p = 0:
    the count of nonzeros)."""

    @staticmethod
    def forward(ctx, x, p, axes, keepdim):
        ax = np.abs(x)
        with np.errstate(all="ignore"):
            if p == np.inf:
                out = np.max(ax, axis=axes, keepdims=keepdim)
            elif p == -np.inf:
                out = np.min(ax, axis=axes, keepdims=keepdim)
            elif p == 0:
                out = np.sum(x != 0, axis=axes, keepdims=keepdim).astype(x.dtype)
            elif p == 1:
                out = np.sum(ax, axis=axes, keepdims=keepdim)
            elif p == 2:
                out = np.sqrt(np.sum(x * x, axis=axes, keepdims=keepdim))
            else:
                out = np.sum(ax ** p, axis=axes, keepdims=keepdim) ** (1.0 / p)
        out = np.asarray(out, dtype=x.dtype)
        ctx.save_for_backward(x, out)
        ctx.info = (x.shape, p, axes, keepdim)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        shape, p, axes, keepdim = ctx.info
        g = _expand_back(g, shape, axes, keepdim)
        norm = _expand_back(out, shape, axes, keepdim)
        xd, nd = data(x), data(norm)
        with np.errstate(all="ignore"):
            if p == 0:  # a count: no gradient at all (as torch, which passes none on)
                return None, None, None, None
            elif p == 1:
                grad = g * sign_of(x)
            elif np.isinf(p):  # the extreme elements share the gradient evenly (as torch)
                hits = (np.abs(xd) == nd) | np.isnan(xd)
                grad = sign_of(x) * (g * (hits / hits.sum(axis=axes, keepdims=True)).astype(xd.dtype))
            elif p == 2:  # d‖x‖/dx = x / ‖x‖, 0 where ‖x‖ = 0
                grad = where(nd == 0, 0, g * x / norm)
            else:  # d‖x‖_p/dx = x |x|^(p-2) / ‖x‖^(p-1)
                grad = g * (call(AbsPow, x, p - 1) * sign_of(x)) / call(AbsPow, norm, p - 1)
                grad = where((xd == 0) if p < 1 else (nd == 0), 0, grad)
        return grad, None, None, None


class LogSumExp(ArrayFunction):
    """``log Σ exp x`` over ``axes``, shifted by the largest value (kept finite), as torch."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        shift = np.max(x, axis=axes, keepdims=True)
        shift = np.where(np.isinf(shift), 0, shift).astype(x.dtype)
        with np.errstate(all="ignore"):
            out = np.log(np.sum(np.exp(x - shift), axis=axes, keepdims=True)) + shift
        out = np.asarray(out if keepdim else np.squeeze(out, axes), dtype=x.dtype)
        ctx.save_for_backward(x, out)
        ctx.shape_info = (x.shape, axes, keepdim)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        shape, axes, keepdim = ctx.shape_info  # d/dx_i log Σ e^x = e^(x_i - out)
        out = _expand_back(out, shape, axes, keepdim)
        with np.errstate(all="ignore"):
            return _expand_back(g, shape, axes, keepdim) * call(Exp, x - out), None, None
