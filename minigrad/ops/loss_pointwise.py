"""The L1, smooth-L1 and Huber losses as Functions, for an input and target of one shape and
one float dtype the kernels take, without a weight: the forward is one kernel pass (a
reduced loss summed in the kernel, the same bits with or without a graph), the backward
the derivative in numpy, with d = x - y (d/dy = -d/dx)::

    l1         |d|                                  d/dx = sign(d)
    smooth_l1  0.5 d²/β where |d| < β, else |d| - β/2   d/dx = d/β where |d| < β, else sign(d)
    huber      0.5 d² where |d| < δ, else δ(|d| - δ/2)  d/dx = d where |d| < δ, else δ sign(d)

``create_graph=True`` differentiates their composite forms (``loss_composite``), which are
also what every other call runs (broadcast shapes, a weight, kernels off).
"""
import numpy as np

from minigrad._lazy import kernels  # numba is imported on the first kernel call
from minigrad.autograd.function import ArrayFunction
from minigrad.ops import loss_composite
from minigrad.ops.loss_composite import composite_backward
from minigrad.ops.loss_elementwise import reduce_total, spread_upstream
from minigrad.tensor import Tensor


class _PointwiseLoss(ArrayFunction):
    kind = None  # kernels.pointwise_losses.SQUARED & co.

    @classmethod
    def loss(cls, x, y, param, reduction):
        """The loss by the kernels, without a graph (what forward returns)."""
        if reduction == "none":
            return cls.elementwise(x, y, param)
        return reduce_total(kernels.loss_sum(cls.kind, x, y, param), x.dtype, reduction, x.size)

    @classmethod
    def forward(cls, ctx, x, y, param, reduction):
        if True in ctx.needs_input_grad:
            ctx.forward_args = (x, y, param, reduction)
            ctx.save_for_backward(x, y)
            ctx.info = (param, reduction)
        return cls.loss(x, y, param, reduction)

    @classmethod
    def backward(cls, ctx, g):
        if isinstance(g, Tensor):  # create_graph: differentiate the composite form
            return composite_backward(ctx, g)
        x, y = ctx.saved_tensors
        param, reduction = ctx.info
        with np.errstate(invalid="ignore", over="ignore"):  # inf - inf: nan, silently, as torch
            grad = cls.derivative(x - y, param) * spread_upstream(g, reduction, x.shape)
        need_x, need_y = ctx.needs_input_grad[:2]
        return (grad if need_x else None), (-grad if need_y else None), None, None


class L1Loss(_PointwiseLoss):
    kind = 1  # kernels.pointwise_losses.ABSOLUTE (not imported here: numba loads on first use)
    composite = staticmethod(loss_composite.l1)

    @staticmethod
    def elementwise(x, y, param):
        return kernels.abs_error(x, y)

    @staticmethod
    def derivative(d, param):
        return np.sign(d)  # d|d|/dd = sign d (0 at 0, as torch)


class SmoothL1Loss(_PointwiseLoss):
    kind = 2  # SMOOTH_L1
    composite = staticmethod(loss_composite.smooth_l1)

    @staticmethod
    def elementwise(x, y, beta):
        return kernels.smooth_l1(x, y, beta)

    @staticmethod
    def derivative(d, beta):
        return np.where(np.abs(d) < beta, d / d.dtype.type(beta), np.sign(d))  # d(0.5 d²/β) = d/β


class HuberLoss(_PointwiseLoss):
    kind = 3  # HUBER
    composite = staticmethod(loss_composite.huber)

    @staticmethod
    def elementwise(x, y, delta):
        return kernels.huber(x, y, delta)

    @staticmethod
    def derivative(d, delta):
        return np.where(np.abs(d) < delta, d, d.dtype.type(delta) * np.sign(d))  # d(0.5 d²) = d
