"""Every differentiable operation, as a ``Function`` subclass, grouped by family.

Each family module is imported on first use (PEP 562): ``ops.loss.X`` or
``from minigrad.ops import loss`` imports ``minigrad/ops/loss.py`` then, not at
``import minigrad``."""
import importlib

_FAMILIES = ("activation", "elementwise", "linalg", "reduce", "shape", "loss", "loss_checks", "loss_elementwise",
             "softmax", "elementwise_extra", "linalg_extra", "reduce_extra", "index_extra", "shape_extra")


def __getattr__(name):
    if name in _FAMILIES:
        return importlib.import_module(f"{__name__}.{name}")  # also binds it here
    raise AttributeError(f"module 'minigrad.ops' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_FAMILIES))
