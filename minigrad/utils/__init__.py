"""Helpers shared across minigrad, as in ``torch.utils``: ``hooks.RemovableHandle`` and ``data``
(``Dataset``, ``DataLoader``, samplers, ``random_split``; imported on first use)."""
from minigrad.utils import hooks  # noqa: F401


def __getattr__(name):
    if name == "data":
        import importlib
        return importlib.import_module("minigrad.utils.data")
    raise AttributeError(f"module 'minigrad.utils' has no attribute {name!r}")
