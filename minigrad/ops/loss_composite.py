"""Every loss written as a composition of minigrad's own differentiable ops.

These are PyTorch's own decompositions (``cross_entropy`` = ``log_softmax`` then
``nll_loss`` plus the label-smoothing term, ``binary_cross_entropy_with_logits`` through
``log_sigmoid``, ...), spelled with Tensor operations.  The fused ops in ``loss.py`` and
``loss_elementwise.py`` compute the same numbers faster and give first-order gradients
directly; under ``create_graph=True`` their backward differentiates the composite form
instead (``composite_backward``), so gradients of gradients come from the chain rule
through ops that all know their own higher derivatives.

Each function takes the op's forward arguments, Tensors where the op had arrays.
"""
import numpy as np

from minigrad.ops.dual import data, where


def composite_backward(ctx, g):
    """The op's input gradients as Tensors in a new graph: differentiate its composite form,
    rebuilt on the inputs as they were connected in forward, with ``g`` as upstream."""
    from minigrad.autograd.engine import grad
    args = ctx.forward_args
    tensors = [ctx.input_tensor(i, a) if isinstance(a, np.ndarray) else a for i, a in enumerate(args)]
    wanted = [i for i, need in enumerate(ctx.needs_input_grad) if need]
    # each input through a node of its own (a view): when one input was computed from another
    # (mse_loss(x, f(x))), the gradient w.r.t. each must hold its own path only, not also the
    # path through the other, which the walk adds when it continues from that input
    for i in wanted:
        tensors[i] = tensors[i].view_as(tensors[i])
    loss = ctx.fn.composite(*tensors)
    grads = grad(loss, [tensors[i] for i in wanted], g, create_graph=True, allow_unused=True)
    result = [None] * len(args)
    for i, gi in zip(wanted, grads):
        result[i] = gi
    return tuple(result)


def _reduce(loss, reduction, batch=None):
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "batchmean":
        return loss.sum() / batch
    return loss.mean()


def _along(weight, ndim, class_dim):
    """A (C,) weight shaped to broadcast along ``class_dim`` of an ``ndim``-d input."""
    shape = [1] * ndim
    shape[class_dim] = -1
    return weight.reshape(tuple(shape))


def cross_entropy_index(x, target, weight, ignore_index, reduction, label_smoothing, class_dim, out_shape,
                        backward_error=None):
    """log_softmax → nll_loss, plus ε/C times the smoothing term -Σ_c w_c log p_c (torch's
    ``cross_entropy_loss_label_smoothing``)."""
    from minigrad.ops.loss import NLLLoss
    logp = x.log_softmax(class_dim)
    nll = NLLLoss.apply(logp, target, weight, ignore_index, reduction, class_dim, out_shape, backward_error)
    if not label_smoothing:
        return nll
    C = data(x).shape[class_dim]
    smooth = -(logp if weight is None else logp * _along(weight, x.ndim, class_dim)).sum(class_dim)
    t = data(target).reshape(data(smooth).shape)
    ignored = t == ignore_index
    smooth = where(ignored, 0, smooth)
    if reduction == "mean":
        if weight is None:
            smooth = smooth.sum() / int((~ignored).sum())
        else:
            smooth = smooth.sum() / data(weight)[t[~ignored]].sum()
    elif reduction == "sum":
        smooth = smooth.sum()
    else:
        smooth = smooth.reshape(out_shape)
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / C)


def cross_entropy_prob(x, target, weight, reduction, label_smoothing, class_dim, out_shape):
    """-Σ_c w_c q_c log p_c with q smoothed to q(1-ε) + ε/C; 'mean' divides by the positions."""
    C = data(x).shape[class_dim]
    if label_smoothing:
        target = target * (1 - label_smoothing) + label_smoothing / C
    logp = x.log_softmax(class_dim)
    terms = logp * target if weight is None else logp * target * _along(weight, x.ndim, class_dim)
    if reduction == "mean":
        return -terms.sum() / (data(x).size // C)
    if reduction == "sum":
        return -terms.sum()
    return -terms.sum(class_dim)


def nll_loss(x, target, weight, ignore_index, reduction, class_dim, out_shape, backward_error=None):
    from minigrad.ops.loss import NLLLoss
    return NLLLoss.apply(x, target, weight, ignore_index, reduction, class_dim, out_shape, backward_error)


def binary_cross_entropy(p, y, weight, reduction):
    """w [(y - 1) max(log(1 - p), -100) - y max(log p, -100)]."""
    loss = (y - 1) * (1 - p).log().clamp(min=-100) - y * p.log().clamp(min=-100)
    return _reduce(loss if weight is None else loss * weight, reduction)


def log_sigmoid(x):
    """log σ(x) = -(max(-x, 0) + log(1 + e^-|x|))."""
    return -((-x).relu() + (1 + (-x.abs()).exp()).log())


def binary_cross_entropy_with_logits(x, y, weight, pos_weight, reduction):
    """w [(1 - y) x - (1 + (pw - 1) y) log σ(x)] (torch's formula)."""
    log_sig = log_sigmoid(x)
    if pos_weight is not None:
        log_sig = log_sig * ((pos_weight - 1) * y + 1)
    loss = (1 - y) * x - log_sig
    return _reduce(loss if weight is None else loss * weight, reduction)


def kl_div(x, t, reduction, log_target):
    """e^t (t - x) for log targets, else xlogy(t, t) - t x."""
    if log_target:
        loss = t.exp() * (t - x)
    else:
        loss = t * where(data(t) == 0, 1, t).log() - t * x
    return _reduce(loss, reduction, data(x).shape[0] if x.ndim else 1)


def mse(x, y, weight, reduction):
    """(x - y)²; with a weight, w (x - y)² and 'mean' divides by Σ w."""
    loss = (x - y) * (x - y)
    if weight is None:
        return _reduce(loss, reduction)
    loss = loss * weight
    return loss.sum() / weight.sum() if reduction == "mean" else _reduce(loss, reduction)


def l1(x, y, _param, reduction, weight=None):
    """|x - y| (times the weight); ``_param`` unused (the signature the other two share)."""
    loss = (x - y).abs()
    return _reduce(loss if weight is None else loss * weight, reduction)


def smooth_l1(x, y, beta, reduction):
    """0.5 d²/β where d = |x - y| < β, else d - β/2 (β = 0: the l1 loss)."""
    d = (x - y).abs()
    if beta == 0:
        return _reduce(d, reduction)
    return _reduce(where(data(d) < beta, 0.5 * d * d / beta, d - 0.5 * beta), reduction)


def huber(x, y, delta, reduction, weight=None):
    """0.5 d² where d = |x - y| < δ, else δ (d - δ/2) (times the weight)."""
    d = (x - y).abs()
    loss = where(data(d) < delta, 0.5 * d * d, delta * (d - 0.5 * delta))
    return _reduce(loss if weight is None else loss * weight, reduction)
