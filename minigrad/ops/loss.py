"""Cross-entropy (class-index and class-probability targets) and negative log-likelihood.

Shapes.  An input (C) | (N, C) | (N, C, d1..dK) is viewed, by reshape alone, as
``x3`` (N, C, S) with S = d1·…·dK: (C) as (1, C, 1), (N, C) as (N, C, 1).  A class-index
target (N, d1..dK) is ``t2`` (N, S) of int64; a probability target has the input's shape
and is ``q3`` (N, C, S).  Targets arrive validated (minigrad.ops.loss_checks): every index
is in [0, C) or equals ignore_index.

The compute runs in minigrad's numba kernels (minigrad/kernels/, each with a numpy
reference beside it).  The plain-numpy helpers in the first half of this file keep
torch's exact order of operations for the few cases where that order decides between
nan, inf and 0 (non-finite logits at ignored positions; 'mean' over a zero total
weight) and serve what the kernels do not take (float16), and every input when the
kernels are switched off (``minigrad.set_kernels(False)``; ``use_kernel`` says no).  Cross-entropy is fused: its
forward also returns ``grad3``, the gradient of the *unreduced* loss, so backward only
scales it by the upstream gradient (and 1/divisor for 'mean').

    l_i = -(1-ε) w[y_i] lsm[i, y_i] - (ε/C) Σ_c w_c lsm[i, c]      lsm = log_softmax(x_i)
    d l_i / d x_i = (1-ε) w[y_i] (p_i - onehot(y_i)) + (ε/C) (p_i Σ_c w_c - w)     p = softmax(x_i)
"""
import numpy as np

from minigrad._lazy import kernels  # numba is imported on the first kernel call
from minigrad.autograd.function import ArrayFunction
from minigrad.ops import loss_composite
from minigrad.ops.loss_composite import composite_backward
from minigrad.ops.dual import data
from minigrad.tensor import Tensor
from minigrad.ops.loss_checks import check_target_bounds
from minigrad.ops.softmax import as_ncs, log_softmax_forward, split_ncs, use_kernel


_NO_WEIGHT = {np.dtype(np.float32): np.empty(0, np.float32), np.dtype(np.float64): np.empty(0, np.float64)}
_LARGEST = {dtype: float(np.finfo(dtype).max) for dtype in _NO_WEIGHT}


def _kernel_takes(x, weight):
    """True if the fused kernel takes the input: float32/float64 (and a weight of the same dtype)."""
    return use_kernel(x) and (weight is None or weight.dtype == x.dtype)


def _ignored_logits_finite(x3, t2, ignore_index):
    """False if an ignored position has a non-finite logit (the kernel writes 0 there, torch nan)."""
    n, s = np.nonzero(t2 == ignore_index)
    return bool(np.isfinite(x3[n, :, s]).all())


def cross_entropy_index_kernel(x, t, weight, ignore_index, label_smoothing, mean, need_grad):
    """The fused kernel on ``x`` as it is (C-contiguous, class axis 1, or 0 when 1-D) and flat
    int64 targets ``t``: (loss of the 'none' shape, grad of x's shape or None without
    ``need_grad``, loss_sum, total weight (float), n_ignored).  With ``mean`` the kernel has already
    divided grad by the total weight; loss_sum is Σ loss accumulated in float64."""
    w, has_w = (_NO_WEIGHT[x.dtype], False) if weight is None else (weight, True)
    return kernels.cross_entropy.cross_entropy_fused(x, t, w, has_w, ignore_index, label_smoothing, mean,
                                                     need_grad)


# --------------------------------------------------------------------------- numpy compute (N, C, S)
def _targets(t2, C, ignore_index, weight, dtype):
    """(valid, at, w_t) for targets t2 (N, S): valid = t2 != ignore_index; ``at`` the flat
    positions of [n, t, s] in a C-contiguous (N, C, S) array (class 0 where ignored);
    w_t = weight[t] (ones without a weight), 0 where ignored."""
    N, S = t2.shape
    valid = t2 != ignore_index
    safe = np.where(valid, t2, 0)
    at = (np.arange(N)[:, None] * (C * S) + np.arange(S)) + safe * S
    w_t = np.where(valid, weight[safe], dtype.type(0)) if weight is not None else valid.astype(dtype)
    return valid, at, w_t


