"""The optimizer updates as single numba loops: one pass over memory per parameter.

Each kernel does, element by element, exactly the arithmetic of the numpy
reference beside its optimizer (``sgd.sgd_reference``, ``adam.adam_reference``),
in the same order and in the parameter's dtype: no fast-math flags, so LLVM may
not fuse a multiply and an add by itself; the fused multiply-adds are explicit
(``_fma``), exactly where torch's CPU kernels have them (``add(alpha=)``,
``addcmul``, ``lerp``), so the results are bit-identical to the reference (a test
checks this) and to torch's.  The scalars arrive already cast to the
parameter's dtype, as torch casts a Python scalar before using it.

The arrays may have any layout (``.flat`` walks them in C order; for C-contiguous
arrays it compiles to plain indexing) but must have one size: checked first,
since numba checks no bounds.  float16 takes the numpy reference instead.
Serial on purpose: an optimizer step is memory-bound and short, below where
threads pay.
"""
import math

from minigrad.kernels._cache import cached_njit
from minigrad.optim._fma import _fma


def _jit(fn):
    """Compiled on first call and cached on disk; without a writable cache location
    (a read-only install and no writable home) it still compiles, just every process;
    a damaged cache entry is recompiled (see ``minigrad.kernels._cache``)."""
    return cached_njit(nogil=True, error_model="numpy")(fn)


@_jit
def sgd_update(param, grad, momentum_buffer, weight_decay, momentum, grad_scale_in_buffer, neg_lr,
               use_momentum, first_step, nesterov, maximize):
    """param += -lr · d, where d is the gradient after weight decay and (Nesterov) momentum.

    ``grad_scale_in_buffer`` is 1 - dampening; ``first_step`` means the buffer starts as d."""
    if grad.size != param.size or momentum_buffer.size != param.size:
        raise ValueError("sgd_update: arrays of different sizes")
    x, g_all, buf = param.flat, grad.flat, momentum_buffer.flat
    for i in range(param.size):
        d = -g_all[i] if maximize else g_all[i]
        if weight_decay != 0:
            d = _fma(weight_decay, x[i], d)                  # L2 penalty: d/dx (wd/2)·x² = wd·x
        if use_momentum:
            if first_step:
                b = d
            else:
                b = _fma(grad_scale_in_buffer, d, buf[i] * momentum)
            buf[i] = b
            d = _fma(momentum, b, d) if nesterov else b
        x[i] = _fma(neg_lr, d, x[i])


@_jit
def adam_update(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, weight_decay, decay_factor, decoupled,
                beta1_weight, beta1_small, one_minus_beta1_weight, beta2, one_minus_beta2, bias_correction2_sqrt,
                eps, neg_step_size, amsgrad, maximize):
    """One Adam/AdamW step: the moment averages, then param += -step_size · m / (√v / √bc2 + eps).

    ``beta1_weight`` is 1 - beta1, the lerp weight of the first moment; ``decay_factor`` is
    1 - lr·wd (AdamW's decoupled decay)."""
    n = param.size
    if grad.size != n or exp_avg.size != n or exp_avg_sq.size != n or max_exp_avg_sq.size != n:
        raise ValueError("adam_update: arrays of different sizes")
    x, g_all, m_all, v_all, vmax_all = param.flat, grad.flat, exp_avg.flat, exp_avg_sq.flat, max_exp_avg_sq.flat
    for i in range(n):
        g = -g_all[i] if maximize else g_all[i]
        p = x[i]
        if weight_decay != 0:
            if decoupled:
                p = p * decay_factor
            else:
                g = _fma(weight_decay, p, g)
        m = m_all[i]
        if beta1_small:                                      # torch's lerp, in its two forms
            m = _fma(beta1_weight, g - m, m)
        else:
            m = _fma(-one_minus_beta1_weight, g - m, g)
        m_all[i] = m
        v = _fma(one_minus_beta2 * g, g, v_all[i] * beta2)
        v_all[i] = v
        if amsgrad:
            if vmax_all[i] > v or math.isnan(vmax_all[i]):
                v = vmax_all[i]
            vmax_all[i] = v
        denom = math.sqrt(v) / bias_correction2_sqrt + eps
        x[i] = p + neg_step_size * m / denom
