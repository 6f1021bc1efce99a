"""float64 gradcheck (finite differences against backward) for every loss and every option,
over hypothesis-drawn small shapes (gradcheck is O(numel²): shapes stay tiny)."""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad.autograd.gradcheck import gradcheck, gradgradcheck

# kl_div 'mean' and mse_loss with broadcast shapes warn, as torch; those warnings are tested elsewhere
pytestmark = pytest.mark.filterwarnings("ignore:reduction. 'mean' divides", "ignore:Using a target size")

REDUCTION = st.sampled_from(["mean", "sum", "none"])


def _rng(data):
    return np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))


def _leaf(array):
    return minigrad.tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


@st.composite
def class_shapes(draw):
    """(input shape, class dim): (C), (N, C), (N, C, d1) or (N, C, d1, d2)."""
    C = draw(st.integers(2, 4), label="C")
    rank = draw(st.integers(1, 4), label="rank")
    if rank == 1:
        return (C,), 0
    N = draw(st.integers(1, 3), label="N")
    return (N, C) + tuple(draw(st.lists(st.integers(1, 2), min_size=rank - 2, max_size=rank - 2))), 1


def _index_targets(data, rng, shape, cdim):
    C = shape[cdim]
    target_shape = () if cdim == 0 else (shape[0],) + shape[2:]
    target = rng.integers(0, C, target_shape)
    ignore_index = data.draw(st.sampled_from([-100, -1, 0, 1]), label="ignore_index")
    if ignore_index != -100 and target.size and data.draw(st.booleans(), label="plant ignored"):
        target.flat[0] = ignore_index
    return minigrad.tensor(np.asarray(target, dtype=np.int64)), ignore_index


def _weight(data, rng, C, low=0.2):
    if not data.draw(st.booleans(), label="weighted"):
        return None
    return minigrad.tensor(rng.uniform(low, 2.0, C))


def _check(fn, *inputs):
    """First derivatives, and second ones (the backward recorded under create_graph, which for
    the fused losses differentiates their composite form) against finite differences."""
    assert gradcheck(fn, inputs, eps=1e-6, atol=1e-6, rtol=1e-4)
    assert gradgradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3)


@given(class_shapes(), REDUCTION, st.data())
def test_cross_entropy_index_targets(shape_dim, reduction, data):
    shape, cdim = shape_dim
    rng = _rng(data)
    target, ignore_index = _index_targets(data, rng, shape, cdim)
    weight = _weight(data, rng, shape[cdim])
    smoothing = data.draw(st.sampled_from([0.0, 0.15, 1.0, -0.5]) | st.floats(0, 1), label="label_smoothing")
    assume(reduction != "mean" or (target.numpy() != ignore_index).any())  # all ignored: constant nan
    _check(lambda x: F.cross_entropy(x, target, weight=weight, ignore_index=ignore_index, reduction=reduction,
                                     label_smoothing=smoothing), _leaf(rng.normal(0, 2, shape)))


@given(class_shapes(), REDUCTION, st.data())
def test_cross_entropy_probability_targets(shape_dim, reduction, data):
    shape, cdim = shape_dim
    rng = _rng(data)
    weight = _weight(data, rng, shape[cdim])
    smoothing = data.draw(st.sampled_from([0.0, 0.3]), label="label_smoothing")
    q = rng.uniform(0, 1, shape)
    q /= q.sum(axis=cdim, keepdims=True)
    _check(lambda x, t: F.cross_entropy(x, t, weight=weight, reduction=reduction, label_smoothing=smoothing),
           _leaf(rng.normal(0, 2, shape)), _leaf(q))


@given(class_shapes(), REDUCTION, st.data())
def test_nll_loss(shape_dim, reduction, data):
    shape, cdim = shape_dim
    rng = _rng(data)
    target, ignore_index = _index_targets(data, rng, shape, cdim)
    weight = _weight(data, rng, shape[cdim], low=-1.0)  # weights of either sign
    valid = target.numpy() != ignore_index
    if weight is not None:
        total = weight.numpy()[np.where(valid, target.numpy(), 0)][valid].sum()
    else:
        total = valid.sum()
    assume(reduction != "mean" or abs(total) > 0.1)
    _check(lambda x: F.nll_loss(x, target, weight=weight, ignore_index=ignore_index, reduction=reduction),
           _leaf(rng.normal(0, 2, shape)))


