"""Higher-order gradient cases, recorded from torch and replayed on minigrad: same code, either module.

A case is ``fn(m, *tensors) -> Tensor`` with ``m`` the module (``torch`` or ``minigrad``),
differentiated three times with ``m.autograd.grad`` (see ``run_higher``):

1. ``g1 = grad((out * u).sum(), inputs, create_graph=True, allow_unused=True)``
2. ``g2 = grad(Σ_i (g1_i * v_i).sum(), inputs, create_graph=True, allow_unused=True)`` over the
   inputs whose ``g1_i`` exists and requires grad (the others are skipped; if none is left there
   is no second order),
3. for ``third=True`` cases, ``g3 = grad(Σ_i (g2_i * w_i).sum(), inputs, allow_unused=True)``,

where ``inputs`` are the case's tensors that require grad and ``u``, ``v_i``, ``w_i`` are fixed
random upstreams (stored with the results).  ``record_higher.py`` runs them under torch into
``tests/expected/higher.npz``; ``tests/autograd`` replays them on minigrad.

- ``CASES``: one op (or a short expression) each, per float dtype
- ``SCENARIOS``: small programs (Hessian-vector product of an MLP, WGAN-GP gradient penalty,
  ``backward(create_graph=True)`` with accumulation into ``.grad``, ``grad_outputs``); each is
  ``fn(m, arrays) -> {name: array}`` on stored input arrays
- ``ERRORS``: code that must raise, with the part of torch's message minigrad must match

Torch-free: imports numpy and ``common`` only.  ``m.nn`` is reached through ``importlib``
(``minigrad/__init__`` does not import ``minigrad.nn``).
"""
import importlib

import numpy as np

from common import FLOAT_DTYPES, Case, dtype_name, floats, given, ints, mask, nonzero, positive, seed_for


def _nn(m):
    return importlib.import_module(m.__name__ + ".nn")


def _F(m):
    return importlib.import_module(m.__name__ + ".nn.functional")


def _grad(m):
    return m.autograd.grad


class HCase(Case):
    """A ``Case`` with ``third=True`` when the third derivative is recorded too."""

    def __init__(self, name, fn, args=(), dtypes=None, third=False):
        super().__init__(name, fn, args, dtypes)
        self.third = third


def _numpy(t):
    return np.array(t.detach().numpy(), copy=True)


def _is_zero_tensor(t):
    """torch hands out some all-zero gradients as a "ZeroTensor" (no storage, no .numpy())."""
    check = getattr(t, "_is_zerotensor", None)
    return bool(check()) if callable(check) else False


def _grad_numpy(t):
    if _is_zero_tensor(t):
        return np.zeros(tuple(t.shape), dtype=dtype_name(t.dtype))
    return _numpy(t)


def _stage(grads, positions, n):
    """Per input position: None (no gradient / input not differentiated) or the gradient tensor."""
    full = [None] * n
    for i, g in zip(positions, grads):
        full[i] = g
    return full


def _describe(grads):
    """-> (numpy arrays or None, meta: None or {"dtype", "requires_grad"}) per input position."""
    arrays = [None if g is None else _grad_numpy(g) for g in grads]
    meta = [None if g is None else {"dtype": dtype_name(g.dtype), "requires_grad": bool(g.requires_grad)}
            for g in grads]
    zero_tensors = [i for i, g in enumerate(grads) if g is not None and _is_zero_tensor(g)]
    return arrays, meta, zero_tensors


def _next_order(m, grads, upstream, stage):
    """Σ_i (g_i * up_i).sum() over the g_i that exist and require grad -> (loss or None, ups, used)."""
    loss, ups, used = None, [None] * len(grads), []
    for i, g in enumerate(grads):
        if g is None or not g.requires_grad:
            continue
        ups[i] = upstream(stage, i, _grad_numpy(g))
        term = (g * m.tensor(ups[i])).sum()
        loss = term if loss is None else loss + term
        used.append(i)
    return loss, ups, used


