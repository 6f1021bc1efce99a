"""Elementwise arithmetic and math: each forward with its local derivative beside it.

Inputs may have different (broadcastable) shapes; backward returns gradients in
the broadcast shape and the engine sums them back down (``engine.unbroadcast``).
A Python scalar operand arrives as a plain number and gets no gradient.

Each backward is written once for arrays and Tensors (see ``dual.py``): with
``create_graph=True`` it records its own graph, so second derivatives follow.  Masks
(where a derivative is 0 or 1) are computed from ``data(x)``: they carry no gradient.
"""
import numpy as np

from minigrad.autograd.function import ArrayFunction
from minigrad.ops.dual import call, data, where


class Add(ArrayFunction):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g  # d(a+b)/da = d(a+b)/db = 1


class Sub(ArrayFunction):
    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, -g  # d(a-b)/db = -1


class Mul(ArrayFunction):
    @staticmethod
    def forward(ctx, a, b):
        need_a, need_b = ctx.needs_input_grad  # save only what backward reads, as torch does,
        ctx.save_for_backward(a if need_b else None, b if need_a else None)  # so in-place on the rest is fine
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (g * b if need_a else None), (g * a if need_b else None)  # d(ab)/da = b


class Div(ArrayFunction):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b)
        with np.errstate(divide="ignore", invalid="ignore"):  # x/0 is ±inf or nan, silently, as torch
            return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        with np.errstate(divide="ignore", invalid="ignore"):
            grad_a = g / b if need_a else None                   # d(a/b)/da = 1/b
            grad_b = -g * a / (b * b) if need_b else None        # d(a/b)/db = -a/b²
        return grad_a, grad_b


class Pow(ArrayFunction):
    @staticmethod
    def forward(ctx, a, b):
        out = a ** b
        ctx.save_for_backward(a, b, out if ctx.needs_input_grad[1] else None)  # out only for d/db
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        grad_a = grad_b = None
        if need_a:  # d(a^b)/da = b a^(b-1); torch gives 0 where b == 0
            with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** -1 where b == 0 is masked
                grad_a = g * where(np.equal(data(b), 0), 0.0, b * a ** (b - 1))
        if need_b:  # d(a^b)/db = a^b ln a; torch gives 0 where a == 0 and b >= 0
            with np.errstate(divide="ignore", invalid="ignore"):
                zero = np.equal(data(a), 0) & np.greater_equal(data(b), 0)
                grad_b = g * where(zero, 0.0, out * call(Log, a))
        return grad_a, grad_b


class Maximum(ArrayFunction):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):  # the larger input gets the gradient; a tie splits it in half (as torch)
        a, b = (data(v) for v in ctx.saved_tensors)
        return _share(g, a, b, a < b), _share(g, a, b, a > b)


class Minimum(ArrayFunction):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = (data(v) for v in ctx.saved_tensors)
        return _share(g, a, b, a > b), _share(g, a, b, a < b)


def _share(g, a, b, lost):
    """torch's rule for maximum/minimum: g, halved at ties, 0 where this input lost (a nan
    compares neither way, so both inputs get g there)."""
    share = np.asarray(np.where(a == b, 0.5, 1.0))
    share[lost] = 0.0
    return g * share.astype(data(g).dtype, copy=False)


class Neg(ArrayFunction):
    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g


class Exp(ArrayFunction):
    @staticmethod
    def forward(ctx, x):
        with np.errstate(over="ignore"):  # overflow gives inf, silently, as torch
            out = np.exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out  # d/dx e^x = e^x


class Log(ArrayFunction):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore"):
            return g / x  # d/dx ln x = 1/x


class Sqrt(ArrayFunction):
    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            out = np.sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / (2 * out)  # d/dx √x = 1/(2√x)


class Abs(ArrayFunction):
    backward_reads_saved = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        sign = np.asarray(np.sign(data(x)))
        sign[np.isnan(sign)] = 0  # torch: 0 at nan as at 0
        return g * sign  # d/dx |x| = sign(x), 0 at 0 (as torch)


class Clamp(ArrayFunction):
    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x)
        ctx.bounds = (low, high)
        out = x
        if low is not None:
            out = np.maximum(out, np.asarray(low, dtype=x.dtype))
        if high is not None:
            out = np.minimum(out, np.asarray(high, dtype=x.dtype))
        return out if out is not x else x.copy()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        x = data(x)
        low, high = data(ctx.bounds[0]), data(ctx.bounds[1])
        need_x, need_low, need_high = ctx.needs_input_grad
        inside = np.ones(data(g).shape, dtype=bool)  # low <= x <= high (g's shape: bounds may broadcast x)
        if low is not None:
            inside &= x >= low
        if high is not None:
            inside &= x <= high
        grad_low = grad_high = None
        if need_low:   # a tensor bound gets the gradient where it won: x < low (and low < high)
            grad_low = where((x < low) & (True if high is None else low < high), g, 0)
        if need_high:  # x > high, or high < low (then the result is high everywhere)
            grad_high = where((x > high) | (False if low is None else high < low), g, 0)
        return where(inside, g, 0), grad_low, grad_high


class Cast(ArrayFunction):
    """``t.to(dtype)``: the gradient is cast back to the input's dtype by the engine."""

    @staticmethod
    def forward(ctx, x, dtype):
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g, None


class Clone(ArrayFunction):
    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g


class LinkedGrad(ArrayFunction):
    """``g`` itself, recorded as depending on ``others`` with derivative 0: a gradient computed
    from saved values (a mask, a sign) still belongs to their graph, as in torch."""

    @staticmethod
    def forward(ctx, g, *others):
        ctx.shapes = [(o.shape, o.dtype) for o in others]
        return g

    @staticmethod
    def backward(ctx, gg):
        return (gg, *(np.zeros(shape, dtype) for shape, dtype in ctx.shapes))
