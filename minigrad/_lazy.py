"""Deferred imports, so that ``import minigrad`` does not pay for what it may never use.

``LazyModule("minigrad.ops.index_extra")`` stands for that module until one of its
attributes is first read.  numba (it costs more than the rest of ``import minigrad``
together) is needed only when a kernel first runs.  ``kernels`` below stands for the
package ``minigrad.kernels``: the first attribute read imports it (and numba), then the
attribute is kept on the proxy, so later reads are plain attribute lookups.
``kernel(name)`` is a function that calls ``minigrad.kernels.<name>``, for class
bodies that bind a kernel at import.
"""
import importlib


class LazyModule:
    """Stands for the module ``module_name`` until an attribute is first read."""

    def __init__(self, module_name):
        self._module_name = module_name

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        value = getattr(importlib.import_module(self._module_name), name)
        setattr(self, name, value)  # found directly next time: __getattr__ is not called again
        return value

    def __repr__(self):
        return f"<lazy module {self._module_name!r}>"


kernels = LazyModule("minigrad.kernels")


def kernel(name):
    """A function that calls ``minigrad.kernels.<name>`` (imported on the first call)."""
    def call(*args, **kwargs):
        return getattr(kernels, name)(*args, **kwargs)
    call.__name__ = call.__qualname__ = name
    return call