def run_higher(m, case, inputs, upstream):
    """Run ``case`` under ``m`` on numpy ``inputs`` and differentiate it up to three times.

    ``upstream(stage, i, like)`` gives the upstream array for ``stage`` "u" (i = 0, like the
    output), "v" (like g1_i) or "w" (like g2_i).  Returns plain numpy data: ``out``,
    ``out_dtype``, ``out_requires_grad``, ``u``; per order k in 1, 2, 3: ``g<k>`` (arrays or
    None per input position), ``g<k>_meta`` (None or dtype/requires_grad per position),
    and for k = 2, 3 the upstreams ``v``/``w`` (None where skipped) and ``used2``/``used3``
    (positions that entered the sum), and ``g<k>_zero_tensor`` (positions where torch returned
    a ZeroTensor, stored as zeros).  An order that was not computed is None."""
    grad = _grad(m)
    tensors = [m.tensor(a, requires_grad=arg.requires_grad(a)) for a, arg in zip(inputs, case.args)]
    out = case.fn(m, *tensors)
    positions = [i for i, t in enumerate(tensors) if t.requires_grad]
    diff = [tensors[i] for i in positions]
    n = len(tensors)
    rec = {"out": _numpy(out), "out_dtype": dtype_name(out.dtype), "out_requires_grad": bool(out.requires_grad)}
    rec["u"] = upstream("u", 0, rec["out"])
    loss1 = (out * m.tensor(rec["u"])).sum()
    g1 = _stage(grad(loss1, diff, create_graph=True, allow_unused=True), positions, n)
    rec["g1"], rec["g1_meta"], rec["g1_zero_tensor"] = _describe(g1)

    rec.update(v=None, used2=None, g2=None, g2_meta=None, g2_zero_tensor=None,
               w=None, used3=None, g3=None, g3_meta=None, g3_zero_tensor=None)
    loss2, rec["v"], rec["used2"] = _next_order(m, g1, upstream, "v")
    if loss2 is None:
        return rec
    g2 = _stage(grad(loss2, diff, allow_unused=True, create_graph=True), positions, n)
    rec["g2"], rec["g2_meta"], rec["g2_zero_tensor"] = _describe(g2)
    if not case.third:
        return rec
    loss3, rec["w"], rec["used3"] = _next_order(m, g2, upstream, "w")
    if loss3 is None:
        return rec
    g3 = _stage(grad(loss3, diff, allow_unused=True), positions, n)
    rec["g3"], rec["g3_meta"], rec["g3_zero_tensor"] = _describe(g3)
    return rec


# ---------------------------------------------------------------------- cases
def _ce(**options):
    return lambda m, x, t: _F(m).cross_entropy(x, t, **options)


def _ce_w(**options):
    return lambda m, x, t, w: _F(m).cross_entropy(x, t, weight=w, **options)


def _softmax_rows(m, p):
    return p / p.sum(1, keepdim=True)


def _pos(*shape):
    """Positive, not requiring grad (class weights, pos_weight)."""
    return floats(*shape, low=0.5, high=2.0, grad=False)


def _probs(*shape):
    return floats(*shape, low=0.1, high=0.9)


IGNORED = given([0, 1, 2, 1, 3], dtype="int64")          # ignore_index=1 drops two of five
IGNORED_DEFAULT = given([0, -100, 2, 3, -100], dtype="int64")  # the default ignore_index

