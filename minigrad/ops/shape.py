"""Ops that move values around without arithmetic: reshape, permute, expand, indexing,
gather, cat, stack, where.  Their backward puts each gradient back where its value came from.

Putting a gradient back is itself an op (``IndexAdjoint``, ``GatherAdjoint``), whose own
backward is the indexing again: that is what makes second derivatives flow through them."""
import numpy as np

from minigrad.autograd.function import ArrayFunction
from minigrad.ops.dual import call, data, permute, where


class Reshape(ArrayFunction):
    """reshape, view, flatten, squeeze, unsqueeze: same values, new shape."""
    returns_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.input_shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {x.size}") from None

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.input_shape), None


class Permute(ArrayFunction):
    """permute, transpose, .T: reorder the axes; backward applies the inverse order."""
    returns_view = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.transpose(x, dims)

    @staticmethod
    def backward(ctx, g):
        return permute(g, np.argsort(ctx.dims)), None


class Expand(ArrayFunction):
    """A read-only broadcast view; the engine sums the gradient back (unbroadcast)."""
    returns_view = True

    @staticmethod
    def forward(ctx, x, shape):
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g, None


class Index(ArrayFunction):
    """``x[index]``; gradients of repeated picks add up (np.add.at)."""

    @staticmethod
    def forward(ctx, x, index, basic):
        ctx.index_info = (x.shape, index, basic)
        out = x[index]
        if basic and type(out) is not np.ndarray:  # ints picking one element: a 0-d view, not a copy
            out = x[(*index, Ellipsis) if isinstance(index, tuple) else (index, Ellipsis)]
        return out

    @staticmethod
    def backward(ctx, g):
        shape, index, basic = ctx.index_info
        return call(IndexAdjoint, g, shape, index, basic), None, None


class BasicIndex(Index):
    """``x[index]`` with ints, slices, None and Ellipsis only: numpy returns a view."""
    returns_view = True


class AsStrided(Index):
    """A view's elements picked again from its base after an in-place change through the view
    rebased the base's history (``tensor_inplace._rebase_view``)."""


class IndexAdjoint(ArrayFunction):
    """The backward of ``x[index]``: zeros of x's shape with ``g`` added at ``index`` (picks
    repeated by an integer index add up).  Its own backward is ``gg[index]``."""

    @staticmethod
    def forward(ctx, g, shape, index, basic):
        ctx.index_info = (index, basic)
        grad = np.zeros(shape, dtype=g.dtype)
        if basic:   # slices pick each element at most once
            grad[index] = g
        else:
            np.add.at(grad, index, g)
        return grad

    @staticmethod
    def backward(ctx, gg):
        index, basic = ctx.index_info
        return call(BasicIndex if basic else Index, gg, index, basic), None, None, None


class IndexPut(ArrayFunction):
    """``x[index] = value`` recorded in the graph: the overwritten entries get no gradient."""

    @staticmethod
    def forward(ctx, x, index, value):
        ctx.index = index
        ctx.value_is_array = isinstance(value, np.ndarray)
        out = x.copy()
        out[index] = value
        return out

    @staticmethod
    def backward(ctx, g):
        overwritten = np.zeros(data(g).shape, dtype=bool)
        overwritten[ctx.index] = True  # d out/d x = 0 where value was written, 1 elsewhere
        grad_x = where(overwritten, 0, g) if ctx.needs_input_grad[0] else None
        grad_value = g[ctx.index] if ctx.needs_input_grad[2] else None  # d out[index]/d value = 1
        return grad_x, None, grad_value



class CopySlices(IndexPut):
    """An in-place change through a view, recorded on the view's base (see
    ``tensor_inplace._rebase_view``): the base with the view's elements replaced."""
    node_name = "CopySlices"


class Gather(ArrayFunction):
    """``out[i][j] = x[i][index[i][j]]`` for dim=1 (and likewise for any dim)."""

    @staticmethod
    def forward(ctx, x, dim, index):
        # index may be smaller than x in the other dims: gather from the matching corner of x
        corner = tuple(slice(None) if d == dim else slice(0, n) for d, n in enumerate(index.shape))
        ctx.gather_info = (x.shape, dim, index, corner)
        return np.take_along_axis(x[corner], index, axis=dim)

    @staticmethod
    def backward(ctx, g):
        shape, dim, index, corner = ctx.gather_info
        return call(GatherAdjoint, g, shape, dim, index, True), None, None


class GatherAdjoint(ArrayFunction):
    """The backward of ``x.gather(dim, index)`` (and of max/min along a dim): zeros of x's
    ``shape`` with each ``g`` added where its value was picked.  Its backward is the gather.
    ``accumulate`` is False when each position is picked at most once (put, not add)."""

    @staticmethod
    def forward(ctx, g, shape, dim, index, accumulate):
        ctx.gather_info = (dim, index)
        grad = np.zeros(shape, dtype=g.dtype)
        if not accumulate:
            np.put_along_axis(grad, index, g, axis=dim)
            return grad
        corner = tuple(slice(None) if d == dim else slice(0, n) for d, n in enumerate(index.shape))
        picks = list(np.ix_(*[np.arange(n) for n in index.shape]))
        picks[dim] = index
        np.add.at(grad[corner], tuple(picks), g)  # each picked element gets its output's gradient
        return grad

    @staticmethod
    def backward(ctx, gg):
        dim, index = ctx.gather_info
        return call(Gather, gg, dim, index), None, None, None, None


class Cat(ArrayFunction):
    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        ctx.splits = np.cumsum([x.shape[dim] for x in xs])[:-1]
        return np.concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx, g):  # each input gets its own slice of the gradient
        bounds = [0, *ctx.splits, data(g).shape[ctx.dim]]
        lead = (slice(None),) * ctx.dim
        return (None, *(g[lead + (slice(int(a), int(b)),)] for a, b in zip(bounds[:-1], bounds[1:])))


class Stack(ArrayFunction):
    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        return np.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, g):
        lead = (slice(None),) * ctx.dim
        return (None, *(g[lead + (i,)] for i in range(data(g).shape[ctx.dim])))


class Where(ArrayFunction):
    """``where(condition, x, y)``: x's entries where condition holds, y's elsewhere."""

    @staticmethod
    def forward(ctx, condition, x, y):
        ctx.condition = condition
        return np.where(condition, x, y)

    @staticmethod
    def backward(ctx, g):
        c = ctx.condition
        need_x, need_y = ctx.needs_input_grad[1:]
        return (None,
                where(c, g, 0) if need_x else None,
                where(c, 0, g) if need_y else None)