def _smoothing_sum(lsm, weight):
    """Σ_c w_c lsm[n, c, s]: (N, S) (w @ lsm runs in BLAS)."""
    return lsm.sum(axis=1) if weight is None else np.matmul(weight, lsm)


def cross_entropy_index_forward(x3, t2, weight, ignore_index, label_smoothing, need_grad):
    """Cross-entropy of logits ``x3`` (N, C, S, C-contiguous) against class indices ``t2`` (N, S).

    ``weight``: (C,) of x3's dtype or None; ``label_smoothing``: ε in [0, 1].
    Returns ``(loss2, total_weight, grad3)``: loss2 (N, S) the unreduced loss (exactly 0
    where ignored); total_weight = Σ w[y] over non-ignored positions (the 'mean' divisor),
    a 0-d array of x3's dtype; grad3 (N, C, S) = d loss2[n, s] / d x3[n, :, s], or None
    unless ``need_grad``.  Ignored positions get grad 0 (nan if their logits are not finite,
    as torch)."""
    dtype, C = x3.dtype, x3.shape[1]
    eps = dtype.type(label_smoothing)
    valid, at, w_t = _targets(t2, C, ignore_index, weight, dtype)
    total_weight = np.asarray(w_t.sum(dtype=dtype), dtype=dtype)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        if x3.size:  # log-softmax and softmax from one exp: lsm = x - m - log Σe, p = e / Σe
            lsm = x3 - x3.max(axis=1, keepdims=True)
            p = np.exp(lsm)
            sum_exp = p.sum(axis=1, keepdims=True)
            lsm -= np.log(sum_exp)
        else:
            lsm = p = sum_exp = np.empty_like(x3)
        loss2 = -(w_t * lsm.reshape(-1)[at])
        if eps > 0:
            loss2 = (1 - eps) * loss2 - (eps / C) * _smoothing_sum(lsm, weight)
        loss2 = np.where(valid, loss2, dtype.type(0))
        if not need_grad:
            return loss2, total_weight, None
        grad3 = p
        grad3 /= sum_exp
        if eps > 0:  # (1-ε) w_y (p - onehot) + (ε/C)(p Σw - w)
            weight_sum = dtype.type(C) if weight is None else weight.sum(dtype=dtype)
            v = valid.astype(dtype)
            grad3 *= (v * ((1 - eps) * w_t + (eps / C) * weight_sum))[:, None, :]
            grad3 -= (eps / C) * v[:, None, :] * (1 if weight is None else weight[None, :, None])
            at_target = (1 - eps) * w_t
        else:        # w_y (p - onehot)
            grad3 *= w_t[:, None, :]
            at_target = w_t
        grad3.reshape(-1)[at] -= at_target  # positions are distinct: one per (n, s)
    return loss2, total_weight, grad3


def cross_entropy_index_mean_unfused(lsm3, t2, weight, ignore_index, label_smoothing):
    """torch's own order for 'mean' when the total weight is 0: (1-ε) Σnll / 0 + (ε/C) Σsmooth / 0,
    each term nan (0/0) or ±inf on its own (the fused Σ(...) / 0 could give inf where torch has nan)."""
    dtype, C = lsm3.dtype, lsm3.shape[1]
    eps = dtype.type(label_smoothing)
    valid, at, w_t = _targets(t2, C, ignore_index, weight, dtype)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        nll_sum = np.where(valid, -(w_t * lsm3.reshape(-1)[at]), dtype.type(0)).sum(dtype=dtype)
        out = nll_sum / dtype.type(0)
        if eps > 0:
            smooth_sum = np.where(valid, -_smoothing_sum(lsm3, weight), dtype.type(0)).sum(dtype=dtype)
            out = (1 - eps) * out + smooth_sum / dtype.type(0) * (eps / C)
    return np.asarray(out, dtype=dtype)


