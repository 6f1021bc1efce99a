"""Tensor's further math methods: trigonometry, rounding, two-input math, logic, bitwise ops
and matrix products.  Reductions live in ``tensor_reduce_extra.py`` (inherited here).

Each method casts its inputs to torch's result dtype (integers become float32 where torch
computes in floating point), checks what torch checks, then calls an op from
``minigrad/ops`` (``elementwise_extra``, ``linalg_extra``).
"""
import numbers

import numpy as np

from minigrad import dtypes
from minigrad.tensor_math import (_apply_elementwise, _as_tensor, _C_TYPE_NAMES, _prepare_operands,
                                  _torch_type_name)
from minigrad.tensor_reduce_extra import TensorReduceExtra

ops = None  # the minigrad.ops package, bound by minigrad.tensor once Tensor exists


def _not_implemented(kernel, np_dtype):
    return NotImplementedError(f'"{kernel}" not implemented for \'{_torch_type_name(np_dtype)}\'')


def _float_op(name):
    """A one-input op computed in floating point (integer and bool inputs give float32)."""
    def method(self):
        return getattr(ops.elementwise_extra, name).apply(self._float_self())
    method.__name__ = name.lower()
    return method


def _rounding(numpy_fn, name):
    """floor / ceil / trunc: integers come back unchanged (a copy), as torch."""
    def method(self):
        if self._data.dtype.kind != "f":
            if self._data.dtype.kind == "b":
                raise _not_implemented(f"{name}_cpu", self._data.dtype)
            return self.clone()
        return ops.elementwise_extra.Piecewise.apply(self, numpy_fn)
    method.__name__ = name
    return method


def _round_decimals(decimals):
    def rounded(x):
        if decimals > 0:
            scale = x.dtype.type(10.0 ** decimals)
            return np.rint(x * scale) / scale
        scale = x.dtype.type(10.0 ** -decimals)
        return np.rint(x / scale) * scale
    return rounded


def _in_place(name):
    """``t.name_(...)``: ``t.name(...)`` written into t (with its history, as torch's in-place ops);
    a result of a wider kind (an int tensor's sin) is refused as torch refuses it."""
    def method(self, *args, **kwargs):
        def compute(source):
            result = getattr(source, name)(*args, **kwargs)
            if result is NotImplemented:
                raise TypeError(f"{name}_(): unsupported argument {args[0]!r}")
            if not np.can_cast(result._data.dtype, self._data.dtype, "same_kind"):
                raise RuntimeError(f"result type {_torch_type_name(result._data.dtype)} can't be cast to the "
                                   f"desired output type {_torch_type_name(self._data.dtype)}")
            return result
        return self._inplace(compute)
    method.__name__ = name + "_"
    return method


_IN_PLACE = """sin cos tan asin acos atan arcsin arccos arctan sinh cosh asinh atanh arcsinh arctanh exp2 log1p
expm1 log2 log10 rsqrt reciprocal square sign sgn erf erfc frac floor ceil round trunc fix nan_to_num atan2
arctan2 hypot fmod remainder floor_divide fmax fmin lerp logical_and logical_or logical_xor logical_not
bitwise_and bitwise_or bitwise_xor bitwise_not clamp clip""".split()


