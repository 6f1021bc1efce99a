"""The API around the numbers: signatures, modules and their buffers, validation before compute,
layouts, no_grad, graph release, and the numpy helpers' (N, C, S) contract."""
import warnings

import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.ops import loss as loss_ops, loss_elementwise, softmax as softmax_ops
from loss_helpers import load, loss_cases


@pytest.mark.parametrize("where,name", [(w, n) for w, names in loss_cases.SIGNATURES.items() for n in names])
def test_signature_is_torchs(where, name):
    """Argument names, order and defaults as recorded from torch."""
    fn = getattr(F if where == "F" else nn, name)
    assert loss_cases.signature_of(fn) == load()[f"signature|{where}.{name}"]


def test_modules_register_weight_and_pos_weight_as_buffers():
    w = minigrad.tensor([1.0, 2.0, 3.0])
    pw = minigrad.tensor([0.5, 2.0, 1.0])
    for module in (nn.CrossEntropyLoss(weight=w), nn.NLLLoss(weight=w), nn.BCELoss(weight=w)):
        assert dict(module.named_buffers()) == {"weight": w}
        assert list(module.state_dict()) == ["weight"]
        assert module.double().weight.dtype == minigrad.float64
    module = nn.BCEWithLogitsLoss(weight=w, pos_weight=pw)
    assert dict(module.named_buffers()) == {"weight": w, "pos_weight": pw}
    assert list(nn.CrossEntropyLoss().state_dict()) == []
    assert list(nn.CrossEntropyLoss().parameters()) == []


def test_module_options_and_repr():
    ce = nn.CrossEntropyLoss(ignore_index=3, reduction="sum", label_smoothing=0.1)
    assert (ce.ignore_index, ce.reduction, ce.label_smoothing) == (3, "sum", 0.1)
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(nn.LogSoftmax()) == "LogSoftmax(dim=None)"
    assert repr(nn.MSELoss()) == "MSELoss()"
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert nn.NLLLoss(reduce=False).reduction == "none"


def test_module_and_function_agree_and_module_weight_follows_to():
    rng = np.random.default_rng(1)
    x = minigrad.tensor(rng.normal(size=(4, 3, 2)))
    t = minigrad.tensor(rng.integers(0, 3, (4, 2)))
    w = minigrad.tensor(rng.uniform(size=3).astype(np.float32))
    module = nn.CrossEntropyLoss(weight=w, label_smoothing=0.2).to(minigrad.float64)
    expected = F.cross_entropy(x, t, weight=w.double(), label_smoothing=0.2)
    assert module(x, t).item() == expected.item()


def _forbid(monkeypatch, module, names):
    def boom(*args, **kwargs):
        raise AssertionError("compute ran before validation")
    for name in names:
        monkeypatch.setattr(module, name, boom)


@pytest.mark.parametrize("call", [
    lambda: F.cross_entropy(minigrad.randn(2, 3, 4), minigrad.tensor([[0, 1, 2, 3], [0, 0, 0, 0]])),
    lambda: F.cross_entropy(minigrad.randn(2, 3), minigrad.tensor([0, -1])),
    lambda: F.cross_entropy(minigrad.randn(3), minigrad.tensor(7), label_smoothing=0.5),
    lambda: F.cross_entropy(minigrad.randn(2, 3, 2, 2), minigrad.tensor(np.full((2, 2, 2), 3))),
    lambda: F.nll_loss(minigrad.randn(2, 3, 5, 1, 1), minigrad.tensor(np.full((2, 5, 1, 1), -7))),
    lambda: F.cross_entropy(minigrad.randn(2, 3), minigrad.tensor([0.0, 1.0])),
    lambda: F.binary_cross_entropy(minigrad.tensor([0.5, 1.5]), minigrad.tensor([0.0, 1.0])),
])
def test_validation_runs_before_any_compute(monkeypatch, call):
    """The numba kernels replacing these helpers check no bounds: bad input must never reach them."""
    _forbid(monkeypatch, loss_ops, ["cross_entropy_index_forward", "cross_entropy_prob_forward", "nll_forward",
                                    "log_softmax_forward"])
    _forbid(monkeypatch, loss_elementwise, ["bce_forward"])
    with pytest.raises((IndexError, RuntimeError)):
        call()


@pytest.mark.parametrize("fn", [
    lambda x: F.cross_entropy(x, minigrad.tensor([[0, 2], [1, 1], [2, 0]]), label_smoothing=0.1),
    lambda x: F.log_softmax(x, 1),
    lambda x: F.softmax(x, 0),
    lambda x: F.nll_loss(x, minigrad.tensor([[0, 2], [1, 1], [2, 0]]), reduction="none"),
])
def test_non_contiguous_input_gives_the_contiguous_result(fn):
    base = np.random.default_rng(2).normal(size=(2, 3, 3))
    strided = minigrad.from_numpy(base.transpose(2, 1, 0)).requires_grad_()  # (3, 3, 2), not contiguous
    dense = minigrad.tensor(np.ascontiguousarray(base.transpose(2, 1, 0)), requires_grad=True)
    a, b = fn(strided), fn(dense)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    a.sum().backward()
    b.sum().backward()
    np.testing.assert_array_equal(strided.grad.numpy(), dense.grad.numpy())


