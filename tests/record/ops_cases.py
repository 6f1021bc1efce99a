"""The cases recorded from torch and replayed on minigrad: same code, either module.

Every case is ``fn(m, *tensors)`` with ``m`` the module (``torch`` or ``minigrad``).
``record_ops.py`` runs them under torch and stores inputs, outputs, dtypes and
gradients in ``tests/expected/ops.npz``; ``tests/engine`` runs them under minigrad.

- ``CASES``: differentiable ops (forward, result dtype, gradients), per float dtype
- ``CREATION``: tensor factories and dtype inference (no inputs)
- ``REPRS``: ``repr(t)`` strings
- ``ERRORS``: code that must raise, with the part of torch's message minigrad must match

Torch-free: imports numpy and ``common`` only.
"""
import numpy as np

from common import Case, floats, given, ints, mask, nonzero, positive

TIES = [[1.0, 3.0, 3.0, -2.0], [0.0, 3.0, -1.0, -2.0], [-2.0, -2.0, 0.5, 3.0]]


def _setitem_row(m, a, b):
    h = a * 1.0
    h[0] = b
    return h * a


def _setitem_scalar(m, a):
    h = a.clone()
    h[:, 1:3] = 0.5
    return h * h


def _setitem_mask(m, a):
    h = a * 2.0
    h[a > 0] = 0.0
    return h


def _setitem_mask_value(m, a, b):
    h = a * 1.0
    h[a > 0] = b
    return h * a


def _setitem_index_value(m, a, b):
    h = a.clone()
    h[m.tensor([2, 0])] = b
    return h.exp()


def _iadd(m, a, b):
    h = a * b
    h += b
    return h


def _chain_inplace(m, a, b):
    h = a.exp()
    h = h * 1.0
    h.mul_(b)
    h.sub_(a)
    h.add_(b, alpha=2.0)
    return h


def _copy(m, a, b):
    h = a.clone()
    h.copy_(b)
    return h * a


def _zero(m, a):
    h = a * 2.0
    h.zero_()
    return h + a


def _fill(m, a):
    h = a * 2.0
    h.fill_(1.5)
    return h * a