CASES = [
    # ---- arithmetic: broadcasting pairs, tensor-scalar, 0-d and size-1 operands
    HCase("add_bcast", lambda m, a, b: a + b, [floats(3, 4), floats(4)]),
    HCase("add_bcast_sq", lambda m, a, b: (a + b) * (a + b), [floats(3, 4), floats(4)]),
    HCase("add_scalar_sq", lambda m, a: (a + 2.5) * a, [floats(3, 4)]),
    HCase("sub_bcast_sq", lambda m, a, b: (a - b) * (a - b), [floats(3, 1), floats(4)]),
    HCase("rsub_scalar_mul", lambda m, a: (1.5 - a) * a, [floats(5)]),
    HCase("mul_bcast", lambda m, a, b: a * b, [floats(3, 4), floats(3, 1)]),
    HCase("mul_0d", lambda m, a, b: a * b * b, [floats(), floats(3, 4)]),
    HCase("mul_size1", lambda m, a, b: a * a * b, [floats(1), floats(3, 4)]),
    HCase("mul_scalar", lambda m, a: (a * -3.0) * a, [floats(3, 4)]),
    HCase("mul_self", lambda m, a: a * a, [floats(3, 4)]),
    HCase("div_bcast", lambda m, a, b: a / b, [floats(3, 4), nonzero(4)]),
    HCase("div_scalar", lambda m, a: (a / 4.0) * a, [floats(3, 4)]),
    HCase("rdiv_scalar", lambda m, a: 2.0 / a, [nonzero(3, 4)]),
    HCase("pow_tensor_tensor", lambda m, a, b: a ** b, [positive(3, 4), floats(3, 4)]),
    HCase("pow_tensor_bcast", lambda m, a, b: m.pow(a, b), [positive(3, 4), floats(4)]),
    HCase("pow_scalar_3", lambda m, a: a ** 3, [floats(3, 4)]),
    HCase("pow_scalar_half", lambda m, a: a ** 0.5, [positive(3, 4)]),
    HCase("pow_scalar_base", lambda m, a: 2.0 ** a, [floats(3, 4)]),
    HCase("neg_mul", lambda m, a: (-a) * a, [floats(3, 4)]),
    HCase("exp", lambda m, a: a.exp(), [floats(3, 4)]),
    HCase("exp_0d", lambda m, a: m.exp(a), [floats()]),
    HCase("log", lambda m, a: a.log(), [positive(3, 4)]),
    HCase("sqrt", lambda m, a: m.sqrt(a), [positive(3, 4)]),
    HCase("abs_mul", lambda m, a: a.abs() * a, [nonzero(3, 4)]),
    HCase("abs", lambda m, a: a.abs(), [nonzero(3, 4)]),
    HCase("square", lambda m, a: a.square(), [floats(3, 4)]),
    HCase("clamp_scalar", lambda m, a: a.clamp(-0.5, 0.75) * a, [floats(3, 4)]),
    HCase("clamp_tensor_bounds", lambda m, a, lo, hi: a.clamp(lo, hi) * a,
          [floats(3, 4), floats(4, low=-1.5, high=-0.1), floats(3, 1, low=0.1, high=1.5)]),
    HCase("maximum", lambda m, a, b: m.maximum(a, b) * a, [floats(3, 4), floats(4)]),
    HCase("minimum", lambda m, a, b: m.minimum(a, b) * b, [floats(3, 4), floats(4)]),
    HCase("relu", lambda m, a: a.relu(), [nonzero(3, 4)]),
    HCase("relu_mul", lambda m, a: m.relu(a) * a, [nonzero(3, 4)]),
    HCase("leaky_relu", lambda m, a: _F(m).leaky_relu(a, 0.1) * a, [nonzero(3, 4)]),
    HCase("sigmoid", lambda m, a: a.sigmoid(), [floats(3, 4, low=-4, high=4)]),
    HCase("tanh", lambda m, a: a.tanh(), [floats(3, 4, low=-3, high=3)]),
    HCase("to_float64_chain", lambda m, a, b: a.to(m.float64).exp() * b,
          [floats(3, 4, dtype="float32"), floats(3, 4, dtype="float64")]),
    HCase("to_float32_chain", lambda m, a: a.to(m.float32) * a.to(m.float32), [floats(3, 4, dtype="float64")]),
    HCase("clone_mul", lambda m, a: a.clone() * a, [floats(3, 4)]),
    # ---- matmul and linear
    HCase("matmul_2d", lambda m, a, b: a @ b, [floats(3, 4), floats(4, 2)]),
    HCase("matmul_2d_sq", lambda m, a, b: (a @ b) * (a @ b), [floats(3, 4), floats(4, 2)]),
    HCase("matmul_batched_bcast", lambda m, a, b: m.matmul(a, b), [floats(2, 3, 4), floats(4, 2)]),
    HCase("matmul_vec_mat", lambda m, a, b: a @ b, [floats(3), floats(3, 4)]),
    HCase("matmul_dot", lambda m, a, b: (a @ b) * (a @ b), [floats(4), floats(4)]),
    HCase("linear_bias", lambda m, x, w, b: _F(m).linear(x, w, b).tanh(), [floats(3, 4), floats(2, 4), floats(2)]),
    HCase("linear_no_bias", lambda m, x, w: _F(m).linear(x, w), [floats(3, 4), floats(2, 4)]),
    # ---- reductions (fed into a nonlinearity, so their backward is differentiated again)
    HCase("sum_all_raw", lambda m, a: a.sum(), [floats(3, 4)]),
    HCase("sum_all", lambda m, a: a.sum() ** 2, [floats(3, 4)]),
    HCase("sum_dim", lambda m, a: a.sum(1).exp(), [floats(3, 4)]),
    HCase("sum_keepdim", lambda m, a: a.sum(0, keepdim=True) * a, [floats(3, 4)]),
    HCase("sum_dims", lambda m, a: a.sum((0, 2)).tanh(), [floats(2, 3, 4)]),
    HCase("mean_all", lambda m, a: a.mean() * a, [floats(3, 4)]),
    HCase("mean_dim", lambda m, a: a.mean(-1).exp(), [floats(3, 4)]),
    HCase("max_all", lambda m, a: a.max() * a, [floats(3, 4)]),
    HCase("min_all", lambda m, a: a.min().exp(), [floats(3, 4)]),
    HCase("max_dim", lambda m, a: a.max(1).values.exp(), [floats(3, 4)]),
    HCase("min_dim_keepdim", lambda m, a: a.min(0, keepdim=True).values * a, [floats(3, 4)]),
    HCase("amax", lambda m, a: a.amax(1).exp(), [floats(3, 4)]),
    HCase("amin", lambda m, a: a.amin((0, 1)) * a, [floats(2, 3, 4)]),
    # ---- shape and indexing (fed into exp, so their backward is differentiated again)
    HCase("reshape", lambda m, a: a.reshape(4, 3).exp(), [floats(3, 4)]),
    HCase("view", lambda m, a: a.view(2, 6).exp(), [floats(3, 4)]),
    HCase("permute", lambda m, a: a.permute(2, 0, 1).exp(), [floats(2, 3, 4)]),
    HCase("transpose_mul", lambda m, a: a.transpose(0, 1) * a.T, [floats(3, 4)]),
    HCase("transpose_matmul", lambda m, a: a.transpose(0, 1) @ a, [floats(3, 4)]),
    HCase("expand", lambda m, a: a.expand(2, 3, 4).exp(), [floats(3, 1)]),
    HCase("expand_0d", lambda m, a: a.expand(3, 4) * a, [floats()]),
    HCase("squeeze_unsqueeze", lambda m, a: a.squeeze(0).unsqueeze(-1).exp(), [floats(1, 3, 4)]),
    HCase("squeeze_all", lambda m, a: a.squeeze() * a.squeeze(), [floats(1, 4, 1)]),
    HCase("flatten", lambda m, a: a.flatten().exp(), [floats(2, 3, 4)]),
    HCase("slice_step", lambda m, a: a[1:, ::2].exp(), [floats(3, 4)]),
    HCase("index_array_repeats", lambda m, a: a[[0, 2, 0]].exp(), [floats(3, 4)]),
    HCase("index_array_repeats_sq", lambda m, a: a[[0, 2, 0]] * a[[1, 1, 2]], [floats(3, 4)]),
    HCase("index_bool_mask", lambda m, a, k: a[k].exp(), [floats(3, 4), mask(3, 4)]),
    HCase("gather", lambda m, a, i: a.gather(1, i).exp(), [floats(3, 4), ints(3, 5, high=4)]),
    HCase("cat", lambda m, a, b: m.cat([a, b]).exp(), [floats(2, 4), floats(3, 4)]),
    HCase("cat_mul", lambda m, a, b: m.cat([a, b], 1) * m.cat([b, a], 1), [floats(3, 2), floats(3, 2)]),
    HCase("stack", lambda m, a, b: m.stack([a, b], 1).exp(), [floats(3, 4), floats(3, 4)]),
    HCase("where", lambda m, c, a, b: m.where(c, a, b).exp(), [mask(3, 4), floats(3, 4), floats(4)]),
    HCase("where_mul", lambda m, c, a, b: m.where(c, a * b, b), [mask(3, 4), floats(3, 4), floats(3, 4)]),
    # ---- softmax family
    HCase("softmax_0", lambda m, a: m.softmax(a, 0), [floats(3, 4)]),
    HCase("softmax_1", lambda m, a: _F(m).softmax(a, dim=1), [floats(3, 4)]),
    HCase("softmax_neg1", lambda m, a: a.softmax(-1), [floats(2, 3, 4)]),
    HCase("log_softmax_0", lambda m, a: m.log_softmax(a, 0), [floats(3, 4)]),
    HCase("log_softmax_1", lambda m, a: _F(m).log_softmax(a, dim=1), [floats(3, 4)]),
    HCase("log_softmax_neg1", lambda m, a: a.log_softmax(-1), [floats(2, 3, 4)]),
    # ---- cross_entropy: each option, then combinations
    HCase("ce_mean", _ce(), [floats(5, 4), ints(5, high=4)]),
    HCase("ce_sum", _ce(reduction="sum"), [floats(5, 4), ints(5, high=4)]),
    HCase("ce_none", _ce(reduction="none"), [floats(5, 4), ints(5, high=4)]),
    HCase("ce_weight", _ce_w(), [floats(5, 4), ints(5, high=4), _pos(4)]),
    HCase("ce_weight_sum", _ce_w(reduction="sum"), [floats(5, 4), ints(5, high=4), _pos(4)]),
    HCase("ce_weight_none", _ce_w(reduction="none"), [floats(5, 4), ints(5, high=4), _pos(4)]),
    HCase("ce_ignore_index", _ce(ignore_index=1), [floats(5, 4), IGNORED]),
    HCase("ce_ignore_default", _ce(), [floats(5, 4), IGNORED_DEFAULT]),
    HCase("ce_ignore_none", _ce(ignore_index=1, reduction="none"), [floats(5, 4), IGNORED]),
    HCase("ce_weight_ignore", _ce_w(ignore_index=1), [floats(5, 4), IGNORED, _pos(4)]),
    HCase("ce_smoothing", _ce(label_smoothing=0.1), [floats(5, 4), ints(5, high=4)]),
    HCase("ce_smoothing_sum", _ce(label_smoothing=0.1, reduction="sum"), [floats(5, 4), ints(5, high=4)]),
    HCase("ce_smoothing_weight", _ce_w(label_smoothing=0.1), [floats(5, 4), ints(5, high=4), _pos(4)]),
    HCase("ce_smoothing_ignore", _ce(label_smoothing=0.1, ignore_index=1), [floats(5, 4), IGNORED]),
    HCase("ce_smoothing_weight_ignore_none", _ce_w(label_smoothing=0.1, ignore_index=1, reduction="none"),
          [floats(5, 4), IGNORED, _pos(4)]),
    HCase("ce_probs", _ce(), [floats(5, 4), floats(5, 4, low=0.0, high=1.0, grad=False)]),
    HCase("ce_probs_grad", lambda m, x, p: _F(m).cross_entropy(x, _softmax_rows(m, p)),
          [floats(5, 4), positive(5, 4)]),
    HCase("ce_probs_weight_smoothing_sum", lambda m, x, p, w: _F(m).cross_entropy(
        x, _softmax_rows(m, p), weight=w, label_smoothing=0.1, reduction="sum"),
        [floats(5, 4), positive(5, 4), _pos(4)]),
    HCase("ce_kdim", _ce(), [floats(2, 3, 4), ints(2, 4, high=3)]),
    HCase("ce_kdim_weight_ignore_none", _ce_w(ignore_index=1, reduction="none"),
          [floats(2, 3, 4), ints(2, 4, high=3), _pos(3)]),
    # ---- other losses
    HCase("nll_raw", lambda m, x, t: _F(m).nll_loss(x, t), [floats(5, 4), ints(5, high=4)]),
    HCase("nll_log_softmax", lambda m, x, t: _F(m).nll_loss(x.log_softmax(1), t), [floats(5, 4), ints(5, high=4)]),
    HCase("nll_weight_sum", lambda m, x, t, w: _F(m).nll_loss(x.log_softmax(1), t, weight=w, reduction="sum"),
          [floats(5, 4), ints(5, high=4), _pos(4)]),
    HCase("nll_weight_ignore", lambda m, x, t, w: _F(m).nll_loss(x.log_softmax(1), t, weight=w, ignore_index=1),
          [floats(5, 4), IGNORED, _pos(4)]),
    HCase("nll_none", lambda m, x, t: _F(m).nll_loss(x.log_softmax(1), t, reduction="none"),
          [floats(5, 4), ints(5, high=4)]),
    HCase("mse_mean", lambda m, x, y: _F(m).mse_loss(x, y), [floats(3, 4), floats(3, 4)]),
    HCase("mse_sum", lambda m, x, y: _F(m).mse_loss(x, y, reduction="sum"), [floats(3, 4), floats(3, 4)]),
    HCase("mse_none", lambda m, x, y: _F(m).mse_loss(x, y, reduction="none"), [floats(3, 4), floats(3, 4)]),
    HCase("bce", lambda m, p, y: _F(m).binary_cross_entropy(p, y),
          [_probs(3, 4), floats(3, 4, low=0.0, high=1.0, grad=False)]),
    HCase("bce_weight_sum", lambda m, p, y, w: _F(m).binary_cross_entropy(p, y, weight=w, reduction="sum"),
          [_probs(3, 4), floats(3, 4, low=0.0, high=1.0, grad=False), _pos(4)]),
    HCase("bce_target_grad", lambda m, p, y: _F(m).binary_cross_entropy(p, y), [_probs(3, 4), _probs(3, 4)]),
    HCase("bce_logits", lambda m, x, y: _F(m).binary_cross_entropy_with_logits(x, y),
          [floats(3, 4), floats(3, 4, low=0.0, high=1.0, grad=False)]),
    HCase("bce_logits_weight_none", lambda m, x, y, w: _F(m).binary_cross_entropy_with_logits(
        x, y, weight=w, reduction="none"), [floats(3, 4), floats(3, 4, low=0.0, high=1.0, grad=False), _pos(4)]),
    HCase("bce_logits_pos_weight_sum", lambda m, x, y, pw: _F(m).binary_cross_entropy_with_logits(
        x, y, pos_weight=pw, reduction="sum"), [floats(3, 4), floats(3, 4, low=0.0, high=1.0, grad=False), _pos(4)]),
    HCase("bce_logits_weight_pos_weight", lambda m, x, y, w, pw: _F(m).binary_cross_entropy_with_logits(
        x, y, weight=w, pos_weight=pw), [floats(3, 4), floats(3, 4, low=0.0, high=1.0, grad=False), _pos(3, 1),
                                         _pos(4)]),
    HCase("bce_logits_target_grad", lambda m, x, y: _F(m).binary_cross_entropy_with_logits(x, y),
          [floats(3, 4), _probs(3, 4)]),
    HCase("kl_div_batchmean", lambda m, x, t: _F(m).kl_div(x.log_softmax(1), t, reduction="batchmean"),
          [floats(3, 4), floats(3, 4, low=0.1, high=0.9, grad=False)]),
    HCase("kl_div_batchmean_target_grad", lambda m, x, t: _F(m).kl_div(
        x.log_softmax(1), _softmax_rows(m, t), reduction="batchmean"), [floats(3, 4), positive(3, 4)]),
    HCase("kl_div_log_target", lambda m, x, t: _F(m).kl_div(
        x.log_softmax(1), t.log_softmax(1), reduction="batchmean", log_target=True), [floats(3, 4), floats(3, 4)]),
    HCase("kl_div_log_target_sum", lambda m, x, t: _F(m).kl_div(x, t, reduction="sum", log_target=True),
          [floats(3, 4), floats(3, 4)]),
    # ---- third derivatives
    HCase("third_cube", lambda m, a: a ** 3, [floats(3, 4)], third=True),
    HCase("third_exp_times_x", lambda m, a: a.exp() * a, [floats(3, 4)], third=True),
    HCase("third_tanh", lambda m, a: a.tanh(), [floats(3, 4, low=-3, high=3)], third=True),
    HCase("third_sigmoid", lambda m, a: a.sigmoid(), [floats(3, 4, low=-4, high=4)], third=True),
    HCase("third_log_softmax", lambda m, a: a.log_softmax(1), [floats(3, 4)], third=True),
    HCase("third_product3", lambda m, a, b, c: a * b * c, [floats(3, 4), floats(4), floats(3, 1)], third=True),
    HCase("third_reciprocal", lambda m, a: 1 / a, [nonzero(3, 4)], third=True),
]


