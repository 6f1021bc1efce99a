"""Every differentiable operation, as a ``Function`` subclass, grouped by family.

Each family module is imported on first use (PEP 562): ``ops.loss.X`` or
``from minigrad.ops import loss`` imports ``minigrad/ops/loss.py`` then, not at
``import minigrad``."""
import importlib

# every module of this package (tests/test_startup.py checks the list against the files)
_FAMILIES = ("activation", "dual", "elementwise", "elementwise_extra", "index_extra", "linalg", "linalg_extra",
             "loss", "loss_checks", "loss_composite", "loss_elementwise", "loss_pointwise", "nn_extra", "reduce",
             "reduce_extra", "shape", "shape_extra", "softmax")


def __getattr__(name):
    if name in _FAMILIES:
        return importlib.import_module(f"{__name__}.{name}")  # also binds it here
    raise AttributeError(f"module 'minigrad.ops' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_FAMILIES))
