"""Reductions: sum, mean, max, min.  ``axes`` is a tuple of non-negative dims or None (all)."""
import numpy as np

from minigrad.autograd.function import ArrayFunction
from minigrad.ops.dual import call, data, expand


def _expand_back(g, shape, axes, keepdim):
    """Reshape a reduced gradient so it broadcasts against the input's ``shape`` again."""
    if axes is None:
        return g.reshape((1,) * len(shape))
    if not keepdim:
        kept = list(data(g).shape)
        for a in sorted(axes):
            kept.insert(a, 1)
        g = g.reshape(tuple(kept))
    return g


class Sum(ArrayFunction):
    @staticmethod
    def forward(ctx, x, axes, keepdim, dtype):
        ctx.shape_info = (x.shape, axes, keepdim)
        if axes is None and not keepdim:  # the whole sum as a 0-d array, not a numpy scalar
            return np.add.reduce(x, axis=None, dtype=dtype, keepdims=True).reshape(())
        return np.add.reduce(x, axis=axes, dtype=dtype, keepdims=keepdim)  # np.sum, without its wrapper

    @staticmethod
    def backward(ctx, g):
        shape, axes, keepdim = ctx.shape_info  # d(Σx)/dx_i = 1: every input gets g
        return expand(_expand_back(g, shape, axes, keepdim), shape), None, None, None


class Mean(ArrayFunction):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        count = x.size if axes is None else int(np.prod([x.shape[a] for a in axes]))
        ctx.shape_info = (x.shape, axes, keepdim, count)
        total = np.add.reduce(x, axis=axes, keepdims=keepdim)
        if count:  # (a division by a count >= 1 raises no floating-point flag)
            return np.asarray(total / x.dtype.type(count), dtype=x.dtype)
        with np.errstate(invalid="ignore", divide="ignore"):  # the mean of nothing: nan, silently
            return np.asarray(total / x.dtype.type(count), dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        shape, axes, keepdim, count = ctx.shape_info  # d(mean)/dx_i = 1/count
        g = _expand_back(g, shape, axes, keepdim) / data(g).dtype.type(count)
        return expand(g, shape), None, None


class ExtremeAll(ArrayFunction):
    """``x.max()`` / ``x.min()`` over all elements; ties share the gradient evenly (as torch)."""

    @staticmethod
    def forward(ctx, x, reducer):
        out = reducer(x)
        ctx.save_for_backward(x, out)
        return np.asarray(out)

    @staticmethod
    def backward(ctx, g):
        x, out = (data(v) for v in ctx.saved_tensors)
        hits = (x == out) | (np.isnan(x) & np.isnan(out))
        return g * hits / hits.sum(), None


class ExtremeEven(ArrayFunction):
    """``x.amax(dim)``: the maximum over ``axes``; ties in a slice share its gradient evenly (as torch)."""

    @staticmethod
    def forward(ctx, x, reducer, axes, keepdim):
        kept = reducer(x, axis=axes, keepdims=True)
        ctx.save_for_backward(x, kept)
        ctx.shape_info = (x.shape, axes, keepdim)
        return kept if keepdim else np.squeeze(kept, axes)

    @staticmethod
    def backward(ctx, g):
        x, kept = (data(v) for v in ctx.saved_tensors)
        shape, axes, keepdim = ctx.shape_info
        hits = (x == kept) | (np.isnan(x) & np.isnan(kept))
        return _expand_back(g, shape, axes, keepdim) * hits / hits.sum(axis=axes, keepdims=True), None, None, None


class ExtremeDim(ArrayFunction):
    """``x.max(dim)`` / ``x.min(dim)`` values (keepdim shape), given the winners' ``index``
    along ``dim``; the winner gets the whole gradient, the others none."""

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.index_info = (x.shape, dim, index)
        return np.take_along_axis(x, index, axis=dim)

    @staticmethod
    def backward(ctx, g):
        shape, dim, index = ctx.index_info
        from minigrad.ops.shape import GatherAdjoint  # values were gathered: scatter g back
        return call(GatherAdjoint, g, shape, dim, index, False), None, None


# numpy's argmax/argmin, like torch's, pick the first nan when there is one
nan_argmax = np.argmax
nan_argmin = np.argmin
