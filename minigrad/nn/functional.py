"""minigrad.nn.functional: the function forms of the layers and losses (``import minigrad.nn.functional as F``)."""
# --- layers and activations ---
import numpy as _np

from minigrad import ops as _ops
from minigrad.random import numpy_generator as _numpy_generator
from minigrad.tensor import Tensor as _Tensor
from minigrad.tensor_math import _torch_type_name


def linear(input, weight, bias=None):  # noqa: A002 - torch's argument names
    """y = x Wᵀ + b as one graph node.  x: (*, in_features), weight: (out_features, in_features),
    bias: (out_features,) or None -> y: (*, out_features)."""
    x, w = input._data, weight._data
    if x.dtype != w.dtype or (bias is not None and bias._data.dtype != w.dtype):
        other = bias._data.dtype if x.dtype == w.dtype else x.dtype
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_torch_type_name(other)} "
                           f"and {_torch_type_name(w.dtype)}")
    if x.ndim == 0 or x.shape[-1] != w.shape[-1]:
        rows = x.size // x.shape[-1] if x.ndim and x.shape[-1] else 1
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1] if x.ndim else 1} "
                           f"and {w.shape[-1]}x{w.shape[0]})")
    return _ops.linalg.Linear.apply(input, weight, bias)


def relu(input, inplace=False):  # noqa: A002
    """max(x, 0) elementwise."""
    if inplace:
        return input._inplace(lambda s: _ops.activation.ReLU.apply(s))
    return _ops.activation.ReLU.apply(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):  # noqa: A002
    """x where x > 0, else negative_slope·x."""
    if inplace:
        return input._inplace(lambda s: _ops.activation.LeakyReLU.apply(s, negative_slope))
    return _ops.activation.LeakyReLU.apply(input, negative_slope)


def sigmoid(input):  # noqa: A002
    """1 / (1 + e^-x) elementwise."""
    return input.sigmoid()


def tanh(input):  # noqa: A002
    return input.tanh()


def dropout(input, p=0.5, training=True, inplace=False):  # noqa: A002
    """Inverted dropout: while training, zero each element with probability p and scale the
    survivors by 1/(1-p), so the expected value is unchanged and eval needs no rescaling.
    The mask comes from minigrad's seeded default generator."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    x = input._data
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    keep = _numpy_generator().random(x.shape, dtype=_np.float32 if x.dtype == _np.float32 else _np.float64) >= p
    mask = _np.multiply(keep, scale, dtype=x.dtype)  # d/dx (x·mask) = mask
    if inplace:
        return input._inplace(lambda s: s * _Tensor._wrap(mask))
    return _ops.elementwise.Mul.apply(input, mask)


# --- softmax family and losses (forwards and backwards live in minigrad/ops/softmax.py, minigrad/ops/loss.py) ---
import warnings as _warnings  # noqa: E402

import numpy as _numpy  # noqa: E402

from minigrad import dtypes as _dtypes  # noqa: E402
from minigrad.autograd.grad_mode import state as _grad_state  # noqa: E402
from minigrad.ops import loss as _loss, loss_checks as _checks, loss_elementwise as _pointwise  # noqa: E402
from minigrad.ops import softmax as _softmax  # noqa: E402
from minigrad.tensor_math import _as_tensor  # noqa: E402


def _softmax_family(name, function, input, dim, dtype, stacklevel):  # noqa: A002
    x = _as_tensor(input)
    dim = _checks.softmax_dim(name, x.ndim, dim, stacklevel + 1)  # one frame more than torch's
    if dtype is not None:
        x = x.to(dtype)
    dim = _checks.check_softmax_input(name, x._data, dim)
    if x._data.size == 0 and x._data.dtype.kind != "f":
        return x.clone()  # torch returns an empty integer tensor unchanged
    return function.apply(x, dim)


def softmax(input, dim=None, _stacklevel=3, dtype=None):  # noqa: A002
    """e^x / Σ e^x along ``dim`` (same shape as the input).  ``dtype`` casts the input first;
    ``dim=None`` is torch's deprecated implicit choice (0 for 0-, 1- and 3-d inputs, else 1)."""
    return _softmax_family("softmax", _softmax.Softmax, input, dim, dtype, _stacklevel)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):  # noqa: A002
    """log(softmax(x)) along ``dim``, computed as x - max - log Σ e^(x - max)."""
    return _softmax_family("log_softmax", _softmax.LogSoftmax, input, dim, dtype, _stacklevel)


