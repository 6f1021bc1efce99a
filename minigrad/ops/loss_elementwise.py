"""Elementwise losses: binary cross-entropy (on probabilities and on logits), KL divergence, MSE.

Each loss is a pointwise formula followed by a reduction over all elements ('none',
'sum', 'mean' = sum / numel; KLDiv also 'batchmean' = sum / input.shape[0]).  The
pointwise forward and backward are plain-numpy helpers; the backward helpers take the
upstream gradient already broadcast and divided for 'mean'.  The forwards of binary
cross-entropy and KL divergence, one or two logs per element, run in numba kernels
(``bce_loss``, ``kl_div_loss``: numpy's float32 log1p is scalar code on AVX2) with or
without a graph, so a loss has the same bits under ``no_grad`` as with gradients.
Arrays arrive with their dtypes settled and shapes checked by minigrad.ops.loss_checks.
"""
import numpy as np

from minigrad._lazy import kernels  # numba is imported on the first kernel call
from minigrad.autograd.function import ArrayFunction
from minigrad.kernel_switch import switch
from minigrad.ops import loss_composite
from minigrad.ops.loss_composite import composite_backward
from minigrad.tensor import Tensor
from minigrad.ops.activation import stable_sigmoid


# --------------------------------------------------------------------------- numpy compute
def log_sigmoid(x):
    """log σ(x) = min(x, 0) - log1p(e^-|x|): finite for any finite x (torch's formula)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))


def bce_forward(p, y, w):
    """-w [y log p + (1-y) log(1-p)], each log clamped at -100 (so p = 0 or 1 stays finite)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        loss = (y - 1) * np.maximum(np.log1p(-p), -100) - y * np.maximum(np.log(p), -100)
        return loss if w is None else loss * w


_BCE_EPSILON = np.float32(1e-12)  # torch's constant is a float: 9.999999960e-13


def bce_loss(p, y, w, reduction):
    """bce_forward, reduced: by the kernel (the same formula, its logs ~1 ulp; a reduced loss
    summed in the kernel, no array written) when it takes the arrays."""
    if not log_kernel_takes(p, y, w):
        return reduce_all(bce_forward(p, y, w), reduction)
    if reduction == "none":
        return kernels.bce_forward(p, y, w)
    return reduce_total(kernels.bce_forward(p, y, w, reduce=True), p.dtype, reduction, p.size)


def log_kernel_takes(x, y, w=None):
    """True if kernels.bce_forward / kl_div_forward take x, y (and a weight of x's dtype)."""
    return (switch.enabled and x.dtype in _KERNEL_DTYPES and x.size > 0 and y.dtype == x.dtype
            and y.shape == x.shape and (w is None or w.dtype == x.dtype))


def bce_backward(p, y, w, g, need_p, need_y):
    """d/dp = w (p - y) / max(p (1-p), ε) with torch's ε = float32(1e-12);  d/dy = -w logit(p) = w log((1-p)/p)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        grad_p = g * (p - y) / np.maximum((1 - p) * p, _BCE_EPSILON.astype(p.dtype)) if need_p else None
        grad_y = -np.log(p / (1 - p)) * g if need_y else None
    if w is not None:
        grad_p = None if grad_p is None else grad_p * w
        grad_y = None if grad_y is None else grad_y * w
    return grad_p, grad_y


def bce_with_logits_forward(x, y, w, pos_weight):
    """w [(1-y) x - (1 + (pw-1) y) log σ(x)], with torch's dtype steps: log σ(x) stays in x's
    dtype, the result takes y's dtype (torch computes it in place into 1 - y)."""
    with np.errstate(invalid="ignore", over="ignore"):
        log_sig = log_sigmoid(x)
        if pos_weight is not None:
            log_sig = (log_sig * ((pos_weight - 1) * y + 1)).astype(x.dtype, copy=False)
        loss = ((1 - y) * x).astype(y.dtype, copy=False)
        loss = (loss - log_sig).astype(y.dtype, copy=False)
        return loss if w is None else (loss * w).astype(y.dtype, copy=False)


