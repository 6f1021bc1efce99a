"""Losses under no_grad (or with no input requiring grad) take a forward-only path: the
loss is bit for bit the one the forward+backward path gives, it does not require grad, and
the fused cross-entropy kernel is asked for no gradient."""
import itertools

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad.kernels import cross_entropy as ce_kernels

SHAPES = [(6, 5), (5, 40), (4, 3, 2, 3), (5,)]
INDEX_OPTIONS = [dict(weight=w, ignore_index=ii, label_smoothing=eps, reduction=r)
                 for w, ii, eps, r in itertools.product([False, True], [-100, 1], [0.0, 0.2],
                                                        ["mean", "sum", "none"])]


def _inputs(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.normal(size=shape) * 2).astype(dtype)
    C = shape[1] if len(shape) > 1 else shape[0]
    t = rng.integers(0, C, size=(shape[0],) + shape[2:] if len(shape) > 1 else ())
    if t.ndim:
        t.reshape(-1)[0] = 1  # the ignored class in the ignore_index=1 cases
    w = rng.uniform(0.2, 2, C).astype(dtype)
    return x, t, w


def _both(fn):
    """(loss with x requiring grad, backward run; loss of the same call under no_grad)."""
    with_grad = fn(True)
    if with_grad.requires_grad:
        with_grad.sum().backward()
    with minigrad.no_grad():
        without = fn(True)
    plain = fn(False)  # no input requires grad: the forward-only path too
    return with_grad, without, plain


def _same_bits(a, b):
    a, b = a.detach().numpy(), b.detach().numpy()
    assert a.dtype == b.dtype and a.shape == b.shape
    assert np.array_equal(a, b, equal_nan=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("options", INDEX_OPTIONS)
def test_cross_entropy_index_forward_only(shape, dtype, options):
    x, t, w = _inputs(shape, dtype)
    opts = dict(options, weight=minigrad.tensor(w) if options["weight"] else None)

    def call(requires_grad):
        return F.cross_entropy(minigrad.tensor(x, requires_grad=requires_grad), minigrad.tensor(t), **opts)
    with_grad, without, plain = _both(call)
    assert with_grad.requires_grad and not without.requires_grad and not plain.requires_grad
    assert without.grad_fn is None and plain.grad_fn is None
    _same_bits(without, with_grad)
    _same_bits(plain, with_grad)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES[:3])
@pytest.mark.parametrize("options", [dict(), dict(weight=True, label_smoothing=0.1, reduction="sum"),
                                     dict(reduction="none")])
def test_cross_entropy_probabilities_forward_only(shape, dtype, options):
    x, _, w = _inputs(shape, dtype, seed=1)
    q = np.random.default_rng(2).uniform(0, 1, shape).astype(dtype)
    opts = dict(options, weight=minigrad.tensor(w) if options.get("weight") else None)

    def call(requires_grad):
        return F.cross_entropy(minigrad.tensor(x, requires_grad=requires_grad), minigrad.tensor(q), **opts)
    with_grad, without, plain = _both(call)
    assert not without.requires_grad and not plain.requires_grad
    _same_bits(without, with_grad)
    _same_bits(plain, with_grad)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("options", [dict(), dict(weight=True, ignore_index=1, reduction="sum"),
                                     dict(reduction="none", ignore_index=1)])
def test_nll_loss_forward_only(shape, dtype, options):
    x, t, w = _inputs(shape, dtype, seed=3)
    opts = dict(options, weight=minigrad.tensor(w) if options.get("weight") else None)

    def call(requires_grad):
        return F.nll_loss(minigrad.tensor(x, requires_grad=requires_grad), minigrad.tensor(t), **opts)
    with_grad, without, plain = _both(call)
    assert not without.requires_grad and not plain.requires_grad and without.grad_fn is None
    _same_bits(without, with_grad)
    _same_bits(plain, with_grad)


def test_the_kernel_is_asked_for_no_gradient(monkeypatch):
    calls = []
    row_kernel = ce_kernels._ce_rows_ser  # what both the forward-only and the fused calls run

    def spy(*args):
        calls.append(args[11])  # want_grad
        return row_kernel(*args)
    monkeypatch.setattr(ce_kernels, "_ce_rows_ser", spy)
    x, t, _ = _inputs((8, 5), np.float32)
    xt = minigrad.tensor(x, requires_grad=True)
    with minigrad.no_grad():
        F.cross_entropy(xt, minigrad.tensor(t))
    F.cross_entropy(minigrad.tensor(x), minigrad.tensor(t))
    F.cross_entropy(xt, minigrad.tensor(t)).backward()
    assert calls == [False, False, True]


POINTWISE = [("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {}), ("smooth_l1_loss", {"beta": 0.3}),
             ("smooth_l1_loss", {"beta": 0.0}), ("huber_loss", {}), ("huber_loss", {"delta": 0.25}),
             ("binary_cross_entropy", {}), ("binary_cross_entropy_with_logits", {}), ("kl_div", {"reduction": "batchmean"})]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("loss, kwargs", POINTWISE)
def test_pointwise_losses_forward_only(loss, kwargs, reduction, dtype):
    rng = np.random.default_rng(4)
    x = rng.uniform(0.05, 0.95, (40, 7)).astype(dtype)
    y = rng.uniform(0, 1, (40, 7)).astype(dtype)
    x[0, :3] = 0.5
    y[0, :3] = np.array([0.6, 0.75, 0.8], dtype)  # |x - y| on both sides of beta / delta
    kwargs = dict({"reduction": reduction}, **kwargs) if loss != "kl_div" or reduction != "mean" else kwargs

    def call(requires_grad):
        return getattr(F, loss)(minigrad.tensor(x, requires_grad=requires_grad), minigrad.tensor(y), **kwargs)
    with_grad, without, plain = _both(call)
    assert with_grad.requires_grad and not without.requires_grad and without.grad_fn is None
    assert not plain.requires_grad
    _same_bits(without, with_grad)
    _same_bits(plain, with_grad)