# ---------------------------------------------------------------------- scenarios
class Scenario:
    """``fn(m, arrays) -> {name: numpy array or None}`` on input arrays made by
    ``make(rng, dtype)``, run once per float dtype."""

    def __init__(self, name, fn, make, dtypes=FLOAT_DTYPES):
        self.name, self.fn, self.make, self.dtypes = name, fn, make, dtypes

    def keys(self):
        return [f"{self.name}/{d}" for d in self.dtypes]

    def make_inputs(self, dtype):
        rng = np.random.default_rng(seed_for("scenario", self.name, dtype))
        return {k: np.asarray(v) for k, v in self.make(rng, dtype).items()}

    def __repr__(self):
        return f"Scenario({self.name!r})"


def _u(rng, dtype, *shape, low=-1.0, high=1.0):
    return rng.uniform(low, high, size=shape).astype(dtype)


def _load_params(m, module, arrays, names):
    """Copy stored arrays into the module's parameters (never its random init)."""
    params = list(module.parameters())
    assert len(params) == len(names)
    with m.no_grad():
        for p, name in zip(params, names):
            p.copy_(m.tensor(arrays[name]))
    return params


def _tensor_dtype(m, arrays):
    return getattr(m, str(arrays["x"].dtype))


MLP_PARAMS = ("w1", "b1", "w2", "b2")


