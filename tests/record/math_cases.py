"""Math cases recorded from torch and replayed on minigrad: elementwise math, reductions,
norms and matrix products.  Same code, either module (``m`` is ``torch`` or ``minigrad``).

- ``CASES``: ``fn(m, *tensors) -> Tensor``, differentiated to first and second order (third for
  ``third=True``) with ``run_higher`` of ``higher_cases.py``, per float dtype
- ``FORWARD``: values and dtypes only (integer and bool inputs, index outputs, logic, bits)
- ``ERRORS``: code that must raise torch's error type and message
- ``REPRS``: ``repr`` of results (``return_types``)

``record_math.py`` stores them in ``tests/expected/math.npz``; ``tests/ops`` replays them.
Torch-free: imports numpy and ``common`` only.
"""
import numpy as np

from common import Case, floats, given, ints, mask, nonzero, positive
from higher_cases import HCase

NAN, INF = float("nan"), float("inf")
unit = floats(3, 4, low=-0.9, high=0.9)  # inside (-1, 1): asin, acos, atanh


def _std_mean(m, a):
    s, mu = m.std_mean(a, 1)
    return s * 2 + mu


def _var_mean(m, a):
    v, mu = m.var_mean(a, (0, 2), keepdim=True, correction=0)
    return v * mu


def _aminmax(m, a):
    r = a.aminmax(dim=1)
    return r.min * 2 + r.max


def _inplace_chain(m, a, b):
    h = a * 1.0
    h.sin_()
    h.atan2_(b)
    h.lerp_(b, 0.25)
    h.clamp_(-0.5, 0.5)
    return h


def _inplace_ops(m, a, b):
    outs = []
    for name, args in [("floor_", ()), ("frac_", ()), ("fmod_", (1.5,)), ("remainder_", (b,)), ("exp2_", ()),
                       ("round_", ()), ("nan_to_num_", ()), ("reciprocal_", ())]:
        h = a.clone()
        outs.append(getattr(h, name)(*args))
        outs.append(h)
    h = a.clone()
    h //= b
    outs.append(h)
    h = a.clone()
    h %= 0.75
    outs.append(h)
    return outs


def _inplace_int(m, a):
    h = a.clone()
    h //= 2
    k = a.clone()
    k %= 3
    j = a.clone()
    j &= 6
    j |= 1
    j ^= 3
    return [h, k, j, a.clone().floor_divide_(4), a.clone().bitwise_not_(), a.clone().sign_()]