def bce_with_logits_backward(x, y, w, pos_weight, g, need_x, need_y):
    """d/dx = w [(pw y + 1 - y) σ(x) - pw y]  (= w (σ(x) - y) without pos_weight);
    d/dy = w [log σ(-x) - pw log σ(x)]      (= -w x without pos_weight)."""
    grad_x = grad_y = None
    with np.errstate(invalid="ignore", over="ignore"):
        if need_x:
            if pos_weight is None:
                grad_x = (stable_sigmoid(x) - y) * g
            else:
                pw_y = pos_weight * y
                grad_x = ((pw_y + 1 - y) * stable_sigmoid(x) - pw_y) * g
        if need_y:
            grad_y = (-x if pos_weight is None else log_sigmoid(-x) - log_sigmoid(x) * pos_weight) * g
    if w is not None:
        grad_x = None if grad_x is None else grad_x * w
        grad_y = None if grad_y is None else grad_y * w
    return grad_x, grad_y


def kl_div_forward(x, t, log_target):
    """log_target=False: t log t - t x (0 where t = 0);  log_target=True: e^t (t - x)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if log_target:
            return np.exp(t) * (t - x)
        return np.where(t == 0, t.dtype.type(0), t * np.log(t)) - t * x


def kl_div_loss(x, t, log_target, reduction, batch):
    """kl_div_forward, reduced: by the kernel (the same formula, its log / exp ~1 ulp; a
    reduced loss summed in the kernel) when it takes x and t."""
    if not log_kernel_takes(x, t):
        return reduce_all(kl_div_forward(x, t, log_target), reduction, batch)
    if reduction == "none":
        return kernels.kl_div_forward(x, t, log_target)
    return reduce_total(kernels.kl_div_forward(x, t, log_target, reduce=True), x.dtype, reduction, x.size, batch)


def kl_div_backward(x, t, log_target, g, need_x, need_t):
    """log_target=False: d/dx = -t, d/dt = log t + t/t - x (torch's xlogy rule: the log t term is
    0 where t = 0, and t/t makes the gradient nan there);  log_target=True: d/dx = -e^t,
    d/dt = e^t (t - x + 1)."""
    grad_x = grad_t = None
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if log_target:
            e = np.exp(t)
            grad_x = -(g * e) if need_x else None
            grad_t = g * (t - x) * e + g * e if need_t else None
        else:
            grad_x = -(g * t) if need_x else None
            if need_t:
                log_term = np.where((t == 0) | (g == 0), 0, g * np.log(t))
                grad_t = log_term + g * t / t - g * x
    return grad_x, grad_t


def mse_forward(x, y):
    """(x - y)^2."""
    with np.errstate(over="ignore", invalid="ignore"):
        d = x - y
        return d * d


def mse_backward(x, y, g, need_x, need_y):
    """d/dx = 2 (x - y) = -d/dy."""
    with np.errstate(over="ignore", invalid="ignore"):
        grad_x = 2 * (x - y) * g
    return (grad_x if need_x else None), (-grad_x if need_y else None)


# --------------------------------------------------------------------------- reductions
def reduce_all(loss, reduction, batch=None):
    """'none' -> loss; 'sum' -> Σ; 'mean' -> Σ / numel; 'batchmean' -> Σ / batch (nan for 0/0)."""
    if reduction == "none":
        return loss
    with np.errstate(over="ignore"):  # an overflowing sum is inf, as torch's, without a warning
        total = loss.sum(dtype=loss.dtype)
    return _divided(total, loss.dtype, reduction, loss.size, batch)


_LARGEST = {np.dtype(t): float(np.finfo(t).max) for t in (np.float16, np.float32, np.float64)}


def reduce_total(total, dtype, reduction, numel, batch=None):
    """reduce_all for a loss a kernel has summed: ``total`` a Python float, rounded to
    ``dtype`` first (as a sum in that dtype would end), then divided as reduce_all divides."""
    if abs(total) <= _LARGEST[dtype]:
        total = dtype.type(total)
    else:  # inf, or nan
        with np.errstate(over="ignore"):
            total = dtype.type(total)
    return _divided(total, dtype, reduction, numel, batch)


def _divided(total, dtype, reduction, numel, batch):
    """'sum' -> total, 'mean' -> total / numel, 'batchmean' -> total / batch, in ``dtype``."""
    divisor = numel if reduction == "mean" else batch if reduction == "batchmean" else 1
    if divisor == 1:
        return np.asarray(total, dtype=dtype)
    if divisor:  # (a division by a count >= 1 raises no floating-point flag)
        return np.asarray(total / divisor, dtype=dtype)
    with np.errstate(invalid="ignore", divide="ignore"):  # 0/0 -> nan, x/0 -> ±inf, as torch
        return np.asarray(total / divisor, dtype=dtype)


def spread_upstream(g, reduction, shape, batch=None):
    """The upstream gradient of a reduced loss as a per-element array (divided for the means)."""
    if reduction == "none":
        return g
    divisor = {"sum": 1, "mean": int(np.prod(shape, dtype=np.int64)), "batchmean": batch}[reduction]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.broadcast_to(g / divisor if divisor != 1 else g, shape)


# --------------------------------------------------------------------------- forward only (no_grad)
# What the Functions below compute when nothing needs a gradient, without a graph node: the
# same numbers bit for bit (the kernels are exact forms of the numpy helpers above).
_KERNEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def pointwise_kernel_takes(x, y):
    """True if kernels.squared_error & co. take x and y (already of one dtype and shape)."""
    return (switch.enabled and x.dtype in _KERNEL_DTYPES and x.size > 0 and x.flags.c_contiguous
            and y.flags.c_contiguous)


def mse_forward_only(x, y, reduction):
    """MSE's forward without weight: x and y of one float dtype and one shape (the same bits
    as MSE.forward's)."""
    if not pointwise_kernel_takes(x, y):
        return reduce_all(mse_forward(x, y), reduction)
    if reduction == "none":
        return kernels.squared_error(x, y)
    return reduce_total(kernels.squared_error_sum(x, y), x.dtype, reduction, x.size)


