"""``minigrad.nn.functional`` for normalisation, embedding, padding, one_hot and distances
(re-exported through ``nn/functional_extra.py``).  Compositions of differentiable ops;
batch_norm updates its running statistics in place, as torch does."""
import numpy as np

from minigrad import dtypes
from minigrad.autograd import grad_mode
from minigrad.ops import nn_extra as _ops
from minigrad.ops import shape as _shape_ops
from minigrad.ops.loss_checks import check_not_differentiable, not_implemented, torch_size
from minigrad.tensor import Tensor
from minigrad.tensor_math import _as_tensor, _broadcast_error, _normalize_dim, _torch_type_name


# ------------------------------------------------------------------ normalisation
def _normalize_last(x, axes, eps):
    """(x - mean) / √(var + eps) over ``axes`` (biased variance, as torch)."""
    mean = x.mean(axes, keepdim=True)
    centred = x - mean
    var = (centred * centred).mean(axes, keepdim=True)
    return centred * (1.0 / (var + eps).sqrt())


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):  # noqa: A002
    """Normalise over the trailing dims ``normalized_shape``, then ``* weight + bias`` (both of
    that shape).  input: (*, *normalized_shape)."""
    x = _as_tensor(input)
    if x._data.dtype.kind != "f":
        raise not_implemented("LayerNormKernelImpl", x._data.dtype)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(int(n) for n in normalized_shape)
    k = len(shape)
    if x.shape[x.ndim - k:] != shape or x.ndim < k:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size{list(x.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(t.shape)} and normalized_shape = {list(shape)}")
    out = _normalize_last(x, tuple(range(x.ndim - k, x.ndim)), eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def _channel_shape(x):
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,  # noqa: A002
               momentum=0.1, eps=1e-5):
    """Normalise each channel (dim 1) of (N, C, *) with the batch's statistics (training) or the
    running ones; training also updates running_mean/running_var in place:
    r = (1 - momentum)·r + momentum·stat, the variance unbiased (n/(n-1)), as torch."""
    x = _as_tensor(input)
    if x.ndim < 2:
        raise ValueError(f"Expected 2D or 3D input (got {x.ndim}D input)")
    channels = x.shape[1]
    if training:
        count = x.numel() // channels
        if count == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{torch_size(x.shape)}")
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")
    check_not_differentiable("native_batch_norm", running_mean=running_mean, running_var=running_var)
    axes = (0,) + tuple(range(2, x.ndim))
    view = _channel_shape(x)
    if training or running_mean is None or running_var is None:
        out = _normalize_last(x, axes, eps)
        if training and running_mean is not None and running_var is not None:
            _update_running(x._data, axes, running_mean, running_var, momentum)
    else:
        out = (x - running_mean.reshape(view)) * (1.0 / (running_var.reshape(view) + eps).sqrt())
    if weight is not None:
        out = out * weight.reshape(view)
    if bias is not None:
        out = out + bias.reshape(view)
    return out


def _update_running(x, axes, running_mean, running_var, momentum):
    """torch's update, with the statistics accumulated in float64."""
    x64 = x.astype(np.float64)
    n = x.size // x.shape[1]
    mean = x64.mean(axis=axes)
    unbiased = ((x64 - mean.reshape(_channel_shape(x))) ** 2).sum(axis=axes) / max(n - 1, 1)
    if n == 1:
        unbiased = np.full_like(mean, np.nan)
    for running, stat in ((running_mean, mean), (running_var, unbiased)):
        r = running._data
        r[...] = (momentum * stat + (1 - momentum) * r.astype(np.float64)).astype(r.dtype)
        running._version_counter[0] += 1


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):  # noqa: A002
    """Split the C channels of (N, C, *) into ``num_groups`` groups and normalise each group of
    each sample; then ``* weight + bias`` per channel (C,)."""
    x = _as_tensor(input)
    if x.ndim < 2 or x.shape[1] % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input "
                           f"of shape {list(x.shape)} and num_groups={num_groups}")
    n, c = x.shape[:2]
    grouped = x.reshape(n, num_groups, -1)
    out = _normalize_last(grouped, (2,), eps).reshape(x.shape)
    view = _channel_shape(x)
    if weight is not None:
        out = out * weight.reshape(view)
    if bias is not None:
        out = out + bias.reshape(view)
    return out


# ------------------------------------------------------------------ embedding
def _embedding_renorm_(weight, indices, max_norm, norm_type):
    """Rows of ``weight`` picked by ``indices`` with a norm above max_norm are scaled in place to
    max_norm/(norm + 1e-7), as torch's embedding_renorm_."""
    w = weight._data
    for i in np.unique(indices):
        row = w[i]
        norm = float(_p_norm_array(row, norm_type))
        if norm > max_norm:
            row *= w.dtype.type(max_norm / (norm + 1e-7))
    weight._version_counter[0] += 1