def cross_entropy_index_grad_unfused(lsm3, t2, weight, ignore_index, label_smoothing, scale):
    """torch's own order for the gradient, used only when 'mean' divides by a zero total weight:
    the scaled gradient w.r.t. log-softmax first (-w·scale at the target, ±inf or nan), then
    log-softmax's backward ``g - p Σ g``; the fused form would give other infs and nans."""
    dtype, C = lsm3.dtype, lsm3.shape[1]
    eps = dtype.type(label_smoothing)
    valid, at, w_t = _targets(t2, C, ignore_index, weight, dtype)
    g_lsm = np.zeros_like(lsm3)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        if eps > 0:  # smoothing term -(ε/C) Σ_c w_c lsm_c; masked_fill's backward zeroes ignored rows
            w = np.ones(C, dtype) if weight is None else weight
            g_lsm = np.where(valid[:, None, :], -(w[None, :, None] * (scale * (eps / C))), dtype.type(0))
        g_lsm.reshape(-1)[at] += np.where(valid, -(w_t * ((1 - eps) * scale)), dtype.type(0))
        return g_lsm - np.exp(lsm3) * g_lsm.sum(axis=1, keepdims=True)


def cross_entropy_prob_forward(x3, q3, weight, label_smoothing, need_grad_x, need_grad_q, need_grad_w=False):
    """Cross-entropy of logits ``x3`` (N, C, S) against class probabilities ``q3`` (N, C, S).

    With q = (1-ε) q3 + ε/C:  loss2[n, s] = -Σ_c w_c q_c lsm_c.  Returns
    ``(loss2, grad_x3, grad_q3, grad_w3)``: d loss2 / d x3 = p Σ_c w_c q_c - w q,
    d loss2 / d q3 = -(1-ε) w lsm and d loss2[n, s] / d w_c = -q_c lsm_c (None where not
    needed).  Mixed dtypes promote, as torch."""
    C = x3.shape[1]
    lsm = log_softmax_forward(x3)
    rt = np.result_type(x3, q3, *(() if weight is None else (weight,)))
    w = None if weight is None else weight[None, :, None]
    with np.errstate(invalid="ignore", over="ignore"):
        q = q3 * (1 - label_smoothing) + label_smoothing / C if label_smoothing > 0 else q3
        wq = q if w is None else q * w
        loss2 = -(lsm * q if w is None else (lsm * q) * w).sum(axis=1)  # torch's order of products
        grad_x3 = np.exp(lsm) * wq.sum(axis=1, keepdims=True) - wq if need_grad_x else None
        grad_q3 = None
        if need_grad_q:
            lsm_rt = lsm.astype(rt, copy=False)
            grad_q3 = -(lsm_rt if w is None else lsm_rt * w)
            if label_smoothing > 0:
                grad_q3 *= 1 - label_smoothing
        grad_w3 = -(lsm * q) if need_grad_w else None
    return loss2, grad_x3, grad_q3, grad_w3


