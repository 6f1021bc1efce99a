"""Activation functions: forward and local derivative side by side."""
import numpy as np

from minigrad.autograd.function import ArrayFunction
from minigrad.ops.dual import data, where


class ReLU(ArrayFunction):
    backward_reads_saved = True

    @staticmethod
    def forward(ctx, x):
        out = np.maximum(x, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        # d/dx max(x, 0) = 1 if x > 0 else 0; out = max(x, 0) is never below 0, so out != 0 is
        # x > 0, and it is also True at nan, where torch passes the gradient through too
        return g * (data(out) != 0)


class LeakyReLU(ArrayFunction):
    backward_reads_saved = True

    @staticmethod
    def forward(ctx, x, negative_slope):
        ctx.save_for_backward(x)
        ctx.negative_slope = negative_slope
        return np.where(x > 0, x, x * np.asarray(negative_slope, dtype=x.dtype))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors  # d/dx = 1 if x > 0 else negative_slope
        return where(data(x) > 0, g, g * ctx.negative_slope), None


def stable_sigmoid(x):
    """1 / (1 + e^-x) without overflow: uses e^x / (1 + e^x) for negative x."""
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z)).astype(x.dtype, copy=False)


class Sigmoid(ArrayFunction):
    @staticmethod
    def forward(ctx, x):
        out = stable_sigmoid(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved_tensors
        return g * s * (1 - s)  # dσ/dx = σ(1-σ)


class Tanh(ArrayFunction):
    @staticmethod
    def forward(ctx, x):
        out = np.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (t,) = ctx.saved_tensors
        return g * (1 - t * t)  # d/dx tanh x = 1 - tanh²x
