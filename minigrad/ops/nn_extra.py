"""Private ops behind the extra layers of ``minigrad.nn``: erf, expm1, softplus, log-sigmoid,
hardtanh, a 2-norm that is 0-safe, a gradient-scaling identity and constant padding.

Each backward is written once for arrays and Tensors (see ``dual.py``), so the layers
built from them have gradients of every order.
"""

import numpy as np

from minigrad.autograd.function import ArrayFunction
from minigrad.ops.activation import Sigmoid
from minigrad.ops.dual import call, data, is_tensor, where
from minigrad.ops import elementwise_extra

# erf and expm1 are the math ops' own (ops/elementwise_extra.py), named here for the layers
Erf, Expm1 = elementwise_extra.Erf, elementwise_extra.Expm1


class Softplus(ArrayFunction):
    """log(1 + e^(βx)) / β, and x itself where βx > threshold (as torch)."""

    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.save_for_backward(x)
        ctx.settings = (beta, threshold)
        bx = x * x.dtype.type(beta)
        with np.errstate(over="ignore"):
            soft = np.log1p(np.exp(bx)) / x.dtype.type(beta)
        return np.where(bx > threshold, x, soft).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        beta, threshold = ctx.settings
        linear = data(x) * beta > threshold
        return where(linear, g, g * call(Sigmoid, x * beta)), None, None  # d/dx softplus = σ(βx)


class LogSigmoid(ArrayFunction):
    """log σ(x) = min(x, 0) - log(1 + e^-|x|)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * call(Sigmoid, -x)  # d/dx log σ(x) = 1 - σ(x) = σ(-x)


class Hardtanh(ArrayFunction):
    """x clipped to [low, high]; the gradient passes only strictly inside (as torch)."""

    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x)
        ctx.bounds = (low, high)
        return np.minimum(np.maximum(x, x.dtype.type(low)), x.dtype.type(high))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        low, high = ctx.bounds
        x = data(x)
        return where((x > low) & (x < high), g, 0), None, None


class Hardsigmoid(ArrayFunction):
    """relu6(x + 3) / 6; torch's backward multiplies by 1/6 rounded to float32, in every dtype."""
    _ONE_SIXTH = float(np.float32(1.0 / 6.0))

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.minimum(np.maximum(x + x.dtype.type(3), 0), x.dtype.type(6)) / x.dtype.type(6)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        x = data(x)
        return where((x > -3) & (x < 3), g * Hardsigmoid._ONE_SIXTH, 0)  # d/dx (x+3)/6 = 1/6 inside


class Hardswish(ArrayFunction):
    """x relu6(x + 3) / 6, with torch's derivative: 0 up to -3, x/3 + 1/2 inside (-3, 3), 1 from 3 on."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * np.minimum(np.maximum(x + x.dtype.type(3), 0), x.dtype.type(6)) / x.dtype.type(6)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xd = data(x)
        return where(xd <= -3, 0, where(xd < 3, g * (x / 3 + 0.5), g))


class Norm2(ArrayFunction):
    """√(Σ x²) over ``axes`` (keepdim); its gradient x/‖x‖ is 0 where the norm is 0 (as torch)."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        out = np.sqrt(np.sum(x * x, axis=axes, keepdims=True))
        ctx.save_for_backward(x, out)
        ctx.shape_info = (axes, keepdim)
        return out if keepdim else np.squeeze(out, axes)

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        axes, keepdim = ctx.shape_info
        if is_tensor(x):  # create_graph: the norm again, as a function of x
            out = call(Norm2, x, axes, True)
        if not keepdim:
            g = g.reshape(data(out).shape)
        zero = data(out) == 0
        safe = where(zero, 1, out)
        return where(zero, 0, g / safe) * x, None, None  # d‖x‖/dx = x/‖x‖


class ScaleGrad(ArrayFunction):
    """The identity, whose gradient is multiplied by ``scale`` (an array broadcasting to x):
    the padding row and ``scale_grad_by_freq`` of embeddings, and torch's in-place clamps
    under no_grad (``values`` replaces the forward result while the gradient passes as is)."""

    @staticmethod
    def forward(ctx, x, scale, values):
        ctx.scale = scale
        return x.copy() if values is None else values.astype(x.dtype, copy=True)

    @staticmethod
    def backward(ctx, g):
        return (g if ctx.scale is None else g * ctx.scale), None, None


class ConstantPad(ArrayFunction):
    """Pads (or, for negative widths, crops) each dim by ``(before, after)`` with ``value``."""

    @staticmethod
    def forward(ctx, x, widths, value):
        out_shape = tuple(n + a + b for n, (a, b) in zip(x.shape, widths))
        out = np.full(out_shape, value, dtype=x.dtype)
        src = tuple(slice(max(-a, 0), n - max(-b, 0)) for n, (a, b) in zip(x.shape, widths))
        dst = tuple(slice(max(a, 0), m - max(b, 0)) for m, (a, b) in zip(out_shape, widths))
        ctx.slices = (x.shape, src, dst)
        out[dst] = x[src]
        return out

    @staticmethod
    def backward(ctx, g):
        shape, src, dst = ctx.slices
        if src == tuple(slice(0, n) for n in shape):
            return g[dst], None, None  # d out[dst]/dx = 1
        return call(ConstantPad, g[dst], [(s.start, n - s.stop) for n, s in zip(shape, src)], 0), None, None
