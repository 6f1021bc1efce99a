"""Softmax and log-softmax along one dimension.

Every array is seen as (N, C, S): N = the product of the dims before ``dim``, C = the
size of ``dim``, S = the product of the dims after it.  A C-contiguous array of any
shape becomes (N, C, S) by a reshape alone (no transposed copy), and the class axis
is then axis 1.  The arithmetic runs in minigrad's numba kernels (minigrad/kernels/softmax.py,
with a numpy reference beside each kernel); the plain-numpy helpers below serve the
shapes and dtypes the kernels do not take (0-d, empty, float16), and every input when
the kernels are switched off (``minigrad.set_kernels(False)`` or ``MINIGRAD_KERNELS=0``):
read them for the math.

    softmax(x)_c     = e^(x_c - m) / Σ_k e^(x_k - m)        m = max_k x_k (so e^... never overflows)
    log_softmax(x)_c = (x_c - m) - log Σ_k e^(x_k - m)
"""
import math

import numpy as np

from minigrad._lazy import kernel
from minigrad.autograd.function import ArrayFunction
from minigrad.autograd.grad_mode import state
from minigrad.kernel_switch import switch
from minigrad.tensor import Tensor

_KERNEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def use_kernel(x):
    """True if the numba kernels take ``x`` (float32/float64 with at least one element) and
    they are switched on (``minigrad.set_kernels``; off: the numpy helpers below run)."""
    return switch.enabled and x.dtype in _KERNEL_DTYPES and x.ndim > 0 and x.size > 0


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
class Softmax(ArrayFunction):
    """``softmax(x, dim)`` for a floating ``x`` and a non-negative ``dim`` (checked by the caller).
    The kernel does the arithmetic; the numpy helpers take 0-d, empty and float16 inputs."""
    kernel_forward = staticmethod(kernel("softmax_forward"))
    kernel_backward = staticmethod(kernel("softmax_backward"))
    numpy_forward, numpy_backward = staticmethod(softmax_forward), staticmethod(softmax_backward)

    @staticmethod
    def forward(ctx, x, dim):
        op = ctx.fn  # Softmax or LogSoftmax: the same steps with their own arithmetic
        if use_kernel(x):
            out = op.kernel_forward(x, axis=dim)
        else:
            out = op.numpy_forward(as_ncs(x, split_ncs(x.shape, dim))).reshape(x.shape)
        ctx.dim = dim
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        op = ctx.fn
        if isinstance(g, Tensor):  # create_graph: the same rule in Tensor ops, recorded
            return op.tensor_backward(g, out, ctx.dim), None
        if use_kernel(out) and g.dtype == out.dtype:
            return op.kernel_backward(g, out, axis=ctx.dim), None
        ncs = split_ncs(out.shape, ctx.dim)
        return op.numpy_backward(as_ncs(g, ncs), as_ncs(out, ncs)).reshape(out.shape), None


    @staticmethod
    def tensor_backward(g, s, dim):
        """softmax_backward in Tensor ops: grad_k = s_k (g_k - Σ_c g_c s_c)."""
        if s.ndim == 0:
            return g * 0
        return s * (g - (g * s).sum(dim, keepdim=True))


class LogSoftmax(Softmax):
    """``log_softmax(x, dim)``: Softmax's steps with log-softmax's arithmetic.  Its backward
    needs e^out = softmax(x); when the kernel runs and a gradient will be needed, forward
    keeps the exps it computed anyway (and 1/Σ per position) so that backward reads them
    instead of computing an exp per element again (half its time at large sizes; the cost:
    one more array of x's size until backward frees it)."""
    kernel_forward = staticmethod(kernel("log_softmax_forward"))
    kernel_backward = staticmethod(kernel("log_softmax_backward"))
    numpy_forward, numpy_backward = staticmethod(log_softmax_forward), staticmethod(log_softmax_backward)
    kernel_forward_keep = staticmethod(kernel("log_softmax_forward_keep"))
    kernel_backward_kept = staticmethod(kernel("log_softmax_backward_kept"))

    #: below this many elements the second exp costs less than keeping the first (float32
    #: fwd+bwd: at 64x10 the exps take ~1 µs and keeping them measured 54 -> 62-69 µs; at
    #: 512x100 keeping them gives 242-302 -> 183-210 µs)
    KEEP_EXPS_FROM = 16384

    @staticmethod
    def forward(ctx, x, dim):
        if not (ctx.needs_input_grad[0] and x.size >= LogSoftmax.KEEP_EXPS_FROM and use_kernel(x)):
            return Softmax.forward(ctx, x, dim)
        out, exps, inv = LogSoftmax.kernel_forward_keep(x, axis=dim)
        ctx.dim = dim
        ctx.kept = (exps, inv)
        ctx.save_for_backward(out)  # for the in-place check, and create_graph's rule
        return out

    @staticmethod
    def backward(ctx, g):
        kept = ctx.__dict__.get("kept")
        if kept is None or isinstance(g, Tensor) or g.dtype != kept[0].dtype:
            return Softmax.backward(ctx, g)
        (_out,) = ctx.saved_tensors  # (raises if the output was changed in place since, as torch)
        # when the walk frees this node's saved values next (no retain_graph), the gradient is
        # written over the exps: no new array (a fresh one costs page faults at every step)
        return LogSoftmax.kernel_backward_kept(g, *kept, axis=ctx.dim, in_place=state.releasing), None

    @staticmethod
    def tensor_backward(g, out, dim):
        """log_softmax_backward in Tensor ops: grad_k = g_k - e^(out_k) Σ_c g_c."""
        if out.ndim == 0:
            return g * 0
        return g - out.exp() * g.sum(dim, keepdim=True)