CASES = [
    # ---- arithmetic: tensor-tensor with broadcasting, tensor-scalar both sides
    Case("add_bcast", lambda m, a, b: a + b, [floats(2, 3, 4), floats(3, 1)]),
    Case("add_same", lambda m, a, b: m.add(a, b), [floats(3, 4), floats(3, 4)]),
    Case("add_alpha", lambda m, a, b: a.add(b, alpha=2.5), [floats(3, 4), floats(4)]),
    Case("add_scalar", lambda m, a: a + 2.5, [floats(3, 4)]),
    Case("radd_scalar", lambda m, a: 2 + a, [floats(3, 4)]),
    Case("sub_bcast", lambda m, a, b: a - b, [floats(4, 1), floats(3)]),
    Case("sub_scalar", lambda m, a: a - 1.5, [floats(5)]),
    Case("rsub_scalar", lambda m, a: 1.5 - a, [floats(5)]),
    Case("mul_bcast", lambda m, a, b: a * b, [floats(2, 1, 4), floats(3, 1)]),
    Case("mul_scalar", lambda m, a: a * -3.0, [floats(2, 3)]),
    Case("rmul_scalar", lambda m, a: 0.5 * a, [floats(2, 3)]),
    Case("mul_0d", lambda m, a, b: a * b, [floats(), floats(2, 3)]),
    Case("mul_self", lambda m, a: a * a, [floats(2, 3)]),
    Case("div_bcast", lambda m, a, b: a / b, [floats(3, 4), nonzero(4)]),
    Case("div_scalar", lambda m, a: a / 4.0, [floats(3)]),
    Case("rdiv_scalar", lambda m, a: 2.0 / a, [nonzero(3, 2)]),
    Case("div_0d", lambda m, a, b: m.div(a, b), [floats(2, 3), nonzero()]),
    Case("neg", lambda m, a: -a, [floats(2, 3)]),
    Case("neg_fn", lambda m, a: m.neg(a), [floats(4)]),
    Case("pow_tensor", lambda m, a, b: a ** b, [positive(3, 4), floats(3, 4)]),
    Case("pow_bcast", lambda m, a, b: m.pow(a, b), [positive(2, 3), floats(3)]),
    Case("pow_int", lambda m, a: a ** 3, [floats(3, 4)]),
    Case("pow_square", lambda m, a: a.pow(2), [floats(5)]),
    Case("pow_half", lambda m, a: a ** 0.5, [positive(5)]),
    Case("pow_negative", lambda m, a: a ** -1.5, [positive(5)]),
    Case("pow_zero_exponent", lambda m, a: a ** 0, [floats(5)]),
    Case("pow_zero_base", lambda m, a, b: a ** b, [given([0.0, 0.0, 1.5, 0.0]), given([2.0, 0.0, 0.5, 1.0])]),
    Case("rpow_scalar", lambda m, a: 2.0 ** a, [floats(3, 4)]),
    Case("rpow_int_scalar", lambda m, a: 3 ** a, [floats(4)]),
    # ---- matmul
    Case("matmul_dot", lambda m, a, b: a @ b, [floats(4), floats(4)]),
    Case("matmul_vec_mat", lambda m, a, b: a @ b, [floats(3), floats(3, 4)]),
    Case("matmul_mat_vec", lambda m, a, b: m.matmul(a, b), [floats(3, 4), floats(4)]),
    Case("matmul_2d", lambda m, a, b: a @ b, [floats(3, 4), floats(4, 5)]),
    Case("matmul_batched", lambda m, a, b: m.matmul(a, b), [floats(2, 3, 4), floats(4, 5)]),
    Case("matmul_batched_bcast", lambda m, a, b: a.matmul(b), [floats(2, 1, 3, 4), floats(5, 4, 2)]),
    Case("matmul_vec_batched", lambda m, a, b: a @ b, [floats(3), floats(2, 3, 4)]),
    Case("matmul_batched_vec", lambda m, a, b: a @ b, [floats(2, 3, 4), floats(4)]),
    Case("mm", lambda m, a, b: m.mm(a, b), [floats(2, 3), floats(3, 2)]),
    # ---- elementwise math
    Case("exp", lambda m, a: a.exp(), [floats(3, 4)]),
    Case("exp_fn_0d", lambda m, a: m.exp(a), [floats()]),
    Case("log", lambda m, a: a.log(), [positive(3, 4)]),
    Case("sqrt", lambda m, a: m.sqrt(a), [positive(3, 4)]),
    Case("abs", lambda m, a: a.abs(), [nonzero(3, 4)]),
    Case("abs_builtin", lambda m, a: abs(a), [nonzero(5)]),
    Case("square", lambda m, a: a.square(), [floats(5)]),
    Case("clamp_min", lambda m, a: a.clamp(min=-0.5), [floats(4, 5)]),
    Case("clamp_max", lambda m, a: a.clamp(max=0.25), [floats(4, 5)]),
    Case("clamp_both", lambda m, a: m.clamp(a, -0.5, 0.75), [floats(4, 5)]),
    Case("clip", lambda m, a: a.clip(-1.0, 1.0), [floats(4, 5)]),
    Case("clamp_int_float_bounds", lambda m, a: a.clamp(0.5, 2.5), [ints(6)]),
    Case("clamp_int_int_bounds", lambda m, a: m.clamp(a, max=2), [ints(6)]),
    Case("clamp_tensor_bounds", lambda m, a, lo, hi: a.clamp(min=lo, max=hi),
         [floats(3, 4), floats(4, low=-1.5, high=-0.1, grad=False), floats(3, 1, low=0.1, high=1.5, grad=False)]),
    Case("clamp_tensor_bounds_grad", lambda m, a, lo, hi: a.clamp(lo, hi),
         [floats(3, 4), floats(4, low=-1.5, high=-0.1), floats(3, 1, low=0.1, high=1.5)]),
    Case("relu", lambda m, a: a.relu(), [nonzero(3, 4)]),
    Case("relu_fn", lambda m, a: m.relu(a), [nonzero(6)]),
    Case("sigmoid", lambda m, a: a.sigmoid(), [floats(3, 4, low=-4, high=4)]),
    Case("sigmoid_large", lambda m, a: m.sigmoid(a), [given([-100.0, -30.0, -10.0, 0.0, 10.0, 30.0, 100.0])]),
    Case("tanh", lambda m, a: a.tanh(), [floats(3, 4, low=-3, high=3)]),
    Case("tanh_large", lambda m, a: m.tanh(a), [given([-100.0, -20.0, -5.0, 0.0, 5.0, 20.0, 100.0])]),
    # ---- at the kinks: torch's conventions
    Case("relu_at_zero", lambda m, a: a.relu(), [given([-1.0, 0.0, 0.0, 2.0])]),
    Case("abs_at_zero", lambda m, a: a.abs(), [given([-1.0, 0.0, -0.0, 2.0])]),
    Case("abs_at_nan", lambda m, a: a.abs(), [given([-1.0, float("nan"), 2.0])]),
    Case("relu_at_nan", lambda m, a: a.relu(), [given([-1.0, float("nan"), 2.0])]),
    Case("maximum_nan", lambda m, a, b: m.maximum(a, b), [given([float("nan"), 1.0, 3.0]), given([1.0, float("nan"), 2.0])]),
    Case("minimum_nan", lambda m, a, b: m.minimum(a, b), [given([float("nan"), 1.0, 3.0]), given([1.0, float("nan"), 2.0])]),
    Case("clamp_at_bounds", lambda m, a: a.clamp(-0.5, 0.5), [given([-1.0, -0.5, 0.0, 0.5, 1.0])]),
    Case("clamp_tensor_at_bounds", lambda m, a, lo, hi: a.clamp(lo, hi),
         [given([-1.0, -0.5, 0.0, 0.5, 1.0]), given([-0.5, -0.5, -0.5, -0.5, 2.0]), given([0.5, 0.5, 0.5, 0.5, 1.5])]),
    Case("sqrt_at_zero", lambda m, a: a.sqrt(), [given([0.0, 1.0, 4.0])]),
    Case("log_at_zero", lambda m, a: a.log(), [given([0.0, 1.0, 4.0])]),
    Case("div_by_zero", lambda m, a, b: a / b, [given([-1.0, 0.0, 1.5]), given([0.0, 2.0, 4.0])]),
    Case("exp_overflow", lambda m, a: a.exp(), [given([-1000.0, 0.0, 1000.0])]),
    # ---- reductions
    Case("sum_all", lambda m, a: a.sum(), [floats(2, 3, 4)]),
    Case("sum_dim", lambda m, a: a.sum(1), [floats(2, 3, 4)]),
    Case("sum_neg_dim", lambda m, a: m.sum(a, dim=-1), [floats(2, 3, 4)]),
    Case("sum_dims", lambda m, a: a.sum((0, 2)), [floats(2, 3, 4)]),
    Case("sum_keepdim", lambda m, a: a.sum(dim=1, keepdim=True), [floats(2, 3, 4)]),
    Case("sum_dims_keepdim", lambda m, a: a.sum((-1, 0), keepdim=True), [floats(2, 3, 4)]),
    Case("sum_0d", lambda m, a: a.sum(), [floats()]),
    Case("sum_empty", lambda m, a: a.sum(0), [floats(0, 3)]),
    Case("sum_dtype", lambda m, a: a.sum(dtype=m.float64), [floats(3, 4, dtype="float32")]),
    Case("mean_all", lambda m, a: a.mean(), [floats(2, 3, 4)]),
    Case("mean_dim", lambda m, a: m.mean(a, 0), [floats(2, 3, 4)]),
    Case("mean_neg_dim", lambda m, a: a.mean(-2), [floats(2, 3, 4)]),
    Case("mean_dims_keepdim", lambda m, a: a.mean((0, 1), keepdim=True), [floats(2, 3, 4)]),
    Case("max_all", lambda m, a: a.max(), [floats(3, 4)]),
    Case("max_all_ties", lambda m, a: a.max(), [given(TIES)]),
    Case("min_all_ties", lambda m, a: m.min(a), [given(TIES)]),
    Case("max_dim", lambda m, a: a.max(1), [floats(3, 4)]),
    Case("max_dim_keepdim", lambda m, a: a.max(dim=0, keepdim=True), [floats(3, 4)]),
    Case("max_dim_ties", lambda m, a: a.max(1), [given(TIES)]),
    Case("min_dim", lambda m, a: a.min(-1), [floats(2, 3, 4)]),
    Case("min_dim_ties", lambda m, a: m.min(a, 0), [given(TIES)]),
    Case("max_0d", lambda m, a: a.max(), [floats()]),
    Case("amax_ties", lambda m, a: a.amax(), [given(TIES)]),
    Case("amax_dim_ties", lambda m, a: a.amax(1), [given(TIES)]),
    Case("max_binary", lambda m, a, b: m.max(a, b), [floats(3, 4), floats(4)]),
    Case("max_dim_0d", lambda m, a: a.max(0), [floats()]),
    Case("max_dim_3d_ties", lambda m, a: a.max(dim=1), [given([[[1.0, 2.0], [1.0, 0.0]], [[0.0, 5.0], [3.0, 5.0]]])]),
    Case("argmax", lambda m, a: a.argmax(), [floats(3, 4)]),
    Case("argmax_0d", lambda m, a: a.argmax(), [floats()]),
    Case("argmax_dim", lambda m, a: m.argmax(a, dim=1), [floats(3, 4)]),
    Case("argmax_ties", lambda m, a: a.argmax(1), [given(TIES)]),
    Case("argmin", lambda m, a: m.argmin(a), [floats(3, 4)]),
    Case("argmin_dim_keepdim", lambda m, a: a.argmin(0, keepdim=True), [given(TIES)]),
    Case("maximum", lambda m, a, b: m.maximum(a, b), [floats(3, 4), floats(4)]),
    Case("maximum_ties", lambda m, a, b: a.maximum(b), [given([1.0, 2.0, 3.0, 4.0]), given([1.0, 0.0, 3.0, 5.0])]),
    Case("minimum_ties", lambda m, a, b: m.minimum(a, b), [given([1.0, 2.0, 3.0, 4.0]), given([1.0, 0.0, 3.0, 5.0])]),
    # ---- shape
    Case("reshape", lambda m, a: a.reshape(4, 6), [floats(2, 3, 4)]),
    Case("reshape_infer", lambda m, a: a.reshape((-1, 3)), [floats(2, 3, 4)]),
    Case("reshape_0d", lambda m, a: a.reshape(1, 1), [floats()]),
    Case("view", lambda m, a: a.view(3, 8) * 2.0, [floats(2, 3, 4)]),
    Case("flatten", lambda m, a: a.flatten(), [floats(2, 3, 4)]),
    Case("flatten_range", lambda m, a: m.flatten(a, 1), [floats(2, 3, 4)]),
    Case("flatten_neg_range", lambda m, a: a.flatten(0, -2), [floats(2, 3, 4)]),
    Case("flatten_0d", lambda m, a: a.flatten(), [floats()]),
    Case("squeeze", lambda m, a: a.squeeze(), [floats(1, 3, 1, 2)]),
    Case("squeeze_dim", lambda m, a: a.squeeze(2), [floats(1, 3, 1, 2)]),
    Case("squeeze_not_one", lambda m, a: a.squeeze(-1), [floats(2, 3)]),
    Case("squeeze_dims", lambda m, a: a.squeeze((0, 2)), [floats(1, 3, 1, 2)]),
    Case("unsqueeze", lambda m, a: a.unsqueeze(-1), [floats(2, 3)]),
    Case("unsqueeze_0d", lambda m, a: m.unsqueeze(a, 0), [floats()]),
    Case("transpose", lambda m, a: a.transpose(0, 2), [floats(2, 3, 4)]),
    Case("transpose_neg", lambda m, a: m.transpose(a, -1, -2) * 1.0, [floats(2, 3, 4)]),
    Case("permute", lambda m, a: a.permute(2, 0, 1), [floats(2, 3, 4)]),
    Case("permute_tuple", lambda m, a: m.permute(a, (1, 0, 2)), [floats(2, 3, 4)]),
    Case("T", lambda m, a: a.T, [floats(3, 4)]),
    Case("t", lambda m, a: a.t() @ a, [floats(3, 4)]),
    Case("expand", lambda m, a: a.expand(2, 3, 4), [floats(3, 1)]),
    Case("expand_infer", lambda m, a: a.expand(-1, 5), [floats(3, 1)]),
    Case("expand_0d", lambda m, a: a.expand(4), [floats()]),
    Case("expand_as", lambda m, a, b: a.expand_as(b) * b, [floats(1, 4), floats(3, 4)]),
    Case("contiguous", lambda m, a: a.T.contiguous().reshape(-1), [floats(3, 4)]),
    # ---- indexing
    Case("index_int", lambda m, a: a[1], [floats(3, 4)]),
    Case("index_neg_int", lambda m, a: a[-1, 2], [floats(3, 4)]),
    Case("index_slice_step", lambda m, a: a[:, 1:6:2], [floats(3, 7)]),
    Case("index_none_ellipsis", lambda m, a: a[None, ..., 1], [floats(2, 3, 4)]),
    Case("index_ellipsis", lambda m, a: a[..., 1:3], [floats(2, 3, 4)]),
    Case("index_array_repeats", lambda m, a, i: a[i], [floats(4, 3), given([0, 2, 0, 3, 0], dtype="int64")]),
    Case("index_list", lambda m, a: a[[1, 1, 0]], [floats(3, 2)]),
    Case("index_2d_arrays", lambda m, a, i, j: a[i, j], [floats(3, 4), ints(2, 3, high=3), ints(2, 3, high=4)]),
    Case("index_bool_mask", lambda m, a, k: a[k], [floats(3, 4), mask(3, 4)]),
    Case("index_bool_rows", lambda m, a: a[m.tensor([True, False, True])], [floats(3, 4)]),
    Case("index_mixed", lambda m, a, i: a[i, 1:3], [floats(4, 5), given([3, 0, 3], dtype="int64")]),
    Case("index_mixed_int", lambda m, a, i: a[:, i, 0], [floats(2, 4, 3), given([1, 1, 2], dtype="int64")]),
    Case("index_compare_mask", lambda m, a: a[a > 0.5], [floats(3, 4)]),
    Case("index_0d_tensor", lambda m, a: a[m.tensor(1)], [floats(3, 4)]),
    Case("index_negative_array", lambda m, a: a[[-1, 0, -1]], [floats(3, 2)]),
    Case("index_int32_array", lambda m, a, i: a[:, i], [floats(2, 4), given([3, 1, 3], dtype="int32")]),
    Case("index_mask_after_ellipsis", lambda m, a, k: a[..., k], [floats(2, 3, 4), mask(3, 4)]),
    Case("index_mask_middle", lambda m, a, k: a[:, k], [floats(2, 3, 4), mask(3)]),
    Case("index_bool_list", lambda m, a: a[[True, False, True]], [floats(3, 2)]),
    Case("index_two_arrays_split", lambda m, a: a[[0, 1], :, [2, 0]], [floats(2, 3, 4)]),
    Case("gather_dim1", lambda m, a, i: a.gather(1, i), [floats(3, 4), ints(3, 5, high=4)]),
    Case("gather_dim0", lambda m, a, i: m.gather(a, 0, i), [floats(3, 4), ints(2, 4, high=3)]),
    Case("gather_smaller_index", lambda m, a, i: a.gather(1, i), [floats(4, 5), ints(2, 3, high=5)]),
    Case("gather_int32_index", lambda m, a, i: a.gather(0, i), [floats(3, 4), ints(3, 4, high=3, dtype="int32")]),
    Case("gather_neg_dim", lambda m, a, i: a.gather(-1, i), [floats(2, 3, 4), ints(2, 2, 6, high=4)]),
    # ---- joining and selecting
    Case("cat", lambda m, a, b: m.cat([a, b]), [floats(2, 3), floats(4, 3)]),
    Case("cat_dim1_three", lambda m, a, b, c: m.cat((a, b, c), dim=1), [floats(2, 1), floats(2, 3), floats(2, 2)]),
    Case("cat_neg_dim", lambda m, a, b: m.cat([a, b], -1), [floats(2, 2, 3), floats(2, 2, 1)]),
    Case("stack", lambda m, a, b: m.stack([a, b]), [floats(2, 3), floats(2, 3)]),
    Case("stack_dim1_three", lambda m, a, b, c: m.stack((a, b, c), dim=1), [floats(2, 3), floats(2, 3), floats(2, 3)]),
    Case("stack_0d", lambda m, a, b: m.stack([a, b]), [floats(), floats()]),
    Case("where_0d_condition", lambda m, c, a, b: m.where(c, a, b), [given(True, dtype="bool"), floats(3), floats(3)]),
    Case("stack_neg_dim", lambda m, a, b: m.stack([a, b], dim=-1), [floats(4), floats(4)]),
    Case("where", lambda m, c, a, b: m.where(c, a, b), [mask(3, 4), floats(3, 4), floats(3, 4)]),
    Case("where_bcast", lambda m, c, a, b: m.where(c, a, b), [mask(3, 1), floats(1, 4), floats(3, 4)]),
    Case("where_scalar_other", lambda m, c, a: m.where(c, a, 0.0), [mask(3, 4), floats(3, 4)]),
    Case("where_scalar_input", lambda m, c, a: m.where(c, 1.5, a), [mask(3, 4), floats(3, 4)]),
    Case("where_compare", lambda m, a, b: m.where(a > b, a, b * 2.0), [floats(5), floats(5)]),
    Case("masked_fill", lambda m, a, k: a.masked_fill(k, -1.0), [floats(3, 4), mask(3, 4)]),
    Case("masked_fill_bcast", lambda m, a, k: a.masked_fill(k, 2.0), [floats(3, 4), mask(1, 4)]),
    Case("masked_fill_tensor_value", lambda m, a, k: m.masked_fill(a, k, m.tensor(0.5)), [floats(3, 4), mask(3, 4)]),
    # ---- comparisons (forward only)
    Case("lt", lambda m, a, b: a < b, [floats(3, 4), floats(4)]),
    Case("ge_scalar", lambda m, a: a >= 0.5, [floats(3, 4)]),
    Case("eq_ties", lambda m, a, b: a == b, [given([1.0, 2.0, 3.0, 4.0]), given([1.0, 0.0, 3.0, 5.0])]),
    Case("ne_ties", lambda m, a, b: m.ne(a, b), [given([1.0, 2.0, 3.0, 4.0]), given([1.0, 0.0, 3.0, 5.0])]),
    Case("le_gt", lambda m, a, b: (m.le(a, b), m.gt(a, b)), [given([1.0, 2.0, 3.0]), given([1.0, 0.0, 5.0])]),
    # ---- dtype promotion (inputs with their own dtypes)
    Case("int_times_float_scalar", lambda m, a: a * 2.5, [ints(4)]),
    Case("int_plus_float_scalar", lambda m, a: 1.5 + a, [ints(4, dtype="int32")]),
    Case("int64_plus_float32", lambda m, a, b: a + b, [ints(4), floats(4, dtype="float32")]),
    Case("float32_plus_float64_0d", lambda m, a, b: a + b, [floats(4, dtype="float32"), floats(dtype="float64")]),
    Case("float64_times_float32", lambda m, a, b: a * b, [floats(3, dtype="float64"), floats(3, dtype="float32")]),
    Case("int64_plus_float64_0d", lambda m, a, b: a + b, [ints(4), floats(dtype="float64")]),
    Case("int32_plus_int64_0d", lambda m, a, b: a + b, [ints(4, dtype="int32"), ints(dtype="int64")]),
    Case("int32_plus_int64", lambda m, a, b: a + b, [ints(4, dtype="int32"), ints(4, dtype="int64")]),
    Case("bool_plus_int", lambda m, a, b: a + b, [mask(4), ints(4)]),
    Case("bool_times_float", lambda m, a, b: a * b, [mask(4), floats(4, dtype="float32")]),
    Case("bool_and_bool", lambda m, a, b: a & b, [mask(5), mask(5)]),
    Case("float_plus_bool_scalar", lambda m, a: a + True, [floats(3, dtype="float64")]),
    Case("int_truediv_int", lambda m, a, b: a / b, [ints(4, low=-5, high=6), ints(4, low=1, high=4)]),
    Case("int_truediv_scalar", lambda m, a: a / 2, [ints(4)]),
    Case("int_rtruediv_scalar", lambda m, a: 6 / a, [ints(4, low=1, high=5)]),
    Case("int_pow_int", lambda m, a: a ** 2, [ints(4)]),
    Case("int_pow_float", lambda m, a: a ** 0.5, [ints(4)]),
    Case("int_sum", lambda m, a: a.sum(), [ints(3, 4, dtype="int32")]),
    Case("bool_sum", lambda m, a: a.sum(0), [mask(3, 4)]),
    Case("int_exp", lambda m, a: a.exp(), [ints(4, dtype="int64")]),
    Case("int_sigmoid", lambda m, a: m.sigmoid(a), [ints(4, dtype="int32")]),
    Case("int_max_dim", lambda m, a: a.max(1), [ints(3, 4)]),
    Case("int_cat_float", lambda m, a, b: m.cat([a, b]), [ints(2), floats(3, dtype="float32")]),
    Case("int_where_float", lambda m, c, a, b: m.where(c, a, b), [mask(4), ints(4), floats(4, dtype="float64")]),
    Case("to_float64", lambda m, a: a.to(m.float64) * 3.0, [floats(4, dtype="float32")]),
    Case("double_then_float", lambda m, a: a.double().float() * a, [floats(4, dtype="float32")]),
    Case("int_matmul_float", lambda m, a, b: a.float() @ b, [ints(2, 3), floats(3, 2, dtype="float32")]),
    Case("int_long_float", lambda m, a: a.long().float(), [ints(4, dtype="int32")]),
    # ---- in-place ops inside a graph
    Case("setitem_nonleaf_row", _setitem_row, [floats(3, 4), floats(4)]),
    Case("setitem_nonleaf_scalar", _setitem_scalar, [floats(3, 4)]),
    Case("setitem_nonleaf_mask", _setitem_mask, [floats(3, 4)]),
    Case("setitem_nonleaf_mask_value", _setitem_mask_value, [given([[1.0, -2.0], [3.0, -4.0]]), floats(2)]),
    Case("setitem_nonleaf_index_value", _setitem_index_value, [floats(3, 2), floats(2, 2)]),
    Case("iadd_nonleaf", _iadd, [floats(3, 4), floats(4)]),
    Case("inplace_chain", _chain_inplace, [floats(3, 4), floats(3, 4)]),
    Case("copy_nonleaf", _copy, [floats(3, 4), floats(4)]),
    Case("zero_nonleaf", _zero, [floats(3, 4)]),
    Case("fill_nonleaf", _fill, [floats(3, 4)]),
]