def test_no_grad_skips_the_fused_gradient_on_the_numpy_path(monkeypatch):
    seen = []
    original = loss_ops.cross_entropy_index_forward
    monkeypatch.setattr(loss_ops, "_kernel_takes", lambda *args: False)

    def spy(*args):
        seen.append(args[-1])
        return original(*args)
    monkeypatch.setattr(loss_ops, "cross_entropy_index_forward", spy)
    x = minigrad.randn(4, 5, requires_grad=True)
    t = minigrad.tensor([0, 1, 2, 3])
    with minigrad.no_grad():
        quiet = F.cross_entropy(x, t)
    loud = F.cross_entropy(x, t)
    assert seen == [False, True]
    assert not quiet.requires_grad and quiet.item() == loud.item()


@pytest.mark.parametrize("fn", [
    lambda x: F.cross_entropy(x, minigrad.tensor([0, 1])),
    lambda x: F.nll_loss(x, minigrad.tensor([0, 1])),
    lambda x: F.log_softmax(x, 1).sum(),
    lambda x: F.binary_cross_entropy(x.sigmoid(), minigrad.ones(2, 3)),
])
def test_second_backward_raises_as_torch(fn):
    x = minigrad.randn(2, 3, requires_grad=True)
    loss = fn(x)
    loss.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()


def test_helpers_work_on_ncs_arrays_and_leave_inputs_alone():
    """The kernel-swap contract: (N, C, S) arrays in, (N, C, S) / (N, S) arrays out, inputs untouched."""
    rng = np.random.default_rng(3)
    x3 = rng.normal(size=(2, 4, 3))
    t2 = rng.integers(0, 4, (2, 3))
    w = rng.uniform(size=4)
    before = x3.copy(), t2.copy()
    loss2, total, grad3 = loss_ops.cross_entropy_index_forward(x3, t2, w, -100, 0.1, True)
    assert loss2.shape == (2, 3) and grad3.shape == x3.shape and total.shape == ()
    for out in (softmax_ops.softmax_forward(x3), softmax_ops.log_softmax_forward(x3)):
        assert out.shape == x3.shape
    np.testing.assert_array_equal(x3, before[0])
    np.testing.assert_array_equal(t2, before[1])
    # the fused gradient of Σ loss2 equals the unfused torch-order one for a finite scale
    unfused = loss_ops.cross_entropy_index_grad_unfused(softmax_ops.log_softmax_forward(x3), t2, w, -100, 0.1,
                                                        np.float64(1.0))
    np.testing.assert_allclose(grad3, unfused, atol=1e-15)


def test_softmax_dim_none_warns_and_uses_torchs_legacy_dim():
    x = minigrad.randn(2, 3, 4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = F.softmax(x)
    assert "Implicit dimension choice for softmax" in str(caught[0].message)
    assert caught[0].filename == __file__  # the warning points at the caller
    np.testing.assert_allclose(out.numpy().sum(axis=0), 1.0, rtol=1e-6)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nn.LogSoftmax()(x)
    assert caught[0].filename == __file__


def test_kernel_and_numpy_paths_agree_and_the_kernel_is_used(monkeypatch):
    calls = []
    original = loss_ops.cross_entropy_index_kernel
    monkeypatch.setattr(loss_ops, "cross_entropy_index_kernel", lambda *a, **k: calls.append(1) or original(*a, **k))
    x = minigrad.randn(6, 5, 3, dtype=minigrad.float64, requires_grad=True)
    t = minigrad.tensor([[0, 1, 4], [2, -100, 3], [1, 1, 1], [0, 0, 2], [4, 3, 2], [-100, 2, 1]])
    w = minigrad.rand(5, dtype=minigrad.float64)
    fused = F.cross_entropy(x, t, weight=w, label_smoothing=0.2)
    fused.backward()
    assert calls, "the numba kernel was not used"
    grad_fused = x.grad.numpy().copy()
    x.grad = None
    monkeypatch.setattr(loss_ops, "_kernel_takes", lambda *args: False)
    plain = F.cross_entropy(x, t, weight=w, label_smoothing=0.2)
    plain.backward()
    np.testing.assert_allclose(fused.item(), plain.item(), rtol=1e-13)
    np.testing.assert_allclose(grad_fused, x.grad.numpy(), rtol=1e-12, atol=1e-15)
