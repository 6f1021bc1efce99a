"""torch-style free functions: ``minigrad.exp(x)``, ``minigrad.cat([a, b])``, ... .

Most are the Tensor method of the same name; ``cat``, ``stack`` and ``where`` take
several tensors and live here.
"""
import numpy as np

from minigrad import dtypes, ops
from minigrad.tensor import Tensor
from minigrad.tensor_math import _apply_elementwise, _as_tensor, _cast_operand, _normalize_dim, _torch_type_name


def _method(name):
    def fn(input, *args, **kwargs):  # noqa: A002 - torch's argument name
        return getattr(_as_tensor(input), name)(*args, **kwargs)
    fn.__name__ = name
    fn.__doc__ = f"``minigrad.{name}(t, ...)`` is ``t.{name}(...)``."
    return fn


_METHODS = """add sub mul div pow neg exp log sqrt abs square clamp clip relu sigmoid tanh
sum mean max min amax argmax argmin matmul mm reshape flatten squeeze unsqueeze transpose
permute t gather masked_fill clone softmax log_softmax maximum minimum eq ne lt le gt ge
isnan isinf isfinite logical_not equal allclose numel detach""".split()
globals().update({name: _method(name) for name in _METHODS})
__all__ = _METHODS + ["cat", "concat", "stack", "where"]


def _common(tensors, what):
    tensors = [_as_tensor(t) for t in tensors]
    if not tensors:  # torch's own words (and types) for the two
        if what == "stack":
            raise RuntimeError("stack expects a non-empty TensorList")
        raise ValueError(f"{what}(): expected a non-empty list of Tensors")
    rt = dtypes.result_type(*tensors)
    return [_cast_operand(t, rt) for t in tensors]


def cat(tensors, dim=0):
    """Join tensors along an existing dimension."""
    if isinstance(tensors, Tensor):
        raise TypeError("cat(): argument 'tensors' must be tuple of Tensors, not Tensor")
    tensors = _common(tensors, "minigrad.cat")
    # torch skips 1-D empty tensors when joining
    tensors = [t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)] or tensors[:1]
    first = tensors[0]
    if first.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    dim = _normalize_dim(dim, first.ndim)
    for k, t in enumerate(tensors[1:], start=1):
        if t.ndim != first.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {first.ndim} and {t.ndim}")
        for d in range(first.ndim):
            if d != dim and t.shape[d] != first.shape[d]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {dim}. Expected size "
                                   f"{first.shape[d]} but got size {t.shape[d]} for tensor number {k} in the list.")
    return ops.shape.Cat.apply(dim, *tensors)


concat = cat


def stack(tensors, dim=0):
    """Join same-shaped tensors along a new dimension."""
    if isinstance(tensors, Tensor):
        raise TypeError("stack(): argument 'tensors' must be tuple of Tensors, not Tensor")
    tensors = _common(tensors, "stack")
    dim = _normalize_dim(dim, tensors[0].ndim + 1)
    for k, t in enumerate(tensors[1:], start=1):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} "
                               f"at entry 0 and {list(t.shape)} at entry {k}")
    return ops.shape.Stack.apply(dim, *tensors)


def where(condition, input=None, other=None):  # noqa: A002
    """``input`` where ``condition`` holds, ``other`` elsewhere; both may be Python numbers."""
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if input is None and other is None:
        return tuple(Tensor._wrap(i) for i in np.nonzero(cond))
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{_torch_type_name(cond.dtype)}")
    rt = dtypes.result_type(input, other)
    x, y = _cast_operand(input, rt), _cast_operand(other, rt)
    x = x if isinstance(x, Tensor) else rt.type(x)
    y = y if isinstance(y, Tensor) else rt.type(y)
    return _apply_elementwise(ops.shape.Where, cond, x, y)