_NLL_KERNEL = {True: "nll_loss_forward", False: "nll_loss2d_forward"}  # by input rank <= 2
_INT64 = _numpy.dtype(_numpy.int64)


class _ForwardOnly:
    """The ``ctx`` an op's forward gets when nothing needs a gradient (what ``apply`` passes
    under no_grad), for the common calls that skip ``apply``."""
    needs_input_grad = (False,) * 9


def _array_or_none(t):
    return None if t is None else _as_tensor(t)._data


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,  # noqa: A002
                  reduction="mean", label_smoothing=0.0):
    """Cross-entropy of logits ``input`` (C) | (N, C) | (N, C, d1..dK) against
    class indices ``target`` () | (N) | (N, d1..dK) (int64 or uint8), or class probabilities of
    the input's shape.  ``weight`` (C,) weights the classes; targets equal to ``ignore_index``
    count for nothing; ``label_smoothing`` ε mixes ε/C into every class.  'mean' divides by the
    total weight of the non-ignored targets (by N·d1·…·dK for probability targets)."""
    x, t = _as_tensor(input), _as_tensor(target)
    xd, td = x._data, t._data
    if (weight is None and label_smoothing == 0.0 and size_average is None and reduce is None
            and reduction in _checks.REDUCTIONS and xd.ndim == 2 and td.ndim == 1 and td.dtype == _INT64
            and xd.dtype.kind == "f" and xd.shape[0] == td.shape[0]):
        # the common call, for which every check below passes (the targets' range is checked
        # by CrossEntropyIndex as it reads them)
        if not (_grad_state.enabled and x._requires_grad):  # forward only: no graph node
            out = _loss.cross_entropy_index_eval(xd, td, int(ignore_index), reduction)
            if out is None:
                out = _loss.CrossEntropyIndex.forward(_ForwardOnly(), xd, td, None, int(ignore_index), reduction,
                                                      0.0, 1, xd.shape[:1])
            return _Tensor._wrap(out)
        return _loss.CrossEntropyIndex.apply(x, td, None, int(ignore_index), reduction, 0.0, 1, xd.shape[:1], None)
    reduction = _checks.reduction_from(reduction, size_average, reduce)
    w = _array_or_none(weight)
    class_dim = 0 if xd.ndim == 1 else 1
    eps = max(float(label_smoothing), 0.0)  # torch treats a negative ε as 0
    if xd.shape == td.shape:
        _checks.check_probability_target(xd, td, w, ignore_index, label_smoothing)
        _checks.check_softmax_input("log_softmax", xd, class_dim)
        out_shape = () if xd.ndim == 1 else (xd.shape[0],) + xd.shape[2:]
        w = None if weight is None else _as_tensor(weight)  # differentiable here, as torch's composite form
        return _loss.CrossEntropyProb.apply(x, t, w, reduction, eps, class_dim, out_shape)
    if eps > 0:
        _checks.check_label_smoothing(label_smoothing)
    _checks.check_softmax_input("log_softmax", xd, class_dim)
    # the targets' range is checked by CrossEntropyIndex (in the kernel's pre-pass), unless one of
    # the checks that follow could raise: torch checks the range first
    early = eps > 0 or getattr(weight, "requires_grad", False)
    out_shape, backward_error = _checks.check_index_target(xd, td, w, ignore_index, bounds=early)
    _checks.check_not_differentiable(_NLL_KERNEL[xd.ndim <= 2], weight=weight)
    if eps > 0 and backward_error:  # torch's smoothing term cannot take a (1,) target for a (C,) input
        raise RuntimeError("output with shape [] doesn't match the broadcast shape [1]")
    w = None if w is None else w.reshape(-1)
    return _loss.CrossEntropyIndex.apply(x, td.astype(_numpy.int64, copy=False), w, int(ignore_index), reduction,
                                         eps, class_dim, out_shape, backward_error)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,  # noqa: A002
             reduction="mean"):
    """Negative log-likelihood: ``-weight[y] * input[..., y, ...]`` for log-probabilities ``input``
    (C) | (N, C) | (N, C, d1..dK) and class indices ``target``; shapes and options as cross_entropy."""
    x, t = _as_tensor(input), _as_tensor(target)
    xd, td = x._data, t._data
    if (weight is None and size_average is None and reduce is None and reduction in _checks.REDUCTIONS
            and xd.ndim == 2 and td.ndim == 1 and td.dtype == _INT64 and xd.dtype.kind == "f"
            and xd.shape[0] == td.shape[0]):  # the common call: every check below passes but the range
        if not (_grad_state.enabled and x._requires_grad):  # forward only: no graph node
            out = _loss.nll_eval(xd, td, int(ignore_index), reduction)
            if out is None:
                out = _loss.NLLLoss.forward(_ForwardOnly(), xd, td, None, int(ignore_index), reduction, 1, xd.shape[:1])
            return _Tensor._wrap(out)
        return _loss.NLLLoss.apply(x, td, None, int(ignore_index), reduction, 1, xd.shape[:1], None)
    reduction = _checks.reduction_from(reduction, size_average, reduce)
    w = _array_or_none(weight)
    early = getattr(weight, "requires_grad", False)  # else NLLLoss checks the targets' range
    out_shape, backward_error = _checks.check_index_target(xd, td, w, ignore_index, bounds=early)
    _checks.check_not_differentiable(_NLL_KERNEL[xd.ndim <= 2], weight=weight)
    w = None if w is None else w.reshape(-1)
    return _loss.NLLLoss.apply(x, td.astype(_numpy.int64, copy=False), w, int(ignore_index), reduction,
                               0 if xd.ndim == 1 else 1, out_shape, backward_error)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,  # noqa: A002
                         reduction="mean"):
    """-w [y log p + (1-y) log(1-p)] for probabilities ``input`` in [0, 1] and ``target`` of the same
    shape (each log clamped at -100); ``weight`` broadcasts to the target's shape; 'mean' = /numel."""
    if weight is None and size_average is None and reduce is None and reduction in _checks.REDUCTIONS:
        p, y = _as_tensor(input), _as_tensor(target)
        if (not (_grad_state.enabled and (p._requires_grad or y._requires_grad))
                and _pointwise.log_kernel_takes(p._data, y._data)):
            # the common evaluation call: every check below passes but the values', which the kernel
            # makes in its pass (torch's error for a p or y outside [0, 1])
            return _Tensor._wrap(_pointwise.bce_loss(p._data, y._data, None, reduction))
    reduction = _checks.reduction_from(reduction, size_average, reduce)
    p, y = _as_tensor(input), _as_tensor(target)
    w = _array_or_none(weight)
    # the kernel checks the values in its pass (unless a weight requiring grad must raise first)
    values = not (_pointwise.log_kernel_takes(p._data, y._data, w) and not getattr(weight, "requires_grad", False))
    expanded = _checks.check_bce(p._data, y._data, None if w is None else w.shape, values)
    _checks.check_not_differentiable("binary_cross_entropy", weight=weight)
    if w is not None:
        w = _numpy.broadcast_to(w, expanded).astype(p._data.dtype, copy=False)
    if not (_grad_state.enabled and (p._requires_grad or y._requires_grad)):  # forward only: no graph node
        return _Tensor._wrap(_pointwise.bce_loss(p._data, y._data, w, reduction))
    return _pointwise.BinaryCrossEntropy.apply(p, y, w, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,  # noqa: A002
                                     reduction="mean", pos_weight=None):
    """binary_cross_entropy(sigmoid(input), target) computed stably from the logits ``input``:
    w [(1-y) x - (1 + (pw-1) y) log σ(x)].  ``pos_weight`` (e.g. (C,) for (N, C)) weighs the
    positive term; ``weight`` and ``pos_weight`` broadcast to the input's shape."""
    if (weight is None and pos_weight is None and size_average is None and reduce is None
            and reduction in _checks.REDUCTIONS):
        x, y = _as_tensor(input), _as_tensor(target)
        if (not (_grad_state.enabled and (x._requires_grad or y._requires_grad))
                and _pointwise.log_kernel_takes(x._data, y._data)):  # the common evaluation call: the checks pass
            return _Tensor._wrap(_pointwise.bce_with_logits_forward_only(x._data, y._data, None, None, reduction))
    reduction = _checks.reduction_from(reduction, size_average, reduce)
    x, y = _as_tensor(input), _as_tensor(target)
    xd, yd = x._data, y._data
    if yd.shape != xd.shape:
        raise ValueError(f"Target size ({_checks.torch_size(yd.shape)}) must be the same as input size "
                         f"({_checks.torch_size(xd.shape)})")
    if xd.dtype.kind != "f":
        raise _checks.not_implemented("log_sigmoid_cpu", xd.dtype)
    w, pw = _array_or_none(weight), _array_or_none(pos_weight)
    if pw is not None:
        _checks.check_inplace_broadcast(xd.shape, _checks.broadcast_shapes(pw.shape, yd.shape))
    if yd.dtype.kind != "f":
        raise RuntimeError(f"result type {_checks.torch_type_name(_dtypes.result_type(x, y))} can't be cast "
                           f"to the desired output type {_checks.torch_type_name(yd.dtype)}")
    if w is not None:
        _checks.check_inplace_broadcast(xd.shape, w.shape)
    _checks.check_not_differentiable("binary_cross_entropy_with_logits", weight=weight, pos_weight=pos_weight)
    if not (_grad_state.enabled and (x._requires_grad or y._requires_grad)):  # forward only: no graph node
        return _Tensor._wrap(_pointwise.bce_with_logits_forward_only(xd, yd, w, pw, reduction))
    return _pointwise.BinaryCrossEntropyWithLogits.apply(x, y, w, pw, reduction)


