"""Shared numba helpers for the kernels: the jit decorator, a vectorisable exp,
LLVM ``maxnum``/``minnum`` and bit casts.

Every ``@intrinsic`` is paired with a plain-Python function plus an ``@overload``
so that ``NUMBA_DISABLE_JIT=1`` runs the kernels as ordinary Python.

Never turn on numba's all-flags fast-math mode: it implies ``nnan``/``ninf``, which deletes
``isnan`` checks and breaks ``-inf`` handling.  The flag sets:

* ``KERNEL_FASTMATH`` (kernels and helpers): no ``reassoc``.  With it LLVM may rewrite
  ``(x - max) - lse`` as ``x - (max + lse)``, or ``lse - (x_y - max)`` as
  ``(lse + max) - x_y``: the small term is rounded away against the large one, and the
  error grows with the logits' magnitude (float32 cross-entropy was off by 5e-4 at
  logits ~1e4, by 1.1 at 1e8, and gave 0 instead of log 3 for ``[-1e30]*3``).
* ``REDUCE_FASTMATH`` = the above + ``reassoc``, only for :func:`radd`: one addition
  that the loop vectorizer may reorder.  A kernel writes a horizontal sum as
  ``s = radd(s, v)``; after inlining only that ``fadd`` carries ``reassoc`` (LLVM
  reassociates an expression only when every node in it allows it), so the sum is
  vectorised while the terms ``v`` -- and everything else -- keep their order.
  Reordering a sum of exps (all >= 0) or of losses changes only its last bits.
* ``EXP_FASTMATH`` for the exp/log helpers (no ``reassoc``: it would fold the
  rounding trick and lose float64 accuracy).

Under ``NUMBA_DISABLE_JIT=1`` every helper runs as plain Python on numpy scalars and
computes what the compiled one does: :func:`fexp`/:func:`flog`/:func:`flog1p` run the
same polynomials (not numpy's own exp/log), and :func:`quiet_in_python` wraps a
kernel so that numpy's inf/nan warnings stay off, as in the compiled code.
"""
from __future__ import annotations

import functools
import hashlib
import os

import numpy as np
import numba
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, overload
from llvmlite import ir

from . import _cache

# No "reassoc" here: see the module docstring (precision at large logits).
KERNEL_FASTMATH = frozenset({"nsz", "arcp", "contract", "afn"})
# Only for radd: a sum does not vectorise unless its adds may be reordered.
REDUCE_FASTMATH = KERNEL_FASTMATH | {"reassoc"}
EXP_FASTMATH = frozenset({"nsz", "contract"})

#: True when ``NUMBA_DISABLE_JIT=1``: the kernels are plain Python functions.
NO_JIT = bool(numba.config.DISABLE_JIT)

_DIR = os.path.dirname(os.path.abspath(__file__))


def _source_salt(names):
    h = hashlib.sha256()
    for name in names:
        with open(os.path.join(_DIR, name), "rb") as f:
            h.update(f.read())
    return h.hexdigest()


# numba's on-disk cache is keyed on the kernel's *own* source file only: editing a
# jitted helper in another module would silently reuse stale machine code.  The
# kernels therefore salt their cache key with a hash of the helper modules.
CACHE_SALT = _source_salt(("_jitmath.py", "validate.py"))

# Kept under its old name for code that imported it; the cache logic lives in _cache.
_SaltedFunctionCache = getattr(_cache, "RobustFunctionCache", None)


def kernel(parallel=False, fastmath=KERNEL_FASTMATH):
    """``njit`` for a kernel: lazy, cached (salted; never fails a call, see ``_cache``),
    nogil, numpy error model."""

    def deco(fn):
        disp = numba.njit(
            cache=False,
            nogil=True,
            parallel=parallel,
            error_model="numpy",
            fastmath=set(fastmath),
            boundscheck=False,
        )(fn)
        # The serial and the prange variant share one Python function, hence
        # one cache index: the salt keeps their entries apart.
        salt = f"{CACHE_SALT}:parallel={bool(parallel)}:fastmath={sorted(fastmath)}"
        return _cache.attach_cache(disp, salt)

    return deco


def helper(fn):
    """``njit`` for a small helper inlined by LLVM into kernels."""
    return numba.njit(nogil=True, error_model="numpy", fastmath=set(KERNEL_FASTMATH))(fn)


@numba.njit(nogil=True, error_model="numpy", fastmath=set(REDUCE_FASTMATH))
def radd(s, v):
    """``s + v`` as a step of a sum reduction: ``s = radd(s, v)`` in a loop is
    ``s = sum(v)`` in any order, so the loop vectorises.  Only this ``fadd`` carries
    ``reassoc`` (``REDUCE_FASTMATH``); how ``v`` was computed is left alone."""
    return s + v


