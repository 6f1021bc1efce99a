"""Ops behind flip, roll, scatter and friends: values moved around, no arithmetic.

Most of the shape and indexing methods of ``tensor_shape_extra.py`` are compositions
of the ops in ``shape.py`` (``Index``, ``IndexAdjoint``, ``Gather``, ``GatherAdjoint``,
``IndexPut``, ``Where``), so their gradients of every order come for free.  The two
here need a forward of their own; their backward rules are still made of those ops.
"""
import numpy as np

from minigrad.autograd.function import ArrayFunction
from minigrad.ops.dual import call, where
from minigrad.ops.shape import Gather, Index, IndexAdjoint


class CopyIndex(Index):
    """``x[index]`` as a new array, never a view of x (flip, roll: torch copies)."""

    @staticmethod
    def forward(ctx, x, index, basic):
        return np.array(Index.forward(ctx, x, index, basic), copy=True)


def index_corner(index_shape, dim):
    """The basic index picking the part of a tensor that an ``index`` of ``index_shape`` covers
    (scatter and gather use only that corner of src / self off ``dim``)."""
    return tuple(slice(None) if d == dim else slice(0, n) for d, n in enumerate(index_shape))


class Scatter(ArrayFunction):
    """``x.scatter(dim, index, src)``: ``out[i][index[i][j]] = src[i][j]`` for dim=1 (any dim
    likewise); ``src`` may be a number.  The overwritten entries of x get no gradient;
    d out/d src[i][j] = 1 at the place it was written, so grad_src = g.gather(dim, index)."""

    @staticmethod
    def forward(ctx, x, dim, index, src):
        out = x.copy()
        corner = index_corner(index.shape, dim)
        values = src[tuple(slice(0, n) for n in index.shape)] if isinstance(src, np.ndarray) and src.ndim else src
        np.put_along_axis(out[corner], index, values, axis=dim)
        written = np.zeros(x.shape, dtype=bool)
        np.put_along_axis(written[corner], index, True, axis=dim)
        ctx.scatter_info = (dim, index, written)
        return out

    @staticmethod
    def backward(ctx, g):
        dim, index, written = ctx.scatter_info
        grad_x = where(written, 0, g) if ctx.needs_input_grad[0] else None
        grad_src = call(Gather, g, dim, index) if ctx.needs_input_grad[3] else None
        return grad_x, None, None, grad_src




class NotDifferentiable(ArrayFunction):
    """A result torch keeps in the graph but cannot differentiate (``scatter(..., reduce=)``,
    ``bincount(weights)``): computed from the detached ``inputs``, it records them so that
    backward raises torch's error."""

    @staticmethod
    def forward(ctx, x, name, *inputs):
        ctx.op_name = name
        return x

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError(f"derivative for aten::{ctx.op_name} is not implemented")


class Diagonal(ArrayFunction):
    """The ``offset`` diagonal of the last two dims, as a writable view (as torch's diagonal:
    ``x.diagonal().fill_(1)`` writes into x).  Backward puts g back on that diagonal."""
    returns_view = True

    @staticmethod
    def forward(ctx, x, offset):
        rows, cols = x.shape[-2:]
        start_row, start_col = max(-offset, 0), max(offset, 0)
        length = max(0, min(rows - start_row, cols - start_col))
        ctx.diagonal_info = (x.shape, (Ellipsis, np.arange(length) + start_row, np.arange(length) + start_col))
        corner = x[..., start_row:, start_col:] if length else x[..., :0, :0]
        return np.lib.stride_tricks.as_strided(corner, x.shape[:-2] + (length,),
                                               x.strides[:-2] + (x.strides[-2] + x.strides[-1],),
                                               writeable=x.flags.writeable)

    @staticmethod
    def backward(ctx, g):
        shape, places = ctx.diagonal_info  # d out[..., i]/d x[..., i + start_row, i + start_col] = 1
        return call(IndexAdjoint, g, shape, places, False), None
