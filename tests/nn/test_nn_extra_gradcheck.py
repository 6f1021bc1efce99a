"""The extra nn functions' gradients (first and second order) against finite differences,
in float64, on shapes drawn by hypothesis (size-1 and 0-d dims where the function takes
them, and non-contiguous leaves).  Values are drawn away from each function's kinks."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
import minigrad.nn
import minigrad.nn.functional as F
from minigrad.autograd import gradcheck, gradgradcheck

SIDE = dict(min_side=1, max_side=3)


def away_from(kinks, shape, rng, low=-4.0, high=4.0, gap=0.1):
    """Uniform values at least ``gap`` from every kink."""
    values = rng.uniform(low, high, shape)
    for k in kinks:
        close = np.abs(values - k) < gap
        values = np.where(close, k + np.sign(values - k + 1e-12) * gap * 2, values)
    return values


def leaf(values, transposed=False):
    array = np.ascontiguousarray(values.T).T if transposed and values.ndim >= 2 else values.copy()
    return minigrad.from_numpy(array).requires_grad_()


ACTIVATIONS = {
    "gelu": (F.gelu, ()),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), ()),
    "silu": (F.silu, ()),
    "elu": (lambda x: F.elu(x, 0.7), (0,)),
    "selu": (F.selu, (0,)),
    "celu": (lambda x: F.celu(x, 1.5), (0,)),
    "softplus": (lambda x: F.softplus(x, 2.0, 3.0), (1.5,)),
    "softsign": (F.softsign, (0,)),
    "hardtanh": (lambda x: F.hardtanh(x, -0.5, 1.5), (-0.5, 1.5)),
    "hardsigmoid": (F.hardsigmoid, (-3, 3)),
    "hardswish": (F.hardswish, (-3, 3)),
    "mish": (F.mish, ()),
    "logsigmoid": (F.logsigmoid, ()),
    "softmin": (lambda x: F.softmin(x, dim=-1), ()),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, **SIDE), seed=st.integers(0, 2 ** 16),
       transposed=st.booleans())
def test_activation_gradcheck(name, shape, seed, transposed):
    fn, kinks = ACTIVATIONS[name]
    x = leaf(away_from(kinks, shape, np.random.default_rng(seed)), transposed)
    assert gradcheck(fn, (x,))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_gradgradcheck(name):
    fn, kinks = ACTIVATIONS[name]
    x = leaf(away_from(kinks, (2, 3), np.random.default_rng(1)))
    assert gradgradcheck(fn, (x,))


def _layer_norm(x, w, b):
    return F.layer_norm(x, x.shape[-1:], w, b)


def _group_norm(x, w, b):
    return F.group_norm(x, 2, w, b)


def _batch_norm(x, w, b):
    return F.batch_norm(x, None, None, w, b, training=True)


def _prelu(x, w, b):
    return F.prelu(x, w) + b


NORMS = {"layer_norm": _layer_norm, "group_norm": _group_norm, "batch_norm": _batch_norm, "prelu": _prelu}


@pytest.mark.parametrize("name", sorted(NORMS))
@given(n=st.integers(2, 3), c=st.sampled_from([2, 4]), rest=hnp.array_shapes(min_dims=0, max_dims=1, **SIDE),
       seed=st.integers(0, 2 ** 16))
def test_normalisation_gradcheck(name, n, c, rest, seed):
    rng = np.random.default_rng(seed)
    shape = (n, c) + rest
    if name == "layer_norm":
        w_shape = shape[-1:]
    else:
        w_shape = (c,)
    x = leaf(rng.uniform(-2, 2, shape) if name != "prelu" else away_from((0,), shape, rng))
    w, b = leaf(rng.uniform(0.5, 1.5, w_shape)), leaf(rng.uniform(-1, 1, w_shape if name != "prelu" else (c,) +
                                                                  (1,) * len(rest)))
    assert gradcheck(NORMS[name], (x, w, b))


@pytest.mark.parametrize("name", sorted(NORMS))
def test_normalisation_gradgradcheck(name):
    rng = np.random.default_rng(3)
    x = leaf(rng.uniform(-2, 2, (3, 4, 2)))
    w_shape = (2,) if name == "layer_norm" else (4,)
    w = leaf(rng.uniform(0.5, 1.5, w_shape))
    b = leaf(rng.uniform(-1, 1, w_shape if name != "prelu" else (4, 1)))
    assert gradgradcheck(NORMS[name], (x, w, b))


PAIRS = {
    "cosine_similarity": lambda a, b: F.cosine_similarity(a, b, dim=-1),
    "pairwise_distance": F.pairwise_distance,
    "pairwise_distance_p3": lambda a, b: F.pairwise_distance(a, b, p=3.0),
    "normalize": lambda a, b: F.normalize(a, dim=-1) * b,
    "l1": lambda a, b: F.l1_loss(a, b, reduction="none"),
    "smooth_l1": lambda a, b: F.smooth_l1_loss(a, b, beta=0.5),
    "huber": lambda a, b: F.huber_loss(a, b, delta=0.5, reduction="sum"),
    "poisson_nll": lambda a, b: F.poisson_nll_loss(a, b.abs() + 0.5),
    "gaussian_nll": lambda a, b: F.gaussian_nll_loss(a, a * 0.5, b.abs() + 0.5),
    "pad_constant": lambda a, b: F.pad(a, (1, 2), value=0.5) * F.pad(b, (1, 2)),
    "pad_crop": lambda a, b: F.pad(a * b, (-1, 1)),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=3), seed=st.integers(0, 2 ** 16))
def test_pair_gradcheck(name, shape, seed):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-2, 2, shape)
    b = a + rng.choice([-1.0, 1.0], shape) * rng.uniform(0.1, 1.0, shape)  # |a - b| away from the kinks
    assert gradcheck(PAIRS[name], (leaf(a), leaf(b)))


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_pair_gradgradcheck(name):
    rng = np.random.default_rng(5)
    a = rng.uniform(-2, 2, (2, 3))
    b = a + rng.choice([-1.0, 1.0], (2, 3)) * rng.uniform(0.1, 1.0, (2, 3))
    assert gradgradcheck(PAIRS[name], (leaf(a), leaf(b)))


@given(seed=st.integers(0, 2 ** 16), mode=st.sampled_from(["reflect", "replicate", "circular"]))
def test_pad_modes_gradcheck(seed, mode):
    x = leaf(np.random.default_rng(seed).uniform(-2, 2, (2, 3, 4)))
    assert gradcheck(lambda t: F.pad(t, (2, 1, 1, 2), mode=mode), (x,))
    assert gradgradcheck(lambda t: F.pad(t, (2, 1), mode=mode) ** 2, (x,))


def test_embedding_gradcheck():
    """(padding_idx and scale_grad_by_freq change the gradient on purpose, as torch: their values
    are in the recording.)"""
    w = leaf(np.random.default_rng(0).uniform(-1, 1, (5, 3)))
    idx = minigrad.tensor([[1, 2, 1], [0, 4, 1]])
    assert gradcheck(lambda t: F.embedding(idx, t) ** 2, (w,))
    assert gradgradcheck(lambda t: F.embedding(idx, t, padding_idx=2) ** 2, (w,))


def test_losses_with_targets_gradcheck():
    rng = np.random.default_rng(2)
    x1, x2 = leaf(rng.uniform(-1, 1, (4, 3))), leaf(rng.uniform(-1, 1, (4, 3)))
    y = minigrad.tensor([1.0, -1.0, -1.0, 1.0], dtype=minigrad.float64)
    assert gradgradcheck(lambda a, b: F.cosine_embedding_loss(a, b, y, margin=-0.5), (x1, x2))
    t = minigrad.tensor([0, 2, 1, 2])
    assert gradgradcheck(lambda a: F.multi_margin_loss(a, t, p=2, margin=2.0), (x1,))
    assert gradcheck(lambda a: F.hinge_embedding_loss(a, minigrad.ones(4, 3, dtype=minigrad.float64) * -1,
                                                      margin=2.0), (x1,))
    assert gradcheck(lambda a, b: F.margin_ranking_loss(a, b, y.reshape(4, 1), margin=3.0), (x1, x2))