def _make_mlp(rng, dtype):
    return {"w1": _u(rng, dtype, 8, 4), "b1": _u(rng, dtype, 8), "w2": _u(rng, dtype, 3, 8),
            "b2": _u(rng, dtype, 3), "x": _u(rng, dtype, 5, 4, low=-2, high=2),
            "target": rng.integers(0, 3, size=5).astype(np.int64),
            **{f"v_{n}": _u(rng, dtype, *s) for n, s in (("w1", (8, 4)), ("b1", (8,)), ("w2", (3, 8)), ("b2", (3,)))}}


def _hvp_mlp(m, a):
    """Hessian-vector product of an MLP's cross-entropy loss: grad(grad(loss, params, create_graph) · v, params)."""
    nn = _nn(m)
    net = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3)).to(_tensor_dtype(m, a))
    params = _load_params(m, net, a, MLP_PARAMS)
    loss = _F(m).cross_entropy(net(m.tensor(a["x"])), m.tensor(a["target"]))
    grads = m.autograd.grad(loss, params, create_graph=True)
    dot = sum((g * m.tensor(a[f"v_{n}"])).sum() for g, n in zip(grads, MLP_PARAMS))
    hvp = m.autograd.grad(dot, params)
    out = {"loss": _numpy(loss), "dot": _numpy(dot)}
    out.update({f"grad_{n}": _numpy(g) for g, n in zip(grads, MLP_PARAMS)})
    out.update({f"hvp_{n}": _numpy(h) for h, n in zip(hvp, MLP_PARAMS)})
    out["flags"] = np.array([g.requires_grad for g in grads] + [h.requires_grad for h in hvp]
                            + [p.grad is None for p in params])
    return out


