"""Tensor's operators and math methods.

Each method is a short wrapper: it checks and normalises its arguments (dims,
dtypes, Python scalars), then calls ``SomeFunction.apply``.  The arithmetic and
the backward rules live in ``minigrad/ops``.  ``Tensor`` inherits this mixin.
"""
import numbers
from collections import namedtuple

import numpy as np

from minigrad import dtypes
from minigrad.autograd import grad_mode

ops = None  # the minigrad.ops package, bound by minigrad.tensor once Tensor exists

return_types_max = namedtuple("max", ["values", "indices"])
return_types_min = namedtuple("min", ["values", "indices"])


def _normalize_dim(dim, ndim):
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n


def _axes(dim, ndim):
    """``dim`` argument of a reduction (None, int, or a sequence) -> tuple of axes or None."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        axes = [_normalize_dim(d, ndim) for d in dim]
        for d in axes:
            if axes.count(d) > 1:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        return tuple(sorted(axes)) if dim else None
    return (_normalize_dim(dim, ndim),)


def _shape_args(args):
    """Accept both ``f(2, 3)`` and ``f((2, 3))`` like torch."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(int(a) for a in args)


def _as_tensor(x):
    return x if hasattr(x, "_data") else _Tensor()._wrap(np.asarray(x))


def _Tensor():
    from minigrad.tensor import Tensor
    return Tensor


def _prepare_operands(a, b, floating=False):
    """Cast tensor operands to torch's result dtype; Python scalars pass through as numbers
    (numpy keeps a tensor's dtype for them, as torch does) unless they raise its kind."""
    rt = dtypes.result_type(a, b)
    if floating and rt.kind != "f":
        rt = dtypes.default_float.numpy
    return _cast_operand(a, rt), _cast_operand(b, rt)


def _cast_operand(x, rt):
    if hasattr(x, "_data"):
        return x if x._data.dtype == rt else x.to(rt)
    if isinstance(x, np.ndarray):
        return _Tensor()._wrap(x.astype(rt, copy=False))
    if isinstance(x, (bool, np.bool_)) and rt.kind != "b":
        return rt.type(x)
    return x


