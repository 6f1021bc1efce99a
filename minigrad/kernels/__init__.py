"""Pure-ndarray kernels (no Tensor, no autograd) for softmax and classification losses.

Hot loops are numba-compiled lazily on first use per dtype and cached on disk; inputs are
normalised in the Python entry points (C-contiguous float32/float64, int64 targets).
The cache never fails a call: with no writable location the kernels compile in memory
(one ``KernelCacheWarning``), a damaged entry is recompiled; :func:`cache_info` says which.
See each module's docstring for exact signatures and return values.
"""
from .threading import PARALLEL_THRESHOLD, threading_info, threading_layer
from ._cache import KernelCacheWarning, cache_info
from .softmax import (softmax_forward, log_softmax_forward, softmax_backward, log_softmax_backward,
                      softmax_reference, log_softmax_reference, softmax_backward_reference,
                      log_softmax_backward_reference)
from .cross_entropy import (cross_entropy_forward_backward, cross_entropy_probs_forward_backward,
                            cross_entropy_reference, cross_entropy_probs_reference)
from .nll import nll_forward, nll_backward, nll_forward_reference, nll_backward_reference
from .bce import (bce_with_logits_forward_backward, bce_forward_backward,
                  bce_with_logits_reference, bce_reference)
from .validate import check_targets, check_targets_reference

__all__ = [
    "PARALLEL_THRESHOLD", "threading_info", "threading_layer", "cache_info", "KernelCacheWarning",
    "softmax_forward", "log_softmax_forward", "softmax_backward", "log_softmax_backward",
    "softmax_reference", "log_softmax_reference", "softmax_backward_reference",
    "log_softmax_backward_reference",
    "cross_entropy_forward_backward", "cross_entropy_probs_forward_backward",
    "cross_entropy_reference", "cross_entropy_probs_reference",
    "nll_forward", "nll_backward", "nll_forward_reference", "nll_backward_reference",
    "bce_with_logits_forward_backward", "bce_forward_backward",
    "bce_with_logits_reference", "bce_reference",
    "check_targets", "check_targets_reference",
]