class TensorMathExtra(TensorReduceExtra):
    __slots__ = ()

    # ------------------------------------------------------------- one input
    sin, cos, tan = _float_op("Sin"), _float_op("Cos"), _float_op("Tan")
    asin, acos, atan = _float_op("Asin"), _float_op("Acos"), _float_op("Atan")
    arcsin, arccos, arctan = asin, acos, atan
    sinh, cosh = _float_op("Sinh"), _float_op("Cosh")
    asinh, atanh = _float_op("Asinh"), _float_op("Atanh")
    arcsinh, arctanh = asinh, atanh
    exp2, log1p, expm1 = _float_op("Exp2"), _float_op("Log1p"), _float_op("Expm1")
    log2, log10 = _float_op("Log2"), _float_op("Log10")
    rsqrt, reciprocal = _float_op("Rsqrt"), _float_op("Reciprocal")
    erf, erfc = _float_op("Erf"), _float_op("Erfc")
    floor, ceil, trunc = _rounding(np.floor, "floor"), _rounding(np.ceil, "ceil"), _rounding(np.trunc, "trunc")
    fix = trunc

    def round(self, *, decimals=0):
        if self._data.dtype.kind != "f":
            if decimals:
                raise _not_implemented("round_cpu", self._data.dtype)
            return self.clone()
        fn = np.rint if decimals == 0 else _round_decimals(int(decimals))
        return ops.elementwise_extra.Piecewise.apply(self, fn)

    def frac(self):
        if self._data.dtype.kind != "f":
            raise _not_implemented("frac_cpu", self._data.dtype)
        return ops.elementwise_extra.Frac.apply(self)

    def sign(self):
        if self._data.dtype.kind == "b":
            return self.clone()
        return ops.elementwise_extra.Piecewise.apply(self, ops.elementwise_extra.sign_array)

    sgn = sign

    def square(self):
        if self._data.dtype.kind == "b":
            return self.to(dtypes.int64) ** 2
        return self ** 2  # pow, as torch (its gradient 2x, itself differentiable)

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        if self._data.dtype.kind != "f":
            return self.clone()
        info = np.finfo(self._data.dtype)
        return ops.elementwise_extra.NanToNum.apply(self, nan, info.max if posinf is None else posinf,
                                                   info.min if neginf is None else neginf)

    def clamp(self, min=None, max=None):  # noqa: A002 - torch's argument names
        """Bounds may be numbers or tensors (broadcast; they get gradients too)."""
        if min is None and max is None:
            raise RuntimeError("minigrad.clamp: At least one of 'min' or 'max' must not be None")
        number = [b for b in (min, max) if b is not None and not hasattr(b, "_data")]
        tensor = [b for b in (min, max) if hasattr(b, "_data")]
        if number and tensor:
            raise TypeError("clamp() received an invalid combination of arguments - got a Tensor and a "
                            "number as bounds: give both as Tensors or both as numbers")
        rt = dtypes.result_type(self, *[b for b in (min, max) if b is not None])
        x = self if rt == self._data.dtype else self.to(rt)
        low, high = (b.to(rt) if hasattr(b, "_data") and b._data.dtype != rt else b for b in (min, max))
        return _apply_elementwise(ops.elementwise.Clamp, x, low, high)

    clip = clamp

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        other = _as_tensor(other)
        if self._data.dtype != other._data.dtype:
            raise RuntimeError(f"{_torch_type_name(self._data.dtype)} did not match "
                               f"{_torch_type_name(other._data.dtype)}")
        return type(self)._wrap(np.isclose(self._data, other._data, rtol, atol, equal_nan))

    # ------------------------------------------------------------- two inputs
    def _two(self, op, other, *extra, floating=False, reverse=False, kernel=None):
        if isinstance(other, np.generic):
            other = other.item()
        if not (isinstance(other, (numbers.Number, np.ndarray)) or hasattr(other, "_data")):
            return NotImplemented
        a, b = (other, self) if reverse else (self, other)
        a, b = _prepare_operands(a, b, floating)
        kind = np.result_type(*[getattr(v, "_data", np.asarray(v)) for v in (a, b)]).kind
        if kernel and kind != "f":
            raise _not_implemented(kernel, np.result_type(*[getattr(v, "_data", np.asarray(v)) for v in (a, b)]))
        if kind in "iu" and op in (ops.elementwise_extra.FMod, ops.elementwise_extra.FloorDivide):
            divisor = b._data if hasattr(b, "_data") else np.asarray(b)
            if np.any(divisor == 0):
                raise RuntimeError("ZeroDivisionError")
        return _apply_elementwise(op, a, b, *extra)

    def atan2(self, other):
        return self._two(ops.elementwise_extra.Atan2, other, floating=True)

    arctan2 = atan2

    def hypot(self, other):
        return self._two(ops.elementwise_extra.Hypot, other, kernel="hypot_cpu")

    def fmod(self, other):
        return self._two(ops.elementwise_extra.FMod, other, False)

    def remainder(self, other):
        return self._two(ops.elementwise_extra.FMod, other, True)

    def __mod__(self, other):
        return self._two(ops.elementwise_extra.FMod, other, True)

    def __rmod__(self, other):
        return self._two(ops.elementwise_extra.FMod, other, True, reverse=True)

    def floor_divide(self, other):
        return self._two(ops.elementwise_extra.FloorDivide, other)

    def __floordiv__(self, other):
        return self._two(ops.elementwise_extra.FloorDivide, other)

    def __rfloordiv__(self, other):
        return self._two(ops.elementwise_extra.FloorDivide, other, reverse=True)

    def fmax(self, other):
        return self._two(ops.elementwise_extra.FMax, other, True)

    def fmin(self, other):
        return self._two(ops.elementwise_extra.FMax, other, False)

    def lerp(self, end, weight):
        end = _as_tensor(end)
        if self._data.dtype.kind != "f":
            raise _not_implemented("lerp_kernel_scalar" if not hasattr(weight, "_data") else "lerp_kernel_tensor",
                                   self._data.dtype)
        for name, t in (("end", end), ("weight", weight)):
            if hasattr(t, "_data") and t._data.dtype != self._data.dtype:
                raise RuntimeError(f"expected dtype {_C_TYPE_NAMES[self._data.dtype.name]} for `{name}` but "
                                   f"got dtype {_C_TYPE_NAMES[t._data.dtype.name]}")
        return _apply_elementwise(ops.elementwise_extra.Lerp, self, end, weight)

    # ------------------------------------------------------------- logic and bits (no gradient)
    def _logical(self, ufunc, other):
        other = other._data if hasattr(other, "_data") else np.asarray(other)
        return type(self)._wrap(np.asarray(ufunc(self._data, other)))

    def logical_and(self, other):
        return self._logical(np.logical_and, other)

    def logical_or(self, other):
        return self._logical(np.logical_or, other)

    def logical_xor(self, other):
        return self._logical(np.logical_xor, other)

    def logical_not(self):
        return type(self)._wrap(np.asarray(np.logical_not(self._data)))

    def _bitwise(self, ufunc, other, name, reverse=False):
        if isinstance(other, np.generic):
            other = other.item()
        if not (isinstance(other, (numbers.Number, np.ndarray)) or hasattr(other, "_data")):
            return NotImplemented
        if isinstance(other, float) or (hasattr(other, "_data") and other._data.dtype.kind == "f"):
            raise _not_implemented(f"{name}_cpu", np.dtype(np.float32) if isinstance(other, float)
                                   else other._data.dtype)
        rt = dtypes.result_type(self, other)
        if rt.kind == "f":
            raise _not_implemented(f"{name}_cpu", rt)
        a = self._data.astype(rt, copy=False)
        b = other._data.astype(rt, copy=False) if hasattr(other, "_data") else np.asarray(other, dtype=rt)
        return type(self)._wrap(np.asarray(ufunc(b, a) if reverse else ufunc(a, b)))

    def bitwise_and(self, other):
        return self._bitwise(np.bitwise_and, other, "bitwise_and")

    def bitwise_or(self, other):
        return self._bitwise(np.bitwise_or, other, "bitwise_or")

    def bitwise_xor(self, other):
        return self._bitwise(np.bitwise_xor, other, "bitwise_xor")

    __and__, __or__, __xor__ = bitwise_and, bitwise_or, bitwise_xor

    def __rand__(self, other):
        return self._bitwise(np.bitwise_and, other, "bitwise_and", reverse=True)

    def __ror__(self, other):
        return self._bitwise(np.bitwise_or, other, "bitwise_or", reverse=True)

    def __rxor__(self, other):
        return self._bitwise(np.bitwise_xor, other, "bitwise_xor", reverse=True)

    def bitwise_not(self):
        if self._data.dtype.kind == "f":
            raise _not_implemented("bitwise_not_cpu", self._data.dtype)
        return type(self)._wrap(np.asarray(np.invert(self._data)))

    def __invert__(self):
        if self._data.dtype.kind == "f":
            raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
        return type(self)._wrap(np.asarray(np.invert(self._data)))

    # ------------------------------------------------------------- matrix products
    def mm(self, mat2):
        mat2 = _as_tensor(mat2)
        if self._data.ndim != 2:
            raise RuntimeError("self must be a matrix")
        if mat2._data.ndim != 2:
            raise RuntimeError("mat2 must be a matrix")
        return self.matmul(mat2)

    def bmm(self, mat2):
        mat2 = _as_tensor(mat2)
        if self._data.ndim != 3:
            raise RuntimeError("batch1 must be a 3D tensor")
        if mat2._data.ndim != 3:
            raise RuntimeError("batch2 must be a 3D tensor")
        b, n, k = self.shape
        if mat2.shape[:2] != (b, k):
            raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{b}, {k}] but "
                               f"got: [{mat2.shape[0]}, {mat2.shape[1]}].")
        return self.matmul(mat2)

    def mv(self, vec):
        vec = _as_tensor(vec)
        if self._data.ndim != 2 or vec._data.ndim != 1:
            raise RuntimeError(f"vector + matrix @ vector expected, got 1, {self._data.ndim}, {vec._data.ndim}")
        if self.shape[1] != vec.shape[0]:
            raise RuntimeError(f"size mismatch, got input ({self.shape[0]}), mat ({self.shape[0]}x{self.shape[1]}), "
                               f"vec ({vec.shape[0]})")
        return self.matmul(vec)

    def dot(self, other):
        other = _as_tensor(other)
        if self._data.ndim != 1 or other._data.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {self._data.ndim}D and {other._data.ndim}D tensors")
        if self._data.dtype != other._data.dtype:
            raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                               f"{_torch_type_name(self._data.dtype)} and {_torch_type_name(other._data.dtype)}")
        if self.shape != other.shape:
            n, m = self.shape[0], other.shape[0]
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same "
                               f"number of elements, but got {n} and {m} elements respectively")
        return self.matmul(other)

    vdot = dot

    def outer(self, vec2):
        vec2 = _as_tensor(vec2)
        for name, t in (("self", self), ("vec2", vec2)):
            if t._data.ndim != 1:
                raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t._data.ndim}-D")
        return self.reshape(-1, 1) * vec2.reshape(1, -1)

    ger = outer

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return _scaled_sum(self, _as_tensor(mat1).mm(mat2), beta, alpha)

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _scaled_sum(self, _as_tensor(batch1).bmm(batch2), beta, alpha)

    def addmv(self, mat, vec, *, beta=1, alpha=1):
        return _scaled_sum(self, _as_tensor(mat).mv(vec), beta, alpha)


def _scaled_sum(x, product, beta, alpha):
    """``beta * x + alpha * product``; with beta == 0, x is ignored (nan and inf too), as torch."""
    scaled = product if alpha == 1 else product * alpha
    if beta == 0:
        ignored = ops.shape.Where.apply(np.zeros(x.shape, dtype=bool), x, x._data.dtype.type(0))
        return scaled + ignored  # x gets a zero gradient
    return (x if beta == 1 else x * beta) + scaled


for _name in _IN_PLACE:
    setattr(TensorMathExtra, _name + "_", _in_place(_name))
TensorMathExtra.__ifloordiv__ = _in_place("floor_divide")
TensorMathExtra.__imod__ = _in_place("remainder")
TensorMathExtra.__iand__ = _in_place("bitwise_and")
TensorMathExtra.__ior__ = _in_place("bitwise_or")
TensorMathExtra.__ixor__ = _in_place("bitwise_xor")