def bce_with_logits_forward_only(x, y, weight, pos_weight, reduction):
    """BinaryCrossEntropyWithLogits' forward: the kernel's loss alone when it takes the input
    (the same bits as its fused forward + backward), else the numpy form."""
    if _bce_kernel_takes(x, y, weight, pos_weight):
        return reduce_all(kernels.bce_with_logits_forward(x, y, weight, pos_weight), reduction)
    return reduce_all(bce_with_logits_forward(x, y, weight, pos_weight), reduction)


# --------------------------------------------------------------------------- Functions
class BinaryCrossEntropy(ArrayFunction):
    composite = staticmethod(loss_composite.binary_cross_entropy)

    @staticmethod
    def forward(ctx, p, y, weight, reduction):
        if True in ctx.needs_input_grad:  # nothing is kept under no_grad
            ctx.forward_args = (p, y, weight, reduction)
            ctx.save_for_backward(p, y, weight)
            ctx.reduction = reduction
        return bce_loss(p, y, weight, reduction)

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):  # create_graph: differentiate the composite form
            return composite_backward(ctx, g)
        p, y, weight = ctx.saved_tensors
        g = spread_upstream(g, ctx.reduction, p.shape)
        return bce_backward(p, y, weight, g, *ctx.needs_input_grad[:2]) + (None, None)


