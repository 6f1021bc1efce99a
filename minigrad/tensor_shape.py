"""Tensor's shape methods: reshape, view, permute, expand, indexing, gather, masked_fill.

Each checks its arguments as torch does and calls a Function from ``minigrad/ops/shape.py``.
``Tensor`` inherits this mixin.
"""
import numpy as np

from minigrad.tensor_math import _C_TYPE_NAMES, _normalize_dim, _shape_args, _torch_type_name

ops = None  # the minigrad.ops package, bound by minigrad.tensor once Tensor exists


class TensorShape:
    __slots__ = ()

    # ------------------------------------------------------------- shape
    def reshape(self, *shape):
        shape = _shape_args(shape)
        if shape == self._data.shape:
            return ops.shape.Reshape.apply(self, shape)
        if shape.count(-1) > 1:
            raise RuntimeError("only one dimension can be inferred")
        for i, n in enumerate(shape):
            if n < -1:
                raise RuntimeError(f"invalid shape dimension {n} at index {i} of shape {list(shape)}")
        return ops.shape.Reshape.apply(self, shape)

    def view(self, *shape):
        if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int)):
            return self.to(shape[0])  # view(dtype) is not supported: treat it as a cast
        _check_viewable(self._data, _shape_args(shape))
        return self.reshape(*shape)

    def view_as(self, other):
        return self.reshape(other.shape)

    reshape_as = view_as

    def flatten(self, start_dim=0, end_dim=-1):
        shape = self._data.shape
        if not shape:
            return self.reshape(1)
        start = _normalize_dim(start_dim, len(shape))
        end = _normalize_dim(end_dim, len(shape))
        if start > end:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        merged = int(np.prod(shape[start:end + 1]))
        return self.reshape(shape[:start] + (merged,) + shape[end + 1:])

    def squeeze(self, dim=None):
        shape = self._data.shape
        if dim is None:
            return self.reshape(tuple(n for n in shape if n != 1))
        dims = {_normalize_dim(d, len(shape)) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
        return self.reshape(tuple(n for i, n in enumerate(shape) if not (i in dims and n == 1)))

    def unsqueeze(self, dim):
        shape = self._data.shape
        dim = _normalize_dim(dim, len(shape) + 1)
        return self.reshape(shape[:dim] + (1,) + shape[dim:])

    def permute(self, *dims):
        dims = _shape_args(dims)
        n = self._data.ndim
        if len(dims) != n:
            raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                               f"the length of the desired ordering of dimensions i.e. input.dim() = {n} "
                               f"is not equal to len(dims) = {len(dims)}")
        dims = tuple(_normalize_dim(d, n) for d in dims)
        if len(set(dims)) != n:
            raise RuntimeError("permute(): duplicate dims are not allowed.")
        return ops.shape.Permute.apply(self, dims)

    def transpose(self, dim0, dim1):
        n = self._data.ndim
        dims = list(range(n))
        if n == 0:
            _normalize_dim(dim0, 0), _normalize_dim(dim1, 0)
            return self
        d0, d1 = _normalize_dim(dim0, n), _normalize_dim(dim1, n)
        dims[d0], dims[d1] = dims[d1], dims[d0]
        return ops.shape.Permute.apply(self, tuple(dims))

    def swapaxes(self, axis0, axis1):
        return self.transpose(axis0, axis1)

    swapdims = swapaxes

    def t(self):
        if self._data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self._data.ndim}D")
        return self if self._data.ndim < 2 else self.transpose(0, 1)

    @property
    def T(self):
        return ops.shape.Permute.apply(self, tuple(reversed(range(self._data.ndim))))

    @property
    def mT(self):
        return self.transpose(-2, -1)

    def expand(self, *sizes):
        sizes = _shape_args(sizes)
        shape = self._data.shape
        if len(sizes) < len(shape):
            raise RuntimeError(f"expand(minigrad.{_torch_type_name(self._data.dtype)}Tensor{{{list(shape)}}}, "
                               f"size={list(sizes)}): the number of sizes provided ({len(sizes)}) must be greater "
                               f"or equal to the number of dimensions in the tensor ({len(shape)})")
        lead = len(sizes) - len(shape)
        if -1 in sizes[:lead]:
            raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing "
                               f"dimension {sizes.index(-1)}")
        target = tuple(shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(sizes))
        for i, n in enumerate(shape):
            if n != 1 and n != target[lead + i]:
                raise RuntimeError(f"The expanded size of the tensor ({target[lead + i]}) must match the existing "
                                   f"size ({n}) at non-singleton dimension {lead + i}.  "
                                   f"Target sizes: {list(sizes)}.  Tensor sizes: {list(shape)}")
        return ops.shape.Expand.apply(self, target)

    def expand_as(self, other):
        return self.expand(other.shape)

    def __getitem__(self, index):
        index, basic = _normalize_index(index, self._data.shape)
        fn = ops.shape.BasicIndex if basic else ops.shape.Index
        try:
            return fn.apply(self, index, basic)
        except IndexError as e:
            message = str(e).replace(" for axis ", " for dimension ")
            if message.startswith("too many indices"):
                message = f"too many indices for tensor of dimension {self._data.ndim}"
            raise IndexError(message) from None

    def gather(self, dim, index):
        idx = index._data if hasattr(index, "_data") else np.asarray(index)
        if idx.dtype not in (np.int64, np.int32):
            raise RuntimeError("gather(): Expected dtype int32/int64 for index")
        if idx.ndim == 0 and self._data.ndim <= 1:  # a 0-d index picks one value, as torch
            return self.gather(dim, idx.reshape(1)).reshape(())
        dim = _normalize_dim(dim, self._data.ndim)
        if idx.ndim != max(self._data.ndim, 1) and idx.size:
            raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
        x = self if self._data.ndim else self.reshape(1)
        for d, n in enumerate(idx.shape):
            if d != dim and n > x._data.shape[d]:
                raise RuntimeError(f"Size does not match at dimension {d} expected index {list(idx.shape)} to be "
                                   f"smaller than self {list(x.shape)} apart from dimension {dim}")
        size = x._data.shape[dim]
        if idx.size and (idx.min() < 0 or idx.max() >= size):
            bad = idx[(idx < 0) | (idx >= size)].flat[0]
            raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
        out = ops.shape.Gather.apply(x, dim, idx)
        return out if self._data.ndim else out.reshape(idx.shape)

    def masked_fill(self, mask, value):
        mask = mask._data if hasattr(mask, "_data") else np.asarray(mask)
        if mask.dtype != np.bool_:
            raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                               f"{_C_TYPE_NAMES.get(mask.dtype.name, mask.dtype.name)}")
        value = value.item() if hasattr(value, "_data") else value
        return ops.shape.Where.apply(mask, self._data.dtype.type(value), self)


