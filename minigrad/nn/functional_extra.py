"""More of ``minigrad.nn.functional``: activations, normalisation, embedding, padding,
distances and one_hot, as torch names them.  Re-exported by ``nn/functional.py``.

Most are compositions of differentiable Tensor ops (so every order of gradient comes
for free); the few with a numerically delicate forward use the private ops of
``minigrad/ops/nn_extra.py`` (erf, expm1, softplus, log σ, hardtanh, a 0-safe 2-norm).
"""
import math
import warnings

import numpy as np

from minigrad.nn.functional_layers import (batch_norm, cosine_similarity, embedding, group_norm,  # noqa: F401
                                           layer_norm, normalize, one_hot, pad, pairwise_distance)
from minigrad.nn.functional_losses import (cosine_embedding_loss, gaussian_nll_loss,  # noqa: F401
                                           hinge_embedding_loss, huber_loss, l1_loss, margin_ranking_loss,
                                           multi_margin_loss, poisson_nll_loss, smooth_l1_loss)
from minigrad.ops import nn_extra as _ops
from minigrad.ops.loss_checks import not_implemented, softmax_dim
from minigrad.tensor import Tensor
from minigrad.tensor_math import _as_tensor

__all__ = ["gelu", "silu", "elu", "selu", "celu", "softplus", "softsign", "hardtanh", "relu6", "hardsigmoid",
           "hardswish", "mish", "logsigmoid", "softmin", "prelu", "dropout1d", "dropout2d", "dropout3d",
           "alpha_dropout", "feature_alpha_dropout",
           "batch_norm", "cosine_similarity", "embedding", "group_norm", "layer_norm", "normalize", "one_hot",
           "pad", "pairwise_distance",
           "cosine_embedding_loss", "gaussian_nll_loss", "hinge_embedding_loss", "huber_loss", "l1_loss",
           "margin_ranking_loss", "multi_margin_loss", "poisson_nll_loss", "smooth_l1_loss"]


def _where(condition, a, b):
    from minigrad.functions import where
    return where(condition, a, b)


def _inplace(input, compute, inplace):  # noqa: A002
    return input._inplace(compute) if inplace else compute(input)


def _floating(input, kernel):  # noqa: A002
    """The input as a Tensor; torch's kernels refuse integer and bool inputs."""
    x = _as_tensor(input)
    if x._data.dtype.kind != "f":
        raise not_implemented(kernel, x._data.dtype)
    return x


# ------------------------------------------------------------------ activations
def gelu(input, approximate="none"):  # noqa: A002
    """x Φ(x): exact with erf ('none'), or 0.5 x (1 + tanh(√(2/π)(x + 0.044715 x³))) ('tanh')."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    x = _floating(input, "GeluKernelImpl")
    if approximate == "tanh":
        inner = (x + 0.044715 * (x * x * x)) * math.sqrt(2.0 / math.pi)
        return 0.5 * x * (1 + inner.tanh())
    return x * 0.5 * (1 + _ops.Erf.apply(x * (1 / math.sqrt(2.0))))


def silu(input, inplace=False):  # noqa: A002
    """x σ(x)."""
    _floating(input, "silu_cpu")
    return _inplace(input, lambda x: x * x.sigmoid(), inplace)


def elu(input, alpha=1.0, inplace=False):  # noqa: A002
    """x for x > 0, α(eˣ - 1) otherwise."""
    _floating(input, "elu_cpu")
    return _inplace(input, lambda x: _elu(x, alpha, 1.0, 1.0), inplace)


def _elu(x, alpha, scale, input_scale):
    negative = _ops.Expm1.apply(x.clamp(max=0) * input_scale) * (alpha * scale)
    return _where(x._data > 0, x * scale if scale != 1.0 else x, negative)


def selu(input, inplace=False):  # noqa: A002
    """scale·elu(x, α) with torch's fixed α and scale."""
    _floating(input, "elu_cpu")
    return _inplace(input, lambda x: _elu(x, 1.6732632423543772848170429916717,
                                          1.0507009873554804934193349852946, 1.0), inplace)


def celu(input, alpha=1.0, inplace=False):  # noqa: A002
    """x for x > 0, α(e^(x/α) - 1) otherwise."""
    _floating(input, "elu_cpu")
    return _inplace(input, lambda x: _elu(x, alpha, 1.0, 1.0 / alpha), inplace)


def softplus(input, beta=1.0, threshold=20.0):  # noqa: A002
    """log(1 + e^(βx))/β, and x where βx > threshold."""
    _floating(input, "softplus_cpu")
    return _ops.Softplus.apply(_as_tensor(input), beta, threshold)


