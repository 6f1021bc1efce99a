"""More elementwise math: trigonometric, hyperbolic, exponential, rounding and two-input ops.

Each op is an ``ArrayFunction``: its forward works on numpy arrays; its backward is
written once for arrays and Tensors (see ``dual.py``), using other ops through
``call`` so that it is itself differentiable (higher-order gradients).  The inputs
already have the result dtype (the Tensor methods cast them, as torch does).
"""
import math

import numpy as np

from minigrad.autograd.function import ArrayFunction
from minigrad.ops.dual import call, data, is_tensor, where
from minigrad.ops.elementwise import Exp

_LN2, _LN10 = math.log(2.0), math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _quiet(fn, *args):
    with np.errstate(all="ignore"):  # inf and nan come out silently, as torch's do
        return fn(*args)


class _Unary(ArrayFunction):
    """A one-input op ``numpy_fn(x)``; subclasses give ``grad(ctx, g, x, out)``."""
    numpy_fn = None
    saves = "x"  # "x", "out" or "both": what backward reads

    @classmethod
    def forward(cls, ctx, x):
        out = np.asarray(_quiet(cls.numpy_fn, x))
        ctx.save_for_backward(x if cls.saves != "out" else None, out if cls.saves != "x" else None)
        return out

    @classmethod
    def backward(cls, ctx, g):
        x, out = ctx.saved_tensors
        with np.errstate(all="ignore"):
            return cls.grad(g, x, out)


class Sin(_Unary):
    numpy_fn = np.sin

    @staticmethod
    def grad(g, x, out):
        return g * call(Cos, x)  # d/dx sin x = cos x


class Cos(_Unary):
    numpy_fn = np.cos

    @staticmethod
    def grad(g, x, out):
        return -g * call(Sin, x)  # d/dx cos x = -sin x


class Tan(_Unary):
    numpy_fn, saves = np.tan, "out"

    @staticmethod
    def grad(g, x, out):
        return g * (1 + out * out)  # d/dx tan x = 1 + tan² x


class Asin(_Unary):
    numpy_fn = np.arcsin

    @staticmethod
    def grad(g, x, out):
        return g * call(Rsqrt, 1 - x * x)  # d/dx asin x = 1/√(1-x²)


class Acos(_Unary):
    numpy_fn = np.arccos

    @staticmethod
    def grad(g, x, out):
        return -g * call(Rsqrt, 1 - x * x)  # d/dx acos x = -1/√(1-x²)


class Atan(_Unary):
    numpy_fn = np.arctan

    @staticmethod
    def grad(g, x, out):
        return g / (1 + x * x)  # d/dx atan x = 1/(1+x²)


class Sinh(_Unary):
    numpy_fn = np.sinh

    @staticmethod
    def grad(g, x, out):
        return g * call(Cosh, x)  # d/dx sinh x = cosh x


class Cosh(_Unary):
    numpy_fn = np.cosh

    @staticmethod
    def grad(g, x, out):
        return g * call(Sinh, x)  # d/dx cosh x = sinh x


class Asinh(_Unary):
    numpy_fn = np.arcsinh

    @staticmethod
    def grad(g, x, out):
        return g * call(Rsqrt, x * x + 1)  # d/dx asinh x = 1/√(x²+1)


class Atanh(_Unary):
    numpy_fn = np.arctanh

    @staticmethod
    def grad(g, x, out):
        return g / (1 - x * x)  # d/dx atanh x = 1/(1-x²)


class Exp2(_Unary):
    numpy_fn, saves = np.exp2, "out"

    @staticmethod
    def grad(g, x, out):
        return g * (out * _LN2)  # d/dx 2^x = 2^x ln 2


class Log1p(_Unary):
    numpy_fn = np.log1p

    @staticmethod
    def grad(g, x, out):
        return g / (x + 1)  # d/dx ln(1+x) = 1/(1+x)


class Expm1(_Unary):
    numpy_fn, saves = np.expm1, "out"

    @staticmethod
    def grad(g, x, out):
        return g * (out + 1)  # d/dx (e^x - 1) = e^x


