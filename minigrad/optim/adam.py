"""Adam and AdamW (torch's single-tensor path, same order of operations).

For each parameter x with gradient g, at step t (counted per parameter)::

    x = x · (1 - lr · wd)            AdamW (decoupled decay)     | g = g + wd · x   Adam (L2 penalty)
    m = m + (1 - β1) · (g - m)       first moment (torch's lerp)
    v = β2 · v + (1 - β2) · g · g    second moment
    v̂ = max(v̂, v)                     if amsgrad (and v̂ replaces v below)
    x = x - (lr / (1 - β1ᵗ)) · m / (√v / √(1 - β2ᵗ) + eps)
"""
import numpy as np

from minigrad._lazy import LazyModule
from minigrad.optim._rules import add_scaled, addcmul, lerp_
from minigrad.optim.optimizer import Optimizer, step_counter, zeros_state

_fused = LazyModule("minigrad.optim._fused")  # numba: imported on the first step


def adam_reference(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, *, step, lr, beta1, beta2, eps, weight_decay,
                   decoupled, amsgrad, maximize):
    """The update in plain numpy, on arrays, in place: the reference the fused kernel must match."""
    t = param.dtype.type
    g = -grad if maximize else grad
    if weight_decay != 0:
        if decoupled:
            param *= t(1 - lr * weight_decay)
        else:
            g = add_scaled(g, param, weight_decay, t)
    lerp_(exp_avg, g, 1 - beta1, t)  # torch's lerp(m, g, w): m + w (g - m), or g - (g - m)(1 - w) for large w
    exp_avg_sq[...] = addcmul(exp_avg_sq * t(beta2), g, g, 1 - beta2, t)
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    step_size = lr / bias_correction1
    bias_correction2_sqrt = bias_correction2 ** 0.5
    if amsgrad:
        np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        denom = np.sqrt(max_exp_avg_sq) / bias_correction2_sqrt + eps
    else:
        denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + eps
    param += -step_size * exp_avg / denom


class Adam(Optimizer):
    """``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *, maximize=False)``.
    ``weight_decay`` adds wd·x to the gradient (an L2 penalty); AdamW decays the weights instead."""

    _decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=None):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if capturable or differentiable or fused:
            raise NotImplementedError("minigrad's Adam has no capturable, differentiable or fused variant")
        decoupled = self._decoupled if decoupled_weight_decay is None else bool(decoupled_weight_decay)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable, differentiable=differentiable,
                        fused=fused, decoupled_weight_decay=decoupled)
        super().__init__(params, defaults)

    def _init_state(self, p, amsgrad):
        st = self.state[p]
        st["step"] = step_counter()
        st["exp_avg"] = zeros_state(p._data)
        st["exp_avg_sq"] = zeros_state(p._data)
        if amsgrad:
            st["max_exp_avg_sq"] = zeros_state(p._data)
        return st

    def step(self, closure=None):
        """One update of every parameter that has a gradient.  Returns ``closure()`` if given."""
        loss = self._evaluate(closure)
        state, kernel = self.state, _fused.adam_update
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            weight_decay, amsgrad, maximize = group["weight_decay"], group["amsgrad"], group["maximize"]
            decoupled = group["decoupled_weight_decay"]
            scalars = {}  # (dtype, step) -> the kernel's scalar arguments
            for p in group["params"]:
                grad = p._grad  # parameters are leaves
                if grad is None:
                    continue
                st = state.get(p) or self._init_state(p, amsgrad)
                step_t, m_t, v_t = st["step"], st["exp_avg"], st["exp_avg_sq"]
                step = float(step_t._data) + 1.0
                step_t._data[()] = step
                x, g, m, v = p._data, grad._data, m_t._data, v_t._data
                vmax = st["max_exp_avg_sq"]._data if amsgrad else m
                if x.itemsize >= 4:
                    key = (x.dtype, step)
                    c = scalars.get(key)
                    if c is None:
                        c = scalars[key] = _kernel_scalars(x.dtype.type, step, lr, beta1, beta2, eps, weight_decay,
                                                           decoupled, amsgrad, maximize)
                    kernel(x, g, m, v, vmax, *c)
                else:  # float16: numba has no arithmetic for it
                    adam_reference(x, g, m, v, vmax, step=step, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                                   weight_decay=weight_decay, decoupled=decoupled, amsgrad=amsgrad,
                                   maximize=maximize)
                p._version_counter[0] += 1
                m_t._version_counter[0] += 1
                v_t._version_counter[0] += 1
        return loss


def _kernel_scalars(t, step, lr, beta1, beta2, eps, weight_decay, decoupled, amsgrad, maximize):
    """The arguments of ``_fused.adam_update`` after the arrays: computed in Python floats as
    torch does, then cast to the parameter's dtype ``t`` (as torch casts a Python scalar)."""
    weight = 1 - beta1
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    step_size = lr / bias_correction1
    return (t(weight_decay), t(1 - lr * weight_decay), decoupled, t(weight), abs(weight) < 0.5,
            t(1) - t(weight), t(beta2), t(1 - beta2), t(bias_correction2 ** 0.5), t(eps), t(-step_size),
            amsgrad, maximize)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): x ← x·(1 - lr·wd) before the Adam step.
    ``AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False)``."""

    _decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize, foreach=foreach,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

