"""Helpers that let one backward rule serve both orders of differentiation.

A built-in op's ``backward`` is written once.  For an ordinary (first-order) backward
the engine hands it numpy arrays, and the rule computes with numpy: nothing is
recorded, nothing is wrapped.  Under ``create_graph=True`` it hands it Tensors, and the
very same lines record a graph of the backward pass, so it can be differentiated again.

Operators (``g * b``, ``-g``, ``g / x``, ``g.reshape(shape)``, ``a @ b``) already mean
the same on arrays and Tensors.  The few things that are spelled differently live here:

- ``data(x)``: the array under ``x`` (for masks and other values that carry no gradient);
- ``where(condition, a, b)``: ``condition`` is a plain boolean array;
- ``sum_to(g, shape)``, ``expand(g, shape)``, ``permute(g, dims)``;
- ``call(Op, *args)``: run another op, directly on arrays (no node) or recorded on Tensors.
"""
from math import prod

import numpy as np

from minigrad.autograd.node import Node
from minigrad.tensor import Tensor


def is_tensor(x):
    return isinstance(x, Tensor)


def data(x):
    """The numpy array under ``x`` (``x`` itself if it is not a Tensor)."""
    return x._data if isinstance(x, Tensor) else x


def call(op, *args):
    """``op`` on ``args``: recorded through ``op.apply`` when a Tensor is among them, else its
    forward run straight on the arrays with a scratch context (the first-order fast path)."""
    if any(isinstance(a, Tensor) for a in args):
        return op.apply(*args)
    node = op._node_class()
    node.needs_input_grad = (False,) * len(args)
    return op.forward(node, *args)


def where(condition, a, b):
    """``a`` where ``condition`` holds, else ``b``; ``condition`` is a boolean array."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        from minigrad.ops.shape import Where
        return Where.apply(np.asarray(condition), a, b)
    return np.where(condition, a, b)


def sum_to(g, shape):
    """Sum ``g`` down to ``shape`` (the adjoint of broadcasting ``shape`` up to g's shape)."""
    from minigrad.autograd.engine import unbroadcast
    return unbroadcast(g, tuple(shape))


_FILL_UP_TO = 4096  # elements: up to here a filled array costs less than np.broadcast_to


def expand(g, shape):
    """Broadcast ``g`` up to ``shape``.  For arrays: a read-only view (``np.broadcast_to``),
    or for a small shape a new array filled with ``g`` (the same numbers: broadcast_to
    spends ~7 µs in Python, filling a 4×4 array 1 µs)."""
    if isinstance(g, Tensor):
        return g.expand(tuple(shape))
    if prod(shape) <= _FILL_UP_TO:
        out = np.empty(shape, g.dtype)
        out[...] = g
        return out
    return np.broadcast_to(g, shape)


def permute(g, dims):
    if isinstance(g, Tensor):
        return g.permute(tuple(int(d) for d in dims))
    return np.transpose(g, dims)


def zeros(shape, like):
    """Zeros of ``shape`` with ``like``'s dtype, as an array (a constant either way)."""
    return np.zeros(shape, dtype=data(like).dtype)