class BinaryCrossEntropyWithLogits(ArrayFunction):
    """Runs fused in a numba kernel (loss and d/dx in one pass) when x and y share a float32/64
    dtype, the weights are of that dtype and the target needs no gradient; else in numpy."""

    composite = staticmethod(loss_composite.binary_cross_entropy_with_logits)

    @staticmethod
    def forward(ctx, x, y, weight, pos_weight, reduction):
        if True not in ctx.needs_input_grad:  # no_grad: the loss alone, nothing kept
            return bce_with_logits_forward_only(x, y, weight, pos_weight, reduction)
        ctx.forward_args = (x, y, weight, pos_weight, reduction)
        ctx.reduction = reduction
        if _bce_kernel_takes(x, y, weight, pos_weight) and not ctx.needs_input_grad[1]:
            loss, grad_x, _ = kernels.bce_with_logits_forward_backward(x, y, weight, pos_weight)
            ctx.save_for_backward(grad_x)
            ctx.fused = True
            return reduce_all(loss, reduction)
        ctx.save_for_backward(x, y, weight, pos_weight)
        ctx.fused = False
        return reduce_all(bce_with_logits_forward(x, y, weight, pos_weight), reduction)

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):  # create_graph: differentiate the composite form
            return composite_backward(ctx, g)
        if ctx.fused:  # forward left d loss / dx per element: scale it by the upstream gradient
            (grad_x,) = ctx.saved_tensors
            return (grad_x * spread_upstream(g, ctx.reduction, grad_x.shape),) + (None,) * 4
        x, y, weight, pos_weight = ctx.saved_tensors
        g = spread_upstream(g, ctx.reduction, x.shape)
        return bce_with_logits_backward(x, y, weight, pos_weight, g, *ctx.needs_input_grad[:2]) + (None,) * 3


def _bce_kernel_takes(x, y, weight, pos_weight):
    return (switch.enabled and x.size > 0 and x.dtype in _KERNEL_DTYPES and y.dtype == x.dtype
            and (weight is None or weight.dtype == x.dtype) and (pos_weight is None or pos_weight.dtype == x.dtype))


class KLDiv(ArrayFunction):
    """Input and target of one dtype (they may broadcast against each other)."""

    composite = staticmethod(loss_composite.kl_div)

    @staticmethod
    def forward(ctx, x, t, reduction, log_target):
        batch = x.shape[0] if x.ndim else 1  # torch does not divide a 0-d input for 'batchmean'
        if True in ctx.needs_input_grad:  # nothing is kept under no_grad
            ctx.forward_args = (x, t, reduction, log_target)
            ctx.save_for_backward(x, t)
            ctx.info = (reduction, log_target, np.broadcast_shapes(x.shape, t.shape), batch)
        return kl_div_loss(x, t, log_target, reduction, batch)

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):  # create_graph: differentiate the composite form
            return composite_backward(ctx, g)
        x, t = ctx.saved_tensors
        reduction, log_target, shape, batch = ctx.info
        g = spread_upstream(g, reduction, shape, batch)
        return kl_div_backward(x, t, log_target, g, *ctx.needs_input_grad[:2]) + (None, None)


class MSE(ArrayFunction):
    """Input and target of one dtype and one shape (broadcast by the caller).  With a ``weight``
    of that shape: w (x - y)^2, and 'mean' divides by Σ w instead of numel (torch's weighted form)."""

    composite = staticmethod(loss_composite.mse)

    @staticmethod
    def forward(ctx, x, y, weight, reduction):
        if True in ctx.needs_input_grad:  # nothing is kept under no_grad
            ctx.forward_args = (x, y, weight, reduction)
            ctx.save_for_backward(x, y, weight)
            ctx.reduction = reduction
        if weight is None:  # a 'sum' or 'mean' in one pass, without the array (the kernel's sum)
            return mse_forward_only(x, y, reduction)
        loss = mse_forward(x, y) * weight
        if reduction == "mean":
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.asarray(loss.sum() / weight.sum(), dtype=loss.dtype)
        return reduce_all(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):  # create_graph: differentiate the composite form
            return composite_backward(ctx, g)
        x, y, weight = ctx.saved_tensors
        need_x, need_y, need_w = ctx.needs_input_grad[:3]
        grad_w = None
        if weight is None:
            g = spread_upstream(g, ctx.reduction, x.shape)
        else:
            squared = mse_forward(x, y)
            with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
                if ctx.reduction == "mean":  # d(a/b) = da/b - a db/b², a = Σ w sq, b = Σ w
                    total_w = weight.sum()
                    if need_w:
                        grad_w = squared * (g / total_w) - g * (weight * squared).sum() / (total_w * total_w)
                    g = g / total_w
                elif need_w:
                    grad_w = squared * g  # d(w sq)/dw = sq
            g = g * weight
        return mse_backward(x, y, g, need_x, need_y) + (grad_w, None)
