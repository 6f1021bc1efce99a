"""Tensor's in-place methods: ``add_``, ``+=``, ``zero_``, ``copy_``, ``x[i] = v``, ...

torch's rules: a leaf that requires grad changes in place only inside ``no_grad()``
(the hand-written SGD step); elsewhere an in-place op on a tensor in a graph records a
new node for it ("rebasing"), and every change bumps the version counter, so a backward
that saved the old values raises instead of computing a wrong gradient.
"""
import numpy as np

from minigrad import dtypes
from minigrad.autograd import grad_mode
from minigrad.tensor_math import _Tensor, _as_tensor, _torch_type_name
from minigrad.tensor_shape import _normalize_index

ops = None  # the minigrad.ops package, bound by minigrad.tensor once Tensor exists


class TensorInplace:
    __slots__ = ()

    # ------------------------------------------------------------- in-place
    def _check_inplace(self):
        """torch's rules: a leaf that requires grad (or a view of one) may change in place only
        inside no_grad()."""
        if grad_mode.state.enabled and self._requires_grad:
            if self.grad_fn is None and self._base is None:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
            if self._base is not None and self._base._requires_grad and self._base.grad_fn is None:
                raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                                   "in-place operation.")

    def _inplace(self, compute):
        """Run ``compute(source) -> Tensor`` out of place, then write the result into self.

        With grad on and a graph involved, self takes the new node as its history (torch
        calls this rebasing); the old value is read through a copy holding the old node,
        so what the new node saves is not overwritten by the write into self.  For a view,
        the *base* takes the new history (``_rebase_view``: torch's CopySlices).
        """
        self._check_inplace()
        if grad_mode.state.enabled and (self._requires_grad or self._base is not None):
            old = _Tensor()._wrap(self._data.copy())
            old.grad_fn, old._output_nr, old._requires_grad = self.grad_fn, self._output_nr, self._requires_grad
            result = compute(old)
        else:
            with grad_mode.no_grad():
                result = compute(self)
        if result._requires_grad and self._base is not None:
            return _rebase_view(self, result)
        _copy_into(self._data, result._data)
        self._version_counter[0] += 1
        if result._requires_grad:
            self._requires_grad, self.grad_fn, self._output_nr = True, result.grad_fn, result._output_nr
        return self

    def _inplace_arith(self, ufunc, other, compute):
        """``self op= other``: straight into the array when no graph is involved (the
        ``with no_grad(): w -= lr * w.grad`` idiom), else through ``_inplace``."""
        if grad_mode.state.enabled and (self._requires_grad or getattr(other, "_requires_grad", False)):
            return self._inplace(compute)
        self._check_inplace()
        b = other._data if hasattr(other, "_data") else other
        try:
            ufunc(self._data, b, out=self._data, casting="same_kind")
        except np._core._exceptions._UFuncOutputCastingError:
            raise RuntimeError(f"result type {_torch_type_name(dtypes.result_type(self, other))} can't be cast "
                               f"to the desired output type {_torch_type_name(self._data.dtype)}") from None
        except ValueError as e:
            raise RuntimeError(str(e)) from None
        self._version_counter[0] += 1
        return self

    def add_(self, other, alpha=1):
        if alpha != 1:
            other = other * alpha
        return self._inplace_arith(np.add, other, lambda s: s + other)

    def sub_(self, other, alpha=1):
        if alpha != 1:
            other = other * alpha
        return self._inplace_arith(np.subtract, other, lambda s: s - other)

    def mul_(self, other):
        return self._inplace_arith(np.multiply, other, lambda s: s * other)

    def div_(self, other):
        return self._inplace_arith(np.true_divide, other, lambda s: s / other)

    __iadd__, __isub__, __imul__, __itruediv__ = add_, sub_, mul_, div_

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        value = value.item() if hasattr(value, "_data") else value
        self._check_inplace()
        if grad_mode.state.enabled and self._requires_grad:
            return self._inplace(lambda s: s * 0 + value)
        self._data[...] = value
        self._version_counter[0] += 1
        return self

    def copy_(self, src):
        src = _as_tensor(src)
        if grad_mode.state.enabled and (self._requires_grad or src._requires_grad):
            return self._inplace(lambda s: s * 0 + src.to(self.dtype))
        self._check_inplace()
        np.copyto(self._data, np.broadcast_to(src._data, self._data.shape), casting="unsafe")
        self._version_counter[0] += 1
        return self

    def clamp_(self, min=None, max=None):  # noqa: A002
        return self._inplace(lambda s: s.clamp(min, max))

    def __setitem__(self, index, value):
        index, basic = _normalize_index(index, self._data.shape)
        value_is_tensor = hasattr(value, "_data")
        if basic and index is not Ellipsis and index != (Ellipsis,) and grad_mode.state.enabled \
                and self._requires_grad and self.grad_fn is None:  # torch writes through a view here
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
        if grad_mode.state.enabled and (self._requires_grad or (value_is_tensor and value._requires_grad)):
            self._check_inplace()
            v = value.to(self.dtype) if value_is_tensor else value
            put = ops.shape.CopySlices if basic else ops.shape.IndexPut  # torch's node names for the two
            return self._inplace(lambda s: put.apply(s, index, v))
        self._check_inplace()
        try:
            self._data[index] = value._data if value_is_tensor else value
        except ValueError:  # torch's words: the value is expanded to the selected shape
            _as_tensor(value).expand(self._data[index].shape)
            raise
        self._version_counter[0] += 1


def _rebase_view(view, result):
    """An in-place change through ``view`` recorded on its base, as torch's CopySlices: the
    base's new history is "the old base with the view's elements replaced by ``result``", and
    the view's is "those elements of the new base".  Works for any chain of views (slices,
    reshapes, transposes, integer picks), found by where the view's elements sit in memory."""
    base = view._base
    index = np.unravel_index(_positions_in_base(view._data, base._data), base._data.shape)
    old_base = _Tensor()._wrap(base._data)
    old_base.grad_fn, old_base._output_nr, old_base._requires_grad = base.grad_fn, base._output_nr, base._requires_grad
    new_base = ops.shape.CopySlices.apply(old_base, index, result)
    _copy_into(view._data, result._data)
    view._version_counter[0] += 1
    base.grad_fn, base._output_nr, base._requires_grad = new_base.grad_fn, 0, True
    regenerated = ops.shape.AsStrided.apply(new_base, index, False)
    view.grad_fn, view._output_nr, view._requires_grad = regenerated.grad_fn, 0, True
    return view


def _positions_in_base(view, base):
    """The flat (C-order) position in ``base`` of every element of ``view``, an array of view's
    shape: both share memory, so each element's byte offset from base's start names it."""
    def offsets(a):
        off = np.zeros((), dtype=np.int64)
        for n, stride in zip(a.shape, a.strides):
            off = np.add.outer(off, np.arange(n, dtype=np.int64) * stride)
        return off
    start = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    base_offsets = offsets(base).ravel()
    order = np.argsort(base_offsets, kind="stable")
    found = order[np.searchsorted(base_offsets[order], offsets(view) + start)]
    return found.reshape(view.shape)


def _copy_into(dst, src):
    if src.dtype != dst.dtype and not np.can_cast(src.dtype, dst.dtype, casting="same_kind"):
        raise RuntimeError(f"result type {_torch_type_name(src.dtype)} can't be cast to the desired output "
                           f"type {_torch_type_name(dst.dtype)}")
    np.copyto(dst, src, casting="unsafe")
