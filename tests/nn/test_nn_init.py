"""minigrad.nn.init: torch's gains, fans and bounds; in place, seeded, fine on Parameters."""
import math

import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
from minigrad.nn import init


@pytest.mark.parametrize("nonlinearity, param, gain", [
    ("linear", None, 1), ("conv2d", None, 1), ("sigmoid", None, 1), ("tanh", None, 5 / 3),
    ("relu", None, math.sqrt(2)), ("leaky_relu", None, math.sqrt(2 / (1 + 0.01 ** 2))),
    ("leaky_relu", math.sqrt(5), math.sqrt(1 / 3)), ("selu", None, 0.75),
])
def test_calculate_gain(nonlinearity, param, gain):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(gain, rel=1e-15)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="negative_slope True not a valid number"):
        init.calculate_gain("leaky_relu", True)


def test_fans_follow_torch():
    assert init._calculate_fan_in_and_fan_out(minigrad.zeros(8, 3)) == (3, 8)
    assert init._calculate_fan_in_and_fan_out(minigrad.zeros(16, 4, 3, 3)) == (36, 144)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(minigrad.zeros(5))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(minigrad.zeros(3, 3), mode="fan_avg")


def big(*shape):
    return nn.Parameter(minigrad.zeros(*shape))


@pytest.mark.parametrize("fill, bound, std", [
    (lambda t: init.uniform_(t, -0.3, 0.3), 0.3, 0.3 / math.sqrt(3)),
    (lambda t: init.xavier_uniform_(t), math.sqrt(6 / (200 + 300)), math.sqrt(2 / (200 + 300))),
    (lambda t: init.xavier_uniform_(t, gain=2.0), 2 * math.sqrt(6 / 500), 2 * math.sqrt(2 / 500)),
    (lambda t: init.kaiming_uniform_(t, a=math.sqrt(5)), 1 / math.sqrt(300), 1 / math.sqrt(900)),
    (lambda t: init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu"), math.sqrt(6 / 200),
     math.sqrt(2 / 200)),
])
def test_uniform_family_bounds_and_spread(fill, bound, std):
    w = big(200, 300)
    assert fill(w) is w
    values = w.detach().numpy()
    assert np.abs(values).max() <= bound * (1 + 1e-6)
    assert np.abs(values).max() > 0.99 * bound
    assert values.std() == pytest.approx(std, rel=0.02)


@pytest.mark.parametrize("fill, mean, std", [
    (lambda t: init.normal_(t, 1.5, 0.2), 1.5, 0.2),
    (lambda t: init.xavier_normal_(t), 0.0, math.sqrt(2 / 500)),
    (lambda t: init.kaiming_normal_(t, nonlinearity="relu"), 0.0, math.sqrt(2 / 300)),
])
def test_normal_family_statistics(fill, mean, std):
    values = fill(big(200, 300)).detach().numpy()
    assert values.mean() == pytest.approx(mean, abs=0.01 * std + 1e-3)
    assert values.std() == pytest.approx(std, rel=0.02)


def test_constant_fills_and_version_bumps():
    w = big(2, 3)
    version = w._version
    assert init.ones_(w).detach().numpy().tolist() == [[1.0] * 3] * 2
    assert not init.zeros_(w).detach().numpy().any()
    assert (init.constant_(w, 0.25).detach().numpy() == 0.25).all()
    assert w._version == version + 3 and w.requires_grad and w.grad_fn is None


def test_seeded_and_generator_streams_repeat():
    minigrad.manual_seed(5)
    a = init.normal_(big(4, 4)).detach().numpy().copy()
    minigrad.manual_seed(5)
    b = init.normal_(big(4, 4)).detach().numpy().copy()
    np.testing.assert_array_equal(a, b)
    g1, g2 = minigrad.Generator().manual_seed(1), minigrad.Generator().manual_seed(1)
    np.testing.assert_array_equal(init.uniform_(big(3, 3), generator=g1).detach().numpy(),
                                  init.uniform_(big(3, 3), generator=g2).detach().numpy())


def test_float64_parameters_keep_their_dtype():
    w = nn.Parameter(minigrad.zeros(3, 3, dtype=minigrad.float64))
    init.xavier_uniform_(w)
    assert w.dtype == minigrad.float64 and w.detach().numpy().any()


def test_zero_element_tensors_warn_and_are_left_alone():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init.kaiming_uniform_(big(0, 3))