@given(class_shapes(), st.data())
def test_softmax_and_log_softmax(shape_dim, data):
    shape = shape_dim[0]
    rng = _rng(data)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
    fn = data.draw(st.sampled_from([F.softmax, F.log_softmax]), label="fn")
    _check(lambda x: fn(x, dim), _leaf(rng.normal(0, 2, shape)))


@st.composite
def small_shapes(draw):
    return tuple(draw(st.lists(st.integers(1, 3), min_size=0, max_size=3)))


def _broadcast_weight(data, rng, shape, low=0.1):
    """None, or a weight of the full shape or of a trailing part of it (broadcast)."""
    kind = data.draw(st.sampled_from(["none", "full", "trailing"]), label="weight")
    if kind == "none":
        return None
    return minigrad.tensor(rng.uniform(low, 2.0, shape if kind == "full" else shape[-1:]))


@given(small_shapes(), REDUCTION, st.data())
def test_binary_cross_entropy(shape, reduction, data):
    rng = _rng(data)
    weight = _broadcast_weight(data, rng, shape)
    _check(lambda p, y: F.binary_cross_entropy(p, y, weight=weight, reduction=reduction),
           _leaf(rng.uniform(0.05, 0.95, shape)), _leaf(rng.uniform(0, 1, shape)))


@given(small_shapes(), REDUCTION, st.data())
def test_binary_cross_entropy_with_logits(shape, reduction, data):
    rng = _rng(data)
    weight = _broadcast_weight(data, rng, shape)
    pos_weight = _broadcast_weight(data, rng, shape)
    _check(lambda x, y: F.binary_cross_entropy_with_logits(x, y, weight=weight, reduction=reduction,
                                                           pos_weight=pos_weight),
           _leaf(rng.normal(0, 3, shape)), _leaf(rng.uniform(0, 1, shape)))


@given(small_shapes(), st.sampled_from(["mean", "sum", "none", "batchmean"]), st.booleans(), st.data())
def test_kl_div(shape, reduction, log_target, data):
    rng = _rng(data)
    target = rng.normal(size=shape) if log_target else rng.uniform(0.05, 1, shape)
    _check(lambda x, t: F.kl_div(x, t, reduction=reduction, log_target=log_target),
           _leaf(rng.normal(size=shape)), _leaf(target))


@given(small_shapes(), REDUCTION, st.data())
def test_mse_loss(shape, reduction, data):
    rng = _rng(data)
    weighted = data.draw(st.booleans(), label="weighted")
    weight = minigrad.tensor(rng.uniform(0.1, 2, shape)) if weighted else None
    target_shape = shape[1:] if (shape and not weighted and data.draw(st.booleans(), label="broadcast")) else shape
    _check(lambda x, y: F.mse_loss(x, y, reduction=reduction, weight=weight),
           _leaf(rng.normal(size=shape)), _leaf(rng.normal(size=target_shape)))


def test_unfused_gradient_when_total_weight_is_zero_matches_finite_differences_elsewhere():
    """Weights cancelling to 0 make 'mean' divide by 0 (torch: ±inf/nan); with the same logits and a
    non-zero total the fused gradient must still pass gradcheck (the unfused path is only a fallback)."""
    x = _leaf(np.random.default_rng(0).normal(size=(2, 3)))
    weight = minigrad.tensor([0.0, 1.0, -0.5], dtype=minigrad.float64)
    target = minigrad.tensor([1, 2])
    _check(lambda x: F.cross_entropy(x, target, weight=weight, label_smoothing=0.2), x)


@given(class_shapes(), REDUCTION, st.data())
def test_weight_gradients_where_torch_gives_them(shape_dim, reduction, data):
    """torch differentiates the class weight of probability-target cross-entropy and mse_loss's weight."""
    shape, cdim = shape_dim
    rng = _rng(data)
    q = rng.uniform(0, 1, shape)
    q /= q.sum(axis=cdim, keepdims=True)
    smoothing = data.draw(st.sampled_from([0.0, 0.2]), label="label_smoothing")
    _check(lambda x, t, w: F.cross_entropy(x, t, weight=w, reduction=reduction, label_smoothing=smoothing),
           _leaf(rng.normal(0, 2, shape)), _leaf(q), _leaf(rng.uniform(0.2, 2, shape[cdim])))
    _check(lambda x, y, w: F.mse_loss(x, y, reduction=reduction, weight=w),
           _leaf(rng.normal(size=shape)), _leaf(rng.normal(size=shape)), _leaf(rng.uniform(0.2, 2, shape)))