def _p_norm_array(a, p):
    a = np.abs(a)
    if p == float("inf"):
        return a.max()
    if p == 0:
        return np.count_nonzero(a)
    return (a ** p).sum() ** (1.0 / p)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,  # noqa: A002
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` (num_embeddings, dim) picked by the integer ``input`` (*) -> (*, dim).
    The row ``padding_idx`` gets no gradient; ``max_norm`` renormalises the picked rows of
    ``weight`` in place first; ``scale_grad_by_freq`` divides each row's gradient by how often
    its index occurs in ``input``.  (``sparse`` is accepted; the gradient is dense.)"""
    indices = _as_tensor(input)._data
    rows = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < rows, "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -rows, "Padding_idx must be within num_embeddings"
            padding_idx = rows + padding_idx
    if indices.dtype not in (np.int64, np.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got minigrad.{_torch_type_name(indices.dtype)}Tensor instead (while "
                           "checking arguments for embedding)")
    if indices.size and (indices.min() < 0 or indices.max() >= rows):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        with grad_mode.no_grad():
            _embedding_renorm_(weight, indices, max_norm, norm_type)
    out = _shape_ops.Index.apply(weight, indices, False)
    if weight.requires_grad and (padding_idx is not None or scale_grad_by_freq):
        scale = np.ones(indices.shape, dtype=weight._data.dtype)
        if scale_grad_by_freq:
            values, inverse, counts = np.unique(indices, return_inverse=True, return_counts=True)
            scale = (1.0 / counts[inverse.reshape(indices.shape)]).astype(scale.dtype)
        if padding_idx is not None:
            scale[indices == padding_idx] = 0
        out = _ops.ScaleGrad.apply(out, scale[..., None], None)
    return out


def one_hot(tensor, num_classes=-1):
    """(*) int64 class indices -> (*, num_classes) int64 with a 1 at each index."""
    t = _as_tensor(tensor)._data
    if t.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if t.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(t.max()) + 1
    if t.size:
        if t.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if t.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._wrap((t[..., None] == np.arange(num_classes)).astype(np.int64))


# ------------------------------------------------------------------ padding
_NON_CONSTANT_HELP = ("Supported combinations for non-constant padding:\n"
                      "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                      "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                      "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def pad(input, pad, mode="constant", value=None):  # noqa: A002
    """Pad the last len(pad)//2 dims: ``pad = (left, right, top, bottom, ...)`` from the last dim
    backwards.  'constant' (with ``value``, negative widths crop), 'reflect', 'replicate', 'circular'."""
    x = _as_tensor(input)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pad) // 2
    if k > x.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {x.ndim}")
    widths = [(0, 0)] * (x.ndim - k) + [(int(pad[2 * j]), int(pad[2 * j + 1])) for j in reversed(range(k))]
    if mode == "constant":
        return _ops.ConstantPad.apply(x, widths, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if x.ndim not in (k + 1, k + 2) or k > 3:
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {x.ndim}D input tensor.\n"
                                  + _NON_CONSTANT_HELP)
    for d in range(x.ndim - k, x.ndim):
        a, b = widths[d]
        n = x.shape[d]
        if mode == "reflect" and (a >= n or b >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({a}, {b}) at dimension {d} of input {list(x.shape)}")
        j = np.arange(-a, n + b)
        if mode == "reflect":
            j = np.abs(j)
            j = np.where(j >= n, 2 * (n - 1) - j, j)
        elif mode == "replicate":
            j = np.clip(j, 0, n - 1)
        else:
            j = j % n
        x = _shape_ops.Index.apply(x, (slice(None),) * d + (j,), False)
    return x


# ------------------------------------------------------------------ norms and distances
def vector_norm(x, p, dim, keepdim):
    """The p-norm over ``dim`` (int or tuple); the 2-norm's gradient is 0 at a zero norm, as torch."""
    axes = tuple(_normalize_dim(d, x.ndim) for d in ((dim,) if isinstance(dim, int) else dim))
    p = float(p)
    if p == 2.0:
        return _ops.Norm2.apply(x, axes, keepdim)
    if p == float("inf"):
        return x.abs().amax(axes, keepdim)
    if p == 1.0:
        return x.abs().sum(axes, keepdim)
    if p == 0.0:
        return Tensor._wrap(np.count_nonzero(x._data, axis=axes, keepdims=keepdim).astype(x._data.dtype))
    return (x.abs() ** p).sum(axes, keepdim) ** (1.0 / p)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):  # noqa: A002
    """x / max(‖x‖_p, eps) along ``dim``."""
    x = _as_tensor(input)
    if x._data.dtype.kind != "f":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           + _torch_type_name(x._data.dtype))
    dim = _normalize_dim(dim, x.ndim)
    return x / vector_norm(x, p, dim, True).clamp(min=eps)


def _broadcast_pair(x1, x2):
    x1, x2 = _as_tensor(x1), _as_tensor(x2)
    error = _broadcast_error([x1.shape, x2.shape])
    if error:
        raise RuntimeError(error)
    shape = np.broadcast_shapes(x1.shape, x2.shape)
    rt = dtypes.result_type(x1, x2)
    x1, x2 = x1.to(rt), x2.to(rt)
    return (x1 if x1.shape == shape else x1.expand(shape)), (x2 if x2.shape == shape else x2.expand(shape))


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Σ (x1/max(‖x1‖, eps)) (x2/max(‖x2‖, eps)) along ``dim`` (inputs broadcast).  As torch,
    the clamp at eps changes the values only: the gradient flows as if through ‖x‖."""
    x1, x2 = _broadcast_pair(x1, x2)
    if x1._data.dtype.kind != "f":
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is "
                           f"{_torch_type_name(x1._data.dtype)}")
    dim = _normalize_dim(dim, x1.ndim)
    normalised = []
    for x in (x1, x2):
        norm = _ops.Norm2.apply(x, (dim,), True)
        norm = _ops.ScaleGrad.apply(norm, None, np.maximum(norm._data, norm._data.dtype.type(eps)))
        normalised.append(x / norm)
    return (normalised[0] * normalised[1]).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """‖x1 - x2 + eps‖_p over the last dim."""
    x1, x2 = _as_tensor(x1), _as_tensor(x2)
    error = _broadcast_error([x1.shape, x2.shape])
    if error:
        raise RuntimeError(error)
    diff = x1 - x2 + eps
    if diff.ndim == 0:
        diff = diff.reshape(1)
        return vector_norm(diff, p, 0, False)
    return vector_norm(diff, p, diff.ndim - 1, keepdim)
