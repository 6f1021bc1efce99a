"""Argument checks for the softmax family and the losses, with PyTorch's exceptions and messages.

Everything here runs before any compute touches memory: the numba kernels that will
replace the numpy helpers check no bounds.  The order of the checks follows torch's
(a Python-level check, then the C++ ones in the order torch makes them), because a bad
call with several faults must report the same one as torch.  Works on numpy arrays.
"""
import warnings

import numpy as np

from minigrad.autograd import grad_mode
from minigrad.tensor_math import _normalize_dim, _torch_type_name

REDUCTIONS = ("none", "mean", "sum")
torch_type_name = _torch_type_name  # np.dtype -> torch's name of it ('Float', 'Long', ...)


def torch_size(shape):
    """How torch prints a shape in Python-level messages: ``torch.Size([3, 2])``."""
    return f"torch.Size({list(shape)})"


def reduction_from(reduction, size_average=None, reduce=None, allowed=REDUCTIONS):
    """torch's ``_Reduction``: legacy ``size_average``/``reduce`` map to a reduction string (with
    torch's deprecation warning); an unknown reduction is a ValueError."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "mean" if (size_average and reduce) else ("sum" if reduce else "none")
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
                      "instead.", stacklevel=3)
    if reduction not in allowed:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def softmax_dim(name, ndim, dim, stacklevel):
    """``dim=None``: torch's legacy choice (0 for 0-, 1- and 3-d inputs, else 1), with its warning
    (``stacklevel`` counted from this function)."""
    if dim is not None:
        return dim
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def check_softmax_input(name, x, dim):
    """Normalise ``dim`` (IndexError if out of range) and refuse non-floating input as torch's
    kernels do (NotImplementedError naming the kernel).  Returns the non-negative dim."""
    dim = _normalize_dim(dim, x.ndim)
    if x.dtype.kind != "f" and x.size:
        kernel = f"{name}_lastdim_kernel_impl" if x.ndim == 0 or dim == x.ndim - 1 else f"{name}_kernel_impl"
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_torch_type_name(x.dtype)}\'')
    return dim


def check_not_differentiable(function, **tensors):
    """torch's kernels that are not differentiable in their weights refuse weights requiring grad."""
    for argument, t in tensors.items():
        if t is not None and getattr(t, "requires_grad", False) and grad_mode.is_grad_enabled():
            raise RuntimeError(f"The function '{function}' is not differentiable with respect to argument "
                               f"'{argument}'. This input cannot have requires_grad True.")


def not_implemented(kernel, dtype):
    return NotImplementedError(f'"{kernel}" not implemented for \'{_torch_type_name(dtype)}\'')


def check_label_smoothing(label_smoothing):
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}")


def check_probability_target(x, target, weight, ignore_index, label_smoothing):
    """cross_entropy with a target of the input's shape (class probabilities)."""
    if target.dtype.kind != "f":
        raise RuntimeError("Expected floating point type for target with class probabilities, got "
                           f"{_torch_type_name(target.dtype)}")
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    C = x.shape[_normalize_dim(0 if x.ndim == 1 else 1, x.ndim)]
    if weight is not None and not (weight.ndim == 1 and weight.size == C):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all {C} classes or no "
                           f"classes but got weight tensor of shape: {list(weight.shape)}")
    if label_smoothing > 0:
        check_label_smoothing(label_smoothing)


def check_index_target(x, target, weight, ignore_index, bounds=True):
    """torch's ``nll_loss_nd`` checks for class-index targets, in its order: rank, batch size,
    target shape, weight, target dtype, input dtype (kernel name), weight dtype, then every
    target in [0, C) or == ignore_index.  Returns (out_shape of 'none', backward_error or None).
    ``bounds=False`` leaves the last check to the caller (the kernels' pre-pass makes it as
    they read the targets, with the same error)."""
    if x.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {x.ndim})")
    target_batch = target.shape[0] if target.ndim else 0
    if x.ndim != 1 and x.shape[0] != target_batch:
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size ({target_batch}).")
    C = x.shape[0] if x.ndim == 1 else x.shape[1]
    backward_error = None
    if x.ndim <= 2:
        out_shape = () if x.ndim == 1 else (x.shape[0],)
        if target.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if x.ndim == 1 and target.ndim == 1:
            if target.shape[0] != 1:
                raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}")
            backward_error = f"size mismatch (got input: {list(x.shape)}, target: {list(target.shape)})"
        if weight is not None and not (weight.ndim == 1 and weight.size == C):
            raise RuntimeError(f"weight tensor should be defined either for all {C} classes or no classes but got "
                               f"weight tensor of shape: {list(weight.shape)}")
        frame = "nll_loss_out_frame"
    else:
        out_shape = (x.shape[0],) + x.shape[2:]
        if x.ndim == 4:
            if target.ndim != 3:
                raise RuntimeError("only batches of spatial targets supported (3D tensors) but got targets of "
                                   f"dimension: {target.ndim}")
        elif target.shape[1:] != x.shape[2:]:
            raise RuntimeError(f"Expected target size {list(out_shape)}, got {list(target.shape)}")
        if weight is not None and weight.size != C:
            raise RuntimeError("weight tensor should be defined either for all or no classes")
        if x.ndim == 4 and target.shape != out_shape:
            raise RuntimeError(f"size mismatch (got input: {list(x.shape)} , target: {list(target.shape)}")
        frame = "nll_loss2d_forward_out_frame"
    if target.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_torch_type_name(target.dtype)}")
    if x.dtype.kind != "f":
        raise not_implemented(frame, x.dtype)
    if weight is not None and weight.dtype != x.dtype:
        raise RuntimeError(f"expected scalar type {_torch_type_name(x.dtype)} but found "
                           f"{_torch_type_name(weight.dtype)}")
    if bounds:
        check_target_bounds(target, C, ignore_index)
    return out_shape, backward_error


