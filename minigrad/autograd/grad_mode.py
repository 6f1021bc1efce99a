"""Grad mode: whether new operations are recorded in the graph.

``no_grad()`` and ``enable_grad()`` work as context managers and as decorators,
like torch's.  The switch is one module-level flag read by ``Function.apply``.
"""
import functools

_grad_enabled = True


def is_grad_enabled():
    return _grad_enabled


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
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = self.mode

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self._previous
        return False

    def __call__(self, fn):
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            global _grad_enabled
            previous, _grad_enabled = _grad_enabled, mode
            try:
                return fn(*args, **kwargs)
            finally:
                _grad_enabled = previous
        return wrapper


class no_grad(_GradMode):
    """Operations inside do not record a graph (``with no_grad(): w -= lr * w.grad``)."""
    mode = False


class enable_grad(_GradMode):
    """Re-enables recording inside a ``no_grad`` block."""
    mode = True


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(False)`` switches recording off at once; used with ``with``,
    the previous mode comes back at the end of the block."""

    def __new__(cls, mode):
        return object.__new__(cls)

    def __init__(self, mode):
        global _grad_enabled
        self._previous = _grad_enabled
        self.mode = bool(mode)
        _grad_enabled = self.mode

    def __enter__(self):
        pass
