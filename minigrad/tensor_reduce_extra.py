"""Tensor's reductions beyond sum/mean/max: std, var, prod, scans, logsumexp, norms, median,
mode, any/all; and torch's spellings for all of them.

As torch, every reduction takes ``keepdims=`` beside ``keepdim=`` and ``axis=`` beside
``dim=`` (except ``norm``), ``dim`` may be a tuple where torch allows it, and a 0-d
tensor reduces over dim 0 or -1 to itself.
"""
from collections import namedtuple

import numpy as np

from minigrad import dtypes, tensor_math
from minigrad.tensor_math import _axes, _normalize_dim, _torch_type_name

ops = None  # the minigrad.ops package, bound by minigrad.tensor once Tensor exists


def structseq(name, fields):
    """A named tuple that prints as torch's ``return_types`` do::

        minigrad.return_types.max(
        values=tensor(3.),
        indices=tensor(2))
    """
    base = namedtuple(name, fields)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"minigrad.return_types.{name}(\n{body})"
    return type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__module__": "minigrad.return_types"})


return_types = {name: structseq(name, fields) for name, fields in [
    ("max", ("values", "indices")), ("min", ("values", "indices")), ("median", ("values", "indices")),
    ("mode", ("values", "indices")), ("aminmax", ("min", "max"))]}
tensor_math.return_types_max, tensor_math.return_types_min = return_types["max"], return_types["min"]


def _spelling(dim, keepdim, axis, keepdims):
    """torch accepts ``axis`` for ``dim`` and ``keepdims`` for ``keepdim``."""
    return (dim if axis is None else axis), (keepdim if keepdims is None else keepdims)


def _require_float(x, what):
    if x._data.dtype.kind != "f":
        raise RuntimeError(what)