def quiet_in_python(disp):
    """A kernel as is; under ``NUMBA_DISABLE_JIT=1`` (plain Python on numpy scalars)
    wrapped in ``np.errstate(all="ignore")``: numpy would warn on every inf/nan where
    the compiled kernel (numpy error model) silently produces inf/nan."""
    if not NO_JIT:
        return disp

    @functools.wraps(disp)
    def run(*args):
        with np.errstate(all="ignore"):
            return disp(*args)

    return run


# --------------------------------------------------------------------------- #
# LLVM intrinsics
# --------------------------------------------------------------------------- #
def _float_intrinsic(name):
    def gen(typingctx, a, b):
        if isinstance(a, types.Float) and a == b:
            def codegen(context, builder, signature, args):
                lty = args[0].type
                suffix = "f64" if isinstance(lty, ir.DoubleType) else "f32"
                fnty = ir.FunctionType(lty, [lty, lty])
                fn = cgutils.get_or_insert_function(builder.module, fnty, f"llvm.{name}.{suffix}")
                return builder.call(fn, args)

            return a(a, b), codegen
        return None

    return gen


_maxnum = intrinsic(_float_intrinsic("maxnum"))
_minnum = intrinsic(_float_intrinsic("minnum"))


def fmax(a, b):
    """max ignoring nan (LLVM maxnum): vectorises as a reduction."""
    return np.fmax(a, b)


def fmin(a, b):
    """min ignoring nan (LLVM minnum)."""
    return np.fmin(a, b)


@overload(fmax, inline="never")
def _ol_fmax(a, b):
    if isinstance(a, types.Float) and a == b:
        return lambda a, b: _maxnum(a, b)


@overload(fmin, inline="never")
def _ol_fmin(a, b):
    if isinstance(a, types.Float) and a == b:
        return lambda a, b: _minnum(a, b)


@intrinsic
def _bits_as_float(typingctx, i):
    if i == types.int64:
        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], ir.DoubleType())

        return types.float64(i), codegen
    if i == types.int32:
        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], ir.FloatType())

        return types.float32(i), codegen
    return None


@intrinsic
def _float_as_bits(typingctx, f):
    if f == types.float64:
        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], ir.IntType(64))

        return types.int64(f), codegen
    if f == types.float32:
        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], ir.IntType(32))

        return types.int32(f), codegen
    return None


def float_as_bits(f):
    """Reinterpret a float64 (float32) as its int64 (int32) bit pattern."""
    if isinstance(f, np.float32):
        return np.array(f, np.float32).view(np.int32)[()]
    return np.array(f, np.float64).view(np.int64)[()]


@overload(float_as_bits)
def _ol_float_as_bits(f):
    if f in (types.float64, types.float32):
        return lambda f: _float_as_bits(f)


def bits_as_float(i):
    """Reinterpret an int64 (int32) bit pattern as a float64 (float32)."""
    if isinstance(i, np.int32):
        return np.array(i, np.int32).view(np.float32)[()]
    return np.array(i, np.int64).view(np.float64)[()]


@overload(bits_as_float)
def _ol_bits_as_float(i):
    if i in (types.int64, types.int32):
        return lambda i: _bits_as_float(i)


# --------------------------------------------------------------------------- #
# exp
# --------------------------------------------------------------------------- #
_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01  # low 32 bits zero: k * LN2_HI is exact
_LN2_LO = 1.90821492927058770002e-10
_ROUND64 = 6755399441055744.0  # 1.5 * 2**52: (t + R) - R rounds t to an integer
_ROUND64_BIAS = _ROUND64 + 1023.0

_LN2_HI32 = np.float32(0.693359375)
_LN2_LO32 = np.float32(-2.12194440e-4)
_ROUND32 = np.float32(12582912.0)  # 1.5 * 2**23


def fexp(x):
    """exp that vectorises inside numba loops (float32 and float64).

    float64: ~2e-16 relative error (degree-11 polynomial after reduction by ln 2);
    float32: ~1 ulp (degree 6).  exp(-inf) == 0, exp(nan) is nan, overflow gives inf,
    results in the subnormal range are computed (not flushed).

    As plain Python (``NUMBA_DISABLE_JIT=1``, scalars) it runs the same polynomial.
    """
    with np.errstate(all="ignore"):
        return _exp32(x) if isinstance(x, np.float32) else _exp64(np.float64(x))


