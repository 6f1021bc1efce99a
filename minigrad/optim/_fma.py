"""``fma(a, b, c)``: a·b + c with ONE rounding, as torch's CPU kernels compute ``add(alpha=)``,
``addcmul`` and ``lerp``.

torch's vectorised CPU kernels are compiled with fused multiply-add contraction, so on
an FMA-capable CPU (every x86-64 with AVX2, every ARMv8) ``s.add_(a, alpha=v)`` is
fma(v, a, s), ``s.addcmul_(a, b, value=v)`` is fma(v·a, b, s) and ``s.lerp_(e, w)`` is
fma(w, e - s, s); numpy would round twice.  LLVM's ``llvm.fma`` intrinsic is always the
correctly rounded fma (in hardware, or a library call), so results are bit-identical.
float16 is computed in float64 (exact product) and rounded once more.

Under ``NUMBA_DISABLE_JIT=1`` the loop runs as plain Python and :func:`fma_scalar` computes
the same correctly rounded result exactly, with fractions (slow, but bit-identical).
"""
from fractions import Fraction

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, overload

from minigrad.kernels._cache import cached_njit


@intrinsic
def _fma_intrinsic(typingctx, a, b, c):
    if isinstance(a, types.Float) and a == b == c:
        def codegen(context, builder, signature, args):
            lty = args[0].type
            suffix = "f64" if isinstance(lty, ir.DoubleType) else "f32"
            fnty = ir.FunctionType(lty, [lty, lty, lty])
            fn = cgutils.get_or_insert_function(builder.module, fnty, f"llvm.fma.{suffix}")
            return builder.call(fn, args)
        return a(a, b, c), codegen
    return None


def fma_scalar(a, b, c):
    """fma of three numpy scalars (of one dtype when compiled), in plain Python: a·b + c
    computed exactly (fractions), rounded once to the nearest value of the dtype (ties to even)."""
    dt = np.result_type(a, b, c).type
    af, bf, cf = float(a), float(b), float(c)
    if not (np.isfinite(af) and np.isfinite(bf)):
        with np.errstate(all="ignore"):
            return dt(af * bf + cf)     # an inf/nan factor decides, as in hardware
    if not np.isfinite(cf):
        return c                        # finite a·b (even if it overflows) + inf/nan
    exact = Fraction(af) * Fraction(bf) + Fraction(cf)
    try:
        r = dt(float(exact))            # float(Fraction) is correctly rounded to float64
    except OverflowError:
        return dt(np.inf if exact > 0 else -np.inf)
    if dt is np.float64 or not np.isfinite(r):
        return r
    # float32: the float64 rounding above may round twice; pick the nearest neighbour
    best = r
    for cand in (np.nextafter(r, dt(-np.inf)), np.nextafter(r, dt(np.inf))):
        if not np.isfinite(cand):
            continue
        d_best, d_cand = abs(Fraction(float(best)) - exact), abs(Fraction(float(cand)) - exact)
        if d_cand < d_best or (d_cand == d_best and int(cand.view(f"u{cand.itemsize}")) % 2 == 0):
            best = cand
    return best


@overload(fma_scalar)
def _ol_fma_scalar(a, b, c):
    if isinstance(a, types.Float) and a == b == c:
        return lambda a, b, c: _fma_intrinsic(a, b, c)


@cached_njit(nogil=True)
def _fma_loop(a, b, c, out):
    """out[i] = fma(a[i], b[i], c[i]) over flat C-contiguous arrays of one size and dtype."""
    for i in range(out.size):
        out[i] = fma_scalar(a[i], b[i], c[i])


# the name compiled kernels import (``minigrad/optim/_fused.py``): usable compiled and as plain Python
_fma = fma_scalar


def fma(a, b, c, out=None):
    """a·b + c rounded once, broadcast like numpy, in the dtype of the array arguments."""
    dtype = np.result_type(*(x for x in (a, b, c) if isinstance(x, np.ndarray)))
    if dtype == np.float16:
        wide = np.asarray(a, np.float64) * np.asarray(b, np.float64) + np.asarray(c, np.float64)
        result = wide.astype(np.float16)
    else:
        shape = np.broadcast_shapes(np.shape(a), np.shape(b), np.shape(c))
        flat = [np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype), shape)).reshape(-1) for x in (a, b, c)]
        result = np.empty(shape, dtype)
        if result.size:
            _fma_loop(flat[0], flat[1], flat[2], result.reshape(-1))
    if out is None:
        return result
    out[...] = result
    return out