CASES = [
    HCase("inplace_chain", _inplace_chain, [floats(3, 4), nonzero(4)]),
    # ---- one input, floating point
    HCase("sin", lambda m, a: a.sin(), [floats(3, 4)], third=True),
    HCase("cos", lambda m, a: m.cos(a), [floats(3, 4)], third=True),
    HCase("tan", lambda m, a: a.tan(), [floats(3, 4, low=-1.2, high=1.2)], third=True),
    HCase("asin", lambda m, a: m.asin(a), [unit]),
    HCase("acos", lambda m, a: a.acos(), [unit]),
    HCase("arcsin_alias", lambda m, a: m.arcsin(a), [floats(5, low=-0.9, high=0.9)]),
    HCase("atan", lambda m, a: a.atan(), [floats(3, 4)]),
    HCase("sinh", lambda m, a: a.sinh(), [floats(3, 4)]),
    HCase("cosh", lambda m, a: m.cosh(a), [floats(3, 4)]),
    HCase("asinh", lambda m, a: a.asinh(), [floats(3, 4)]),
    HCase("atanh", lambda m, a: m.atanh(a), [unit]),
    HCase("exp2", lambda m, a: a.exp2(), [floats(3, 4)]),
    HCase("log1p", lambda m, a: m.log1p(a), [floats(3, 4, low=-0.9, high=3.0)]),
    HCase("expm1", lambda m, a: a.expm1(), [floats(3, 4)]),
    HCase("log2", lambda m, a: a.log2(), [positive(3, 4)]),
    HCase("log10", lambda m, a: m.log10(a), [positive(3, 4)]),
    HCase("rsqrt", lambda m, a: a.rsqrt(), [positive(3, 4)], third=True),
    HCase("reciprocal", lambda m, a: m.reciprocal(a), [nonzero(3, 4)]),
    HCase("square", lambda m, a: m.square(a), [floats(3, 4)]),
    HCase("erf", lambda m, a: a.erf(), [floats(3, 4, low=-3.0, high=3.0)], third=True),
    HCase("erf_tails", lambda m, a: m.erf(a), [given([-6.0, -1e-8, 0.0, 1e-3, 0.5, 2.5, 5.9])]),
    HCase("erfc", lambda m, a: a.erfc(), [floats(3, 4, low=-3.0, high=5.0)]),
    HCase("frac", lambda m, a: a.frac(), [floats(3, 4, low=-5.0, high=5.0)]),
    HCase("floor", lambda m, a: a.floor() * a, [floats(3, 4, low=-5.0, high=5.0)]),
    HCase("ceil", lambda m, a: m.ceil(a) * a, [floats(3, 4, low=-5.0, high=5.0)]),
    HCase("trunc", lambda m, a: a.trunc() * a, [floats(3, 4, low=-5.0, high=5.0)]),
    HCase("round", lambda m, a: m.round(a) * a, [floats(3, 4, low=-5.0, high=5.0)]),
    HCase("round_half_even", lambda m, a: a.round() + a, [given([0.5, 1.5, 2.5, -0.5, -1.5, 3.49])]),
    HCase("round_decimals", lambda m, a: a.round(decimals=2) + a, [floats(3, 4, low=-5.0, high=5.0)]),
    HCase("round_decimals_neg", lambda m, a: m.round(a, decimals=-1) * a, [floats(6, low=-50.0, high=50.0)]),
    HCase("sign", lambda m, a: a.sign() * a, [nonzero(3, 4)]),
    HCase("sgn", lambda m, a: a.sgn() * a, [given([-2.0, 0.0, 3.0, -0.0])]),
    HCase("nan_to_num", lambda m, a: a.nan_to_num() * 2, [given([1.0, NAN, INF, -INF, -2.0])]),
    HCase("nan_to_num_values", lambda m, a: m.nan_to_num(a, nan=0.5, posinf=9.0, neginf=-9.0) * a,
          [given([1.0, NAN, INF, -INF, -2.0])]),
    HCase("clamp_tensor_min", lambda m, a, lo: a.clamp(min=lo), [floats(3, 4), floats(4)]),
    HCase("clamp_tensor_both", lambda m, a, lo, hi: m.clamp(a, lo, hi),
          [floats(3, 4), floats(3, 1, low=-2.0, high=0.0), floats(4, low=0.0, high=2.0)]),
    HCase("clip_tensor_max", lambda m, a, hi: a.clip(max=hi), [floats(2, 3), floats(2, 1)]),
    # ---- two inputs
    HCase("atan2", lambda m, a, b: m.atan2(a, b), [floats(3, 4), nonzero(4)], third=True),
    HCase("atan2_method", lambda m, a, b: a.atan2(b), [floats(2, 3), floats(2, 1)]),
    HCase("hypot", lambda m, a, b: a.hypot(b), [nonzero(3, 4), nonzero(3, 1)]),
    HCase("fmod", lambda m, a, b: m.fmod(a, b), [floats(3, 4, low=-5.0, high=5.0), nonzero(4)]),
    HCase("fmod_scalar", lambda m, a: a.fmod(-1.5), [floats(3, 4, low=-5.0, high=5.0)]),
    HCase("remainder", lambda m, a, b: a.remainder(b), [floats(3, 4, low=-5.0, high=5.0), nonzero(4)]),
    HCase("mod_op", lambda m, a, b: a % b, [floats(3, 4, low=-5.0, high=5.0), nonzero(3, 1)]),
    HCase("mod_scalar", lambda m, a: a % 1.5, [floats(6, low=-5.0, high=5.0)]),
    HCase("maximum", lambda m, a, b: m.maximum(a, b), [floats(3, 4), floats(4)]),
    HCase("minimum_ties", lambda m, a, b: a.minimum(b), [given([1.0, 2.0, 3.0]), given([1.0, 0.0, 3.0])]),
    HCase("fmax_nan", lambda m, a, b: m.fmax(a, b),
          [given([1.0, NAN, 3.0, NAN, 2.0]), given([NAN, 2.0, 1.0, NAN, 2.0])]),
    HCase("fmin", lambda m, a, b: a.fmin(b), [floats(3, 4), floats(3, 1)]),
    HCase("fmin_nan_ties", lambda m, a, b: m.fmin(a, b),
          [given([1.0, NAN, 3.0, 2.0]), given([NAN, 2.0, 1.0, 2.0])]),
    HCase("lerp_scalar", lambda m, a, b: a.lerp(b, 0.3), [floats(3, 4), floats(4)]),
    HCase("lerp_scalar_high", lambda m, a, b: m.lerp(a, b, 0.75), [floats(3, 4), floats(3, 4)]),
    HCase("lerp_tensor", lambda m, a, b, w: m.lerp(a, b, w), [floats(3, 4), floats(3, 4), floats(4, low=-0.5, high=1.5)],
          third=True),
    # ---- reductions: torch's spellings, 0-d tensors
    HCase("sum_keepdims", lambda m, a: a.sum(1, keepdims=True), [floats(3, 4)]),
    HCase("sum_axis", lambda m, a: m.sum(a, axis=(0, 2)), [floats(2, 3, 4)]),
    HCase("mean_keepdims", lambda m, a: a.mean((0, -1), keepdims=True), [floats(2, 3, 4)]),
    HCase("sum_0d_dim0", lambda m, a: a.sum(0) * a, [floats()]),
    HCase("mean_0d_dim_neg", lambda m, a: a.mean(-1, keepdim=True), [floats()]),
    HCase("amax_0d", lambda m, a: a.amax(0) * 2, [floats()]),
    HCase("max_0d_dim", lambda m, a: a.max(0).values * 3, [floats()]),
    HCase("max_keepdims", lambda m, a: a.max(1, keepdims=True).values, [floats(3, 4)]),
    HCase("amax_keepdim_all", lambda m, a: a.amax(keepdim=True), [floats(3, 4)]),
    HCase("amin_dims", lambda m, a: m.amin(a, (0, 2)), [floats(2, 3, 4)]),
    HCase("amin_ties", lambda m, a: a.amin(1), [given([[1.0, 1.0, 2.0], [0.5, 3.0, 0.5]])]),
    HCase("aminmax", _aminmax, [floats(3, 4)]),
    HCase("aminmax_all", lambda m, a: a.aminmax().max - a.aminmax().min, [floats(3, 4)]),
    # ---- std, var
    HCase("std", lambda m, a: a.std(), [floats(3, 4)], third=True),
    HCase("std_dim_keepdim", lambda m, a: m.std(a, (0, 2), keepdim=True), [floats(2, 3, 4)]),
    HCase("std_unbiased_false", lambda m, a: a.std(1, unbiased=False), [floats(3, 4)]),
    HCase("std_positional", lambda m, a: m.std(a, 0, True, True), [floats(3, 4)]),
    HCase("var", lambda m, a: a.var(), [floats(3, 4)], third=True),
    HCase("var_correction", lambda m, a: a.var(dim=1, correction=2), [floats(3, 5)]),
    HCase("var_keepdims", lambda m, a: a.var(0, keepdims=True), [floats(3, 4)]),
    HCase("std_mean", _std_mean, [floats(3, 4)]),
    HCase("var_mean", _var_mean, [floats(2, 3, 4)]),
    # ---- products and scans
    HCase("prod", lambda m, a: a.prod(), [nonzero(3, 4)], third=True),
    HCase("prod_dim", lambda m, a: m.prod(a, 1), [floats(3, 4)]),
    HCase("prod_dim_keepdim", lambda m, a: a.prod(0, keepdim=True), [floats(3, 4)]),
    HCase("prod_one_zero", lambda m, a: a.prod(), [given([2.0, 0.0, 3.0, -1.5])], third=True),
    HCase("prod_two_zeros", lambda m, a: a.prod(), [given([2.0, 0.0, 3.0, 0.0])], third=True),
    HCase("prod_dim_zeros", lambda m, a: a.prod(1), [given([[2.0, 0.0, 3.0], [0.0, 0.0, 1.0], [1.5, 2.0, -1.0]])],
          third=True),
    HCase("cumsum", lambda m, a: a.cumsum(1), [floats(3, 4)]),
    HCase("cumsum_neg_dim", lambda m, a: m.cumsum(a, dim=-3), [floats(3, 2, 4)]),
    HCase("cumsum_0d", lambda m, a: a.cumsum(0) * a, [floats()]),
    HCase("cumprod", lambda m, a: a.cumprod(1), [nonzero(3, 4)], third=True),
    HCase("cumprod_zeros", lambda m, a: m.cumprod(a, 0), [given([2.0, 0.0, 3.0, 0.0, -1.5])], third=True),
    HCase("cumprod_zeros_2d", lambda m, a: a.cumprod(1), [given([[2.0, 0.0, 3.0], [1.0, 0.5, 0.0]])]),
    HCase("logsumexp", lambda m, a: a.logsumexp(1), [floats(3, 4)], third=True),
    HCase("logsumexp_dims_keepdim", lambda m, a: m.logsumexp(a, (0, 2), keepdim=True), [floats(2, 3, 4)]),
    HCase("logsumexp_big", lambda m, a: a.logsumexp(0), [given([1000.0, 999.0, -5.0])]),
    HCase("logsumexp_inf", lambda m, a: a.logsumexp(1), [given([[-INF, -INF], [1.0, -INF]])]),
    HCase("logcumsumexp", lambda m, a: a.logcumsumexp(1), [floats(3, 4)]),
    # float64 only: torch's float32 gradient here is itself off by 2e-5 (its log-space formula)
    HCase("logcumsumexp_big", lambda m, a: m.logcumsumexp(a, 0), [given([1000.0, -3.0, 999.0, 0.5])],
          dtypes=("float64",)),
    # ---- norms
    HCase("norm", lambda m, a: a.norm(), [floats(3, 4)], third=True),
    HCase("norm_p1", lambda m, a: a.norm(1), [nonzero(3, 4)]),
    HCase("norm_inf", lambda m, a: m.norm(a, float("inf"), dim=1), [floats(3, 4)]),
    HCase("norm_inf_ties", lambda m, a: a.norm(float("inf")), [given([1.0, -3.0, 3.0, 2.0])]),
    HCase("norm_neg_inf", lambda m, a: a.norm(-float("inf"), 0, True), [nonzero(3, 4)]),
    HCase("norm_p3", lambda m, a: a.norm(3, dim=(0, 1)), [nonzero(3, 4)], third=True),
    HCase("norm_p_half", lambda m, a: a.norm(0.5), [nonzero(3, 4)]),
    HCase("norm_p0", lambda m, a: a.norm(0) * a, [given([1.0, 0.0, -2.0])]),
    HCase("norm_fro_dim", lambda m, a: a.norm("fro", dim=1, keepdim=True), [floats(3, 4)]),
    HCase("norm_zero_vector", lambda m, a: a.norm(dim=1), [given([[0.0, 0.0], [3.0, 4.0]])]),
    HCase("norm_dtype", lambda m, a: m.norm(a, dim=0, dtype=m.float64), [floats(3, 4)], dtypes=("float32",)),
    HCase("vector_norm", lambda m, a: m.linalg.vector_norm(a), [floats(2, 3, 4)]),
    HCase("vector_norm_ord_dims", lambda m, a: m.linalg.vector_norm(a, ord=3.5, dim=(0, 2), keepdim=True),
          [nonzero(2, 3, 4)]),
    HCase("vector_norm_inf_dtype", lambda m, a: m.linalg.vector_norm(a, float("inf"), dtype=m.float64),
          [floats(3, 4)], dtypes=("float32",)),
    HCase("linalg_norm_vector", lambda m, a: m.linalg.norm(a, 3), [nonzero(5)]),
    HCase("linalg_norm_default", lambda m, a: m.linalg.norm(a), [floats(2, 3, 4)]),
    HCase("linalg_norm_fro", lambda m, a: m.linalg.norm(a, "fro"), [floats(3, 4)]),
    HCase("linalg_norm_matrix_1", lambda m, a: m.linalg.norm(a, 1), [nonzero(3, 4)]),
    HCase("linalg_norm_matrix_inf", lambda m, a: m.linalg.norm(a, float("inf"), dim=(1, 2)), [nonzero(2, 3, 4)]),
    HCase("linalg_norm_matrix_neg1", lambda m, a: m.linalg.matrix_norm(a, -1, keepdim=True), [nonzero(2, 3, 4)]),
    HCase("linalg_norm_dim_int", lambda m, a: m.linalg.norm(a, dim=1), [floats(3, 4)]),
    # ---- order statistics
    HCase("median", lambda m, a: a.median(), [floats(3, 5)]),
    HCase("median_even", lambda m, a: m.median(a), [floats(2, 4)]),
    HCase("median_dim", lambda m, a: a.median(1).values, [floats(3, 5)]),
    HCase("median_dim_keepdims", lambda m, a: m.median(a, 0, keepdims=True).values, [floats(4, 3)]),
    HCase("mode", lambda m, a: a.mode().values, [given([[2.0, 1.0, 1.0, 2.0, 3.0], [0.5, 0.5, 0.5, 1.0, 1.0]])]),
    HCase("mode_dim0", lambda m, a: m.mode(a, 0).values, [given([[2.0, 1.0], [1.0, 1.0], [2.0, 3.0]])]),
    HCase("max_dim_values", lambda m, a: m.max(a, dim=0, keepdim=True).values, [floats(3, 4)]),
    # ---- matrix products
    HCase("mm", lambda m, a, b: a.mm(b), [floats(3, 4), floats(4, 2)]),
    HCase("bmm", lambda m, a, b: m.bmm(a, b), [floats(2, 3, 4), floats(2, 4, 2)], third=True),
    HCase("mv", lambda m, a, b: a.mv(b), [floats(3, 4), floats(4)]),
    HCase("dot", lambda m, a, b: m.dot(a, b), [floats(5), floats(5)]),
    HCase("vdot", lambda m, a, b: a.vdot(b), [floats(5), floats(5)]),
    HCase("outer", lambda m, a, b: m.outer(a, b), [floats(3), floats(4)]),
    HCase("addmm", lambda m, c, a, b: m.addmm(c, a, b), [floats(3, 2), floats(3, 4), floats(4, 2)]),
    HCase("addmm_beta_alpha", lambda m, c, a, b: c.addmm(a, b, beta=0.5, alpha=-2.0),
          [floats(2), floats(3, 4), floats(4, 2)]),
    HCase("addmm_beta0", lambda m, c, a, b: m.addmm(c, a, b, beta=0), [floats(3, 2), floats(3, 4), floats(4, 2)]),
    HCase("baddbmm", lambda m, c, a, b: m.baddbmm(c, a, b, beta=2.0, alpha=0.5),
          [floats(2, 3, 2), floats(2, 3, 4), floats(2, 4, 2)]),
    HCase("addmv", lambda m, c, a, b: m.addmv(c, a, b, alpha=3), [floats(3), floats(3, 4), floats(4)]),
    HCase("tensordot_int", lambda m, a, b: m.tensordot(a, b, 2), [floats(2, 3, 4), floats(3, 4, 5)]),
    HCase("tensordot_lists", lambda m, a, b: m.tensordot(a, b, dims=([0, 2], [2, 0])),
          [floats(2, 3, 4), floats(4, 5, 2)]),
    HCase("tensordot_zero", lambda m, a, b: m.tensordot(a, b, 0), [floats(2), floats(3)]),
    HCase("einsum_matmul", lambda m, a, b: m.einsum("ij,jk->ik", a, b), [floats(3, 4), floats(4, 2)], third=True),
    HCase("einsum_batch", lambda m, a, b: m.einsum("bij,bjk->bik", a, b), [floats(2, 3, 4), floats(2, 4, 5)]),
    HCase("einsum_dot", lambda m, a, b: m.einsum("i,i", a, b), [floats(4), floats(4)]),
    HCase("einsum_implicit", lambda m, a, b: m.einsum("ba,ac", a, b), [floats(3, 4), floats(4, 2)]),
    HCase("einsum_outer", lambda m, a, b: m.einsum("i,j->ij", a, b), [floats(3), floats(2)]),
    HCase("einsum_sum_inside", lambda m, a, b: m.einsum("ij,k->ik", a, b), [floats(3, 4), floats(2)]),
    HCase("einsum_ellipsis", lambda m, a, b: m.einsum("...ij,...jk->...ik", a, b),
          [floats(2, 3, 4), floats(4, 2)]),
    HCase("einsum_list", lambda m, a, b, c: m.einsum("ij,jk,kl->il", [a, b, c]),
          [floats(2, 3), floats(3, 4), floats(4, 2)]),
    HCase("einsum_trace", lambda m, a: m.einsum("ii", a), [floats(3, 3)]),
    HCase("einsum_diagonal", lambda m, a: m.einsum("ii->i", a), [floats(3, 3)]),
    HCase("einsum_batch_diagonal", lambda m, a, b: m.einsum("bii,i->bi", a, b), [floats(2, 3, 3), floats(3)],
          third=True),
    HCase("einsum_transpose", lambda m, a: m.einsum("ijk->kji", a) * 2, [floats(2, 3, 4)]),
    HCase("einsum_bilinear", lambda m, x, w, y: m.einsum("bn,anm,bm->ba", x, w, y),
          [floats(2, 3), floats(4, 3, 5), floats(2, 5)]),
]

