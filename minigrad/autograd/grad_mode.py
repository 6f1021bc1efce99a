"""Grad mode: whether new operations are recorded in the graph.

``no_grad()`` and ``enable_grad()`` work as context managers and as decorators,
like torch's.  The switch is one module-level flag read by ``Function.apply``.
"""
import functools

_grad_enabled = True


def is_grad_enabled():
    return _grad_enabled


def set_grad_enabled(mode):
    global _grad_enabled
    _grad_enabled = bool(mode)


class _GradMode:
    """Base for the two context managers; subclasses set ``mode``."""
    mode = True

    def __enter__(self):
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = self.mode

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self._previous
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """Operations inside do not record a graph (``with no_grad(): w -= lr * w.grad``)."""
    mode = False


class enable_grad(_GradMode):
    """Re-enables recording inside a ``no_grad`` block."""
    mode = True
