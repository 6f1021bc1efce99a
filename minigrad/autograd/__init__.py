"""Reverse-mode automatic differentiation: Function, the graph walk, grad mode, gradcheck,
gradgradcheck, ``functional`` (jacobian, hessian, vjp, jvp, hvp, vhp), and ``trace()``, which
records the backward pass node by node (``autograd/trace.py``).

``Function`` and ``backward`` are built on ``Tensor``, which itself uses grad mode, so they
are bound by ``load()`` once ``Tensor`` exists (minigrad's ``__init__`` calls it last).
``gradcheck``, ``functional`` and ``trace`` are imported on first use (PEP 562
``__getattr__``): ``import minigrad`` does not compile them.

``minigrad.autograd.gradcheck`` and ``minigrad.autograd.trace`` are functions, as in torch,
although modules of the same names define them: importing such a module (``viz.py`` imports
``minigrad.autograd.trace``) does not replace the function here (see ``_Package``).
"""
import importlib
import sys
import types

from minigrad.autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled,  # noqa: F401
                                         is_inference_mode_enabled, no_grad, set_grad_enabled)
from minigrad.autograd.anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly  # noqa: F401

# name -> (module, attribute in it) for the names bound on first use
_ON_FIRST_USE = {"gradcheck": ("gradcheck", "gradcheck"), "gradgradcheck": ("gradcheck", "gradgradcheck"),
                 "GradcheckError": ("gradcheck", "GradcheckError"), "functional": ("functional", None),
                 "trace": ("trace", "trace"), "BackwardTrace": ("trace", "BackwardTrace")}
_LAZY = ("Function", "ArrayFunction", "Node", "Context", "AccumulateGrad", "once_differentiable", "backward",
         "grad", *_ON_FIRST_USE)
# submodules whose names are functions of this package
_SHADOWED = ("gradcheck", "trace")


class _Package(types.ModuleType):
    """This package's module type: when Python's import system binds a newly imported
    submodule ``gradcheck`` or ``trace`` as an attribute here, the function of that name
    is bound instead (the submodule stays in ``sys.modules``)."""

    def __setattr__(self, name, value):
        if name in _SHADOWED and isinstance(value, types.ModuleType) and value.__name__ == f"{__name__}.{name}":
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def load():
    """Bind the Tensor-dependent names (``engine`` and ``function`` are already imported by
    ``minigrad.tensor``)."""
    engine = importlib.import_module("minigrad.autograd.engine")
    function = importlib.import_module("minigrad.autograd.function")
    globals().update(Function=function.Function, ArrayFunction=function.ArrayFunction, Node=function.Node,
                     Context=function.Node, AccumulateGrad=function.AccumulateGrad,
                     once_differentiable=function.once_differentiable, backward=engine.backward,
                     grad=engine.grad)


def __getattr__(name):
    if name in _ON_FIRST_USE:
        module_name, attr = _ON_FIRST_USE[name]
        module = importlib.import_module(f"{__name__}.{module_name}")
        value = module if attr is None else getattr(module, attr)
        globals()[name] = value  # found directly next time
        return value
    if name in _LAZY:
        load()
        return globals()[name]
    raise AttributeError(f"module 'minigrad.autograd' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