GP_PARAMS = ("w1", "b1", "w2", "b2")


def _make_gp(rng, dtype):
    return {"w1": _u(rng, dtype, 6, 3), "b1": _u(rng, dtype, 6), "w2": _u(rng, dtype, 1, 6),
            "b2": _u(rng, dtype, 1), "x": _u(rng, dtype, 4, 3, low=-2, high=2)}


def _gradient_penalty(m, a):
    """WGAN-GP: penalty = ((|∂D(x)/∂x|_2 - 1)²).mean(), then penalty.backward()."""
    nn = _nn(m)
    disc = nn.Sequential(nn.Linear(3, 6), nn.Tanh(), nn.Linear(6, 1)).to(_tensor_dtype(m, a))
    params = _load_params(m, disc, a, GP_PARAMS)
    x = m.tensor(a["x"], requires_grad=True)
    gx = m.autograd.grad(disc(x).sum(), x, create_graph=True)[0]
    penalty = (((gx * gx).sum(1).sqrt() - 1) ** 2).mean()
    penalty.backward()
    out = {"gx": _numpy(gx), "penalty": _numpy(penalty), "x_grad": _numpy(x.grad)}
    # b2 does not reach ∂D/∂x: its .grad stays None
    out.update({f"grad_{n}": None if p.grad is None else _numpy(p.grad) for p, n in zip(params, GP_PARAMS)})
    out["flags"] = np.array([gx.requires_grad, penalty.requires_grad, x.grad.requires_grad]
                            + [p.grad is not None and p.grad.requires_grad for p in params])
    return out