CREATION = [
    Case("tensor_floats", lambda m: m.tensor([1.5, -2.0, 3.25])),
    Case("tensor_ints", lambda m: m.tensor([[1, 2], [3, 4]])),
    Case("tensor_mixed_int_float", lambda m: m.tensor([1, 2.5, 3])),
    Case("tensor_bools", lambda m: m.tensor([True, False, True])),
    Case("tensor_int_and_bool", lambda m: m.tensor([1, True])),
    Case("tensor_scalar_float", lambda m: m.tensor(2.5)),
    Case("tensor_scalar_int", lambda m: m.tensor(7)),
    Case("tensor_ndarray_int32", lambda m: m.tensor(np.array([1, 2], dtype=np.int32))),
    Case("tensor_ndarray_float64", lambda m: m.tensor(np.array([0.1, 0.2]))),
    Case("tensor_numpy_scalar", lambda m: m.tensor(np.float64(0.1))),
    Case("tensor_dtype", lambda m: m.tensor([1, 2], dtype=m.float64)),
    Case("zeros", lambda m: m.zeros(2, 3)),
    Case("zeros_tuple_dtype", lambda m: m.zeros((2, 3), dtype=m.int64)),
    Case("ones", lambda m: m.ones(3, dtype=m.float64)),
    Case("full_float", lambda m: m.full((2, 2), 1.5)),
    Case("full_int", lambda m: m.full((2,), 7)),
    Case("full_bool", lambda m: m.full((2,), True)),
    Case("zeros_like", lambda m: m.zeros_like(m.tensor([[1, 2]]))),
    Case("ones_like_dtype", lambda m: m.ones_like(m.tensor([1.0, 2.0]), dtype=m.float64)),
    Case("arange_int", lambda m: m.arange(5)),
    Case("arange_start_end", lambda m: m.arange(2, 9, 3)),
    Case("arange_float_step", lambda m: m.arange(0, 1, 0.1)),
    Case("arange_float_start", lambda m: m.arange(1.5, 4)),
    Case("arange_negative_step", lambda m: m.arange(5, -2, -1.5)),
    Case("arange_dtype", lambda m: m.arange(4, dtype=m.float64)),
    Case("linspace", lambda m: m.linspace(-1, 1, 7)),
    Case("linspace_float64", lambda m: m.linspace(0, 1, 11, dtype=m.float64)),
    Case("linspace_one", lambda m: m.linspace(2, 3, 1)),
    Case("eye", lambda m: m.eye(3)),
    Case("eye_rect", lambda m: m.eye(2, 4, dtype=m.int64)),
]