class TensorMath:
    __slots__ = ()

    # ------------------------------------------------------------- arithmetic
    def _binary(self, fn, other, reverse=False, floating=False):
        if isinstance(other, np.generic):
            other = other.item()
        if self._data.dtype.kind == "f" and (type(other) in (int, float) or (
                hasattr(other, "_data") and other._data.dtype == self._data.dtype)):
            a, b = (other, self) if reverse else (self, other)  # common case: no casts
        elif not (isinstance(other, (numbers.Number, np.ndarray)) or hasattr(other, "_data")):
            return NotImplemented
        else:
            a, b = (other, self) if reverse else (self, other)
            a, b = _prepare_operands(a, b, floating)
        return _apply_elementwise(fn, a, b)

    def __add__(self, other):
        return self._binary(ops.elementwise.Add, other)

    def __radd__(self, other):
        return self._binary(ops.elementwise.Add, other, reverse=True)

    def __sub__(self, other):
        return self._binary(ops.elementwise.Sub, other)

    def __rsub__(self, other):
        return self._binary(ops.elementwise.Sub, other, reverse=True)

    def __mul__(self, other):
        return self._binary(ops.elementwise.Mul, other)

    def __rmul__(self, other):
        return self._binary(ops.elementwise.Mul, other, reverse=True)

    def __truediv__(self, other):
        return self._binary(ops.elementwise.Div, other, floating=True)

    def __rtruediv__(self, other):
        return self._binary(ops.elementwise.Div, other, reverse=True, floating=True)

    def __pow__(self, other):
        return self._binary(ops.elementwise.Pow, other)

    def __rpow__(self, other):
        return self._binary(ops.elementwise.Pow, other, reverse=True)

    def __neg__(self):
        return ops.elementwise.Neg.apply(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return self.abs()

    def __matmul__(self, other):
        return self.matmul(other)

    def __rmatmul__(self, other):
        return _as_tensor(other).matmul(self)

    def add(self, other, alpha=1):
        return self + (other * alpha if alpha != 1 else other)

    def sub(self, other, alpha=1):
        return self - (other * alpha if alpha != 1 else other)

    def mul(self, other):
        return self * other

    def div(self, other):
        return self / other

    def pow(self, exponent):
        return self ** exponent

    def neg(self):
        return -self

    def maximum(self, other):
        a, b = _prepare_operands(self, _as_tensor(other))
        return _apply_elementwise(ops.elementwise.Maximum, a, b)

    def minimum(self, other):
        a, b = _prepare_operands(self, _as_tensor(other))
        return _apply_elementwise(ops.elementwise.Minimum, a, b)

    def matmul(self, other):
        other = _as_tensor(other)
        if self._data.ndim == 0 or other._data.ndim == 0:
            raise RuntimeError("both arguments to matmul need to be at least 1D, but they are "
                               f"{self._data.ndim}D and {other._data.ndim}D")
        if self._data.dtype != other._data.dtype:  # torch does not promote in matmul
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                               f"{_C_TYPE_NAMES.get(self._data.dtype.name, self._data.dtype.name)} != "
                               f"{_C_TYPE_NAMES.get(other._data.dtype.name, other._data.dtype.name)}")
        a, b = self, other
        k_a = a._data.shape[-1]
        k_b = b._data.shape[0] if b._data.ndim == 1 else b._data.shape[-2]
        if k_a != k_b:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                               f"({'x'.join(map(str, a.shape))} and {'x'.join(map(str, b.shape))})")
        return ops.linalg.MatMul.apply(a, b)

    mm = matmul

    # ------------------------------------------------------------- elementwise math
    def _float_self(self):
        return self if self._data.dtype.kind == "f" else self.to(dtypes.default_float)

    def exp(self):
        return ops.elementwise.Exp.apply(self._float_self())

    def log(self):
        return ops.elementwise.Log.apply(self._float_self())

    def sqrt(self):
        return ops.elementwise.Sqrt.apply(self._float_self())

    def abs(self):
        return ops.elementwise.Abs.apply(self)

    def square(self):
        return self * self

    def clamp(self, min=None, max=None):  # noqa: A002 - torch's argument names
        if min is None and max is None:
            raise RuntimeError("minigrad.clamp: At least one of 'min' or 'max' must not be None")
        rt = dtypes.result_type(self, *[b for b in (min, max) if b is not None])
        x = self if rt == self._data.dtype else self.to(rt)  # an int tensor clamped to 2.5 becomes float
        return ops.elementwise.Clamp.apply(x, min, max)  # tensor bounds get gradients too

    clip = clamp

    def relu(self):
        return ops.activation.ReLU.apply(self)

    def sigmoid(self):
        return ops.activation.Sigmoid.apply(self._float_self())

    def tanh(self):
        return ops.activation.Tanh.apply(self._float_self())

    def softmax(self, dim, dtype=None):
        from minigrad.nn import functional as F
        return F.softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim, dtype=None):
        from minigrad.nn import functional as F
        return F.log_softmax(self, dim, dtype=dtype)

    # ------------------------------------------------------------- comparisons (no grad)
    def _compare(self, ufunc, other):
        b = other._data if hasattr(other, "_data") else other
        return _Tensor()._wrap(ufunc(self._data, b))

    def __eq__(self, other):
        return self._compare(np.equal, other)

    def __ne__(self, other):
        return self._compare(np.not_equal, other)

    def __lt__(self, other):
        return self._compare(np.less, other)

    def __le__(self, other):
        return self._compare(np.less_equal, other)

    def __gt__(self, other):
        return self._compare(np.greater, other)

    def __ge__(self, other):
        return self._compare(np.greater_equal, other)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def equal(self, other):
        return self.shape == other.shape and bool(np.array_equal(self._data, other._data))

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return bool(np.allclose(self._data, _as_tensor(other)._data, rtol, atol, equal_nan))

    def isnan(self):
        return _Tensor()._wrap(np.isnan(self._data))

    def isinf(self):
        return _Tensor()._wrap(np.isinf(self._data))

    def isfinite(self):
        return _Tensor()._wrap(np.isfinite(self._data))

    def logical_not(self):
        return _Tensor()._wrap(np.logical_not(self._data))

    def __invert__(self):
        if self._data.dtype.kind == "f":
            raise TypeError("~ (bitwise_not) is only supported for integer and boolean tensors")
        return _Tensor()._wrap(np.invert(self._data))

    def __and__(self, other):
        return self._compare(np.bitwise_and, other)

    def __or__(self, other):
        return self._compare(np.bitwise_or, other)

    def __xor__(self, other):
        return self._compare(np.bitwise_xor, other)

    # ------------------------------------------------------------- reductions
    def sum(self, dim=None, keepdim=False, dtype=None):
        x = self
        if dtype is not None:
            x = x.to(dtype)
        elif x._data.dtype.kind in "biu":
            x = x.to(dtypes.int64)  # torch sums bools and ints as int64
        return ops.reduce.Sum.apply(x, _axes(dim, x._data.ndim), keepdim, None)

    def mean(self, dim=None, keepdim=False, dtype=None):
        x = self if dtype is None else self.to(dtype)
        if x._data.dtype.kind != "f":
            raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating "
                               f"point or complex dtype. Got: {_torch_type_name(x._data.dtype)}")
        return ops.reduce.Mean.apply(x, _axes(dim, x._data.ndim), keepdim)

    def _extreme(self, dim, keepdim, reducer, arg_reducer, result_type, other):
        if other is not None or hasattr(dim, "_data"):  # torch.max(a, b) is the elementwise maximum
            other = dim if other is None else other
            return self.maximum(other) if reducer is np.max else self.minimum(other)
        if dim is None:
            if self._data.size == 0:
                raise RuntimeError(f"{reducer.__name__}(): Expected reduction dim to be specified for "
                                   "input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
            return ops.reduce.ExtremeAll.apply(self, reducer)
        dim = _normalize_dim(dim, self._data.ndim)
        x = self if self._data.ndim else self.reshape(1)
        if x._data.shape[dim] == 0:
            raise IndexError(f"{reducer.__name__}(): Expected reduction dim {dim} to have non-zero size.")
        index = np.expand_dims(arg_reducer(x._data, axis=dim), dim)
        values = ops.reduce.ExtremeDim.apply(x, dim, index)
        if not self._data.ndim:
            return result_type(values.reshape(()), _Tensor()._wrap(np.asarray(0)))
        if not keepdim:
            values, index = values.squeeze(dim), np.squeeze(index, dim)
        return result_type(values, _Tensor()._wrap(index))

    def max(self, dim=None, keepdim=False, other=None):
        return self._extreme(dim, keepdim, np.max, ops.reduce.nan_argmax, return_types_max, other)

    def min(self, dim=None, keepdim=False, other=None):
        return self._extreme(dim, keepdim, np.min, ops.reduce.nan_argmin, return_types_min, other)

    def amax(self, dim=None, keepdim=False):
        if dim is None:
            return self.max()
        return ops.reduce.ExtremeEven.apply(self, np.max, _axes(dim, self._data.ndim), keepdim)

    def argmax(self, dim=None, keepdim=False):
        return self._arg(np.argmax, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return self._arg(np.argmin, dim, keepdim)

    def _arg(self, fn, dim, keepdim):
        if dim is None and self._data.size == 0:
            raise IndexError(f"{fn.__name__}(): Expected reduction dim to be specified for input.numel() == 0.")
        if dim is None:
            out = np.asarray(fn(self._data.reshape(-1)))
            return _Tensor()._wrap(out.reshape((1,) * self._data.ndim) if keepdim else out)
        dim = _normalize_dim(dim, self._data.ndim)
        if self._data.ndim == 0:
            return _Tensor()._wrap(np.asarray(0))
        out = fn(self._data, axis=dim)
        return _Tensor()._wrap(np.expand_dims(out, dim) if keepdim else np.asarray(out))

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

    # ------------------------------------------------------------- in-place
    def _check_inplace(self):
        """torch's rules: a leaf that requires grad may change in place only inside no_grad()."""
        if grad_mode._grad_enabled and self._requires_grad:
            if self.grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
            if self._base is not None and self._base._requires_grad:
                if self._base.grad_fn is None:
                    raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                                       "in-place operation.")
                raise RuntimeError("minigrad does not record in-place changes through a view of a tensor that "
                                   "requires grad; write x = x.clone() first or assign with x[index] = value.")

    def _inplace(self, compute):
        """Run ``compute(source) -> Tensor`` out of place, then write the result into self.

        With grad on and a graph involved, self takes the new node as its history (torch
        calls this rebasing); the old value is read through a copy holding the old node,
        so what the new node saves is not overwritten by the write into self.
        """
        self._check_inplace()
        if grad_mode._grad_enabled and (self._requires_grad or self._base is not None):
            old = _Tensor()._wrap(self._data.copy())
            old.grad_fn, old._requires_grad = self.grad_fn, self._requires_grad
            result = compute(old)
        else:
            with grad_mode.no_grad():
                result = compute(self)
        if result._requires_grad and self._base is not None:
            raise RuntimeError("minigrad does not record in-place changes to a view; "
                               "write x = x.clone() first or assign with x[index] = value.")
        _copy_into(self._data, result._data)
        self._version_counter[0] += 1
        if result._requires_grad:
            self._requires_grad, self.grad_fn = True, result.grad_fn
        return self

    def _inplace_arith(self, ufunc, other, compute):
        """``self op= other``: straight into the array when no graph is involved (the
        ``with no_grad(): w -= lr * w.grad`` idiom), else through ``_inplace``."""
        if grad_mode._grad_enabled and (self._requires_grad or getattr(other, "_requires_grad", False)):
            return self._inplace(compute)
        self._check_inplace()
        b = other._data if hasattr(other, "_data") else other
        try:
            ufunc(self._data, b, out=self._data, casting="same_kind")
        except np._core._exceptions._UFuncOutputCastingError:
            raise RuntimeError(f"result type {_torch_type_name(dtypes.result_type(self, other))} can't be cast "
                               f"to the desired output type {_torch_type_name(self._data.dtype)}") from None
        except ValueError as e:
            raise RuntimeError(str(e)) from None
        self._version_counter[0] += 1
        return self

    def add_(self, other, alpha=1):
        if alpha != 1:
            other = other * alpha
        return self._inplace_arith(np.add, other, lambda s: s + other)

    def sub_(self, other, alpha=1):
        if alpha != 1:
            other = other * alpha
        return self._inplace_arith(np.subtract, other, lambda s: s - other)

    def mul_(self, other):
        return self._inplace_arith(np.multiply, other, lambda s: s * other)

    def div_(self, other):
        return self._inplace_arith(np.true_divide, other, lambda s: s / other)

    __iadd__, __isub__, __imul__, __itruediv__ = add_, sub_, mul_, div_

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        value = value.item() if hasattr(value, "_data") else value
        self._check_inplace()
        if grad_mode._grad_enabled and self._requires_grad:
            return self._inplace(lambda s: s * 0 + value)
        self._data[...] = value
        self._version_counter[0] += 1
        return self

    def copy_(self, src):
        src = _as_tensor(src)
        if grad_mode._grad_enabled and (self._requires_grad or src._requires_grad):
            return self._inplace(lambda s: s * 0 + src.to(self.dtype))
        self._check_inplace()
        np.copyto(self._data, np.broadcast_to(src._data, self._data.shape), casting="unsafe")
        self._version_counter[0] += 1
        return self

    def clamp_(self, min=None, max=None):  # noqa: A002
        return self._inplace(lambda s: s.clamp(min, max))

    def __setitem__(self, index, value):
        index, basic = _normalize_index(index, self._data.shape)
        value_is_tensor = hasattr(value, "_data")
        if basic and index is not Ellipsis and index != (Ellipsis,) and grad_mode._grad_enabled \
                and self._requires_grad and self.grad_fn is None:  # torch writes through a view here
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
        if grad_mode._grad_enabled and (self._requires_grad or (value_is_tensor and value._requires_grad)):
            self._check_inplace()
            v = value.to(self.dtype) if value_is_tensor else value
            return self._inplace(lambda s: ops.shape.SetItem.apply(s, index, v))
        self._check_inplace()
        try:
            self._data[index] = value._data if value_is_tensor else value
        except ValueError:  # torch's words: the value is expanded to the selected shape
            _as_tensor(value).expand(self._data[index].shape)
            raise
        self._version_counter[0] += 1


def _apply_elementwise(fn, *operands):
    """``fn.apply(*operands)``, with numpy's ValueErrors (shapes that do not broadcast,
    integers to negative powers) raised as torch's RuntimeErrors."""
    try:
        return fn.apply(*operands)
    except ValueError as e:
        shapes = [np.shape(getattr(x, "_data", x)) for x in operands
                  if hasattr(x, "_data") or isinstance(x, np.ndarray)]
        raise RuntimeError(_broadcast_error(shapes) or str(e)) from None


def _broadcast_error(shapes):
    """torch's message for the first pair of shapes that do not broadcast, else None."""
    result = ()
    for shape in shapes:
        n = max(len(result), len(shape))
        a, b = (1,) * (n - len(result)) + tuple(result), (1,) * (n - len(shape)) + tuple(shape)
        for i in reversed(range(n)):
            if a[i] != b[i] and a[i] != 1 and b[i] != 1:
                return (f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) "
                        f"at non-singleton dimension {i}")
        result = tuple(max(x, y) for x, y in zip(a, b))
    return None


def _copy_into(dst, src):
    if src.dtype != dst.dtype and not np.can_cast(src.dtype, dst.dtype, casting="same_kind"):
        raise RuntimeError(f"result type {_torch_type_name(src.dtype)} can't be cast to the desired output "
                           f"type {_torch_type_name(dst.dtype)}")
    np.copyto(dst, src, casting="unsafe")


# the C type names some torch messages use
_C_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
                 "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char"}


def _torch_type_name(np_dtype):
    return {"f": "Float" if np_dtype.itemsize == 4 else ("Double" if np_dtype.itemsize == 8 else "Half"),
            "i": {1: "Char", 2: "Short", 4: "Int", 8: "Long"}.get(np_dtype.itemsize, "Long"),
            "u": "Byte", "b": "Bool"}[np_dtype.kind]


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
