"""``minigrad.linalg``: vector and matrix norms, as ``torch.linalg``."""
import numbers

import numpy as np

from minigrad import ops
from minigrad.tensor_math import _as_tensor, _axes, _torch_type_name


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):  # noqa: A002 - torch's names
    """``(Σ |x|^ord)^(1/ord)`` over ``dim`` (all elements by default); ord may be inf, -inf, 0."""
    x = _as_tensor(x)
    if x._data.dtype.kind != "f":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {_torch_type_name(x._data.dtype)}")
    if dtype is not None:
        x = x.to(dtype)
    if isinstance(ord, str) or not isinstance(ord, numbers.Number):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' must be Number, not {type(ord).__name__}")
    ord = float(ord)  # noqa: A001
    axes = _axes(dim, x.ndim)
    if x.ndim == 0:
        axes = None
    reduced = range(x.ndim) if axes is None else axes
    if ord < 0 or np.isinf(ord):
        if axes is None and x.numel() == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_name(ord)} norm on an empty tensor "
                               "because the operation does not have an identity")
        for a in reduced if axes is not None else ():
            if x.shape[a] == 0:  # (torch's message has no space before "because")
                raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_name(ord)} norm on the "
                                   f"dimension {a}because this dimension is empty and the operation does not "
                                   "have an identity")
    return ops.reduce_extra.VectorNorm.apply(x, ord, axes, keepdim)


def _ord_name(ord):  # noqa: A002
    return {np.inf: "inf", -np.inf: "-inf"}.get(ord, str(ord))


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):  # noqa: A002, N803
    """'fro' and the induced 1 / -1 / inf / -inf norms over the two ``dim``s."""
    A = _as_tensor(A)  # noqa: N806
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if dtype is not None:
        A = A.to(dtype)  # noqa: N806
    if ord == "fro":
        return vector_norm(A, 2, dim, keepdim)
    if ord in (1, -1, np.inf, -np.inf):
        rows, cols = (d % A.ndim for d in dim)
        summed, other = (rows, cols) if abs(ord) == 1 else (cols, rows)  # 1: the largest column sum
        sums = vector_norm(A, 1, summed, keepdim=True)
        out = sums.amax(other, keepdim=True) if ord > 0 else sums.amin(other, keepdim=True)
        return out if keepdim else out.squeeze((rows, cols))
    raise NotImplementedError(f"minigrad.linalg.matrix_norm: ord={ord!r} (singular values) is not implemented")


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):  # noqa: A002, N803
    """A vector norm for 1-D input or an int dim, a matrix norm for 2-D input or two dims."""
    A = _as_tensor(A)  # noqa: N806
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        if dim is not None and len(dim) == 2:
            return matrix_norm(A, "fro", dim, keepdim, dtype=dtype)
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if dim is None:
        if isinstance(ord, str):
            return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
        if A.ndim == 1:
            return vector_norm(A, ord, None, keepdim, dtype=dtype)
        if A.ndim != 2 and (isinstance(ord, str) or A.ndim != 1):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                               f"Got {A.ndim}D.")
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    if len(dim) == 1:
        return vector_norm(A, ord, dim, keepdim, dtype=dtype)
    return matrix_norm(A, ord, dim, keepdim, dtype=dtype)



