"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay (torch's rules).

For each parameter x with gradient g (torch's single-tensor path, in this order)::

    d = g + weight_decay · x                      (if weight_decay != 0)
    b = d                                         (first step)
    b = momentum · b + (1 - dampening) · d        (later steps)
    d = d + momentum · b   if nesterov   else   b  (if momentum != 0)
    x = x - lr · d

Each "a + s · b" is one fused multiply-add (one rounding), as torch's ``add(alpha=)`` on the CPU.
"""
from minigrad._lazy import LazyModule
from minigrad.optim._rules import add_scaled
from minigrad.optim.optimizer import Optimizer, required, zeros_state

_fused = LazyModule("minigrad.optim._fused")  # numba: imported on the first step


def sgd_reference(param, grad, momentum_buffer, *, lr, momentum, dampening, weight_decay, nesterov, maximize,
                  first_step):
    """The update in plain numpy, on arrays, in place: the reference the fused kernel must match."""
    t = param.dtype.type
    d = -grad if maximize else grad
    if weight_decay != 0:
        d = add_scaled(d, param, weight_decay, t)
    if momentum != 0:
        if first_step:
            momentum_buffer[...] = d
        else:
            momentum_buffer[...] = add_scaled(momentum_buffer * t(momentum), d, 1 - dampening, t)
        d = add_scaled(d, momentum_buffer, momentum, t) if nesterov else momentum_buffer
    param[...] = add_scaled(param, d, -lr, t)


class SGD(Optimizer):
    """``SGD(params, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False)``."""

    def __init__(self, params, lr=required, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        if lr is not required and lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if differentiable or fused:
            raise NotImplementedError("minigrad's SGD has no differentiable or fused variant")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach, differentiable=differentiable,
                        fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One update of every parameter that has a gradient.  Returns ``closure()`` if given."""
        loss = self._evaluate(closure)
        state, kernel = self.state, _fused.sgd_update
        for group in self.param_groups:
            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
            weight_decay, nesterov, maximize = group["weight_decay"], group["nesterov"], group["maximize"]
            use_momentum = momentum != 0
            scalars = {}  # dtype -> the hyper-parameters cast to it, as torch casts a Python scalar
            for p in group["params"]:
                grad = p._grad  # parameters are leaves
                if grad is None:
                    continue
                x = p._data
                buf, first = x, False  # without momentum the kernel ignores the buffer
                if use_momentum:
                    st = state[p]
                    buf_t = st.get("momentum_buffer")
                    if buf_t is None:
                        buf_t = st["momentum_buffer"] = zeros_state(x)
                        first = True
                    buf = buf_t._data
                    buf_t._version_counter[0] += 1
                if x.itemsize >= 4:
                    c = scalars.get(x.dtype)
                    if c is None:
                        t = x.dtype.type
                        c = scalars[x.dtype] = (t(weight_decay), t(momentum), t(1 - dampening), t(-lr))
                    kernel(x, grad._data, buf, c[0], c[1], c[2], c[3], use_momentum, first, nesterov, maximize)
                else:  # float16: numba has no arithmetic for it
                    sgd_reference(x, grad._data, buf, lr=lr, momentum=momentum, dampening=dampening,
                                  weight_decay=weight_decay, nesterov=nesterov, maximize=maximize, first_step=first)
                p._version_counter[0] += 1
        return loss