I32, I64 = "int32", "int64"
FORWARD = [
    Case("inplace_ops", _inplace_ops, [floats(3, 4, low=-5.0, high=5.0, grad=False), nonzero(4)]),
    Case("inplace_int", _inplace_int, [ints(6, low=-9, high=9)]),
    # ---- integer and bool inputs: result dtypes
    Case("sin_int", lambda m, a: a.sin(), [ints(5)]),
    Case("sqrt_bool_free", lambda m, a: m.cos(a), [mask(5)]),
    Case("float_ops_int", lambda m, a: [a.exp2(), a.rsqrt(), a.reciprocal(), a.erf(), a.log1p(), a.atan(),
                                        a.tan(), a.erfc(), a.expm1(), a.log2()], [ints(5, low=1, high=6)]),
    Case("float_ops_int32", lambda m, a: [a.sinh(), a.log10(), m.asinh(a)], [ints(5, low=1, high=6, dtype=I32)]),
    Case("sign_int", lambda m, a: [a.sign(), a.sgn(), a.floor(), a.ceil(), a.round(), a.trunc(), a.square()],
         [ints(6, low=-3, high=3)]),
    Case("sign_bool", lambda m, a: [a.sign(), a.square()], [mask(6)]),
    Case("sign_special", lambda m, a: a.sign(), [given([-0.0, NAN, -INF, 2.0])]),
    Case("nan_to_num_int", lambda m, a: m.nan_to_num(a), [ints(4)]),
    Case("floordiv_int", lambda m, a, b: [a // b, a % b, m.floor_divide(a, b), a.fmod(b), a.remainder(b)],
         [ints(6, low=-7, high=7), ints(6, low=1, high=4)]),
    Case("floordiv_int_neg", lambda m, a: [a // -3, a % -3, a.fmod(-3), -7 // a, 7 % a], [ints(6, low=1, high=9)]),
    Case("floordiv_float", lambda m, a, b: [a // b, m.floor_divide(a, 2), 2 // a, a // 2.5, a.fmod(b)],
         [floats(6, low=-5, high=5), nonzero(6)]),
    Case("floordiv_int_float", lambda m, a: [a // 2.0, a % 2.5, a.remainder(2.5), m.fmod(a, 1.5)],
         [ints(6, low=-7, high=7)]),
    Case("rmod_forward", lambda m, a: [2.5 % a, 7 % a, m.remainder(2.5, a)], [nonzero(6)]),
    Case("floordiv_zero_float", lambda m, a: [a // 0.0, a % 0.0, m.fmod(a, 0.0)], [given([1.0, -1.0, 0.0])]),
    Case("atan2_int", lambda m, a, b: [m.atan2(a, b), m.fmax(a, b.double()), m.fmin(b, a)],
         [ints(5, low=-3, high=3), ints(5, low=-3, high=3)]),
    Case("isclose", lambda m, a, b: [m.isclose(a, b), a.isclose(b, rtol=0.1, atol=0.01),
                                     m.isclose(a, b, equal_nan=True)],
         [given([1.0, NAN, INF, 2.0, 1e-9]), given([1.05, NAN, INF, 2.000001, 0.0])]),
    Case("isclose_int", lambda m, a, b: m.isclose(a, b, atol=1), [ints(6), ints(6)]),
    Case("isnan_isinf", lambda m, a: [a.isnan(), m.isinf(a), a.isfinite(), m.isfinite(a)],
         [given([1.0, NAN, INF, -INF])]),
    Case("logical", lambda m, a, b, c: [m.logical_and(a, b), a.logical_or(c), m.logical_xor(b, c), m.logical_not(a)],
         [ints(6, low=-1, high=2), floats(6, low=-1, high=1), mask(6)]),
    Case("bitwise_int", lambda m, a, b: [a & b, a | b, a ^ b, ~a, m.bitwise_and(a, 6), a.bitwise_or(b),
                                         m.bitwise_xor(a, b), m.bitwise_not(a), 3 & a, 5 | a, 6 ^ a],
         [ints(6, low=-8, high=8), ints(6, low=0, high=16)]),
    Case("bitwise_mixed", lambda m, a, b: [a & b, b | a, a ^ b, a.bitwise_and(True)],
         [ints(6, low=0, high=4, dtype=I32), mask(6)]),
    Case("bitwise_bool", lambda m, a, b: [a & b, a | b, a ^ b, ~a, m.bitwise_not(b), a & True],
         [mask(6), mask(6)]),
    Case("clamp_int_tensor_bound", lambda m, a, lo: [m.clamp(a, lo), a.clamp(min=lo, max=lo + 2)],
         [ints(5), ints(5, low=1, high=3)]),
    Case("clamp_int_float_tensor", lambda m, a, lo: a.clamp(lo), [ints(5), floats(5, grad=False)]),
    # ---- reductions on integers and bools, indices
    Case("prod_int", lambda m, a, b: [a.prod(), b.prod(), a.prod(0), m.prod(a, 1, True), a.prod(dtype=m.float64)],
         [ints(2, 3, low=-3, high=4), mask(2, 3)]),
    Case("cumsum_int", lambda m, a, b: [a.cumsum(0), b.cumsum(1), a.cumprod(1), a.cumsum(1, dtype=m.float32)],
         [ints(2, 3, low=-3, high=4, dtype=I32), mask(2, 3)]),
    Case("logsumexp_int", lambda m, a: [a.logsumexp(0), m.logsumexp(a, (0,), keepdim=True)], [ints(4)]),
    Case("amax_int", lambda m, a, b: [a.amax(), a.amin(1), b.amax(), m.amin(b, 0), a.aminmax().min,
                                      a.aminmax(dim=0, keepdim=True).max],
         [ints(3, 4, low=-9, high=9), mask(3, 4)]),
    Case("median_int", lambda m, a: [a.median(), a.median(1).values], [given([[3, 1, 2], [9, 7, 8]], dtype=I64)]),
    Case("median_indices", lambda m, a: [a.median(0).indices, a.median(1, keepdim=True).indices],
         [floats(4, 5, grad=False)]),
    Case("median_nan", lambda m, a: [a.median(), a.median(1).values, a.median(1).indices],
         [given([[1.0, NAN, 0.5], [2.0, 1.0, 3.0]], grad=False)]),
    Case("mode_indices", lambda m, a: [a.mode().values, a.mode().indices, a.mode(0, True).indices],
         [given([[2.0, 1.0, 1.0, 2.0], [0.5, 3.0, 0.5, 3.0], [7.0, 7.0, 7.0, 1.0]], grad=False)]),
    Case("mode_int", lambda m, a: [a.mode().values, a.mode(0).indices], [given([[4, 4, 1], [1, 4, 1]], dtype=I64)]),
    Case("indices_0d", lambda m, a: [a.argmax(0), a.argmin(-1), a.max(0).indices, a.min(-1, keepdim=True).indices,
                                     a.argmax(0, keepdims=True), a.median(0).indices],
         [floats(grad=False)]),
    Case("max_keepdims_indices", lambda m, a: [a.max(1, keepdims=True).indices, a.argmax(axis=0, keepdims=True)],
         [floats(3, 4, grad=False)]),
    Case("any_all", lambda m, a, b: [a.any(), a.all(), a.any(1), m.all(a, 0, keepdim=True), b.any((0, 1)),
                                     b.all(dim=(0,), keepdims=True), m.any(b), a.any(axis=0)],
         [ints(3, 4, low=0, high=2), floats(3, 4, grad=False)]),
    Case("count_nonzero", lambda m, a: [a.count_nonzero(), m.count_nonzero(a, 0), a.count_nonzero((0, 1))],
         [ints(3, 4, low=0, high=2)]),
    Case("std_var_0d", lambda m, a: [a.var(0, correction=0), a.std(unbiased=False)], [floats(grad=False)]),
    Case("matmul_int", lambda m, a, b, c: [a.mm(b), m.dot(c, c), m.outer(c, a[0]), m.einsum("ij,j->i", a, c)],
         [ints(3, 3), ints(3, 2), ints(3)]),
    Case("outer_promotes", lambda m, a, b: m.outer(a, b), [ints(3), floats(2, grad=False)]),
]

ERRORS = [
    ("frac_int", lambda m: m.tensor([1, 2]).frac()),
    ("round_decimals_int", lambda m: m.tensor([1, 2]).round(decimals=1)),
    ("hypot_int", lambda m: m.hypot(m.tensor([1]), m.tensor([2]))),
    ("lerp_int", lambda m: m.lerp(m.tensor([1]), m.tensor([2]), 0.5)),
    ("lerp_dtype", lambda m: m.lerp(m.ones(2), m.ones(2, dtype=m.float64), 0.5)),
    ("lerp_weight_dtype", lambda m: m.lerp(m.ones(2), m.ones(2), m.ones(2, dtype=m.float64))),
    ("isclose_dtype", lambda m: m.isclose(m.tensor([1]), m.tensor([1.0]))),
    ("bitwise_float", lambda m: m.ones(2) & m.tensor([1, 2])),
    ("bitwise_float_other", lambda m: m.tensor([1, 2]) | m.ones(2)),
    ("invert_float", lambda m: ~m.ones(2)),
    ("bitwise_not_float", lambda m: m.bitwise_not(m.ones(2))),
    ("floordiv_int_zero", lambda m: m.tensor([1, 2]) // 0),
    ("mod_int_zero", lambda m: m.tensor([1, 2]) % m.tensor([1, 0])),
    ("fmod_int_zero", lambda m: m.fmod(m.tensor([1, 2]), 0)),
    ("floordiv_backward", lambda m: (m.ones(2, requires_grad=True) // 2).sum().backward()),
    ("rmod_backward", lambda m: (2.5 % m.ones(2, requires_grad=True)).sum().backward()),
    ("rfmod_backward", lambda m: m.remainder(2.5, m.ones(2, requires_grad=True)).sum().backward()),
    ("logcumsumexp_int", lambda m: m.tensor([1, 2]).logcumsumexp(0)),
    ("inplace_int_sin", lambda m: m.tensor([1, 2]).sin_()),
    ("inplace_int_floordiv_float", lambda m: m.tensor([1, 2]).__ifloordiv__(2.5)),
    ("inplace_leaf_sin", lambda m: m.ones(2, requires_grad=True).sin_()),
    ("std_int", lambda m: m.tensor([1, 2]).std()),
    ("var_bool", lambda m: m.tensor([True]).var()),
    ("norm_int", lambda m: m.tensor([1, 2]).norm()),
    ("vector_norm_int", lambda m: m.linalg.vector_norm(m.tensor([1, 2]))),
    ("vector_norm_empty_inf", lambda m: m.linalg.vector_norm(m.zeros(0), float("inf"))),
    ("vector_norm_empty_dim", lambda m: m.linalg.vector_norm(m.zeros(2, 0), -float("inf"), dim=1)),
    ("linalg_norm_fro_1d", lambda m: m.linalg.norm(m.ones(3), "fro")),
    ("matrix_norm_1d", lambda m: m.linalg.matrix_norm(m.ones(3))),
    ("linalg_norm_3d_ord", lambda m: m.linalg.norm(m.ones(2, 2, 2), 2)),
    ("mm_1d", lambda m: m.mm(m.ones(3), m.ones(3, 2))),
    ("mm_1d_second", lambda m: m.ones(2, 3).mm(m.ones(3))),
    ("mm_shapes", lambda m: m.mm(m.ones(2, 3), m.ones(2, 3))),
    ("bmm_2d", lambda m: m.bmm(m.ones(2, 3), m.ones(2, 3, 4))),
    ("bmm_2d_second", lambda m: m.bmm(m.ones(2, 2, 3), m.ones(3, 4))),
    ("bmm_batch", lambda m: m.bmm(m.ones(2, 2, 3), m.ones(3, 3, 4))),
    ("bmm_inner", lambda m: m.bmm(m.ones(2, 2, 3), m.ones(2, 4, 4))),
    ("mv_shapes", lambda m: m.mv(m.ones(2, 3), m.ones(4))),
    ("mv_dims", lambda m: m.mv(m.ones(3), m.ones(3))),
    ("dot_2d", lambda m: m.dot(m.ones(2, 2), m.ones(2))),
    ("dot_dtype", lambda m: m.dot(m.ones(2), m.ones(2, dtype=m.float64))),
    ("dot_sizes", lambda m: m.dot(m.ones(3), m.ones(4))),
    ("outer_2d", lambda m: m.outer(m.ones(2, 2), m.ones(2))),
    ("sum_0d_dim1", lambda m: m.tensor(3.0).sum(1)),
    ("amax_0d_dim1", lambda m: m.tensor(3.0).amax(1)),
    ("sum_dims_repeated", lambda m: m.ones(2, 3).std((1, -1))),
    ("amax_empty", lambda m: m.zeros(0).amax()),
    ("amin_empty_dim", lambda m: m.zeros(2, 0).amin(1)),
    ("median_empty_dim", lambda m: m.zeros(2, 0).median(1)),
    ("cumsum_dim", lambda m: m.ones(2, 3).cumsum(2)),
    ("logsumexp_dim", lambda m: m.ones(2, 3).logsumexp(-3)),
    ("einsum_operands", lambda m: m.einsum("ij,jk->ik", m.ones(2, 2))),
    ("einsum_dims", lambda m: m.einsum("ij->i", m.ones(2, 2, 2))),
    ("einsum_sizes", lambda m: m.einsum("ij,jk->ik", m.ones(2, 3), m.ones(4, 2))),
    ("tensordot_sizes", lambda m: m.tensordot(m.ones(2, 3), m.ones(4, 2), 1)),
    ("tensordot_lists", lambda m: m.tensordot(m.ones(2, 3), m.ones(3, 2), ([1, 0], [0]))),
    ("clamp_none", lambda m: m.clamp(m.ones(2))),
]

REPRS = [
    ("max_dim", lambda m: m.tensor([[1.0, 5.0], [3.0, 2.0]]).max(1)),
    ("min_0d", lambda m: m.tensor(2.5).min(0)),
    ("aminmax", lambda m: m.tensor([1.0, 5.0, -2.0]).aminmax()),
    ("median_dim", lambda m: m.tensor([[1.0, 5.0, 3.0]]).median(1, keepdim=True)),
    ("mode", lambda m: m.tensor([1, 1, 2]).mode()),
]


def run_forward(m, case, inputs):
    """A ``FORWARD`` case under ``m``: -> (list of numpy outputs, list of dtype names)."""
    tensors = [m.tensor(a) for a in inputs]
    result = case.fn(m, *tensors)
    outs = list(result) if isinstance(result, (list, tuple)) else [result]
    return [np.array(o.numpy(), copy=True) for o in outs], [str(o.dtype).split(".")[-1] for o in outs]


def run_error(m, fn):
    """-> (type name, message) of what ``fn(m)`` raises, or None."""
    try:
        fn(m)
    except Exception as e:  # noqa: BLE001 - whatever the library raises
        return type(e).__name__, str(e)
    return None