def _backward_cube_0d(m, a):
    """d²/dx² x³ through .grad: y.backward(create_graph=True); x.grad.backward() accumulates into x.grad."""
    x = m.tensor(a["x"], requires_grad=True)
    y = x ** 3
    y.backward(create_graph=True)
    first = x.grad
    out = {"first": _numpy(first)}
    flags = [first.requires_grad, first.grad_fn is not None]
    first.backward()
    out["after"] = _numpy(x.grad)
    out["first_after"] = _numpy(first)  # the tensor handed out first: torch adds into it in place
    flags += [x.grad.requires_grad, x.grad is first]
    out["flags"] = np.array(flags)
    return out


def _backward_new_expression(m, a):
    """y.backward(create_graph=True), then x.grad in a new expression, x.grad reset, backward again."""
    x = m.tensor(a["x"], requires_grad=True)
    w = m.tensor(a["w"], requires_grad=True)
    y = (x.exp() * w * x).sum()
    y.backward(create_graph=True)
    gx, gw1 = x.grad, w.grad
    out = {"gx": _numpy(gx), "gw1": _numpy(gw1)}
    flags = [gx.requires_grad, gw1.requires_grad]
    x.grad = None
    z = (gx * gx * m.tensor(a["u"])).sum()
    z.backward()
    out.update(x_grad=_numpy(x.grad), w_grad=_numpy(w.grad), z=_numpy(z))
    out["gw1_after"] = _numpy(gw1)  # torch adds into w.grad in place (grad mode is off in backward)
    flags += [x.grad.requires_grad, w.grad.requires_grad, w.grad is gw1]
    out["flags"] = np.array(flags)
    return out


def _make_xwu(rng, dtype):
    return {"x": _u(rng, dtype, 2, 3), "w": _u(rng, dtype, 2, 3), "u": _u(rng, dtype, 2, 3)}


