"""Layers: Linear against torch's recording and finite differences, activations, Dropout, Sequential."""
import importlib.util
import sys
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.autograd.gradcheck import gradcheck


def _recorded():
    name = "minigrad_tests_recorded_training"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "optim" / "recorded_training.py"
        spec = importlib.util.spec_from_file_location(name, path)
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


def double(*shape, seed=0, grad=True):
    values = np.random.default_rng(seed).normal(size=shape)
    return minigrad.tensor(values, dtype=minigrad.float64, requires_grad=grad)


# ---------------------------------------------------------------------- Linear
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", ["2d", "3d", "no_bias", "1d"])
def test_linear_matches_torch(case, dtype):
    recorded = _recorded()
    inputs, result = recorded.record_training.run_linear(minigrad, case, dtype)
    tol = 1e-12 if dtype == "float64" else 1e-5
    for key, value in result.items():
        want = recorded.expected[f"linear/{case}/{dtype}/{key}"]
        assert value.dtype == want.dtype and value.shape == want.shape
        np.testing.assert_allclose(value, want, rtol=tol, atol=tol, err_msg=f"{case} {dtype} {key}")


@pytest.mark.parametrize("x_shape", [(4, 3), (2, 5, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradcheck(x_shape, bias):
    x, w = double(*x_shape, seed=1), double(2, 3, seed=2)
    b = double(2, seed=3) if bias else None
    assert gradcheck(lambda x, w, b: F.linear(x, w, b), (x, w, b))


def test_linear_layer_uses_one_fused_node():
    layer = nn.Linear(3, 2)
    out = layer(minigrad.randn(4, 3))
    assert out.grad_fn.name() == "LinearBackward" and out.shape == (4, 2)


def test_linear_init_bounds_and_seeding():
    minigrad.manual_seed(0)
    layer = nn.Linear(50, 400)
    bound = 1 / np.sqrt(50)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert layer.weight.shape == (400, 50) and layer.bias.shape == (400,)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.95 * bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.01 * bound  # std of U(-a, a) is a/√3
    minigrad.manual_seed(0)
    again = nn.Linear(50, 400)
    np.testing.assert_array_equal(again.weight.detach().numpy(), w)
    assert nn.Linear(3, 2, dtype=minigrad.float64).weight.dtype == minigrad.float64


def test_linear_errors_match_torch():
    layer = nn.Linear(4, 2)
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(5x3 and 4x2\)"):
        layer(minigrad.randn(5, 3))
    with pytest.raises(RuntimeError, match="mat1 and mat2 must have the same dtype, but got Double and Float"):
        layer(minigrad.randn(5, 4, dtype=minigrad.float64))


# ---------------------------------------------------------------------- activations
@pytest.mark.parametrize("module, function, reference", [
    (nn.ReLU(), F.relu, lambda x: np.maximum(x, 0)),
    (nn.LeakyReLU(0.2), lambda x: F.leaky_relu(x, 0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    (nn.Tanh(), F.tanh, np.tanh),
    (nn.Sigmoid(), F.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    (nn.Identity(), lambda x: x, lambda x: x),
])
def test_activations(module, function, reference):
    x = double(3, 4, seed=5)
    np.testing.assert_allclose(module(x).detach().numpy(), reference(x.detach().numpy()), rtol=1e-12)
    np.testing.assert_array_equal(module(x).detach().numpy(), function(x).detach().numpy())
    if not isinstance(module, nn.Identity):
        assert gradcheck(module, (x,))


def test_inplace_relu_writes_into_its_input():
    x = minigrad.tensor([-1.0, 2.0])
    out = nn.ReLU(inplace=True)(x)
    assert out is x and x.tolist() == [0.0, 2.0]


def test_flatten():
    x = minigrad.randn(2, 3, 4, 5)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 1)(x).shape == (6, 4, 5)
    assert nn.Flatten(start_dim=2)(x).shape == (2, 3, 20)


# ---------------------------------------------------------------------- Dropout
def test_dropout_is_identity_in_eval_and_gradchecks():
    drop = nn.Dropout(0.5).eval()
    x = double(4, 5, seed=6)
    assert drop(x) is x
    assert gradcheck(lambda t: drop(t) * 1.0, (x,))
    assert F.dropout(x, 0.5, training=False) is x


def test_dropout_zeroes_about_p_and_scales_the_rest():
    minigrad.manual_seed(3)
    x = minigrad.ones(200, 500)
    y = nn.Dropout(0.3)(x).numpy()
    zeros = (y == 0).mean()
    assert abs(zeros - 0.3) < 0.01
    np.testing.assert_allclose(np.unique(y), [0.0, 1 / 0.7], rtol=1e-6)
    assert y.dtype == np.float32


def test_dropout_gradient_is_the_mask_and_it_repeats_with_the_seed():
    x = double(6, 7, seed=7)
    minigrad.manual_seed(11)
    y = F.dropout(x, 0.4, training=True)
    y.sum().backward()
    mask = y.detach().numpy() / x.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), mask, rtol=1e-12)
    minigrad.manual_seed(11)
    np.testing.assert_array_equal(F.dropout(x, 0.4).detach().numpy(), y.detach().numpy())


def test_dropout_edge_probabilities():
    x = minigrad.randn(3, 3)
    assert not F.dropout(x, 1.0).numpy().any()
    assert F.dropout(x, 0.0) is x
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, -0.1)


# ---------------------------------------------------------------------- Sequential
def test_sequential_container_protocol():
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    seq = nn.Sequential(*layers)
    assert len(seq) == 3 and list(seq) == layers
    assert seq[0] is layers[0] and seq[-1] is layers[2]
    tail = seq[1:]
    assert isinstance(tail, nn.Sequential) and list(tail) == layers[1:] and list(tail._modules) == ["1", "2"]
    with pytest.raises(IndexError):
        seq[3]
    seq.append(nn.Sigmoid())
    assert len(seq) == 4 and list(seq._modules) == ["0", "1", "2", "3"]
    del seq[1]
    assert list(seq._modules) == ["0", "1", "2"] and seq[1] is layers[2]
    seq.insert(1, nn.Tanh())
    assert [type(m).__name__ for m in seq] == ["Linear", "Tanh", "Linear", "Sigmoid"]
    seq[1] = nn.ReLU()
    assert isinstance(seq[1], nn.ReLU)
    assert seq(minigrad.randn(5, 2)).shape == (5, 1)


def test_sequential_from_ordered_dict_keeps_names():
    seq = nn.Sequential(OrderedDict(fc=nn.Linear(2, 2), act=nn.ReLU()))
    assert list(seq.state_dict()) == ["fc.weight", "fc.bias"] and seq.fc is seq[0]
