"""Reverse-mode automatic differentiation: Function, the graph walk, grad mode, gradcheck,
gradgradcheck, ``functional`` (jacobian, hessian, vjp, jvp, hvp, vhp), and ``trace()``, which
records the backward pass node by node (``autograd/trace.py``).

``Function``, ``backward`` and ``gradcheck`` are built on ``Tensor``, which itself
uses grad mode, so they are bound by ``load()`` once ``Tensor`` exists (minigrad's
``__init__`` calls it last; PEP 562 ``__getattr__`` covers any earlier access).
"""
from minigrad.autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled,  # noqa: F401
                                         is_inference_mode_enabled, no_grad, set_grad_enabled)
from minigrad.autograd.anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly  # noqa: F401

_LAZY = ("Function", "ArrayFunction", "Node", "Context", "AccumulateGrad", "once_differentiable", "backward",
         "grad", "gradcheck", "gradgradcheck", "GradcheckError", "functional", "trace", "BackwardTrace")


def load():
    """Bind the Tensor-dependent names.  Doing it once, eagerly, also makes
    ``minigrad.autograd.gradcheck`` the function rather than its submodule."""
    import importlib
    engine, function, gradcheck_module, functional, trace = (
        importlib.import_module(f"minigrad.autograd.{name}")
        for name in ("engine", "function", "gradcheck", "functional", "trace"))
    globals().update(Function=function.Function, ArrayFunction=function.ArrayFunction, Node=function.Node,
                     Context=function.Node, AccumulateGrad=function.AccumulateGrad,
                     once_differentiable=function.once_differentiable, backward=engine.backward,
                     grad=engine.grad, gradcheck=gradcheck_module.gradcheck,
                     gradgradcheck=gradcheck_module.gradgradcheck,
                     GradcheckError=gradcheck_module.GradcheckError, functional=functional,
                     trace=trace.trace, BackwardTrace=trace.BackwardTrace)


def __getattr__(name):
    if name in _LAZY:
        load()
        return globals()[name]
    raise AttributeError(f"module 'minigrad.autograd' has no attribute {name!r}")
