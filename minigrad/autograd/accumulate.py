"""``accumulate``: what a leaf's AccumulateGrad node does with the gradient that reaches it."""
import sys
import threading

import numpy as np

from minigrad.tensor import Tensor


#: held while a ``.grad`` is read and written: two threads running backward through one
#: leaf (shared weights) must both add to it, as torch's AccumulateGrad does under its mutex
GRAD_LOCK = threading.RLock()


def accumulate(t, grad, create_graph=False, owned=None):
    """``t._grad += grad``, as torch's AccumulateGrad.  The first gradient becomes ``.grad``
    without a copy when nothing else refers to it (``_is_private``); otherwise it is copied
    (it may be shared: ``x + x`` returns one array twice).  Under create_graph ``.grad``
    is a Tensor in the new graph, and later gradients are added out of place."""
    with GRAD_LOCK:  # (the body, not a call: _is_private counts the references to grad)
        if isinstance(grad, Tensor):
            if t._grad is None:
                t._grad = grad.clone() if create_graph else Tensor._wrap(np.array(grad._data, copy=True, order=(
                    "C" if t._data.flags.c_contiguous else "K")))
            elif create_graph:
                t._grad = t._grad + grad
            else:
                np.add(t._grad._data, grad._data, out=t._grad._data)
                t._grad._version_counter[0] += 1
            return
        if grad.dtype is not t._data.dtype and grad.dtype != t._data.dtype:
            grad, owned = grad.astype(t._data.dtype), True
        if t._grad is None:
            if owned is None:
                owned = _is_private(grad)
            if grad.ndim and not grad.flags.c_contiguous and t._data.flags.c_contiguous:  # (0-d: always contiguous)
                grad, owned = np.ascontiguousarray(grad), True  # laid out like the leaf, as torch (so .view works)
            t._grad = Tensor._wrap(grad if owned else np.array(grad, copy=True))
        else:  # in place, even into a .grad that requires grad (made under create_graph), as torch
            np.add(t._grad._data, grad, out=t._grad._data)
            t._grad._version_counter[0] += 1


def _is_private(g):
    """True if nothing but the walk refers to ``g`` or to the memory under it, so it can
    become ``.grad`` without a copy (as torch's AccumulateGrad steals a gradient).
    References counted: the walk's name, accumulate's parameter, this parameter and
    getrefcount's argument; for a view's base: the view, the name ``base``, getrefcount's."""
    if sys.getrefcount(g) > 4:
        return False
    base = g.base
    while base is not None:  # a reshape of a fresh kernel result, say
        if type(base) is not np.ndarray or sys.getrefcount(base) > 3:
            return False
        base = base.base
    return True

