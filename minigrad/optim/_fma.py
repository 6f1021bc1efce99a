"""``fma(a, b, c)``: a·b + c with ONE rounding, as torch's CPU kernels compute ``add(alpha=)``,
``addcmul`` and ``lerp``.

torch's vectorised CPU kernels are compiled with fused multiply-add contraction, so on
an FMA-capable CPU (every x86-64 with AVX2, every ARMv8) ``s.add_(a, alpha=v)`` is
fma(v, a, s), ``s.addcmul_(a, b, value=v)`` is fma(v·a, b, s) and ``s.lerp_(e, w)`` is
fma(w, e - s, s); numpy would round twice.  LLVM's ``llvm.fma`` intrinsic is always the
correctly rounded fma (in hardware, or a library call), so results are bit-identical.
float16 is computed in float64 (exact product) and rounded once more.
"""
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from minigrad.kernels._cache import cached_njit


@intrinsic
def _fma(typingctx, a, b, c):
    if isinstance(a, types.Float) and a == b == c:
        def codegen(context, builder, signature, args):
            lty = args[0].type
            suffix = "f64" if isinstance(lty, ir.DoubleType) else "f32"
            fnty = ir.FunctionType(lty, [lty, lty, lty])
            fn = cgutils.get_or_insert_function(builder.module, fnty, f"llvm.fma.{suffix}")
            return builder.call(fn, args)
        return a(a, b, c), codegen
    return None


@cached_njit(nogil=True)
def _fma_loop(a, b, c, out):
    """out[i] = fma(a[i], b[i], c[i]) over flat C-contiguous arrays of one size and dtype."""
    for i in range(out.size):
        out[i] = _fma(a[i], b[i], c[i])


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