def nll_forward(x3, t2, weight, ignore_index):
    """Negative log-likelihood of log-probabilities ``x3`` (N, C, S, C-contiguous): loss2 (N, S)
    = -w[y] x3[n, y, s] (0 where ignored), and the total weight Σ w[y] over non-ignored
    positions (0-d, x3's dtype)."""
    valid, at, w_t = _targets(t2, x3.shape[1], ignore_index, weight, x3.dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        loss2 = np.where(valid, -(w_t * x3.reshape(-1)[at]), x3.dtype.type(0))
    return loss2, np.asarray(w_t.sum(dtype=x3.dtype), dtype=x3.dtype)


def nll_backward(t2, weight, ignore_index, g2, C):
    """d loss / d x3 (N, C, S) for the upstream ``g2`` (N, S) (already divided for 'mean'):
    -w[y] g2 at each non-ignored target, 0 elsewhere (d(-w x_y)/d x_y = -w)."""
    valid, at, w_t = _targets(t2, C, ignore_index, weight, g2.dtype)
    grad3 = np.zeros((t2.shape[0], C, t2.shape[1]), dtype=g2.dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        grad3.reshape(-1)[at] = np.where(valid, -(w_t * g2), 0)
    return grad3


# --------------------------------------------------------------------------- reductions
def reduce_loss(loss2, reduction, divisor, out_shape):
    """'none' -> loss2 as ``out_shape``; 'sum' -> Σ; 'mean' -> Σ / divisor (nan for 0/0, as torch)."""
    if reduction == "none":
        return loss2.reshape(out_shape)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        total = loss2.sum(dtype=loss2.dtype)
        return np.asarray(total if reduction == "sum" else total / divisor, dtype=loss2.dtype)


def g_scaled_as_ncs(g, reduction, divisor, ncs):
    """The upstream gradient as (N, 1, S) (or 0-d), divided for 'mean': what multiplies each
    per-position gradient."""
    scale = upstream_scale(g, reduction, divisor, ncs)
    return scale if reduction == "none" else scale.reshape(())


def upstream_scale(g, reduction, divisor, ncs):
    """The factor each per-position gradient is multiplied by: g as (N, 1, S) for 'none',
    g for 'sum', g / divisor for 'mean'."""
    if reduction == "none":
        return g.reshape((ncs[0], 1, ncs[2]))
    if reduction == "sum":
        return g
    if divisor >= 1:  # (a division by a number >= 1 raises no floating-point flag: no errstate, 3 µs)
        return g / divisor
    with np.errstate(invalid="ignore", divide="ignore"):
        return g / divisor


# --------------------------------------------------------------------------- forward only
# The common evaluation calls ((N, C) logits or log-probabilities, (N,) int64 targets, no
# weight, no smoothing) under no_grad: the kernel and the reduction, with none of the
# Function's bookkeeping.  Each returns the loss array, or None where the Function's forward
# must decide (a layout, dtype or size these do not take; an ignored target; a zero total
# weight; a sum that could overflow): the same numbers either way.
def cross_entropy_index_eval(x, t, ignore_index, reduction):
    """``CrossEntropyIndex.forward`` without a ctx, for the common call, or None."""
    if not (_kernel_takes(x, None) and x.flags.c_contiguous and t.flags.c_contiguous):
        return None
    loss, loss_sum, total, ignored = kernels.cross_entropy.cross_entropy_loss_rows(x, t, ignore_index,
                                                                                  reduction == "mean")
    if ignored:  # torch's nan where an ignored position's logits are not finite: decided there
        return None
    if reduction == "none":
        return loss
    if reduction == "sum":
        return np.asarray(loss_sum, dtype=x.dtype)
    return np.asarray(loss_sum / float(x.dtype.type(total)), dtype=x.dtype) if total else None


def nll_eval(x, t, ignore_index, reduction):
    """``NLLLoss.forward`` without a ctx, for the common call, or None."""
    if not (_kernel_takes(x, None) and x.flags.c_contiguous and t.flags.c_contiguous):
        return None
    loss, loss_sum, total, magnitude = kernels.nll.nll_fused(x, t, _NO_WEIGHT[x.dtype], False, ignore_index)
    if reduction == "none":
        return loss
    total = float(x.dtype.type(total))
    if not (magnitude < _LARGEST[x.dtype] and (reduction == "sum" or total >= 1)):
        return None  # a sum in x's dtype could overflow (torch's inf): numpy's sum there
    return np.asarray(loss_sum if reduction == "sum" else loss_sum / total, dtype=x.dtype)


# --------------------------------------------------------------------------- Functions
class CrossEntropyIndex(ArrayFunction):
    """``cross_entropy(x, target)`` with class-index targets.  ``class_dim`` is 0 for a 1-D
    input, else 1; ``out_shape`` is the 'none' output's shape; ``backward_error`` a message
    torch raises on backward (1-D input with a (1,) target), or None."""

    composite = staticmethod(loss_composite.cross_entropy_index)

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction, label_smoothing, class_dim, out_shape,
                backward_error=None):
        """The targets' range is checked here, not by the caller: the kernel's pre-pass raises
        torch's IndexError before it writes anything, the numpy path checks first."""
        need_grad = ctx.needs_input_grad[0]  # False under no_grad: the forward-only kernel path
        if need_grad:  # for create_graph (composite_backward)
            ctx.forward_args = (x, target, weight, ignore_index, reduction, label_smoothing, class_dim,
                                out_shape, backward_error)
        ncs = split_ncs(x.shape, class_dim)
        loss_sum = None
        if _kernel_takes(x, weight):
            x = x if x.flags.c_contiguous else np.ascontiguousarray(x)
            t = (target if target.flags.c_contiguous else np.ascontiguousarray(target)).reshape(-1)
            loss, grad, loss_sum, total, ignored = cross_entropy_index_kernel(
                x, t, weight, ignore_index, label_smoothing, reduction == "mean", need_grad)
            total_weight = x.dtype.type(total)
            if ignored and not _ignored_logits_finite(x.reshape(ncs), t.reshape(ncs[0], ncs[2]), ignore_index):
                loss_sum = None  # torch's nan at those positions: the numpy path below
        if loss_sum is None:
            x3, t2 = as_ncs(x, ncs), np.ascontiguousarray(target).reshape(ncs[0], ncs[2])
            check_target_bounds(t2, ncs[1], ignore_index)
            loss, total_weight, grad = cross_entropy_index_forward(x3, t2, weight, ignore_index,
                                                                   label_smoothing, need_grad)
        if need_grad:
            ctx.prescaled = loss_sum is not None and reduction == "mean"  # grad already divided by the total
            ctx.info = (x.shape, ncs, reduction, total_weight, backward_error)
            ctx.save_for_backward(grad)
        if reduction == "mean" and total_weight == 0:  # nan or ±inf: follow torch's order exactly
            unfused = (log_softmax_forward(as_ncs(x, ncs)), np.ascontiguousarray(target).reshape(ncs[0], ncs[2]),
                       weight, ignore_index, label_smoothing)
            ctx.unfused = unfused if need_grad else None
            return cross_entropy_index_mean_unfused(*unfused)
        if loss_sum is not None and reduction != "none":  # the kernel's float64 sum: no second pass
            return np.asarray(loss_sum if reduction == "sum" else loss_sum / float(total_weight), dtype=x.dtype)
        return reduce_loss(loss, reduction, total_weight, out_shape)

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):  # create_graph: differentiate the composite form
            return composite_backward(ctx, g)
        (grad3,) = ctx.saved_tensors
        shape, ncs, reduction, total_weight, backward_error = ctx.info
        if backward_error:
            raise RuntimeError(backward_error)
        if reduction == "mean" and total_weight == 0:
            grad3 = cross_entropy_index_grad_unfused(*ctx.unfused, upstream_scale(g, reduction, total_weight, ncs))
        elif ctx.prescaled:  # already divided by the total weight; loss.backward() passes g = 1
            grad3 = grad3 if g == 1 else grad3 * g
        else:  # d(Σ_i g_i l_i)/dx = Σ_i g_i dl_i/dx: forward's per-position gradient times its upstream
            grad3 = grad3.reshape(ncs) * upstream_scale(g, reduction, total_weight, ncs)
        return (grad3.reshape(shape),) + (None,) * 8


