"""Anomaly detection: ``with detect_anomaly():`` makes backward raise at the first node whose
backward produces nan, naming the node, and warn with the forward call that made it."""
import warnings

from minigrad.autograd.grad_mode import state


def is_anomaly_enabled():
    return state.anomaly


def is_anomaly_check_nan_enabled():
    return state.anomaly


class detect_anomaly:
    """Context manager (and decorator): remember where each node was made, and check every
    backward output for nan.  Slows everything down: use it for debugging only."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        self._previous = None
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should "
                      "only be enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self):
        self._previous = state.anomaly
        state.anomaly = self.check_nan or state.anomaly
        return self

    def __exit__(self, *exc):
        state.anomaly = self._previous
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """``set_detect_anomaly(True)`` switches anomaly detection on (for this thread); with
    ``with``, the previous setting comes back at the end of the block."""

    def __init__(self, mode, check_nan=True):
        self._previous = state.anomaly
        state.anomaly = bool(mode) and check_nan

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        state.anomaly = self._previous
        return False