# Near-minimax coefficients (mpmath.chebyfit on [-ln2/2, ln2/2], ascending powers);
# the polynomials are evaluated by Estrin's scheme: the dependency chain is what
# limits a vectorised exp on this machine, not the number of FMAs.
_C64 = (1.0, 1.0, 0.5000000000000019, 0.1666666666666668, 0.04166666666648666,
        0.00833333333331949, 0.0013888888952696516, 0.00019841269890340666,
        2.4801485074105115e-05, 2.7557240604663896e-06, 2.763279054211718e-07,
        2.511015364692893e-08)
_C32 = tuple(np.float32(c) for c in (1.0, 1.0000000379432992, 0.5000000047401394,
                                      0.1666641450716956, 0.04166635163844457,
                                      0.008375210200870016, 0.0013941213100006334))
_A0, _A1, _A2, _A3, _A4, _A5, _A6, _A7, _A8, _A9, _A10, _A11 = _C64
_B0, _B1, _B2, _B3, _B4, _B5, _B6 = _C32


def _exp64(x):
    xc = fmin(fmax(x, -750.0), 710.0)
    kf = (xc * _LOG2E + _ROUND64) - _ROUND64
    r = (xc - kf * _LN2_HI) - kf * _LN2_LO
    r2 = r * r
    r4 = r2 * r2
    r8 = r4 * r4
    s0 = (_A0 + _A1 * r) + r2 * (_A2 + _A3 * r)
    s1 = (_A4 + _A5 * r) + r2 * (_A6 + _A7 * r)
    s2 = (_A8 + _A9 * r) + r2 * (_A10 + _A11 * r)
    p = (s0 + r4 * s1) + r8 * s2
    # 2**k as 2**k1 * 2**k2 (k1 + k2 = k, both in the normal range, so subnormal
    # results round once).  The exponent bits come from the rounding trick:
    # bits(k1 + R + 1023) = bits(R) + k1 + 1023 and bits(R) has 12 zero low bits,
    # so shifting left by 52 leaves (k1 + 1023) << 52.  No float->int64 conversion
    # (which AVX2 lacks) and no 64-bit arithmetic shift.
    kf1 = (kf * 0.5 + _ROUND64) - _ROUND64
    kf2 = kf - kf1
    s1 = bits_as_float(float_as_bits(kf1 + _ROUND64_BIAS) << 52)
    s2 = bits_as_float(float_as_bits(kf2 + _ROUND64_BIAS) << 52)
    res = (p * s1) * s2
    return res if x == x else x


def _exp32(x):
    xc = fmin(fmax(x, np.float32(-110.0)), np.float32(90.0))
    kf = (xc * np.float32(_LOG2E) + _ROUND32) - _ROUND32
    r = (xc - kf * _LN2_HI32) - kf * _LN2_LO32
    r2 = r * r
    r4 = r2 * r2
    p = ((_B0 + _B1 * r) + r2 * (_B2 + _B3 * r)) + r4 * ((_B4 + _B5 * r) + r2 * _B6)
    k = np.int32(kf)
    k1 = np.int32(k >> 1)
    k2 = np.int32(k - k1)
    s1 = bits_as_float(np.int32((k1 + 127) << 23))
    s2 = bits_as_float(np.int32((k2 + 127) << 23))
    res = (p * s1) * s2
    return res if x == x else x


@overload(fexp, jit_options={"fastmath": set(EXP_FASTMATH), "error_model": "numpy"})
def _ol_fexp(x):
    if x == types.float64:
        return _exp64
    if x == types.float32:
        return _exp32


# --------------------------------------------------------------------------- #
# dtype-generic scalars (keep float32 kernels in float32)
# --------------------------------------------------------------------------- #
def scalar_of(arr, v):
    """``v`` as a scalar of ``arr``'s dtype."""
    return arr.dtype.type(v)


@overload(scalar_of)
def _ol_scalar_of(arr, v):
    if isinstance(arr, types.Array):
        if arr.dtype == types.float32:
            return lambda arr, v: np.float32(v)
        if arr.dtype == types.float64:
            return lambda arr, v: np.float64(v)


# --------------------------------------------------------------------------- #
# log
# --------------------------------------------------------------------------- #
# fdlibm's reduction and minimax polynomials (e_log.c / e_logf.c): x = 2**k * m,
# m in [sqrt(2)/2, sqrt(2)), f = m - 1, s = f / (2 + f),
# log(m) = f - hfsq + s * (hfsq + R(s*s)).
_LG1, _LG2, _LG3, _LG4, _LG5, _LG6, _LG7 = (
    6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01,
    2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01,
    1.479819860511658591e-01)
_LF1, _LF2, _LF3, _LF4 = (np.float32(0.66666662693), np.float32(0.40000972152),
                          np.float32(0.28498786688), np.float32(0.24279078841))
_LN2_HI32L = np.float32(6.9313812256e-01)
_LN2_LO32L = np.float32(9.0580006145e-06)
_SQRT2 = 1.4142135623730951
_TWO52_BIAS = 4503599627370496.0 + 1023.0