def check_target_bounds(target, C, ignore_index):
    """IndexError("Target 5 is out of bounds.") for the first target outside [0, C) that is not
    ignore_index (the numba kernels' pre-pass does the same scan)."""
    t = target.reshape(-1)
    if not t.size or (t.min() >= 0 and t.max() < C):  # the common case: two reductions, no temporaries
        return
    bad = ((t < 0) | (t >= C)) & (t != ignore_index)
    if bad.any():
        raise IndexError(f"Target {int(t[np.argmax(bad)])} is out of bounds.")


def broadcast_shapes(a, b):
    """The broadcast of shapes ``a`` and ``b``, or torch's RuntimeError naming the first
    mismatching dim from the right."""
    ndim = max(len(a), len(b))
    out = []
    for i in range(ndim - 1, -1, -1):
        offset = ndim - 1 - i
        size_a = a[len(a) - 1 - offset] if len(a) - 1 - offset >= 0 else 1
        size_b = b[len(b) - 1 - offset] if len(b) - 1 - offset >= 0 else 1
        if size_a != size_b and size_a != 1 and size_b != 1:
            raise RuntimeError(f"The size of tensor a ({size_a}) must match the size of tensor b ({size_b}) at "
                               f"non-singleton dimension {i}")
        out.append(size_a if size_b == 1 else size_b)
    return tuple(reversed(out))


def check_inplace_broadcast(out_shape, other_shape):
    """torch's in-place ``out.mul_(other)``: ``other`` must broadcast *into* ``out_shape``."""
    shape = broadcast_shapes(out_shape, other_shape)
    if shape != tuple(out_shape):
        raise RuntimeError(f"output with shape {list(out_shape)} doesn't match the broadcast shape {list(shape)}")


def bce_weight_shape(target_shape, weight_shape):
    """F.binary_cross_entropy expands ``weight`` to broadcast(target, weight); torch's message
    when they do not broadcast."""
    ndim = max(len(target_shape), len(weight_shape))
    padded_t = (1,) * (ndim - len(target_shape)) + tuple(target_shape)
    padded_w = (1,) * (ndim - len(weight_shape)) + tuple(weight_shape)
    for i in range(ndim - 1, -1, -1):
        if padded_w[i] != padded_t[i] and padded_w[i] != 1 and padded_t[i] != 1:
            raise RuntimeError(f"Attempting to broadcast a dimension of length {padded_w[i]} at {i - ndim}! "
                               f"Mismatching argument at index 1 had {torch_size(weight_shape)}; but expected "
                               f"shape should be broadcastable to {list(padded_t)}")
    return tuple(w if t == 1 else t for t, w in zip(padded_t, padded_w))


def check_bce(p, y, weight_shape, values=True):
    """binary_cross_entropy: shapes, weight broadcast, dtypes, then (``values``) every p and y
    in [0, 1] (the kernel checks them itself, in its one pass).  Returns the shape the weight
    is expanded to (or None)."""
    if y.shape != p.shape:
        raise ValueError(f"Using a target size ({torch_size(y.shape)}) that is different to the input size "
                         f"({torch_size(p.shape)}) is deprecated. Please ensure they have the same size.")
    expanded = None if weight_shape is None else bce_weight_shape(y.shape, weight_shape)
    if expanded is not None:
        check_inplace_broadcast(p.shape, expanded)
    if y.dtype != p.dtype:
        raise RuntimeError(f"Found dtype {_torch_type_name(y.dtype)} but expected {_torch_type_name(p.dtype)}")
    if p.dtype.kind != "f":
        raise not_implemented("binary_cross_entropy", p.dtype)
    if not values or (p.min(initial=0) >= 0 and p.max(initial=1) <= 1 and y.min(initial=0) >= 0
                      and y.max(initial=1) <= 1):
        return expanded  # the common case: four reductions (a nan fails the comparisons: the scan below)
    bad_p = ~((p >= 0) & (p <= 1))  # nan fails both comparisons
    bad_y = ~((y >= 0) & (y <= 1))
    bad = np.flatnonzero(bad_p | bad_y)
    if bad.size:  # torch checks element by element, the input before the target
        what = "input" if bad_p.reshape(-1)[bad[0]] else "target"
        raise RuntimeError(f"all elements of {what} should be between 0 and 1")
    return expanded