def _normalize_index(index, shape=None):
    """Tensors in an index become arrays; returns (index, is_basic) where a basic index
    (ints, slices, None, Ellipsis) gives a numpy view and picks every element at most once.
    ``shape`` (the indexed tensor's) lets a mask's shape be checked, as torch does."""
    items = index if isinstance(index, tuple) else (index,)
    out, basic = [], True
    dim = 0  # the dim of `shape` the next item indexes
    for k, item in enumerate(items):
        if hasattr(item, "_data"):
            item = item._data
            if item.ndim == 0 and item.dtype.kind in "iu":
                item = int(item)
        if item is Ellipsis and shape is not None:
            dim = len(shape) - sum(_dims_used(i) for i in items[k + 1:])
        elif shape is not None:
            dim += _dims_used(item)
        if isinstance(item, (list, np.ndarray)):
            item = np.asarray(item)
            if item.dtype.kind == "b":
                if shape is not None:
                    _check_mask(item, shape, dim - item.ndim)
                out.extend(np.nonzero(item))  # a mask selects where it is True
                basic = False
                continue
            if item.dtype.kind not in "iu":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            basic = False
        elif isinstance(item, (bool, np.bool_)):
            basic = False
        out.append(item)
    if not basic:
        # an index mixing masks and arrays works like numpy's advanced indexing
        out = [np.asarray(i) if isinstance(i, list) else i for i in out]
    return (tuple(out) if isinstance(index, tuple) or len(out) != 1 else out[0]), basic


def _dims_used(item):
    """How many dims of the indexed tensor one index item consumes."""
    if item is None or item is Ellipsis or isinstance(item, (bool, np.bool_)):
        return 0
    if hasattr(item, "_data"):
        item = item._data
    if isinstance(item, (list, np.ndarray)):
        item = np.asarray(item)
        return item.ndim if item.dtype.kind == "b" else 1
    return 1


def _check_mask(mask, shape, start):
    for j, n in enumerate(mask.shape):
        if start + j < len(shape) and n != shape[start + j]:
            raise IndexError(f"The shape of the mask {list(mask.shape)} at index {j} does not match the shape "
                             f"of the indexed tensor {list(shape)} at index {start + j}")


def _check_viewable(array, shape):
    """torch's error for a view whose shape the strides cannot express (numpy would copy)."""
    try:
        np.reshape(array, shape, copy=False)
    except ValueError:
        known = int(np.prod([n for n in shape if n != -1]))
        fits = known == array.size if -1 not in shape else (known and array.size % known == 0)
        if fits and shape.count(-1) <= 1 and all(n >= -1 for n in shape):
            raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                               "dimension spans across two contiguous subspaces). Use .reshape(...) "
                               "instead.") from None
