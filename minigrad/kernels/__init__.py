"""Pure-ndarray kernels (no Tensor, no autograd) for softmax and classification losses.

Hot loops are numba-compiled lazily on first use per dtype and cached on disk; inputs are
normalised in the Python entry points (C-contiguous float32/float64, int64 targets).
The cache never fails a call: with no writable location the kernels compile in memory
(one ``KernelCacheWarning``), a damaged entry is recompiled; :func:`cache_info` says which.
See each module's docstring for exact signatures and return values.

Each name below is imported from its module on first use (PEP 562), so the first
cross-entropy loads ``cross_entropy.py`` and its helpers only, not the softmax, NLL
and BCE kernels.  ``import minigrad.kernels`` itself imports numba and picks the
threading layer (``threading.py``).
"""
import importlib

from .threading import PARALLEL_THRESHOLD, threading_info, threading_layer
from ._cache import KernelCacheWarning, cache_info

# name -> the module (in this package) that defines it
_WHERE = {
    **dict.fromkeys(("softmax_forward", "log_softmax_forward", "softmax_backward", "log_softmax_backward",
                     "log_softmax_forward_keep", "log_softmax_backward_kept", "softmax_reference", "log_softmax_reference", "softmax_backward_reference",
                     "log_softmax_backward_reference"), "softmax"),
    **dict.fromkeys(("cross_entropy_forward_backward", "cross_entropy_probs_forward_backward",
                     "cross_entropy_reference", "cross_entropy_probs_reference"), "cross_entropy"),
    **dict.fromkeys(("nll_forward", "nll_backward", "nll_forward_reference", "nll_backward_reference"), "nll"),
    **dict.fromkeys(("bce_with_logits_forward_backward", "bce_with_logits_forward", "bce_forward_backward",
                     "bce_forward", "bce_with_logits_reference", "bce_reference"), "bce"),
    "kl_div_forward": "kl_div",
    **dict.fromkeys(("squared_error", "abs_error", "smooth_l1", "huber", "squared_error_sum", "loss_sum"),
                   "pointwise_losses"),
    **dict.fromkeys(("check_targets", "check_targets_reference"), "validate"),
}

__all__ = ["PARALLEL_THRESHOLD", "threading_info", "threading_layer", "cache_info", "KernelCacheWarning",
           *_WHERE]


# the kernel modules, reachable as attributes before anything imported them (``kernels.nll.nll_fused``)
_MODULES = frozenset(_WHERE.values())


def __getattr__(name):
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{name}")  # the import sets it as an attribute here
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'minigrad.kernels' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # found directly next time
    return value


def __dir__():
    return sorted(set(globals()) | set(_WHERE) | _MODULES)
