"""Tensor's selection, sorting and counting methods: tril/triu, diag/diagonal, masked_select/
masked_scatter, take/take_along_dim, where, sort, argsort, topk, kthvalue, nonzero, unique,
unique_consecutive, bincount; torch's names, defaults, return types and errors.
Compositions of the ops in ``minigrad/ops/shape.py``; sorting and counting in
``ops/index_extra.py``.  ``Tensor`` inherits this mixin (through ``TensorShapeExtra``).
"""
import numpy as np

from minigrad.tensor_math import _as_tensor, _broadcast_error, _normalize_dim, _torch_type_name

ops = None  # the minigrad.ops package, bound by minigrad.tensor once Tensor exists


def _array(x):
    return x._data if hasattr(x, "_data") else np.asarray(x)


def _along(dim, index):
    return (slice(None),) * dim + (index,)


def _broadcast_shape(*shapes):
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise RuntimeError(_broadcast_error(shapes)) from None


class TensorSelectExtra:
    __slots__ = ()

    # ------------------------------------------------------------- triangles and diagonals
    def _triangle(self, diagonal, keep_lower, name):
        if self._data.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        rows, cols = self._data.shape[-2:]
        keep = np.tri(rows, cols, int(diagonal), dtype=bool) if keep_lower else \
            ~np.tri(rows, cols, int(diagonal) - 1, dtype=bool)
        return ops.shape.Where.apply(keep, self, self._data.dtype.type(0))

    def tril(self, diagonal=0):
        return self._triangle(diagonal, True, "tril")

    def triu(self, diagonal=0):
        return self._triangle(diagonal, False, "triu")

    def diag(self, diagonal=0):
        if self._data.ndim not in (1, 2):
            raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {self._data.ndim}D")
        if self._data.ndim == 2:
            return self.diagonal(diagonal).clone()  # a copy, where diagonal() is a view
        n, k = self._data.shape[0], int(diagonal)
        size = n + abs(k)
        places = (np.arange(n) + max(-k, 0), np.arange(n) + max(k, 0))
        return ops.shape.IndexAdjoint.apply(self, (size, size), places, False)

    def diagonal(self, offset=0, dim1=0, dim2=1):
        n = self._data.ndim
        d1, d2 = _normalize_dim(dim1, n), _normalize_dim(dim2, n)
        if d1 == d2:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        rest = [d for d in range(n) if d not in (d1, d2)]
        return ops.shape_extra.Diagonal.apply(self.permute(rest + [d1, d2]), int(offset))

    # ------------------------------------------------------------- masks
    def _bool_mask(self, mask, op):
        m = _array(mask)
        if m.dtype != np.bool_:
            raise RuntimeError(f"{op}: expected BoolTensor for mask")
        return m

    def masked_select(self, mask):
        m = self._bool_mask(mask, "masked_select")
        if not m.ndim and not self._data.ndim:
            return self.reshape(1).masked_select(m.reshape(1))
        shape = _broadcast_shape(m.shape, self._data.shape)
        x = self.expand(shape) if shape != self._data.shape else self
        return ops.shape.Index.apply(x, np.nonzero(np.broadcast_to(m, shape)), False)

    def masked_scatter(self, mask, source):
        m = self._bool_mask(mask, "masked_scatter_")
        source = _as_tensor(source)
        if source._data.dtype != self._data.dtype:
            raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                               f"{_torch_type_name(self._data.dtype)} and {_torch_type_name(source._data.dtype)}")
        shape = _broadcast_shape(self._data.shape, m.shape)
        if not shape:
            return self.reshape(1).masked_scatter(m.reshape(1), source).reshape(())
        x = self.expand(shape) if shape != self._data.shape else self
        places = np.nonzero(np.broadcast_to(m, shape))
        count = places[0].size
        if count > source._data.size:
            raise RuntimeError("Number of elements of source < number of ones in mask")
        return ops.shape.IndexPut.apply(x, places, source.reshape(-1)[:count])

    def where(self, condition, other):
        from minigrad.functions import where
        return where(condition, self, other)

    # ------------------------------------------------------------- take
    def take(self, index):
        idx = _array(index)
        if idx.dtype != np.int64:
            raise RuntimeError(f"take(): Expected a long tensor for index, but got {_torch_type_name(idx.dtype)}")
        n = self._data.size
        if n == 0 and idx.size:
            raise IndexError("take(): tried to take from an empty tensor")
        bad = idx[(idx < -n) | (idx >= n)]
        if bad.size:
            raise IndexError(f"out of range: tried to access index {bad.flat[0]} on a tensor of {n} elements.")
        return ops.shape.Index.apply(self.reshape(-1), idx, False)

    def take_along_dim(self, indices, dim=None):
        idx = _array(indices)
        if idx.dtype != np.int64:
            raise RuntimeError(f"minigrad.take_along_dim(): dtype of indices should be Long but got "
                               f"{_torch_type_name(idx.dtype)}")
        if dim is None:
            return self.reshape(-1).gather(0, _as_tensor(idx.reshape(-1)))
        if idx.ndim != self._data.ndim:
            raise RuntimeError(f"minigrad.take_along_dim(): input and indices should have the same number of "
                               f"dimensions, but got {self._data.ndim} dimensions for input, and {idx.ndim} "
                               f"dimensions for indices")
        dim = _normalize_dim(dim, self._data.ndim)
        shape = list(_broadcast_shape(self._data.shape[:dim] + (1,) + self._data.shape[dim + 1:],
                                      idx.shape[:dim] + (1,) + idx.shape[dim + 1:]))
        x_shape, idx_shape = list(shape), list(shape)
        x_shape[dim], idx_shape[dim] = self._data.shape[dim], idx.shape[dim]
        x = self.expand(x_shape) if tuple(x_shape) != self._data.shape else self
        return x.gather(dim, _as_tensor(np.broadcast_to(idx, idx_shape)))

    # ------------------------------------------------------------- sorting
    def sort(self, dim=-1, descending=False, stable=False):
        dim = _normalize_dim(dim, self._data.ndim)
        if self._data.ndim == 0:
            return ops.index_extra.return_types_sort(self.clone(), _as_tensor(np.asarray(0)))
        order = ops.index_extra.sort_order(self._data, dim, descending)
        return ops.index_extra.return_types_sort(*ops.index_extra.take_sorted(self, dim, order))

    def argsort(self, dim=-1, descending=False, stable=False):
        return self.sort(dim, descending, stable).indices

    def topk(self, k, dim=-1, largest=True, sorted=True):  # noqa: A002
        dim = _normalize_dim(dim, self._data.ndim)
        n = self._data.shape[dim] if self._data.ndim else 1
        if not 0 <= k <= n:
            raise RuntimeError("selected index k out of range")
        if self._data.ndim == 0:
            return ops.index_extra.return_types_topk(self.clone(), _as_tensor(np.asarray(0)))
        order = ops.index_extra.sort_order(self._data, dim, largest)
        order = order[_along(dim, slice(0, k))]
        return ops.index_extra.return_types_topk(*ops.index_extra.take_sorted(self, dim, order))

    def kthvalue(self, k, dim=-1, keepdim=False):
        dim = _normalize_dim(dim, self._data.ndim)
        n = self._data.shape[dim] if self._data.ndim else 1
        if n == 0:
            raise IndexError(f"kthvalue(): Expected reduction dim {dim} to have non-zero size.")
        if not 1 <= k <= n:
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
        if self._data.ndim == 0:
            return ops.index_extra.return_types_kthvalue(self.clone(), _as_tensor(np.asarray(0)))
        order = ops.index_extra.sort_order(self._data, dim, False)[_along(dim, slice(k - 1, k))]
        values, indices = ops.index_extra.take_sorted(self, dim, order)
        if not keepdim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        return ops.index_extra.return_types_kthvalue(values, indices)

    # ------------------------------------------------------------- finding and counting
    def nonzero(self, *, as_tuple=False):
        a = self._data
        if as_tuple:
            return tuple(_as_tensor(i.astype(np.int64)) for i in np.nonzero(a.reshape(a.shape or (1,))))
        if a.ndim == 0:
            return _as_tensor(np.zeros((int(bool(a)), 0), np.int64))
        return _as_tensor(np.argwhere(a).astype(np.int64).reshape(-1, a.ndim))

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
        if dim is not None:
            dim = _normalize_dim(dim, self._data.ndim)
        return ops.index_extra.unique(self._data, return_inverse, return_counts, dim)

    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None):
        if dim is not None:
            dim = _normalize_dim(dim, self._data.ndim)
        return ops.index_extra.unique_consecutive(self._data, return_inverse, return_counts, dim)

    def bincount(self, weights=None, minlength=0):
        a = self._data
        if a.dtype.kind not in "iub" or a.dtype.kind == "b":
            raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_torch_type_name(a.dtype)}'")
        if minlength < 0:
            raise RuntimeError("minlength should be >= 0")
        if a.ndim != 1 or (a.size and a.min() < 0):
            raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
        if weights is None:
            return _as_tensor(np.bincount(a, minlength=minlength).astype(np.int64))
        w = _array(weights)
        if w.ndim != 1 or w.shape[0] != a.shape[0]:
            raise RuntimeError("weights should be 1-d and have the same length as input")
        dtype = w.dtype if w.dtype.kind == "f" else np.float64
        out = _as_tensor(np.bincount(a, w.astype(np.float64), minlength=minlength).astype(dtype))
        if getattr(weights, "_requires_grad", False):
            return ops.shape_extra.NotDifferentiable.apply(out, "_bincount", weights)
        return out