class TensorReduceExtra:
    __slots__ = ()

    def _dims(self, dim):
        """A reduction's dims; for a 0-d tensor, dim 0 / -1 (checked) means "all"."""
        axes = _axes(dim, self._data.ndim)
        return None if self._data.ndim == 0 else axes

    # ------------------------------------------------------------- torch's spellings of the existing ones
    def sum(self, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):
        dim, keepdim = _spelling(dim, keepdim, axis, keepdims)
        if self._data.ndim == 0 and dim is not None:
            dim = self._dims(dim)  # checked: 0 or -1
        return super().sum(dim, keepdim, dtype)

    def mean(self, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):
        dim, keepdim = _spelling(dim, keepdim, axis, keepdims)
        if self._data.ndim == 0 and dim is not None:
            dim = self._dims(dim)
        return super().mean(dim, keepdim, dtype)

    def max(self, dim=None, keepdim=False, other=None, *, axis=None, keepdims=None):
        dim, keepdim = _spelling(dim, keepdim, axis, keepdims)
        return super().max(dim, keepdim, other)

    def min(self, dim=None, keepdim=False, other=None, *, axis=None, keepdims=None):
        dim, keepdim = _spelling(dim, keepdim, axis, keepdims)
        return super().min(dim, keepdim, other)

    def argmax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return super().argmax(*_spelling(dim, keepdim, axis, keepdims))

    def argmin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return super().argmin(*_spelling(dim, keepdim, axis, keepdims))

    def amax(self, dim=(), keepdim=False, *, axis=None, keepdims=None):
        return self._amax_amin(np.max, "amax", *_spelling(dim, keepdim, axis, keepdims))

    def amin(self, dim=(), keepdim=False, *, axis=None, keepdims=None):
        return self._amax_amin(np.min, "amin", *_spelling(dim, keepdim, axis, keepdims))

    def _amax_amin(self, reducer, name, dim, keepdim):
        axes = self._dims(dim if dim != () else None)
        reduced = range(self._data.ndim) if axes is None else axes
        if any(self._data.shape[a] == 0 for a in reduced) or (axes is None and self._data.size == 0):
            raise (IndexError if axes is not None else RuntimeError)(f"{name}(): Expected reduction dim {reduced[0] if reduced else 0} to have non-zero "
                             "size." if axes is not None else
                             f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                             "Specify the reduction dim with the 'dim' argument.")
        if self._data.ndim == 0:
            return self.clone()
        return ops.reduce.ExtremeEven.apply(self, reducer, axes, keepdim)

    def aminmax(self, *, dim=None, keepdim=False):
        low, high = ((self.amin(dim, keepdim), self.amax(dim, keepdim)) if dim is not None
                     else (self.amin(keepdim=keepdim), self.amax(keepdim=keepdim)))
        return return_types["aminmax"](low, high)

    # ------------------------------------------------------------- spread
    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=None):
        """Σ (x - mean)² / (N - correction); ``unbiased=False`` is correction 0 (default 1)."""
        dim, keepdim = _spelling(dim, keepdim, axis, keepdims)
        if isinstance(dim, bool):  # var(False): the old spelling of unbiased
            dim, unbiased = None, dim
        _require_float(self, "std and var only support floating point and complex dtypes")
        if correction is None:
            correction = 0 if unbiased is False else 1
        axes = self._dims(dim)
        count = self._data.size if axes is None else int(np.prod([self._data.shape[a] for a in axes]))
        centred = self - self.mean(axes, keepdim=True)
        total = (centred * centred).sum(axes, keepdim=keepdim)
        return total / max(count - correction, 0)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=None):
        return self.var(dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims).sqrt()

    # ------------------------------------------------------------- products and scans
    def prod(self, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):
        dim, keepdim = _spelling(dim, keepdim, axis, keepdims)
        x = self._integral_as_long(dtype)
        if dim is None:
            return ops.reduce_extra.Prod.apply(x, None, False, None)
        dim = _normalize_dim(dim, x._data.ndim)
        if x._data.ndim == 0:
            return x.clone()
        return ops.reduce_extra.Prod.apply(x, dim, keepdim, None)

    def _integral_as_long(self, dtype):
        if dtype is not None:
            return self.to(dtype)
        return self.to(dtypes.int64) if self._data.dtype.kind in "biu" else self

    def _scan(self, dim, op, *args):
        dim = _normalize_dim(dim, self._data.ndim)
        if self._data.ndim == 0:
            return op.apply(self.reshape(1), 0, *args).reshape(())
        return op.apply(self, dim, *args)

    def cumsum(self, dim, *, dtype=None):
        return self._integral_as_long(dtype)._scan(dim, ops.reduce_extra.Cumsum, False, None)

    def cumprod(self, dim, *, dtype=None):
        return self._integral_as_long(dtype)._scan(dim, ops.reduce_extra.Cumprod, None)

    def logcumsumexp(self, dim):
        if self._data.dtype.kind != "f":
            raise NotImplementedError(f'"logcumsumexp_out_cpu" not implemented for '
                                      f"'{_torch_type_name(self._data.dtype)}'")
        return self._scan(dim, ops.reduce_extra.LogCumSumExp, False)

    def logsumexp(self, dim, keepdim=False, *, axis=None, keepdims=None):
        """log Σ exp(x) over ``dim``, shifted by the largest value (kept finite) so nothing overflows."""
        dim, keepdim = _spelling(dim, keepdim, axis, keepdims)
        x = self._float_self()
        axes = x._dims(dim)
        if x._data.size == 0:
            return x.exp().sum(axes, keepdim=keepdim).log()
        return ops.reduce_extra.LogSumExp.apply(x, axes, keepdim)

    # ------------------------------------------------------------- norms
    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        """``p``: a number (vector norm), 'fro' (the 2-norm of the elements)."""
        if p == "nuc":
            raise NotImplementedError("minigrad: the nuclear norm (p='nuc') is not implemented")
        if p == "fro" or p is None:
            p = 2
        from minigrad.linalg import vector_norm
        return vector_norm(self, p, dim, keepdim, dtype=dtype)

    # ------------------------------------------------------------- order statistics
    def median(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """The lower median (no averaging), as torch; nan if the slice holds one."""
        dim, keepdim = _spelling(dim, keepdim, axis, keepdims)
        if dim is None:
            if self._data.size == 0:
                return type(self)._wrap(np.asarray(np.nan, dtype=self._data.dtype))
            flat = self.reshape(-1)
            index = _median_index(flat._data.reshape(1, -1))[0]
            return flat[int(index)]
        return self._select(dim, keepdim, _median_index, "median")

    def mode(self, dim=-1, keepdim=False):
        """The most frequent value (the smallest among equally frequent ones) and its last index."""
        return self._select(dim, keepdim, _mode_index, "mode")

    def _select(self, dim, keepdim, choose, name):
        dim = _normalize_dim(dim, self._data.ndim)
        x = self if self._data.ndim else self.reshape(1)
        if x._data.shape[dim] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")
        rows = np.moveaxis(x._data, dim, -1)
        index = choose(rows.reshape(-1, rows.shape[-1])).reshape(rows.shape[:-1])
        index = np.expand_dims(index, dim)
        values = ops.reduce.ExtremeDim.apply(x, dim, index)
        if not self._data.ndim:
            return return_types[name](values.reshape(()), type(self)._wrap(np.asarray(0)))
        if not keepdim:
            values, index = values.squeeze(dim), np.squeeze(index, dim)
        return return_types[name](values, type(self)._wrap(np.asarray(index)))

    # ------------------------------------------------------------- logic and counts (no gradient)
    def any(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _spelling(dim, keepdim, axis, keepdims)
        return type(self)._wrap(np.asarray(np.any(self._data, axis=self._dims(dim), keepdims=keepdim)))

    def all(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _spelling(dim, keepdim, axis, keepdims)
        return type(self)._wrap(np.asarray(np.all(self._data, axis=self._dims(dim), keepdims=keepdim)))

    def count_nonzero(self, dim=None):
        return type(self)._wrap(np.asarray(np.count_nonzero(self._data, axis=self._dims(dim)), dtype=np.int64))

    def nelement(self):
        return self._data.size


def _median_index(rows):
    """Per row: the index of the lower median, or of the first nan."""
    order = np.argsort(rows, axis=-1, kind="stable")
    index = order[:, (rows.shape[-1] - 1) // 2] if rows.shape[-1] else np.zeros(len(rows), dtype=np.int64)
    nans = np.isnan(rows) if rows.dtype.kind == "f" else np.zeros(rows.shape, dtype=bool)
    has_nan = nans.any(axis=-1)
    return np.where(has_nan, np.argmax(nans, axis=-1), index).astype(np.int64)


def _mode_index(rows):
    out = np.empty(len(rows), dtype=np.int64)
    for r, row in enumerate(rows):
        values, counts = np.unique(row, return_counts=True)
        value = values[np.argmax(counts)]  # the first of the most frequent: the smallest
        out[r] = len(row) - 1 - int(np.argmax(row[::-1] == value))
    return out

