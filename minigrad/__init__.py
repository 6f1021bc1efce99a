"""minigrad: a small reverse-mode autograd framework on numpy, with PyTorch's names.

    import minigrad
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    x.grad  # tensor([2., 4., 6.])
"""
from minigrad.dtypes import (DType, bool, double, float, float16, float32, float64, half, int8,  # noqa: F401,A004
                             int16, int32, int64, long, short, uint8)
from minigrad.tensor import Tensor  # noqa: F401
from minigrad.autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled,  # noqa: F401
                                         is_inference_mode_enabled, no_grad, set_grad_enabled)
from minigrad.autograd.anomaly_mode import is_anomaly_enabled, set_detect_anomaly  # noqa: F401
from minigrad.creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full,  # noqa: F401
                               full_like, linspace, ones, ones_like, rand, rand_like, randint, randn,
                               randn_like, randperm, tensor, zeros, zeros_like)
from minigrad.random import Generator, default_generator, initial_seed, manual_seed, seed  # noqa: F401
from minigrad.functions import *  # noqa: F401,F403
from minigrad.functions import cat, concat, stack, where  # noqa: F401
from minigrad._api_math import *  # noqa: F401,F403
from minigrad._api_shape import *  # noqa: F401,F403
from minigrad import autograd  # noqa: F401
from minigrad.kernel_switch import kernels_enabled, set_kernels  # noqa: F401

autograd.load()
from minigrad.device import (device, get_default_device, get_default_dtype, set_default_device,  # noqa: F401
                             set_default_dtype)

__version__ = "0.1.0"

# Subpackages imported on first use (PEP 562), so ``import minigrad`` stays fast:
# ``minigrad.nn``, ``minigrad.optim.lr_scheduler``, ``minigrad.utils.data`` all work after it.
_SUBMODULES = ("nn", "optim", "utils", "data", "cuda", "kernels", "serialization", "viz")
# Functions imported from their module on first use: name -> module.
_FUNCTIONS = {"load": "serialization", "save": "serialization"}


def __getattr__(name):
    import importlib
    if name in _SUBMODULES:
        return importlib.import_module(f"minigrad.{name}")  # also binds it here
    if name in _FUNCTIONS:
        value = getattr(importlib.import_module(f"minigrad.{_FUNCTIONS[name]}"), name)
        globals()[name] = value  # found directly next time
        return value
    raise AttributeError(f"module 'minigrad' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES) | set(_FUNCTIONS))


def is_tensor(obj):
    return isinstance(obj, Tensor)


def set_printoptions(**kwargs):
    """Accepted for torch compatibility; minigrad's repr has fixed options."""