class Log2(_Unary):
    numpy_fn = np.log2

    @staticmethod
    def grad(g, x, out):
        return g / (x * _LN2)  # d/dx log2 x = 1/(x ln 2)


class Log10(_Unary):
    numpy_fn = np.log10

    @staticmethod
    def grad(g, x, out):
        return g / (x * _LN10)  # d/dx log10 x = 1/(x ln 10)


def _rsqrt(x):
    return 1 / np.sqrt(x)


class Rsqrt(_Unary):
    numpy_fn, saves = staticmethod(_rsqrt), "out"

    @staticmethod
    def grad(g, x, out):
        return g * (out * out * out) * -0.5  # d/dx x^(-1/2) = -x^(-3/2) / 2


def _reciprocal(x):
    return 1 / x


class Reciprocal(_Unary):
    numpy_fn, saves = staticmethod(_reciprocal), "out"

    @staticmethod
    def grad(g, x, out):
        return -g * (out * out)  # d/dx 1/x = -1/x²


def erf_array(x):
    """erf of every element, correct to the last bits (``math.erf`` on each element; numpy
    has no erf), vectorised by numba on first use when it loads.  float32 inputs are
    computed in float64 and rounded."""
    x = np.asarray(x)
    return np.asarray(_vectorized("erf")(x.astype(np.float64, copy=False)), dtype=np.float64).astype(
        x.dtype, copy=False)


def erfc_array(x):
    x = np.asarray(x)
    return np.asarray(_vectorized("erfc")(x.astype(np.float64, copy=False)), dtype=np.float64).astype(
        x.dtype, copy=False)


_VECTORIZED = {}  # "erf"/"erfc" -> the elementwise function, made on first use


def _vectorized(name):
    if name not in _VECTORIZED:
        fn = getattr(math, name)
        try:
            import numba
            _VECTORIZED[name] = numba.vectorize(["float64(float64)"], nopython=True)(lambda v: fn(v))
        except Exception:  # noqa: BLE001 - any numba problem: the plain Python loop gives the same values
            _VECTORIZED[name] = np.frompyfunc(fn, 1, 1)
    return _VECTORIZED[name]


class Erf(_Unary):
    numpy_fn = staticmethod(erf_array)

    @staticmethod
    def grad(g, x, out):
        return g * (call(Exp, -(x * x)) * _TWO_OVER_SQRT_PI)  # d/dx erf x = 2/√π e^(-x²)


class Erfc(_Unary):
    numpy_fn = staticmethod(erfc_array)

    @staticmethod
    def grad(g, x, out):
        return g * (call(Exp, -(x * x)) * -_TWO_OVER_SQRT_PI)  # d/dx erfc x = -2/√π e^(-x²)


def _frac(x):
    return x - np.trunc(x)


class Frac(_Unary):
    numpy_fn = staticmethod(_frac)

    @staticmethod
    def grad(g, x, out):
        return g  # d/dx (x - trunc x) = 1 almost everywhere (as torch)


def zeros_like(g, shape=None):
    """A zero gradient, not connected to any graph (torch's zeros_like(grad))."""
    zeros = np.zeros(data(g).shape if shape is None else shape, dtype=data(g).dtype)
    if is_tensor(g):
        from minigrad.tensor import Tensor
        return Tensor._wrap(zeros)
    return zeros


class Piecewise(ArrayFunction):
    """floor, ceil, round, trunc, sign: piecewise constant, so the gradient is 0 (as torch)."""

    @staticmethod
    def forward(ctx, x, fn):
        return np.asarray(_quiet(fn, x))

    @staticmethod
    def backward(ctx, g):
        return zeros_like(g), None


def sign_array(x):
    s = np.asarray(np.sign(x))
    if s.dtype.kind == "f":
        s[np.isnan(x)] = 0  # torch: sign(nan) = 0
    return s


def sign_of(x):
    """sign(x), 0 at 0 and nan; on Tensors a node with a zero gradient, as torch's sgn."""
    return call(Piecewise, x, sign_array)


