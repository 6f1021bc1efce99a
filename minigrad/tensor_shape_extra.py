"""More of Tensor's shape and indexing methods: split, chunk, unbind, narrow, flip, roll,
repeat, tile, repeat_interleave, movedim, unflatten, index_select/add/copy/fill, scatter (and
its reductions) and their in-place forms, with torch's names, defaults, dtype rules and
error messages.  (Selection and sorting: ``tensor_select_extra.py``; new tensors and
samplers: ``creation_extra.py``.)

Most are compositions of the ops in ``minigrad/ops/shape.py`` (so every order of gradient
works); ``ops/shape_extra.py`` and ``ops/index_extra.py`` hold the rest.  In-place forms
go through ``TensorInplace._inplace``.  ``Tensor`` inherits this mixin.
"""
import numpy as np

from minigrad.creation_extra import TensorCreationExtra
from minigrad.tensor_select_extra import TensorSelectExtra
from minigrad.tensor_math import _as_tensor, _normalize_dim, _shape_args, _torch_type_name
from minigrad.tensor_math import _broadcast_error

_INDEX_DTYPES = (np.dtype(np.int64), np.dtype(np.int32))

ops = None  # the minigrad.ops package, bound by minigrad.tensor once Tensor exists


def _array(x):
    return x._data if hasattr(x, "_data") else np.asarray(x)


def _along(dim, index):
    """The index tuple that applies ``index`` along ``dim``."""
    return (slice(None),) * dim + (index,)


def _broadcast_shape(*shapes):
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise RuntimeError(_broadcast_error(shapes)) from None


def _own(result, x):
    """A result that must not be a view of x (torch copies): drop the view link when its
    data is new, else clone."""
    if np.may_share_memory(result._data, x._data) or not result._data.flags.writeable:
        return result.clone()
    result._base, result._version_counter = None, [0]
    return result


def _check_same_dtype(op, x, src, what="source"):
    if src._data.dtype != x._data.dtype:
        raise RuntimeError(f"{op}(): self ({_torch_type_name(x._data.dtype)}) and {what} "
                           f"({_torch_type_name(src._data.dtype)}) must have the same scalar type")


