"""Adamax, NAdam and RAdam, with torch's single-tensor update rules (see ``_rules`` for the rounding).

Adamax, for each parameter x with gradient g at step t::

    g = g + wd · x;  m = lerp(m, g, 1 - β1);  u = max(β2 · u, |g| + eps)
    x = x - (lr / (1 - β1ᵗ)) · m / u

NAdam (momentum schedule μₜ = β1 (1 - ½ · 0.96^(t · momentum_decay)), Π μ kept as ``mu_product``)::

    m = lerp(m, g, 1 - β1);  v = β2 v + (1 - β2) g²;  d = √(v / (1 - β2ᵗ)) + eps
    x = x - lr (1 - μₜ) / (1 - Π μ) · g / d - lr μₜ₊₁ / (1 - Π μ · μₜ₊₁) · m / d

RAdam (ρ∞ = 2 / (1 - β2) - 1, ρₜ = ρ∞ - 2 t β2ᵗ / (1 - β2ᵗ))::

    m̂ = m / (1 - β1ᵗ);  x = x - m̂ · lr · √(1 - β2ᵗ) / (√v + eps) · r   if ρₜ > 5   else   x - m̂ · lr
    r = √((ρₜ - 4)(ρₜ - 2) ρ∞ / ((ρ∞ - 4)(ρ∞ - 2) ρₜ))

``decoupled_weight_decay`` (NAdam, RAdam) multiplies x by 1 - lr · wd instead of adding wd · x to g.
"""
import numpy as np

from minigrad.optim._rules import (NumpyOptimizer, add_scaled, addcdiv, addcmul, bump, check_betas, check_range,
                                   lerp_, scalar_state)
from minigrad.optim.optimizer import zeros_state


def _check(lr, betas, eps, weight_decay):
    check_range("learning rate", lr)
    check_range("epsilon value", eps)
    check_betas(betas)
    check_range("weight_decay value", weight_decay)


def _weight_decay(x, g, group, t, decoupled):
    """Apply weight decay: returns the gradient to use."""
    weight_decay = group["weight_decay"]
    if weight_decay == 0:
        return g
    if decoupled:
        x *= t(1 - group["lr"] * weight_decay)
        return g
    return add_scaled(g, x, weight_decay, t)


class Adamax(NumpyOptimizer):
    """``Adamax(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, *, maximize=False)``."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        _check(lr, betas, eps, weight_decay)
        if capturable or differentiable:
            raise NotImplementedError("minigrad's Adamax has no capturable or differentiable variant")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def init_state(self, p, group):
        return {"step": scalar_state(0.0), "exp_avg": zeros_state(p._data), "exp_inf": zeros_state(p._data)}

    def update(self, x, g, state, group, t):
        (beta1, beta2), lr = group["betas"], group["lr"]
        step = bump(state["step"])
        g = _weight_decay(x, g, group, t, False)
        m, u = state["exp_avg"]._data, state["exp_inf"]._data
        lerp_(m, g, 1 - beta1, t)
        u *= t(beta2)
        np.maximum(u, np.abs(g) + t(group["eps"]), out=u)
        clr = lr / (1 - beta1 ** step)
        x[...] = addcdiv(x, m, u, -clr, t)


class NAdam(NumpyOptimizer):
    """``NAdam(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
    decoupled_weight_decay=False, *, maximize=False)``."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check(lr, betas, eps, weight_decay)
        check_range("momentum_decay value", momentum_decay)
        if capturable or differentiable:
            raise NotImplementedError("minigrad's NAdam has no capturable or differentiable variant")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def init_state(self, p, group):
        return {"step": scalar_state(0.0), "mu_product": scalar_state(1.0), "exp_avg": zeros_state(p._data),
                "exp_avg_sq": zeros_state(p._data)}

    def update(self, x, g, state, group, t):
        (beta1, beta2), lr, decay = group["betas"], group["lr"], group["momentum_decay"]
        step = bump(state["step"])
        bias_correction2 = 1 - beta2 ** step
        g = _weight_decay(x, g, group, t, group["decoupled_weight_decay"])
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * decay)))
        mu_product = bump(state["mu_product"], mu)
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        lerp_(m, g, 1 - beta1, t)
        v[...] = addcmul(v * t(beta2), g, g, 1 - beta2, t)
        denom = np.sqrt(v / t(bias_correction2))
        denom += t(group["eps"])
        mu_product_next = mu_product * mu_next
        x[...] = addcdiv(x, g, denom, -lr * (1.0 - mu) / (1.0 - mu_product), t)
        x[...] = addcdiv(x, m, denom, (-lr * mu_next) / (1.0 - mu_product_next), t)


class RAdam(NumpyOptimizer):
    """``RAdam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False, *,
    maximize=False)``."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        _check(lr, betas, eps, weight_decay)
        if capturable or differentiable:
            raise NotImplementedError("minigrad's RAdam has no capturable or differentiable variant")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def init_state(self, p, group):
        return {"step": scalar_state(0.0), "exp_avg": zeros_state(p._data), "exp_avg_sq": zeros_state(p._data)}

    def update(self, x, g, state, group, t):
        (beta1, beta2), lr = group["betas"], group["lr"]
        step = bump(state["step"])
        g = _weight_decay(x, g, group, t, group["decoupled_weight_decay"])
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        lerp_(m, g, 1 - beta1, t)
        v[...] = addcmul(v * t(beta2), g, g, 1 - beta2, t)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        corrected = m / t(bias_correction1)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            root = np.sqrt(v)
            root += t(group["eps"])
            adaptive = np.reciprocal(root) * t(bias_correction2 ** 0.5)  # torch: scalar / tensor
            x -= corrected * t(lr) * adaptive * t(rect)   # add(alpha=-1): fma(-1, y, x) is exactly x - y
        else:
            x -= corrected * t(lr)