def _grad_outputs(m, a):
    """grad with a non-scalar output and grad_outputs; retain_graph defaults to create_graph,
    so the same graph is differentiated twice."""
    x = m.tensor(a["x"], requires_grad=True)
    y = x.tanh() * x
    (g,) = m.autograd.grad(y, x, grad_outputs=m.tensor(a["u"]), create_graph=True)
    # y's graph was retained by create_graph=True (and is again by this call)
    (g_again,) = m.autograd.grad(y, x, grad_outputs=m.tensor(a["w"]), create_graph=True)
    (h,) = m.autograd.grad(g, x, grad_outputs=m.tensor(a["w"]))
    return {"g": _numpy(g), "h": _numpy(h), "g_again": _numpy(g_again),
            "flags": np.array([g.requires_grad, h.requires_grad, g_again.requires_grad])}


def _make_xuw(rng, dtype):
    return {"x": _u(rng, dtype, 3, 4, low=-2, high=2), "u": _u(rng, dtype, 3, 4), "w": _u(rng, dtype, 3, 4)}


def _grad_accumulates_nothing(m, a):
    """autograd.grad leaves .grad alone (also with create_graph); a later backward fills it."""
    x = m.tensor(a["x"], requires_grad=True)
    y = (x * x * x).sum()
    (g,) = m.autograd.grad(y, x, create_graph=True)
    flags = [x.grad is None]
    (g * m.tensor(a["u"])).sum().backward()
    flags.append(x.grad.requires_grad)
    return {"g": _numpy(g), "x_grad": _numpy(x.grad), "flags": np.array(flags)}


SCENARIOS = [
    Scenario("hvp_mlp", _hvp_mlp, _make_mlp),
    Scenario("gradient_penalty", _gradient_penalty, _make_gp),
    Scenario("backward_cube_0d", _backward_cube_0d,
             lambda rng, dtype: {"x": np.asarray(rng.uniform(0.5, 2.0), dtype=dtype)}),
    Scenario("backward_new_expression", _backward_new_expression, _make_xwu),
    Scenario("grad_outputs", _grad_outputs, _make_xuw),
    Scenario("grad_leaves_dot_grad", _grad_accumulates_nothing, _make_xuw),
]


# ---------------------------------------------------------------------- errors
def _second_order_without_create_graph(m):
    x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (g,) = m.autograd.grad((x * x * x).sum(), x)
    m.autograd.grad(g.sum(), x)


def _backward_grad_without_create_graph(m):
    x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x * x).sum().backward()
    x.grad.sum().backward()


def _grad_output_not_requiring_grad(m):
    x = m.tensor([1.0, 2.0, 3.0])
    m.autograd.grad((x * x).sum(), x)


def _grad_input_not_requiring_grad(m):
    x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = m.tensor([1.0, 2.0, 3.0])
    m.autograd.grad((x * c).sum(), [x, c])


def _unused_input(m):
    x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    unused = m.tensor([1.0, 2.0], requires_grad=True)
    m.autograd.grad((x * x).sum(), [x, unused])


def _unused_input_create_graph(m):
    x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    unused = m.tensor([1.0, 2.0], requires_grad=True)
    m.autograd.grad((x * x).sum(), [x, unused], create_graph=True)


def _unused_second_order(m):
    x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = m.tensor([0.5, -1.0, 2.0], requires_grad=True)
    (g,) = m.autograd.grad((x * w).sum(), x, create_graph=True)  # g = w: x unused below
    m.autograd.grad(g.sum(), [w, x])


def _grad_non_scalar(m):
    x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    m.autograd.grad(x * x, x, create_graph=True)


def _second_order_frees_first_graph(m):
    # g's graph holds y's nodes (tanh's saved result): differentiating g without retain_graph frees them
    x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x.tanh() * x).sum()
    (g,) = m.autograd.grad(y, x, create_graph=True)
    m.autograd.grad(g.sum(), x)
    m.autograd.grad(y, x)


def _grad_twice(m):
    x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    m.autograd.grad(y, x)
    m.autograd.grad(y, x)


# (name, code that must raise, what to compare): None compares the whole message
# (``torch.`` read as ``minigrad.``); a string compares only that part of it.
ERRORS = [
    ("second_order_without_create_graph", _second_order_without_create_graph, None),
    ("backward_grad_without_create_graph", _backward_grad_without_create_graph, None),
    ("grad_output_not_requiring_grad", _grad_output_not_requiring_grad, None),
    ("grad_input_not_requiring_grad", _grad_input_not_requiring_grad, None),
    ("allow_unused_false", _unused_input, None),
    ("allow_unused_false_create_graph", _unused_input_create_graph, None),
    ("allow_unused_false_second_order", _unused_second_order, None),
    ("grad_non_scalar", _grad_non_scalar, None),
    ("grad_twice", _grad_twice, "Trying to backward through the graph a second time"),
    ("second_order_frees_first_graph", _second_order_frees_first_graph,
     "Trying to backward through the graph a second time"),
]
