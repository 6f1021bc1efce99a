"""minigrad.nn: modules, layers and losses with PyTorch's names."""
# --- modules and layers (module.py, layers.py, init.py) ---
from minigrad.nn import init  # noqa: F401
from minigrad.nn.module import Module, Parameter  # noqa: F401
from minigrad.nn.layers import (Dropout, Flatten, Identity, LeakyReLU, Linear, ReLU, Sequential,  # noqa: F401
                                Sigmoid, Tanh)
# --- softmax family and losses (loss.py) ---
from minigrad.nn.loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, KLDivLoss, LogSoftmax,  # noqa: F401
                              MSELoss, NLLLoss, Softmax)


def __getattr__(name):
    """``minigrad.nn.functional`` and ``minigrad.nn.utils`` are imported on first use."""
    if name in ("functional", "utils"):
        import importlib
        try:
            return importlib.import_module(f"minigrad.nn.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"minigrad.nn.{name}":
                raise
    raise AttributeError(f"module 'minigrad.nn' has no attribute {name!r}")
