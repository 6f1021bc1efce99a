"""Reverse-mode automatic differentiation: Function, the graph walk, grad mode, gradcheck.

``Function``, ``backward`` and ``gradcheck`` are built on ``Tensor``, which itself
uses grad mode, so they are loaded on first use (PEP 562) to keep imports acyclic.
"""
from minigrad.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled  # noqa: F401

_LAZY = {"Function": "function", "Context": "function", "backward": "engine",
         "gradcheck": "gradcheck", "GradcheckError": "gradcheck", "grad": "engine"}


def __getattr__(name):
    if name in _LAZY:
        import importlib
        module = importlib.import_module(f"minigrad.autograd.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'minigrad.autograd' has no attribute {name!r}")