REPRS = [
    ("int", lambda m: m.tensor([1, 2, 3])),
    ("int_wide", lambda m: m.tensor([-1000000, 2, 30])),
    ("int32", lambda m: m.tensor([1, 2], dtype=m.int32)),
    ("float", lambda m: m.tensor([0.5, -1.25, 3.0])),
    ("float_integral", lambda m: m.tensor([1.0, 2.0, -3.0])),
    ("float_neg_zero", lambda m: m.tensor([-0.0, 0.0, 1.0])),
    ("float64", lambda m: m.tensor([0.1, 0.2], dtype=m.float64)),
    ("bool", lambda m: m.tensor([True, False])),
    ("zero_d_float", lambda m: m.tensor(3.5)),
    ("zero_d_int", lambda m: m.tensor(7)),
    ("zero_d_float64", lambda m: m.tensor(2.0, dtype=m.float64)),
    ("zero_d_bool", lambda m: m.tensor(True)),
    ("requires_grad", lambda m: m.tensor([1.0, 2.0], requires_grad=True)),
    ("grad_fn_mul", lambda m: m.tensor([1.0, 2.0], requires_grad=True) * 2),
    ("grad_fn_sum", lambda m: m.tensor([1.0, 2.0], requires_grad=True).sum()),
    ("grad_fn_float64", lambda m: m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True).exp()),
    ("empty", lambda m: m.tensor([])),
    ("empty_2d", lambda m: m.zeros(0, 3)),
    ("empty_int", lambda m: m.zeros(0, dtype=m.int64)),
    ("wide_range", lambda m: m.tensor([1e-5, 1.0, 1e5])),
    ("huge", lambda m: m.tensor([1e9, 1.0])),
    ("tiny", lambda m: m.tensor([1e-6, 2e-6])),
    ("nan_inf", lambda m: m.tensor([float("nan"), float("inf"), -float("inf"), 1.5])),
    ("nan_inf_integral", lambda m: m.tensor([float("nan"), 2.0, -float("inf")])),
    ("matrix", lambda m: m.arange(12, dtype=m.float32).reshape(3, 4) / 7),
    ("int_3d", lambda m: m.arange(24).reshape(2, 3, 4)),
    ("wrapped_line", lambda m: m.arange(30, dtype=m.float32) / 3),
    ("summarized", lambda m: m.arange(2000)),
    ("summarized_float", lambda m: m.arange(1200, dtype=m.float64) / 8),
    ("summarized_2d", lambda m: m.arange(4000).reshape(40, 100)),
    ("summarized_3d", lambda m: (m.arange(2400, dtype=m.float32).reshape(8, 30, 10) - 1200) / 7),
    ("integral_wide", lambda m: m.tensor([1.0, 2000.0])),
    ("integral_huge", lambda m: m.tensor([3.0, 2e8])),
    ("all_nan", lambda m: m.tensor([float("nan"), float("nan")])),
    ("zeros_float", lambda m: m.zeros(2, 2)),
    ("float_3d", lambda m: (m.arange(24, dtype=m.float32).reshape(2, 3, 4) - 11) / 3),
    ("big_ints", lambda m: m.tensor([2 ** 40, -3, 0])),
    ("bools_2d", lambda m: m.tensor([[True, False, True], [False, False, True]])),
    ("float16", lambda m: m.tensor([0.1, 2.5, -3.0], dtype=m.float16)),
    ("zero_d_nan", lambda m: m.tensor(float("nan"))),
    ("zero_d_sci", lambda m: m.tensor(1e-5)),
    ("zero_d_requires_grad", lambda m: m.tensor(-2.25, requires_grad=True)),
    ("empty_requires_grad", lambda m: m.zeros(0, requires_grad=True)),
    ("empty_2d_float64", lambda m: m.zeros(2, 0, dtype=m.float64)),
    ("suffix_on_new_line", lambda m: m.arange(8, dtype=m.float64) / 3),
    ("two_suffixes_wrapped", lambda m: (m.arange(7, dtype=m.float64, requires_grad=True) / 3) * 1.5),
    ("wrapped_with_suffix", lambda m: m.arange(40, dtype=m.float64).reshape(2, 20) * 1.5),
]


