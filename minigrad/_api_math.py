"""``minigrad.sin(x)``, ``minigrad.std_mean(x)``, ``minigrad.einsum(...)``, ...: the free-function
spellings of the math in ``tensor_math_extra.py`` / ``tensor_reduce_extra.py``, and the few
that torch has only as functions (``einsum``, ``tensordot``, ``std_mean``, ``var_mean``).
"""
import types

import numpy as np

from minigrad import dtypes, ops
from minigrad.functions import _method
from minigrad.tensor import Tensor
from minigrad.tensor_math import _as_tensor, _normalize_dim
from minigrad.tensor_reduce_extra import return_types as _return_types

return_types = types.SimpleNamespace(**_return_types)  # minigrad.return_types.max, ... (torch's names)

_METHODS = """sin cos tan asin acos atan arcsin arccos arctan sinh cosh asinh atanh arcsinh arctanh exp2
log1p expm1 log2 log10 rsqrt reciprocal sign sgn erf erfc frac floor ceil round trunc fix nan_to_num
isclose atan2 arctan2 hypot fmod floor_divide fmax fmin lerp logical_and logical_or
logical_xor bitwise_and bitwise_or bitwise_xor bitwise_not amin aminmax std var prod cumsum cumprod
logsumexp logcumsumexp norm median mode any all count_nonzero mv dot vdot outer ger bmm addmm baddbmm
addmv""".split()
globals().update({name: _method(name) for name in _METHODS})


def remainder(input, other):  # noqa: A002
    """``input % other``; ``input`` may be a Python number."""
    if not isinstance(input, Tensor) and isinstance(other, Tensor):
        return other.__rmod__(input)
    return _as_tensor(input).remainder(other)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):  # noqa: A002
    """``(std, mean)`` over ``dim`` (a plain tuple, as torch)."""
    x = _as_tensor(input)
    return (x.std(dim, unbiased, keepdim, correction=correction),
            x.mean(None if isinstance(dim, bool) else dim, keepdim))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):  # noqa: A002
    x = _as_tensor(input)
    return (x.var(dim, unbiased, keepdim, correction=correction),
            x.mean(None if isinstance(dim, bool) else dim, keepdim))


def einsum(equation, *operands):
    """Sums of products over named subscripts, e.g. ``einsum("bij,bjk->bik", a, b)``."""
    from minigrad.ops.linalg_extra import parse_einsum
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    operands = [_as_tensor(t) for t in operands]
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    inputs, output = parse_einsum(equation, [t.shape for t in operands])
    rt = dtypes.result_type(*operands)
    operands = [t if t._data.dtype == rt else t.to(rt) for t in operands]
    seen = {}
    for k, (subs, t) in enumerate(zip(inputs, operands)):
        for c, n in zip(subs, t.shape):
            if seen.get(c, 1) != 1 and n != 1 and n != seen[c]:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {k} which does not "
                                   f"broadcast with previously seen size {seen[c]}")
            if n != 1:
                seen[c] = n
    return ops.linalg_extra.Einsum.apply(inputs, output, *operands)


def tensordot(a, b, dims=2):
    """Contract the last ``dims`` dims of ``a`` with the first of ``b``, or the dims listed in
    ``dims = ([dims of a], [dims of b])``."""
    a, b = _as_tensor(a), _as_tensor(b)
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        dims_a, dims_b = list(range(-dims, 0)), list(range(dims))
    else:
        dims_a, dims_b = ([d] if isinstance(d, int) else list(d) for d in dims)
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[da]} in dim "
                               f"{da} and second has size {b.shape[db]} in dim {db}")
    dims_a = [_normalize_dim(d, a.ndim) for d in dims_a]
    dims_b = [_normalize_dim(d, b.ndim) for d in dims_b]
    keep_a = [d for d in range(a.ndim) if d not in dims_a]
    keep_b = [d for d in range(b.ndim) if d not in dims_b]
    k = int(np.prod([a.shape[d] for d in dims_a]))
    left = a.permute(*(keep_a + dims_a)).reshape(-1, k)
    right = b.permute(*(dims_b + keep_b)).reshape(k, -1)
    return left.mm(right).reshape(tuple(a.shape[d] for d in keep_a) + tuple(b.shape[d] for d in keep_b))


def nelement(input):  # noqa: A002
    return _as_tensor(input).numel()


from minigrad import linalg  # noqa: E402,F401  (minigrad.linalg.vector_norm, ...)

__all__ = _METHODS + ["return_types", "nelement", "remainder", "std_mean", "var_mean", "einsum", "tensordot", "linalg"]
