"""RMSprop and Adagrad, with torch's single-tensor update rules.

RMSprop, for each parameter x with gradient g (g = -g if maximize)::

    g = g + wd · x                                     (weight_decay != 0)
    v = α · v + (1 - α) · g²                           square_avg
    ḡ = lerp(ḡ, g, 1 - α); avg = √(v - ḡ²) + eps       centered (grad_avg)  | avg = √v + eps
    b = μ · b + g / avg; x = x - lr · b                momentum > 0         | x = x - lr · g / avg

Adagrad::

    g = g + wd · x;  s = s + g²;  x = x - clr · g / (√s + eps),  clr = lr / (1 + (t - 1) · lr_decay)
"""
import numpy as np

from minigrad.optim._rules import (NumpyOptimizer, add_scaled, addcdiv, addcmul, bump, check_range, lerp_,
                                   scalar_state)
from minigrad.optim.optimizer import zeros_state
from minigrad.tensor import Tensor


class RMSprop(NumpyOptimizer):
    """``RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, *,
    maximize=False)``."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_range("learning rate", lr)
        check_range("epsilon value", eps)
        check_range("momentum value", momentum)
        check_range("weight_decay value", weight_decay)
        check_range("alpha value", alpha)
        if capturable or differentiable:
            raise NotImplementedError("minigrad's RMSprop has no capturable or differentiable variant")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach, maximize=maximize,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def init_state(self, p, group):
        state = {"step": scalar_state(0.0), "square_avg": zeros_state(p._data)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros_state(p._data)
        if group["centered"]:
            state["grad_avg"] = zeros_state(p._data)
        return state

    def update(self, x, g, state, group, t):
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        weight_decay, momentum = group["weight_decay"], group["momentum"]
        bump(state["step"])
        if weight_decay != 0:
            g = add_scaled(g, x, weight_decay, t)
        v = state["square_avg"]._data
        v[...] = addcmul(v * t(alpha), g, g, 1 - alpha, t)
        if group["centered"]:
            mean = state["grad_avg"]._data
            lerp_(mean, g, 1 - alpha, t)
            avg = np.sqrt(addcmul(v, mean, mean, -1, t))
        else:
            avg = np.sqrt(v)
        avg += t(eps)
        if momentum > 0:
            buf = state["momentum_buffer"]._data
            buf[...] = addcdiv(buf * t(momentum), g, avg, 1, t)
            x[...] = add_scaled(x, buf, -lr, t)
        else:
            x[...] = addcdiv(x, g, avg, -lr, t)


class Adagrad(NumpyOptimizer):
    """``Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, *,
    maximize=False)``.  As torch, the state (``step``, ``sum``) is made for every parameter at once."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_range("learning rate", lr)
        check_range("lr_decay value", lr_decay)
        check_range("weight_decay value", weight_decay)
        check_range("initial_accumulator_value value", initial_accumulator_value)
        check_range("epsilon value", eps)
        if differentiable or fused:
            raise NotImplementedError("minigrad's Adagrad has no differentiable or fused variant")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p].update(self.init_state(p, group))

    def init_state(self, p, group):
        value = group["initial_accumulator_value"]
        return {"step": scalar_state(0.0), "sum": Tensor._wrap(np.full(p.shape, value, dtype=p._data.dtype))}

    def update(self, x, g, state, group, t):
        lr, weight_decay = group["lr"], group["weight_decay"]
        step = bump(state["step"])
        if weight_decay != 0:
            g = add_scaled(g, x, weight_decay, t)
        clr = lr / (1 + (step - 1) * group["lr_decay"])
        total = state["sum"]._data
        total[...] = addcmul(total, g, g, 1, t)
        std = np.sqrt(total)
        std += t(group["eps"])
        x[...] = addcdiv(x, g, std, -clr, t)