class CrossEntropyProb(ArrayFunction):
    """``cross_entropy(x, target)`` with class-probability targets of x's shape."""

    composite = staticmethod(loss_composite.cross_entropy_prob)

    @staticmethod
    def forward(ctx, x, target, weight, reduction, label_smoothing, class_dim, out_shape):
        ctx.forward_args = (x, target, weight, reduction, label_smoothing, class_dim, out_shape)
        ncs = split_ncs(x.shape, class_dim)
        need_x, need_q, need_w = ctx.needs_input_grad[:3]
        loss2, *grads = cross_entropy_prob_forward(as_ncs(x, ncs), as_ncs(target, ncs), weight, label_smoothing,
                                                   need_x, need_q, need_w)
        divisor = ncs[0] * ncs[2]  # positions, not a weight sum
        ctx.info = (x.shape, ncs, reduction, divisor)
        ctx.save_for_backward(*grads)
        return reduce_loss(loss2, reduction, divisor, out_shape)

    @staticmethod
    def backward(ctx, g):
        if isinstance(g, Tensor):  # create_graph: differentiate the composite form
            return composite_backward(ctx, g)
        grad_x3, grad_q3, grad_w3 = ctx.saved_tensors
        shape, ncs, reduction, divisor = ctx.info
        scale = upstream_scale(g, reduction, divisor, ncs)  # as CrossEntropyIndex: per-position grads × upstream
        grad_x = None if grad_x3 is None else (grad_x3 * scale).reshape(shape)
        grad_q = None if grad_q3 is None else (grad_q3 * scale).reshape(shape)
        grad_w = None if grad_w3 is None else (grad_w3 * scale).sum(axis=(0, 2))  # w is shared by all positions
        return (grad_x, grad_q, grad_w) + (None,) * 4