_KL_MEAN_WARNING = ("reduction: 'mean' divides the total loss by both the batch size and the support size."
                    "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                    "'mean' will be changed to behave the same as 'batchmean' in the next major release.")


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):  # noqa: A002
    """KL(target ‖ input) pointwise for log-probabilities ``input``: t (log t - x), or
    e^t (t - x) with ``log_target``.  'batchmean' divides the sum by input.shape[0] (the
    KL divergence per sample); 'mean' divides by numel (and warns, as torch)."""
    if size_average is not None or reduce is not None:
        reduction = _checks.reduction_from(reduction, size_average, reduce)
    else:
        if reduction == "mean":
            _warnings.warn(_KL_MEAN_WARNING, stacklevel=2)
        _checks.reduction_from(reduction, allowed=_checks.REDUCTIONS + ("batchmean",))
    x, t = _as_tensor(input), _as_tensor(target)
    xd, td = x._data, t._data
    if (xd.dtype == td.dtype and xd.dtype.kind == "f" and xd.shape == td.shape
            and not (_grad_state.enabled and (x._requires_grad or t._requires_grad))):  # forward only: no graph node
        batch = xd.shape[0] if xd.ndim else 1  # as KLDiv.forward
        return _Tensor._wrap(_pointwise.kl_div_loss(xd, td, bool(log_target), reduction, batch))
    if x._data.dtype.kind != "f" or t._data.dtype.kind != "f":
        raise RuntimeError("kl_div: Integral inputs not supported.")
    _checks.broadcast_shapes(t.shape, x.shape)
    rt = _dtypes.result_type(x, t)
    return _pointwise.KLDiv.apply(x.to(rt), t.to(rt), reduction, bool(log_target))


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):  # noqa: A002
    """(x - y)^2, input and target broadcast together (torch warns when their shapes differ).
    With ``weight`` (input's shape): w (x - y)^2, and 'mean' divides by Σ w."""
    x, y = _as_tensor(input), _as_tensor(target)
    xd, yd = x._data, y._data
    if (weight is None and size_average is None and reduce is None and reduction in _checks.REDUCTIONS
            and xd.dtype == yd.dtype and xd.dtype.kind == "f" and xd.shape == yd.shape):
        # the common call: no cast, warning or broadcast
        if not (_grad_state.enabled and (x._requires_grad or y._requires_grad)):  # forward only: no graph node
            return _Tensor._wrap(_pointwise.mse_forward_only(xd, yd, reduction))
        return _pointwise.MSE.apply(x, y, None, reduction)
    if x.shape != y.shape:
        _warnings.warn(f"Using a target size ({_checks.torch_size(y.shape)}) that is different to the input size "
                       f"({_checks.torch_size(x.shape)}). This will likely lead to incorrect results due to "
                       "broadcasting. Please ensure they have the same size.", stacklevel=2)
    if size_average is not None or reduce is not None:
        reduction = _checks.reduction_from(reduction, size_average, reduce)
    shape = _checks.broadcast_shapes(x.shape, y.shape)
    w = None if weight is None else _as_tensor(weight)  # differentiable, as torch's composite form
    if w is not None:
        if w.shape != x.shape:
            raise ValueError("Weights and input must have the same size.")
        if reduction not in _checks.REDUCTIONS:
            raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
    else:
        reduction = _checks.reduction_from(reduction)
        if x._data.dtype.kind != "f" and y._data.dtype.kind != "f":
            raise _checks.not_implemented("mse_cpu", _numpy.result_type(x._data, y._data))
    rt = _dtypes.result_type(x, y)
    x, y = x.to(rt), y.to(rt)
    if x.shape != shape:
        x = x.expand(shape)
    if y.shape != shape:
        y = y.expand(shape)
    return _pointwise.MSE.apply(x, y, w, reduction)


from minigrad.nn.functional_extra import *  # noqa: E402,F401,F403 - more layers, activations and losses