class TensorShapeExtra(TensorSelectExtra, TensorCreationExtra):
    __slots__ = ()

    # ------------------------------------------------------------- pieces
    def split(self, split_size_or_sections, dim=0):
        dim = _normalize_dim(dim, self._data.ndim)
        n = self._data.shape[dim]
        if isinstance(split_size_or_sections, (list, tuple)):
            sizes = [int(s) for s in split_size_or_sections]
            if sum(sizes) != n or any(s < 0 for s in sizes):
                raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                                   f"size at dimension {dim}), but got split_sizes={sizes}")
        else:
            size = int(split_size_or_sections)
            if size < 0:
                raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
            if size == 0 and n:
                raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
            sizes = [min(size, n - s) for s in range(0, n, size)] if n else [0]
        starts = np.cumsum([0] + sizes[:-1])
        return tuple(self.narrow(dim, int(s), k) for s, k in zip(starts, sizes))

    def chunk(self, chunks, dim=0):
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        dim = _normalize_dim(dim, self._data.ndim)
        n = self._data.shape[dim]
        if n == 0:
            return self.split([0] * chunks, dim)
        return self.split(-(-n // chunks), dim)

    def unbind(self, dim=0):
        dim = _normalize_dim(dim, self._data.ndim)
        return tuple(self[_along(dim, i)] for i in range(self._data.shape[dim]))

    def narrow(self, dim, start, length):
        if self._data.ndim == 0:
            raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
        dim = _normalize_dim(dim, self._data.ndim)
        n, start, length = self._data.shape[dim], int(start), int(length)
        if length < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
        if not -n <= start <= n:
            raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
        start = start + n if start < 0 else start
        if start + length > n:
            raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
        return self[_along(dim, slice(start, start + length))]

    # ------------------------------------------------------------- reordering
    def flip(self, *dims):
        dims = _shape_args(dims)
        axes = [_normalize_dim(d, self._data.ndim) for d in dims]
        for d in axes:
            if axes.count(d) > 1:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        index = tuple(slice(None, None, -1) if d in axes else slice(None) for d in range(self._data.ndim))
        return ops.shape_extra.CopyIndex.apply(self, index, True)

    def fliplr(self):
        if self._data.ndim < 2:
            raise RuntimeError("Input must be >= 2-d.")
        return self.flip(1)

    def flipud(self):
        if self._data.ndim < 1:
            raise RuntimeError("Input must be >= 1-d.")
        return self.flip(0)

    def roll(self, shifts, dims=None):
        shifts = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
        if dims is None or dims == ():
            if len(shifts) != 1:
                raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
            return self.flatten().roll(shifts, 0).reshape(self._data.shape)
        dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
        if len(shifts) != len(dims):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
        out = self
        if self._data.ndim == 0:
            raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
        for shift, dim in zip(shifts, dims):
            dim = _normalize_dim(dim, self._data.ndim)
            n = self._data.shape[dim]
            picks = (np.arange(n) - int(shift)) % n if n else np.arange(0)
            out = ops.shape_extra.CopyIndex.apply(out, _along(dim, picks), False)
        return out

    def repeat(self, *sizes):
        sizes = _shape_args(sizes)
        shape = self._data.shape
        if len(sizes) < len(shape):
            raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                               "dimensions of tensor")
        padded = (1,) * (len(sizes) - len(shape)) + shape
        target = [r * n for r, n in zip(sizes, padded)]
        if any(r < 0 for r in sizes):
            bad = next(t for t in target if t < 0) if any(t < 0 for t in target) else min(sizes)
            raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {target}")
        interleaved = tuple(v for n in padded for v in (1, n))
        spread = tuple(v for r, n in zip(sizes, padded) for v in (r, n))
        return _own(self.reshape(interleaved).expand(spread).reshape(target), self)

    def tile(self, *dims):
        dims = _shape_args(dims)
        return self.repeat((1,) * (self._data.ndim - len(dims)) + tuple(dims))

    def repeat_interleave(self, repeats=None, dim=None, *, output_size=None):
        if repeats is None:  # minigrad.repeat_interleave(counts): each position, counts[i] times
            counts = self._data
            if counts.ndim > 1 or counts.dtype not in _INDEX_DTYPES:
                raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
            if (counts < 0).any():
                raise RuntimeError("repeats can not be negative")
            return _as_tensor(np.repeat(np.arange(counts.size), counts).astype(counts.dtype))
        x = self.reshape(-1) if dim is None else self
        dim = 0 if dim is None else _normalize_dim(dim, self._data.ndim)
        n = x._data.shape[dim] if x._data.ndim else 1
        counts = _array(repeats)
        if counts.ndim == 0 or counts.size == 1 and counts.ndim == 1 and n != 1:
            counts = np.full(n, int(counts.reshape(())))
        elif counts.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        elif counts.shape[0] != n:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                               f"{counts.shape[0]} and input.size(0) = {n}")
        if (counts < 0).any():
            raise RuntimeError("Repeats must be non-negative" if np.ndim(_array(repeats)) == 0
                               else "repeats can not be negative")
        picks = np.repeat(np.arange(n), counts)
        return ops.shape.Index.apply(x, _along(dim, picks) if x._data.ndim else picks, False)

    def movedim(self, source, destination):
        n = self._data.ndim
        src = list(source) if isinstance(source, (tuple, list)) else [source]
        dst = list(destination) if isinstance(destination, (tuple, list)) else [destination]
        if len(src) != len(dst):
            raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should contain "
                               f"the same number of dims as destination ({dst} dims)")
        src = [_normalize_dim(d, n) for d in src]
        dst = [_normalize_dim(d, n) for d in dst]
        for name, dims in (("source", src), ("destination", dst)):
            if len(set(dims)) != len(dims):
                raise RuntimeError(f"movedim: repeated dim in `{name}` ({dims})")
        order = [d for d in range(n) if d not in src]
        for d, s in sorted(zip(dst, src)):
            order.insert(d, s)
        return self.permute(order) if n else self.reshape(())

    moveaxis = movedim

    def unflatten(self, dim, sizes):
        dim = _normalize_dim(dim, self._data.ndim)
        sizes = [int(s) for s in sizes]
        n = self._data.shape[dim]
        known = int(np.prod([s for s in sizes if s != -1]))
        if sizes.count(-1) > 1:
            raise RuntimeError("only one dimension can be inferred")
        if (-1 in sizes and (known == 0 or n % known)) or (-1 not in sizes and known != n):
            raise RuntimeError(f"unflatten: Provided sizes {sizes} don't multiply up to the size of dim {dim} "
                               f"({n}) in the input tensor")
        sizes = [n // known if s == -1 else s for s in sizes]
        return self.reshape(self._data.shape[:dim] + tuple(sizes) + self._data.shape[dim + 1:])

    def broadcast_to(self, size):
        return self.expand(size)

    # ------------------------------------------------------------- index_*
    def _index_vector(self, op, index, dim):
        idx = _array(index)
        if idx.dtype not in _INDEX_DTYPES:
            raise RuntimeError(f"{op}(): Expected dtype int32 or int64 for index")
        if idx.ndim > 1:
            raise IndexError(f"{op}(): Index is supposed to be a vector")
        return idx.reshape(-1)

    def index_select(self, dim, index):
        dim = _normalize_dim(dim, self._data.ndim)
        idx = self._index_vector("index_select", index, dim)
        size = self._data.shape[dim] if self._data.ndim else 1
        if idx.size and (idx.min() < 0 or idx.max() >= size):
            raise IndexError("index out of range in self")
        if self._data.ndim == 0:
            return self.reshape(1)[idx].reshape(())
        return ops.shape.Index.apply(self, _along(dim, idx), False)

    def _index_places(self, op, dim, index, source=None):
        """Checks of index_add/index_copy/index_fill; -> (dim, index tuple) for a >= 1-d self."""
        dim = _normalize_dim(dim, self._data.ndim)
        if op == "index_fill_" and _array(index).dtype != np.int64:
            raise IndexError("index_fill_(): Expected dtype int64 for index.")
        idx = self._index_vector(op, index, dim)
        size = self._data.shape[dim] if self._data.ndim else 1
        if source is not None:
            src_n = source._data.shape[dim] if source._data.ndim else 1
            if idx.size != src_n:
                raise RuntimeError(f"{op}(): Number of indices ({idx.size}) should be equal to source.size(dim): "
                                   f"({src_n}), for dim: {dim}")
        bad = idx[(idx < -size) | (idx >= size)]
        if bad.size:
            raise IndexError(f"{op}(): index {bad[0]} is out of bounds for dimension {dim} with size {size}")
        return _along(dim, idx % size if size else idx)

    def index_add(self, dim, index, source, alpha=1):
        source = _as_tensor(source)
        _check_same_dtype("index_add_", self, source)
        places = self._index_places("index_add_", dim, index, source)
        x = self if self._data.ndim else self.reshape(1)
        src = source if alpha == 1 else source * alpha
        src = src.reshape(x._data[places].shape)
        return (x + ops.shape.IndexAdjoint.apply(src, x._data.shape, places, False)).reshape(self._data.shape)

    def index_copy(self, dim, index, source):
        source = _as_tensor(source)
        _check_same_dtype("index_copy_", self, source)
        places = self._index_places("index_copy_", dim, index, source)
        x = self if self._data.ndim else self.reshape(1)
        src = source.reshape(x._data[places].shape)
        return ops.shape.IndexPut.apply(x, places, src).reshape(self._data.shape)

    def index_fill(self, dim, index, value):
        places = self._index_places("index_fill_", dim, index)
        x = self if self._data.ndim else self.reshape(1)
        if hasattr(value, "_data"):
            if value._data.ndim:
                raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                                   f"{value._data.ndim} dimension(s).")
            value = value.to(self.dtype) if value._requires_grad else self._data.dtype.type(value.item())
        else:
            value = self._data.dtype.type(value)
        return ops.shape.IndexPut.apply(x, places, value).reshape(self._data.shape)

    # ------------------------------------------------------------- scatter
    def _scatter_checks(self, op, dim, index, src):
        idx = _array(index)
        if idx.dtype not in _INDEX_DTYPES:
            raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index")
        dim = _normalize_dim(dim, self._data.ndim)
        if idx.ndim != self._data.ndim and idx.size:
            raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
        if src is not None and idx.size and idx.ndim != src._data.ndim:
            raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
        if src is not None and src._data.dtype != self._data.dtype:
            raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype")
        x_shape = self._data.shape or (1,)
        too_big = any(n > x_shape[d] for d, n in enumerate(idx.shape) if d != dim)
        src_shape = (src._data.shape or (1,)) if src is not None else None
        if too_big or (src_shape is not None and any(n > src_shape[d] for d, n in enumerate(idx.shape))):
            tail = f" and to be no larger size than src {list(src_shape)}" if src is not None else ""
            raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than self {list(x_shape)} "
                               f"apart from dimension {dim}{tail}")
        size = x_shape[dim]
        if idx.size and (idx.min() < 0 or idx.max() >= size):
            bad = idx[(idx < 0) | (idx >= size)].flat[0]
            raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
        return dim, idx.reshape(idx.shape or (1,)) if idx.size else idx

    def scatter(self, dim, index, src=None, value=None, *, reduce=None):
        if src is None and value is None:
            raise TypeError("scatter() missing required argument: 'src' or 'value'")
        src = value if src is None else src
        tensor_src = hasattr(src, "_data")
        if reduce is not None:
            if reduce not in ("add", "multiply"):
                raise RuntimeError("reduce argument must be either add or multiply.")
            s = src if tensor_src else self.new_full(np.shape(_array(index)), src)
            out = self.detach().scatter_reduce(dim, index, s.detach(), "sum" if reduce == "add" else "prod")
            inputs = [t for t in (self, src) if getattr(t, "_requires_grad", False)]
            return ops.shape_extra.NotDifferentiable.apply(out, "scatter", *inputs) if inputs else out
        dim, idx = self._scatter_checks("scatter", dim, index, src if tensor_src else None)
        if not idx.size:
            return self.clone()
        x = self if self._data.ndim else self.reshape(1)
        if tensor_src:
            s = src if src._data.ndim else src.reshape(1)
        else:
            s = self._data.dtype.type(src)
        return ops.shape_extra.Scatter.apply(x, dim, idx, s).reshape(self._data.shape)

    def scatter_add(self, dim, index, src):
        return self.scatter_reduce(dim, index, src, "sum", op="scatter_add")

    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True, op="scatter_reduce"):
        if reduce not in ("sum", "prod", "mean", "amax", "amin"):
            raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
        src = _as_tensor(src)
        dim, idx = self._scatter_checks(op, dim, index, src)
        if not idx.size:
            return self.clone()
        x = self if self._data.ndim else self.reshape(1)
        s = src if src._data.ndim else src.reshape(1)
        return ops.index_extra.scatter_reduce(x, dim, idx, s, reduce, include_self).reshape(self._data.shape)

    # ------------------------------------------------------------- in place
    def masked_fill_(self, mask, value):
        shape = _broadcast_shape(_array(mask).shape, self._data.shape)
        if shape != self._data.shape:
            raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
                               f"{list(shape)}")
        return self._inplace(lambda s: s.masked_fill(mask, value))

    def masked_scatter_(self, mask, source):
        m = _array(mask)
        if len(m.shape) > self._data.ndim:
            raise RuntimeError(f"expand(minigrad.BoolTensor{{{list(m.shape)}}}, size={list(self._data.shape)}): the "
                               f"number of sizes provided ({self._data.ndim}) must be greater or equal to the number "
                               f"of dimensions in the tensor ({m.ndim})")
        return self._inplace(lambda s: s.masked_scatter(mask, source))

    def index_add_(self, dim, index, source, alpha=1):
        return self._inplace(lambda s: s.index_add(dim, index, source, alpha=alpha))

    def index_copy_(self, dim, index, source):
        return self._inplace(lambda s: s.index_copy(dim, index, source))

    def index_fill_(self, dim, index, value):
        return self._inplace(lambda s: s.index_fill(dim, index, value))

    def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
        return self._inplace(lambda s: s.scatter(dim, index, src, value, reduce=reduce))

    def scatter_add_(self, dim, index, src):
        return self._inplace(lambda s: s.scatter_add(dim, index, src))

    def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
        return self._inplace(lambda s: s.scatter_reduce(dim, index, src, reduce, include_self=include_self))
