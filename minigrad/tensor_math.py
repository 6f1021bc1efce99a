"""Tensor's operators and math methods.

Each method is a short wrapper: it checks and normalises its arguments (dims,
dtypes, Python scalars), then calls ``SomeFunction.apply``.  The arithmetic and
the backward rules live in ``minigrad/ops``.  ``Tensor`` inherits this mixin.
"""
import numbers
from collections import namedtuple

import numpy as np

from minigrad import dtypes

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
        dtype, kind = self._data.dtype, type(other)
        if (kind is float or kind is int or (hasattr(other, "_data") and (
                other._data.dtype is dtype or other._data.dtype == dtype))) and dtype.kind == "f":
            a, b = (other, self) if reverse else (self, other)  # common case: no casts
            apply = fn._apply_binary  # fn.apply(a, b), unrolled (Tensors and Python numbers)
        else:
            if isinstance(other, np.generic):
                other = other.item()
            if not (isinstance(other, (numbers.Number, np.ndarray)) or hasattr(other, "_data")):
                return NotImplemented
            a, b = (other, self) if reverse else (self, other)
            a, b = _prepare_operands(a, b, floating)
            apply = fn.apply
        try:
            return apply(a, b)
        except ValueError as e:  # shapes that do not broadcast, integers to negative powers
            raise _elementwise_error(e, (a, b)) from None

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
        return self ** 2  # torch's square is pow(x, 2): its second derivative comes through pow

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

def _apply_elementwise(fn, *operands):
    """``fn.apply(*operands)``, with numpy's ValueErrors (shapes that do not broadcast,
    integers to negative powers) raised as torch's RuntimeErrors."""
    try:
        return fn.apply(*operands)
    except ValueError as e:
        raise _elementwise_error(e, operands) from None


def _elementwise_error(e, operands):
    """numpy's ValueError from an elementwise op as torch's RuntimeError."""
    shapes = [np.shape(getattr(x, "_data", x)) for x in operands
              if hasattr(x, "_data") or isinstance(x, np.ndarray)]
    return RuntimeError(_broadcast_error(shapes) or str(e))


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


# the C type names some torch messages use
_C_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
                 "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char"}


def _torch_type_name(np_dtype):
    return {"f": "Float" if np_dtype.itemsize == 4 else ("Double" if np_dtype.itemsize == 8 else "Half"),
            "i": {1: "Char", 2: "Short", 4: "Int", 8: "Long"}.get(np_dtype.itemsize, "Long"),
            "u": "Byte", "b": "Bool"}[np_dtype.kind]
