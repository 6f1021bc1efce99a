"""Grad mode: whether new operations are recorded in the graph, per thread.

``no_grad()``, ``enable_grad()``, ``set_grad_enabled(mode)`` and ``inference_mode()``
work as context managers and as decorators, like torch's.  As in torch, the mode
belongs to the thread that sets it: ``no_grad()`` in an evaluation thread does not
switch off recording in a training thread beside it, and every new thread starts
with grad mode on.  ``Function.apply`` reads it as ``grad_mode.state.enabled``.
"""
import functools
import threading


class _State(threading.local):
    """One per thread; a new thread sees the class defaults (grad enabled)."""
    enabled = True
    anomaly = False       # detect_anomaly(): check every backward for nan
    anomaly_trace = True  # ... and remember where each node was made
    trace = None          # autograd.trace(): shown every walk's nodes before it runs (see trace.py)
    releasing = False     # in a backward walk that frees what each node saved after its backward


state = _State()


def is_grad_enabled():
    return state.enabled


class _GradMode:
    """Base of the context managers; subclasses set ``mode``.  Usable as ``with no_grad():``,
    as ``@no_grad()`` and, like torch, as a bare ``@no_grad``."""
    mode = True

    def __new__(cls, fn=None):
        self = super().__new__(cls)
        if callable(fn):  # bare decorator: @no_grad
            return self(fn)
        return self

    def __init__(self, fn=None):
        pass

    def __enter__(self):
        self._previous = state.enabled
        state.enabled = self.mode

    def __exit__(self, *exc):
        state.enabled = self._previous
        return False

    def __call__(self, fn):
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            previous, state.enabled = state.enabled, mode
            try:
                return fn(*args, **kwargs)
            finally:
                state.enabled = previous
        return wrapper

    def clone(self):
        return type(self)()


class no_grad(_GradMode):
    """Operations inside do not record a graph (``with no_grad(): w -= lr * w.grad``)."""
    mode = False


class enable_grad(_GradMode):
    """Re-enables recording inside a ``no_grad`` block."""
    mode = True


class inference_mode(_GradMode):
    """``inference_mode()`` / ``inference_mode(False)``: minigrad gives it ``no_grad``'s
    semantics (no graph is recorded); ``mode=False`` leaves grad mode as it is."""

    def __new__(cls, mode=True):
        if callable(mode):  # bare decorator: @inference_mode
            return cls(True)(mode)
        self = object.__new__(cls)
        self.mode = False if mode else None
        return self

    def __init__(self, mode=True):
        pass

    def __enter__(self):
        self._previous = state.enabled
        if self.mode is not None:
            state.enabled = False

    def __call__(self, fn):
        if self.mode is None:
            return fn
        return super().__call__(fn)

    def clone(self):
        return type(self)(self.mode is not None)


def is_inference_mode_enabled():
    return False


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(False)`` switches recording off at once (for this thread); used
    with ``with``, the previous mode comes back at the end of the block."""

    def __new__(cls, mode):
        return object.__new__(cls)

    def __init__(self, mode):
        self._previous = state.enabled
        self.mode = bool(mode)
        state.enabled = self.mode

    def __enter__(self):
        pass

    def __call__(self, fn):  # as a decorator it must not change the mode at definition time
        state.enabled = self._previous
        return super().__call__(fn)

    def clone(self):
        return type(self)(self.mode)
