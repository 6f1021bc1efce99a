"""Sorting, selection and counting: scatter_reduce, sort/topk/kthvalue, unique, bincount,
searchsorted: functions on Tensors (checked by their callers in ``tensor_shape_extra.py``
and ``tensor_select_extra.py``);
the differentiable ones are compositions of the ops in ``shape.py`` and ``reduce.py``.
"""
from collections import namedtuple

import numpy as np

from minigrad.ops.reduce import ExtremeEven
from minigrad.ops.shape import IndexAdjoint, Where

return_types_sort = namedtuple("sort", ["values", "indices"])
return_types_topk = namedtuple("topk", ["values", "indices"])
return_types_kthvalue = namedtuple("kthvalue", ["values", "indices"])


def _wrap(array):
    from minigrad.tensor import Tensor
    return Tensor._wrap(np.asarray(array))


# ------------------------------------------------------------------ scatter_reduce
def _slots(index, dim, shape, include_self):
    """Where each src element goes in a dense ``shape + (M,)`` array of "contributions":
    its target position (index's position with ``dim`` replaced by the index value) and a
    slot along the new last axis (slot 0 is self's when ``include_self``; the src elements
    that hit one target take the next slots in row-major order, as torch visits them)."""
    coords = list(np.indices(index.shape)) if index.ndim else []
    coords[dim] = index
    target = np.ravel_multi_index(coords, shape).ravel() if index.size else np.zeros(0, np.int64)
    order = np.argsort(target, kind="stable")
    ordered = target[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if ordered.size else np.zeros(0, np.int64)
    sizes = np.diff(np.r_[starts, ordered.size])
    rank = np.empty(ordered.size, np.int64)
    rank[order] = np.arange(ordered.size) - np.repeat(starts, sizes)
    counts = np.bincount(target, minlength=int(np.prod(shape))).reshape(shape)
    offset = 1 if include_self else 0
    width = max(int(counts.max(initial=0)) + offset, 1)
    slot = rank.reshape(index.shape) + offset
    return tuple(coords) + (slot,), counts, width


def scatter_reduce(x, dim, index, src, reduce, include_self):
    """``x.scatter_reduce(dim, index, src, reduce, include_self)`` for x with >= 1 dim.

    The contributions to each output entry are laid out along a new last axis (identity
    values in the unused slots), then reduced with sum / prod / mean / amax / amin, so the
    gradient is that of the reduction (ties of amax/amin share it evenly, as torch does)."""
    shape = x._data.shape
    src = src[tuple(slice(0, n) for n in index.shape)] if index.ndim else src
    places, counts, width = _slots(index, dim, shape, include_self)
    dense_shape = shape + (width,)
    dense = IndexAdjoint.apply(src, dense_shape, places, False)
    filled = np.zeros(dense_shape, dtype=bool)
    filled[places] = True
    if include_self:
        dense = dense + IndexAdjoint.apply(x, dense_shape, (Ellipsis, 0), True)
        filled[..., 0] = True
    dtype = x._data.dtype
    if reduce in ("sum", "mean"):
        out = dense.sum(-1) if dtype.kind == "f" else _wrap(dense._data.sum(-1).astype(dtype))
        if reduce == "mean":
            count = counts + (1 if include_self else 0)
            if dtype.kind == "f":
                out = out / _wrap(np.maximum(count, 1).astype(dtype))
            else:
                out = _wrap(np.floor_divide(out._data, np.maximum(count, 1)).astype(dtype))
    elif reduce == "prod":
        dense = Where.apply(filled, dense, dtype.type(1))
        out = dense[..., 0]
        for k in range(1, width):
            out = out * dense[..., k]
    else:
        if dtype.kind == "f":
            identity = -np.inf if reduce == "amax" else np.inf
        elif dtype.kind == "b":
            identity = reduce == "amin"
        else:
            identity = np.iinfo(dtype).min if reduce == "amax" else np.iinfo(dtype).max
        dense = Where.apply(filled, dense, dtype.type(identity))
        out = ExtremeEven.apply(dense, np.max if reduce == "amax" else np.min, (len(shape),), False)
    if not include_self:
        out = Where.apply(counts == 0, x, out)
    return out


# ------------------------------------------------------------------ sorting
def sort_order(a, dim, descending):
    """Indices that sort array ``a`` along ``dim``: stable, NaN counted the largest (as torch);
    descending keeps equal values in their original order too."""
    if not descending:
        return np.argsort(a, axis=dim, kind="stable")
    n = a.shape[dim]
    order = np.argsort(np.flip(a, dim), axis=dim, kind="stable")
    return (n - 1) - np.flip(order, dim)


def take_sorted(x, dim, order):
    """``(x.gather(dim, order), order)`` for x with >= 1 dim."""
    return x.gather(dim, _wrap(order)), _wrap(order)


def unique(a, return_inverse, return_counts, dim):
    """np.unique with torch's rules: NaNs are not merged; the inverse has the input's shape
    (or the length of ``dim``)."""
    if dim is None:
        values, inverse, counts = np.unique(a.reshape(-1), return_inverse=True, return_counts=True,
                                            equal_nan=False)
        inverse = inverse.reshape(a.shape)
    else:
        if a.shape[dim] == 0 or a.size == 0:
            values = a
            inverse = np.zeros(a.shape[dim], np.int64)
            counts = np.zeros(0 if a.shape[dim] == 0 else 1, np.int64)
        else:
            values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True, axis=dim,
                                                equal_nan=False)
            inverse = inverse.reshape(-1)
    return _results(values, inverse, counts, return_inverse, return_counts)


def unique_consecutive(a, return_inverse, return_counts, dim):
    moved = a.reshape(-1) if dim is None else np.moveaxis(a, dim, 0)
    n = moved.shape[0]
    if n:
        flat = moved.reshape(n, -1)
        change = np.r_[True, np.any(flat[1:] != flat[:-1], axis=1)]
    else:
        change = np.zeros(0, dtype=bool)
    starts = np.flatnonzero(change)
    values = moved[starts]
    if dim is not None:
        values = np.moveaxis(values, 0, dim)
    inverse = np.cumsum(change) - 1
    if dim is None:
        inverse = inverse.reshape(a.shape)
    counts = np.diff(np.r_[starts, n])
    return _results(values, inverse, counts, return_inverse, return_counts)


def _results(values, inverse, counts, return_inverse, return_counts):
    out = [_wrap(np.ascontiguousarray(values))]
    if return_inverse:
        out.append(_wrap(np.asarray(inverse, np.int64)))
    if return_counts:
        out.append(_wrap(np.asarray(counts, np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def searchsorted(boundaries, values, side, sorter):
    """Per row of ``boundaries`` (1-D, or leading dims matching ``values``'), like numpy."""
    if boundaries.ndim == 1:
        return np.searchsorted(boundaries, values, side=side, sorter=sorter).astype(np.int64)
    rows_b = boundaries.reshape(-1, boundaries.shape[-1])
    rows_v = values.reshape(rows_b.shape[0], -1)
    rows_s = None if sorter is None else sorter.reshape(rows_b.shape)
    out = np.stack([np.searchsorted(b, v, side=side, sorter=None if rows_s is None else rows_s[i])
                    for i, (b, v) in enumerate(zip(rows_b, rows_v))]) if rows_b.shape[0] else \
        np.zeros(rows_v.shape, np.int64)
    return out.reshape(values.shape).astype(np.int64)
