"""Shared pieces of the numpy optimizers (RMSprop, Adagrad, Adamax, NAdam, RAdam).

Each optimizer's update is written with numpy in torch's single-tensor order, one
rounding per torch operation, with Python-float hyper-parameters cast to the
parameter's dtype as torch casts a scalar argument.  torch's CPU kernels contract a
multiply and an add into one fused multiply-add (``_fma``), so its pointwise ops round as:
``add(s, a, alpha=v)`` = fma(v, a, s), ``addcmul(s, a, b, value=v)`` = fma(v·a, b, s),
``lerp(s, e, w)`` = fma(w, e - s, s) if |w| < 0.5 else fma(w - 1, e - s, e), and
``addcdiv(s, a, b, value=v)`` = s + (v·a)/b (no contraction).
"""
import numpy as np

from minigrad._lazy import LazyModule
from minigrad.optim.optimizer import Optimizer

_fma = LazyModule("minigrad.optim._fma")  # numba: imported on the first step


def add_scaled(s, a, alpha, t):
    """torch's ``s.add(a, alpha=alpha)``: a new array."""
    return _fma.fma(t(alpha), a, s)


def addcmul(s, a, b, value, t):
    """torch's ``s.addcmul(a, b, value=value)``: a new array."""
    return _fma.fma(t(value) * a, b, s)


def addcdiv(s, a, b, value, t):
    """torch's ``s.addcdiv(a, b, value=value)``: a new array."""
    return s + (t(value) * a) / b


def lerp_(start, end, weight, t):
    """torch's ``start.lerp_(end, weight)`` on arrays of scalar type ``t``, in place."""
    diff = end - start
    if abs(weight) < 0.5:
        _fma.fma(t(weight), diff, start, out=start)
    else:
        _fma.fma(t(weight) - t(1), diff, end, out=start)


def check_range(name, value, low=0.0, high=None):
    """torch's "Invalid <name> value: <value>" unless low <= value (< high)."""
    if not low <= value or (high is not None and not value < high):
        raise ValueError(f"Invalid {name}: {value}")


def check_betas(betas):
    for i in (0, 1):
        if not 0.0 <= betas[i] < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")


class NumpyOptimizer(Optimizer):
    """An optimizer whose ``update(p, grad, state, group, t)`` changes ``p._data`` in place; ``step``
    walks the parameters with gradients, makes their state on first use and bumps versions."""

    def init_state(self, p, group):
        raise NotImplementedError

    def update(self, x, g, state, group, t):
        raise NotImplementedError

    def step(self, closure=None):
        """One update of every parameter that has a gradient.  Returns ``closure()`` if given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state.update(self.init_state(p, group))
                g = p._grad._data
                if group["maximize"]:
                    g = -g
                self.update(p._data, g, state, group, p._data.dtype.type)
                p._version_counter[0] += 1
                for value in state.values():
                    if hasattr(value, "_version_counter"):
                        value._version_counter[0] += 1
        return loss


def scalar_state(value):
    """A 0-d Tensor as torch keeps ``step`` and ``mu_product``: float64 if that is the default dtype,
    else float32."""
    from minigrad import dtypes
    from minigrad.tensor import Tensor
    dtype = np.float64 if dtypes.default_float.numpy == np.float64 else np.float32
    return Tensor._wrap(np.full((), value, dtype=dtype))


def bump(scalar_tensor, factor=None):
    """``step += 1`` (or ``*= factor``) on a 0-d state Tensor, in its own dtype; returns the new value."""
    a = scalar_tensor._data
    a[()] = a + a.dtype.type(1) if factor is None else a * a.dtype.type(factor)
    return float(a)