def softsign(input):  # noqa: A002
    """x / (1 + |x|)."""
    return input / (1 + input.abs())


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):  # noqa: A002
    """x clipped to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _inplace(input, lambda x: _ops.Hardtanh.apply(x, min_val, max_val), inplace)


def relu6(input, inplace=False):  # noqa: A002
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input, inplace=False):  # noqa: A002
    """relu6(x + 3) / 6."""
    _floating(input, "hardsigmoid_cpu")
    return _inplace(input, lambda x: _ops.Hardsigmoid.apply(x), inplace)


def hardswish(input, inplace=False):  # noqa: A002
    """x · relu6(x + 3) / 6."""
    _floating(input, "hardswish_cpu")
    return _inplace(input, lambda x: _ops.Hardswish.apply(x), inplace)


def mish(input, inplace=False):  # noqa: A002
    """x tanh(softplus(x))."""
    _floating(input, "mish_cpu")
    return _inplace(input, lambda x: x * _ops.Softplus.apply(x, 1.0, 20.0).tanh(), inplace)


def logsigmoid(input):  # noqa: A002
    """log σ(x), computed without overflow."""
    _floating(input, "log_sigmoid_cpu")
    return _ops.LogSigmoid.apply(_as_tensor(input))


def softmin(input, dim=None, _stacklevel=3, dtype=None):  # noqa: A002
    """softmax(-x) along ``dim``."""
    from minigrad.nn.functional import softmax
    x = _as_tensor(input)
    dim = softmax_dim("softmin", x.ndim, dim, _stacklevel)
    if dtype is not None:
        x = x.to(dtype)
    return softmax(-x, dim)


def prelu(input, weight):  # noqa: A002
    """x for x > 0, a·x otherwise; ``weight`` (1,) or (C,) with C the size of dim 1."""
    x = _as_tensor(input)
    n = weight.numel()
    if n != 1:
        channels = x.shape[1] if x.ndim >= 2 else (x.shape[0] if x.ndim == 1 else 1)
        if channels != n:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers "
                               f"= {n} and channel size = {channels}.")
        w = weight.reshape((n,) + (1,) * (x.ndim - 2)) if x.ndim >= 2 else weight
    else:
        w = weight.reshape(())
    return _where(x._data > 0, x, w * x)


# ------------------------------------------------------------------ dropout variants
def _feature_mask_dropout(x, p, training, inplace, batched):
    """Zero whole channels: one draw per (sample, channel) of (N, C, *) (per channel when not batched)."""
    from minigrad.random import numpy_generator
    if not training or p == 0.0:
        return x
    if x.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    lead = 2 if batched else 1
    shape = x.shape[:lead] + (1,) * (x.ndim - lead)
    keep = numpy_generator().random(shape) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    mask = Tensor._wrap(np.multiply(keep, scale, dtype=x._data.dtype))
    return _inplace(x, lambda t: t * mask, inplace)


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _deprecated_rank(name, ndim, spatial):
    warnings.warn(f"{name}: Received a {ndim}-D input to {name}, which is deprecated and will result in an error "
                  "in a future release. To retain the behavior and silence this warning, please use dropout instead. "
                  f"Note that {name} exists to provide channel-wise dropout on inputs with {spatial} spatial "
                  f"dimensions, a channel dimension, and an optional batch dimension (i.e. {spatial + 1}D or "
                  f"{spatial + 2}D inputs).", stacklevel=3)


def dropout1d(input, p=0.5, training=True, inplace=False):  # noqa: A002
    """Zeroes whole channels of (N, C, L) | (C, L) with probability p; survivors scaled by 1/(1-p)."""
    _check_p(p)
    x = _as_tensor(input)
    if x.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {x.ndim}D input. Note that "
                           "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, "
                           "a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    return _feature_mask_dropout(x, p, training, inplace, x.ndim == 3)


def dropout2d(input, p=0.5, training=True, inplace=False):  # noqa: A002
    """Zeroes whole channels of (N, C, H, W); as torch, a 3-D input is taken as (N, C, L) (with a warning)."""
    _check_p(p)
    x = _as_tensor(input)
    if x.ndim not in (3, 4):
        _deprecated_rank("dropout2d", x.ndim, 2)
    if x.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior "
                      "is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This "
                      "behavior will change in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please "
                      "switch to using dropout1d instead.", stacklevel=2)
    return _feature_mask_dropout(x, p, training, inplace, True)


def dropout3d(input, p=0.5, training=True, inplace=False):  # noqa: A002
    """Zeroes whole channels of (N, C, D, H, W) | (C, D, H, W) inputs."""
    _check_p(p)
    x = _as_tensor(input)
    if x.ndim not in (4, 5):
        _deprecated_rank("dropout3d", x.ndim, 3)
    return _feature_mask_dropout(x, p, training, inplace, x.ndim == 5)


_ALPHA = 1.7580993408473766  # scale·α of selu: a dropped value becomes -_ALPHA


def _alpha_dropout(input, p, training, inplace, feature):  # noqa: A002
    """torch's rule: keep ~ Bernoulli(1-p), a = 1/√((α²p + 1)(1-p)), out = x·keep·a + (keep-1)·α·a + α·a·p."""
    from minigrad.random import numpy_generator
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    x = _as_tensor(input)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return _inplace(x, lambda t: t * 0.0, inplace)
    if feature and x.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    shape = x.shape if not feature else x.shape[:2] + (1,) * (x.ndim - 2)
    dtype = x._data.dtype
    keep = (numpy_generator().random(shape) >= p).astype(dtype)
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    noise = Tensor._wrap((keep * a).astype(dtype))
    shift = Tensor._wrap(((keep - 1) * (_ALPHA * a) + _ALPHA * a * p).astype(dtype))
    return _inplace(x, lambda t: t * noise + shift, inplace)


def alpha_dropout(input, p=0.5, training=False, inplace=False):  # noqa: A002
    """Dropout that keeps selu's mean 0 and variance 1: dropped values become -scale·α, then
    an affine map a·x + b restores the moments."""
    return _alpha_dropout(input, p, training, inplace, False)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):  # noqa: A002
    return _alpha_dropout(input, p, training, inplace, True)