def flog(x):
    """Natural log that vectorises inside numba loops (float32 and float64): ~1 ulp,
    log(0) = -inf, log(inf) = inf, log(x < 0) and log(nan) = nan, subnormals handled.
    As plain Python (``NUMBA_DISABLE_JIT=1``, scalars) it runs the same code."""
    with np.errstate(all="ignore"):
        return _log32(x) if isinstance(x, np.float32) else _log64(np.float64(x))


def _log64(x):
    tiny = x < 2.2250738585072014e-308
    xs = x * 18014398509481984.0 if tiny else x          # 2**54
    bits = float_as_bits(xs)
    mb = (bits & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000
    m = bits_as_float(mb)
    # biased exponent as a float without int64->float conversion (AVX2 has none)
    ef = bits_as_float((bits >> 52) | 0x4330000000000000) - _TWO52_BIAS
    big = m > _SQRT2
    m = m * 0.5 if big else m
    ef = ef + 1.0 if big else ef
    ef = ef - 54.0 if tiny else ef
    f = m - 1.0
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (_LG2 + w * (_LG4 + w * _LG6))
    t2 = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7)))
    R = t2 + t1
    hfsq = 0.5 * f * f
    res = ef * _LN2_HI - ((hfsq - (s * (hfsq + R) + ef * _LN2_LO)) - f)
    res = np.inf if x == np.inf else res
    res = -np.inf if x == 0.0 else res
    return res if x >= 0.0 else np.nan    # x < 0 and nan


def _log32(x):
    tiny = x < np.float32(1.17549435e-38)
    xs = x * np.float32(33554432.0) if tiny else x        # 2**25
    bits = float_as_bits(xs)
    m = bits_as_float(np.int32((bits & np.int32(0x007FFFFF)) | np.int32(0x3F800000)))
    ef = np.float32(np.int32(bits >> np.int32(23)) - np.int32(127))
    big = m > np.float32(_SQRT2)
    m = m * np.float32(0.5) if big else m
    ef = ef + np.float32(1.0) if big else ef
    ef = ef - np.float32(25.0) if tiny else ef
    f = m - np.float32(1.0)
    s = f / (np.float32(2.0) + f)
    z = s * s
    w = z * z
    t1 = w * (_LF2 + w * _LF4)
    t2 = z * (_LF1 + w * _LF3)
    R = t2 + t1
    hfsq = np.float32(0.5) * f * f
    res = ef * _LN2_HI32L - ((hfsq - (s * (hfsq + R) + ef * _LN2_LO32L)) - f)
    res = np.float32(np.inf) if x == np.float32(np.inf) else res
    res = np.float32(-np.inf) if x == np.float32(0.0) else res
    return res if x >= np.float32(0.0) else np.float32(np.nan)


@overload(flog, jit_options={"fastmath": set(EXP_FASTMATH), "error_model": "numpy"})
def _ol_flog(x):
    if x == types.float64:
        return _log64
    if x == types.float32:
        return _log32


def flog1p(z):
    """log(1 + z) for z > -1, vectorisable; accurate for tiny z (compiled without
    ``reassoc``, which would fold the compensation ``(1 + z) - 1`` to ``z``)."""
    with np.errstate(all="ignore"):
        return _log1p32(z) if isinstance(z, np.float32) else _log1p64(np.float64(z))


def _log1p64(z):
    u = z + 1.0
    d = u - 1.0
    r = z if d == 0.0 else flog(u) * (z / d)
    return u if u == np.inf else r


def _log1p32(z):
    u = z + np.float32(1.0)
    d = u - np.float32(1.0)
    r = z if d == np.float32(0.0) else flog(u) * (z / d)
    return u if u == np.float32(np.inf) else r


@overload(flog1p, jit_options={"fastmath": set(EXP_FASTMATH), "error_model": "numpy"})
def _ol_flog1p(z):
    if z == types.float64:
        return _log1p64
    if z == types.float32:
        return _log1p32


# --------------------------------------------------------------------------- #
# row-block transposes for the few-classes paths
# --------------------------------------------------------------------------- #
#: rows per transposed block
ROWBLOCK = 64


@helper
def transpose_in(src, b0, n, R, T):
    """T[c*R + r] = src[b0 + r, c] for r < n: a block of rows, class-major."""
    C = src.shape[1]
    for r in range(n):
        for c in range(C):
            T[c * R + r] = src[b0 + r, c]


@helper
def transpose_out(T, b0, n, R, dst):
    C = dst.shape[1]
    for r in range(n):
        for c in range(C):
            dst[b0 + r, c] = T[c * R + r]