def _backward_twice(m):
    x = m.ones(3, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


def _backward_twice_mul_scalar(m):
    x = m.ones(3, requires_grad=True)
    y = (x * 2).sum()
    y.backward()
    y.backward()


def _inplace_on_saved_output(m):
    x = m.ones(3, requires_grad=True)
    y = x.exp()
    y.add_(1)
    y.sum().backward()


def _inplace_on_saved_input(m):
    x = m.ones(3, requires_grad=True)
    a = x * 2
    b = a * a
    a.mul_(3)
    b.sum().backward()


def _nonleaf_requires_grad_false(m):
    y = m.ones(3, requires_grad=True) * 2
    y.requires_grad = False


# (name, code that must raise, what to compare): None compares the whole message
# (``torch.`` read as ``minigrad.``); a string compares only that part of it,
# for messages that name torch internals (node names, type names, hints).
ERRORS = [
    ("randperm_negative", lambda m: m.randperm(-1), None),
    ("manual_seed_too_big", lambda m: m.manual_seed(2 ** 70), None),
    ("manual_seed_too_small", lambda m: m.manual_seed(-2 ** 63 - 1), None),
    ("bce_target_above_one", lambda m: m.nn.functional.binary_cross_entropy(m.tensor([0.5, 0.5]), m.tensor([0.5, 1.5])), None),
    ("bce_target_nan_before_bad_input", lambda m: m.nn.functional.binary_cross_entropy(
        m.tensor([0.5, 1.5]), m.tensor([float("nan"), 0.5])), None),
    ("backward_non_scalar", lambda m: (m.ones(3, requires_grad=True) * 2).backward(), None),
    ("backward_no_grad", lambda m: m.ones(3).sum().backward(), None),
    ("backward_twice", _backward_twice, None),
    ("backward_twice_mul_scalar", _backward_twice_mul_scalar, None),
    ("backward_gradient_shape", lambda m: (m.ones(3, requires_grad=True) * 2).backward(m.ones(2)),
     "Mismatch in shape: grad_output[0] has a shape of "),
    ("inplace_leaf", lambda m: m.ones(3, requires_grad=True).add_(1), None),
    ("inplace_leaf_iadd", lambda m: m.ones(3, requires_grad=True).__iadd__(1), None),
    ("inplace_leaf_setitem", lambda m: m.ones(3, requires_grad=True).__setitem__(0, 2.0), None),
    ("inplace_leaf_setitem_slice", lambda m: m.ones(3, requires_grad=True).__setitem__(slice(0, 2), 2.0), None),
    ("inplace_leaf_setitem_list", lambda m: m.ones(3, requires_grad=True).__setitem__([0, 2], 2.0), None),
    ("inplace_leaf_setitem_mask", lambda m: m.ones(3, requires_grad=True).__setitem__(m.ones(3) > 0, 2.0), None),
    ("inplace_leaf_setitem_ellipsis", lambda m: m.ones(3, requires_grad=True).__setitem__(Ellipsis, 2.0), None),
    ("inplace_leaf_fill", lambda m: m.ones(3, requires_grad=True).fill_(2.0), None),
    ("inplace_leaf_copy", lambda m: m.ones(3, requires_grad=True).copy_(m.zeros(3)), None),
    ("inplace_leaf_zero", lambda m: m.ones(3, requires_grad=True).zero_(), None),
    ("inplace_view_of_leaf", lambda m: m.ones(3, requires_grad=True)[:2].mul_(2), None),
    ("inplace_on_saved_output", _inplace_on_saved_output, "modified by an inplace operation"),
    ("inplace_on_saved_input", _inplace_on_saved_input, "modified by an inplace operation"),
    ("dim_out_of_range_sum", lambda m: m.ones(2, 3).sum(dim=2), None),
    ("dim_out_of_range_neg", lambda m: m.ones(2, 3).mean(-3), None),
    ("dim_out_of_range_unsqueeze", lambda m: m.ones(2, 3).unsqueeze(4), None),
    ("dim_out_of_range_transpose", lambda m: m.ones(2, 3).transpose(0, 2), None),
    ("dim_out_of_range_0d", lambda m: m.tensor(1.0).sum(1), None),
    ("bad_reshape", lambda m: m.ones(2, 3).reshape(4), None),
    ("bad_view", lambda m: m.ones(2, 3).view(-1, 4), None),
    ("reshape_two_inferred", lambda m: m.ones(2, 3).reshape(-1, -1), None),
    ("matmul_mismatch", lambda m: m.ones(2, 3) @ m.ones(4, 5), None),
    ("matmul_dtype_mismatch", lambda m: m.ones(2, 3) @ m.ones(3, 2, dtype=m.float64), None),
    ("matmul_0d", lambda m: m.matmul(m.tensor(1.0), m.ones(3)), None),
    ("requires_grad_int_tensor", lambda m: m.tensor([1, 2], requires_grad=True), None),
    ("requires_grad_int_factory", lambda m: m.zeros(3, dtype=m.int64, requires_grad=True), None),
    ("requires_grad_int_method", lambda m: m.tensor([1, 2]).requires_grad_(), "can require gradients"),
    ("requires_grad_int_setter", lambda m: setattr(m.tensor([1, 2]), "requires_grad", True), None),
    ("nonleaf_requires_grad_false", _nonleaf_requires_grad_false, None),
    ("numpy_requires_grad", lambda m: m.ones(2, requires_grad=True).numpy(), None),
    ("item_many", lambda m: m.ones(3).item(), None),
    ("bool_ambiguous", lambda m: bool(m.ones(3)), None),
    ("retain_grad_no_grad", lambda m: m.ones(3).retain_grad(), None),
    ("index_out_of_range", lambda m: m.ones(3)[5], None),
    ("index_out_of_range_2d", lambda m: m.ones(2, 3)[:, 3], None),
    ("index_float", lambda m: m.ones(3)[m.tensor([0.0])], None),
    ("expand_bad", lambda m: m.ones(2, 3).expand(4, 3), None),
    ("expand_fewer_dims", lambda m: m.ones(2, 3).expand(3), None),
    ("cat_shapes", lambda m: m.cat([m.ones(2, 3), m.ones(2, 4)]), None),
    ("cat_0d", lambda m: m.cat([m.tensor(1.0), m.tensor(2.0)]), None),
    ("stack_shapes", lambda m: m.stack([m.ones(2, 3), m.ones(3, 2)]), None),
    ("gather_index_dtype", lambda m: m.ones(2, 3).gather(1, m.tensor([[0.0, 1.0]])), None),
    ("gather_index_out_of_range", lambda m: m.ones(2, 3).gather(1, m.tensor([[0, 3]])), None),
    ("mean_int", lambda m: m.tensor([1, 2]).mean(), None),
    ("max_empty", lambda m: m.ones(0).max(), None),
    ("permute_duplicate", lambda m: m.ones(2, 3).permute(0, 0), None),
    ("t_3d", lambda m: m.ones(2, 3, 4).t(), None),
    ("clamp_no_bounds", lambda m: m.ones(3).clamp(), None),
    ("masked_fill_int_mask", lambda m: m.ones(3).masked_fill(m.tensor([1, 0, 1]), 0.0), None),
    ("masked_fill_float_mask", lambda m: m.ones(3).masked_fill(m.tensor([1.0, 0.0, 1.0]), 0.0), None),
    ("where_int_condition", lambda m: m.where(m.tensor([1, 0]), m.ones(2), m.zeros(2)), None),
    ("len_0d", lambda m: len(m.tensor(1.0)), None),
    ("iter_0d", lambda m: iter(m.tensor(1.0)), None),
    ("float_int_inplace_cast", lambda m: m.tensor([1, 2]).add_(1.5), None),
    ("int_bool_inplace_cast", lambda m: m.tensor([True]).add_(2), None),
    ("expand_fewer_dims_float64", lambda m: m.ones(2, 3, dtype=m.float64).expand(3), None),
    ("randint_empty_range", lambda m: m.randint(3, 3, (2,)), None),
    ("arange_zero_step", lambda m: m.arange(0, 3, 0), None),
    ("arange_step_sign", lambda m: m.arange(0, -3), None),
    ("broadcast_add", lambda m: m.ones(2, 3) + m.ones(3, 2), None),
    ("broadcast_mul_3d", lambda m: m.ones(4, 2, 3) * m.ones(5, 1, 3), None),
    ("broadcast_where", lambda m: m.where(m.ones(2, 3) > 0, m.ones(3, 2), 0.0), None),
    ("broadcast_maximum", lambda m: m.maximum(m.ones(2, 3), m.ones(2)), None),
    ("int_negative_power", lambda m: m.tensor([1, 2]) ** -1, None),
    ("mask_shape", lambda m: m.ones(3)[m.tensor([True, False])], None),
    ("mask_shape_after_ellipsis", lambda m: m.ones(2, 3, 4)[..., m.ones(3, 5) > 0], None),
    ("duplicate_dims", lambda m: m.ones(2, 3).sum(dim=(0, -2)), None),
    ("too_many_indices", lambda m: m.ones(2, 3)[0, 0, 0], None),
    ("cat_nothing", lambda m: m.cat([]), None),
    ("stack_nothing", lambda m: m.stack([]), None),
    ("setitem_shape", lambda m: m.ones(3).__setitem__(slice(0, 2), m.ones(3)), None),
    ("reshape_negative", lambda m: m.ones(6).reshape(-2, 3), None),
    ("argmax_empty", lambda m: m.ones(0).argmax(), None),
    ("expand_new_dim_infer", lambda m: m.ones(3).expand(-1, 3), None),
]
