"""Softmax and log-softmax along one dimension.

Every array is seen as (N, C, S): N = the product of the dims before ``dim``, C = the
size of ``dim``, S = the product of the dims after it.  A C-contiguous array of any
shape becomes (N, C, S) by a reshape alone (no transposed copy), and the class axis
is then axis 1.  The four helpers below do the arithmetic on such (N, C, S) arrays in
plain numpy; each is a drop-in spot for a numba kernel with the same signature.

    softmax(x)_c     = e^(x_c - m) / Σ_k e^(x_k - m)        m = max_k x_k (so e^... never overflows)
    log_softmax(x)_c = (x_c - m) - log Σ_k e^(x_k - m)
"""
import math

import numpy as np

from minigrad.autograd.function import Function


def split_ncs(shape, dim):
    """(N, C, S) for ``shape`` around the non-negative ``dim`` (a 0-d shape is (1, 1, 1))."""
    if not shape:
        return 1, 1, 1
    return math.prod(shape[:dim]), shape[dim], math.prod(shape[dim + 1:])


def as_ncs(a, ncs):
    """``a`` as a C-contiguous (N, C, S) array (a copy only if ``a`` is not contiguous)."""
    return np.ascontiguousarray(a).reshape(ncs)


# --------------------------------------------------------------------------- numpy compute (N, C, S)
def softmax_forward(x3):
    """(N, C, S) -> (N, C, S): softmax over axis 1."""
    if x3.size == 0:
        return np.empty_like(x3)
    with np.errstate(invalid="ignore", over="ignore"):
        e = x3 - x3.max(axis=1, keepdims=True)
        np.exp(e, out=e)
        e /= e.sum(axis=1, keepdims=True)
        return e


def log_softmax_forward(x3):
    """(N, C, S) -> (N, C, S): log-softmax over axis 1 (an all -inf column gives nan, as torch)."""
    if x3.size == 0:
        return np.empty_like(x3)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        shifted = x3 - x3.max(axis=1, keepdims=True)
        shifted -= np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return shifted


def softmax_backward(g3, out3):
    """Gradient of softmax given the upstream ``g3`` and the forward's ``out3`` (both (N, C, S)).
    d s_c/d x_k = s_c (δ_ck - s_k), so grad_k = s_k (g_k - Σ_c g_c s_c)."""
    with np.errstate(invalid="ignore", over="ignore"):
        grad = g3 * out3
        dot = grad.sum(axis=1, keepdims=True)
        np.subtract(g3, dot, out=grad)
        grad *= out3
        return grad


def log_softmax_backward(g3, out3):
    """Gradient of log-softmax given ``g3`` and the forward's ``out3`` = log s.
    d o_c/d x_k = δ_ck - s_k, so grad_k = g_k - s_k Σ_c g_c."""
    with np.errstate(invalid="ignore", over="ignore"):
        grad = np.exp(out3)
        grad *= g3.sum(axis=1, keepdims=True)
        np.subtract(g3, grad, out=grad)
        return grad


# --------------------------------------------------------------------------- Functions
class Softmax(Function):
    """``softmax(x, dim)`` for a floating ``x`` and a non-negative ``dim`` (checked by the caller)."""

    @staticmethod
    def forward(ctx, x, dim):
        ncs = split_ncs(x.shape, dim)
        out = softmax_forward(as_ncs(x, ncs)).reshape(x.shape)
        ctx.ncs = ncs
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return softmax_backward(as_ncs(g, ctx.ncs), as_ncs(out, ctx.ncs)).reshape(out.shape), None


class LogSoftmax(Function):
    """``log_softmax(x, dim)`` for a floating ``x`` and a non-negative ``dim``."""

    @staticmethod
    def forward(ctx, x, dim):
        ncs = split_ncs(x.shape, dim)
        out = log_softmax_forward(as_ncs(x, ncs)).reshape(x.shape)
        ctx.ncs = ncs
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return log_softmax_backward(as_ncs(g, ctx.ncs), as_ncs(out, ctx.ncs)).reshape(out.shape), None
