"""minigrad.set_kernels(False) / MINIGRAD_KERNELS=0: the softmax family and the losses run in
plain numpy (no kernel is called) and still give torch's recorded numbers."""
import importlib
import os
import subprocess
import sys

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad import kernels
from minigrad.ops import loss as loss_ops
from minigrad.ops.softmax import LogSoftmax, Softmax

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "losses"))
import test_recorded as recorded_losses  # noqa: E402  (tests/losses: torch's recorded losses)

sys.path.pop(0)


@pytest.fixture
def kernels_off():
    previous = minigrad.set_kernels(False)
    yield
    minigrad.set_kernels(previous)


def every_loss(x, labels, probs, y01):
    return [F.softmax(x, 1), F.log_softmax(x, 0), F.cross_entropy(x, labels, label_smoothing=0.1),
            F.cross_entropy(x, probs), F.nll_loss(F.log_softmax(x, 1), labels),
            F.binary_cross_entropy_with_logits(x, y01), F.binary_cross_entropy(x.sigmoid(), y01)]


def run(dtype):
    rng = np.random.default_rng(0)
    x = minigrad.tensor(rng.normal(size=(5, 4)), dtype=dtype, requires_grad=True)
    labels = minigrad.tensor(rng.integers(0, 4, 5))
    probs = F.softmax(minigrad.tensor(rng.normal(size=(5, 4)), dtype=dtype), 1)
    y01 = minigrad.tensor(rng.integers(0, 2, (5, 4)), dtype=dtype)
    values, grads = [], []
    for out in every_loss(x, labels, probs, y01):
        x.grad = None
        (out * out.detach()).sum().backward()
        values.append(out.detach().numpy())
        grads.append(x.grad.numpy())
    return values, grads


@pytest.mark.parametrize("dtype", [minigrad.float32, minigrad.float64])
def test_off_means_no_kernel_runs_and_the_numbers_agree(dtype, monkeypatch):
    with_kernels = run(dtype)

    def refuse(*args, **kwargs):
        raise AssertionError("a kernel ran with kernels switched off")

    for cls in (Softmax, LogSoftmax):
        monkeypatch.setattr(cls, "kernel_forward", staticmethod(refuse))
        monkeypatch.setattr(cls, "kernel_backward", staticmethod(refuse))
    monkeypatch.setattr(loss_ops, "cross_entropy_index_kernel", refuse)
    for name in ("nll_forward", "nll_backward", "bce_with_logits_forward_backward"):
        monkeypatch.setattr(kernels, name, refuse)
    for module, names in {"nll": ("nll_fused",), "cross_entropy": ("cross_entropy_fused",),
                          "bce": ("bce_with_logits_forward", "bce_with_logits_forward_backward"),
                          "pointwise_losses": ("squared_error", "abs_error", "smooth_l1", "huber")}.items():
        for name in names:  # the entry points the ops call through the kernel modules
            monkeypatch.setattr(importlib.import_module(f"minigrad.kernels.{module}"), name, refuse)
    assert minigrad.set_kernels(False) is True and not minigrad.kernels_enabled()
    try:
        plain = run(dtype)
    finally:
        assert minigrad.set_kernels(True) is False
    rtol = 1e-5 if dtype == minigrad.float32 else 1e-10
    for a, b in zip(with_kernels[0] + with_kernels[1], plain[0] + plain[1]):
        np.testing.assert_allclose(b, a, rtol=rtol, atol=rtol * 1e-2)


@pytest.mark.parametrize("value,enabled", [("0", False), ("1", True)])
def test_environment_variable(value, enabled):
    env = dict(os.environ, MINIGRAD_KERNELS=value)
    done = subprocess.run([sys.executable, "-c", "import minigrad; print(minigrad.kernels_enabled())"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == str(enabled), done.stderr


@pytest.mark.parametrize("case,dtype", recorded_losses.RUNS, ids=[f"{c.name}-{d}" for c, d in recorded_losses.RUNS])
def test_recorded_losses_without_kernels(case, dtype, kernels_off):
    recorded_losses.test_forward_and_gradients(case, dtype)
