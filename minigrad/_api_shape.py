"""Free functions for the shape, indexing, sorting and sampling methods: ``minigrad.flip(x,
dims)`` is ``x.flip(dims)``, as torch has both; and the few with no method form
(``searchsorted``, ``bucketize``, ``normal``, ``randint_like``, ...)."""
import numpy as np

from minigrad.creation_extra import bernoulli, multinomial, normal, randint_like  # noqa: F401
from minigrad._lazy import LazyModule
index_extra = LazyModule("minigrad.ops.index_extra")  # imported on first use
from minigrad.tensor import Tensor
from minigrad.tensor_math import _as_tensor


def _method(name):
    def fn(input, *args, **kwargs):  # noqa: A002 - torch's argument name
        return getattr(_as_tensor(input), name)(*args, **kwargs)
    fn.__name__ = name
    fn.__doc__ = f"``minigrad.{name}(t, ...)`` is ``t.{name}(...)``."
    return fn


_METHODS = """split chunk unbind narrow flip fliplr flipud roll tile tril triu diag diagonal
broadcast_to unflatten movedim moveaxis swapaxes swapdims index_select index_add index_copy index_fill
scatter scatter_add scatter_reduce masked_select masked_scatter take take_along_dim topk sort argsort
kthvalue nonzero unique_consecutive bincount""".split()
globals().update({name: _method(name) for name in _METHODS})
__all__ = _METHODS + ["unique", "repeat_interleave", "searchsorted", "bucketize", "normal", "bernoulli",
                      "multinomial", "randint_like"]


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    return _as_tensor(input).unique(sorted, return_inverse, return_counts, dim)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):  # noqa: A002
    """``repeat_interleave(x, repeats, dim)``; ``repeat_interleave(counts)`` alone repeats each
    position i counts[i] times (``arange(len(counts)).repeat_interleave(counts)``)."""
    return _as_tensor(input).repeat_interleave(repeats, dim, output_size=output_size)


def _side(right, side):
    if side is not None and side not in ("left", "right"):
        raise RuntimeError(f"minigrad.searchsorted(): side can only be 'left' or 'right' but got {side}")
    if side == "left" and right:
        raise RuntimeError("minigrad.searchsorted(): side and right can't be set to opposites, got side of left "
                           "while right was True")
    return "right" if right or side == "right" else "left"


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None):  # noqa: A002
    """Where ``input``'s values would go in each row of ``sorted_sequence`` to keep it sorted."""
    boundaries = _as_tensor(sorted_sequence)._data
    scalar = not isinstance(input, Tensor)
    values = np.asarray(input._data if not scalar else input)
    side = _side(right, side)
    if boundaries.ndim == 0:
        raise RuntimeError("minigrad.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
                           "dimension")
    if boundaries.ndim > 1 and (scalar or boundaries.shape[:-1] != values.shape[:-1]):
        if scalar:
            raise RuntimeError("minigrad.searchsorted(): input value can be a scalar only when boundaries tensor "
                               f"dimension is 1, but we got boundaries tensor dim({boundaries.ndim}) and input "
                               "value's dim(0) numel(1)")
        raise RuntimeError("minigrad.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                           "dimensions of boundaries tensor and input value tensor must match, but we got "
                           f"boundaries tensor {list(boundaries.shape)} and input value tensor "
                           f"{list(values.shape)}")
    order = None if sorter is None else _as_tensor(sorter)._data
    out = index_extra.searchsorted(boundaries, values, side, order)
    return Tensor._wrap(np.asarray(out, np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries, *, out_int32=False, right=False):  # noqa: A002
    """The bucket of each value: i with boundaries[i-1] < x <= boundaries[i] (right=False)."""
    b = _as_tensor(boundaries)._data
    if b.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({b.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)