class NLLLoss(ArrayFunction):
    """``nll_loss(x, target)``: x holds log-probabilities; same shapes as CrossEntropyIndex.
    The gather (forward) and scatter (backward) run in numba kernels when they take the input."""

    backward_reads_saved = True

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction, class_dim, out_shape, backward_error=None):
        """The targets' range is checked here (the kernel's pre-pass, or check_target_bounds)."""
        ncs = split_ncs(x.shape, class_dim)
        t2 = np.ascontiguousarray(target).reshape(ncs[0], ncs[2])
        kernel = _kernel_takes(x, weight)
        loss_sum = None
        if kernel:
            w, has_w = (_NO_WEIGHT[x.dtype], False) if weight is None else (weight, True)
            loss2, loss_sum, total, magnitude = kernels.nll.nll_fused(
                x if x.flags.c_contiguous else np.ascontiguousarray(x), t2.reshape(-1), w, has_w, ignore_index)
            total_weight = np.asarray(total, dtype=x.dtype)
            if not (magnitude < _LARGEST[x.dtype] and (reduction == "sum" or float(total_weight) >= 1)):
                loss_sum = None  # a sum in x's dtype could overflow (torch's inf), or the mean could: numpy's sum
        else:
            check_target_bounds(t2, ncs[1], ignore_index)
            loss2, total_weight = nll_forward(as_ncs(x, ncs), t2, weight, ignore_index)
        if ctx.needs_input_grad[0]:  # nothing is kept under no_grad
            ctx.forward_args = (x,)  # for create_graph: the gradient is linked to x, as torch's
            # the scatter kernel would turn 'mean' over a zero total weight into other nans than torch's
            ctx.kernel = kernel and not (reduction == "mean" and total_weight == 0)
            ctx.save_for_backward(t2, weight)
            ctx.info = (x.shape, ncs, ignore_index, reduction, total_weight, backward_error)
        if loss_sum is not None and reduction != "none":
            # the kernel's float64 sum (as CrossEntropyIndex): no second pass over the losses
            return np.asarray(loss_sum if reduction == "sum" else loss_sum / float(total_weight), dtype=x.dtype)
        return reduce_loss(loss2, reduction, total_weight, out_shape)

    @staticmethod
    def backward(ctx, g):
        t2, weight = ctx.saved_tensors
        shape, ncs, ignore_index, reduction, total_weight, backward_error = ctx.info
        if backward_error:
            raise RuntimeError(backward_error)
        if isinstance(g, Tensor):  # create_graph: -w[y] at each target, times the upstream (linear in g)
            coefficients = nll_backward(data(t2), data(weight), ignore_index, np.ones(ncs[0] * ncs[2], g._data.dtype)
                                        .reshape(ncs[0], ncs[2]), ncs[1])
            return (g_scaled_as_ncs(g, reduction, total_weight, ncs) * coefficients).reshape(shape), *(None,) * 7
        scale = upstream_scale(g, reduction, total_weight, ncs)
        if ctx.kernel:  # a reduced loss's upstream stays one number (no (N, S) copy of it)
            w, has_w = (_NO_WEIGHT[scale.dtype], False) if weight is None else (weight, True)
            grad3 = kernels.nll.nll_backward_fused(np.ascontiguousarray(scale), t2.reshape(-1), w, has_w,
                                                   ignore_index, ncs[1], ncs[2])
        else:
            g2 = np.broadcast_to(scale, (ncs[0], 1, ncs[2]))[:, 0, :]
            grad3 = nll_backward(t2, weight, ignore_index, g2, ncs[1])
        return (grad3.reshape(shape),) + (None,) * 7