class NanToNum(ArrayFunction):
    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        ctx.finite = np.isfinite(x)
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.finite.astype(data(g).dtype), None, None, None  # replaced values are constants


# ------------------------------------------------------------------------ two inputs
class Atan2(ArrayFunction):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.asarray(_quiet(np.arctan2, a, b))

    @staticmethod
    def backward(ctx, g):  # d atan2(a, b) = (b da - a db) / (a² + b²)
        a, b = ctx.saved_tensors
        with np.errstate(all="ignore"):
            scaled = g / (a * a + b * b)
            return scaled * b, -scaled * a


class Hypot(ArrayFunction):
    @staticmethod
    def forward(ctx, a, b):
        out = np.asarray(np.hypot(a, b))
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):  # d √(a²+b²) = (a da + b db) / √(a²+b²)
        a, b, out = ctx.saved_tensors
        with np.errstate(all="ignore"):
            return g * a / out, g * b / out


class FMod(ArrayFunction):
    """C's fmod (sign of ``a``); ``remainder=True``: Python's % (sign of ``b``)."""

    @staticmethod
    def forward(ctx, a, b, remainder):
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b)
        ctx.remainder = remainder
        ctx.number_a = not isinstance(a, np.ndarray)
        return np.asarray(_quiet(np.remainder if remainder else np.fmod, a, b))

    @staticmethod
    def backward(ctx, g):  # a - q b with q = floor(a/b) or trunc(a/b), a constant almost everywhere
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad[:2]
        if need_b and ctx.number_a:  # as torch: number % tensor has no derivative
            raise RuntimeError(f"derivative for aten::{'remainder' if ctx.remainder else 'fmod'} is not implemented")
        grad_b = None
        if need_b:
            with np.errstate(all="ignore"):
                grad_b = -g * call(RoundedQuotient, a, b, np.floor if ctx.remainder else np.trunc)
        return (g if need_a else None), grad_b, None


class RoundedQuotient(ArrayFunction):
    """``rounding(a / b)``: piecewise constant in both inputs, so their gradients are 0."""

    @staticmethod
    def forward(ctx, a, b, rounding):
        return np.asarray(_quiet(lambda: rounding(a / b)))

    @staticmethod
    def backward(ctx, g):
        return zeros_like(g), zeros_like(g), None


class FloorDivide(ArrayFunction):
    """``a // b``: the quotient rounded down, as Python's (and torch's) floor division."""

    @staticmethod
    def forward(ctx, a, b):
        return np.asarray(_quiet(np.floor_divide, a, b))

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


class FMax(ArrayFunction):
    """fmax/fmin: the larger (smaller) value, ignoring nan.  As torch, the whole gradient goes to
    ``a`` where ``a`` wins or ties or ``b`` is nan, else to ``b``."""

    @staticmethod
    def forward(ctx, a, b, is_max):
        ctx.a_wins = np.asarray(((a >= b) if is_max else (a <= b)) | np.isnan(b))
        return np.asarray(np.fmax(a, b) if is_max else np.fmin(a, b))

    @staticmethod
    def backward(ctx, g):
        return where(ctx.a_wins, g, 0), where(ctx.a_wins, 0, g), None


class Lerp(ArrayFunction):
    """``start + weight * (end - start)``, computed from the nearer end as torch does."""

    @staticmethod
    def forward(ctx, start, end, weight):
        ctx.save_for_backward(start, end, weight)
        diff = end - start
        w = np.asarray(weight)
        return np.asarray(np.where(np.abs(w) < 0.5, start + w * diff, end - diff * (1 - w)),
                          dtype=np.result_type(start, end))

    @staticmethod
    def backward(ctx, g):
        start, end, weight = ctx.saved_tensors
        need_s, need_e, need_w = ctx.needs_input_grad
        return ((g * (1 - weight)) if need_s else None,   # d/dstart = 1 - w
                (g * weight) if need_e else None,         # d/dend = w
                (g * (end - start)) if need_w else None)  # d/dw = end - start

