"""Shape, indexing, sorting and creation methods replayed on minigrad against torch's recording
(``tests/expected/shape.npz``, made by ``tests/record/record_shape.py`` from ``shape_cases.py``):
values, result dtypes, gradients, facts (type names, sizes, sample shapes) and errors.
"""
import numpy as np
import pytest

import minigrad
from .recorded_shape import ARRAYS, META, TOLERANCES, common, shape_cases

VARIANTS = [(case, key) for case in shape_cases.CASES for key in case.keys()]
ERRORS = {name: (fn, part) for name, fn, part in shape_cases.ERRORS}


def stored(key, name, i):
    return ARRAYS.get(f"{key}/{name}{i}")


def assert_same(actual, expected, what):
    actual = np.asarray(actual)
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype}, torch {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, torch {expected.shape}"
    if expected.dtype.kind == "f":
        np.testing.assert_allclose(actual, expected, equal_nan=True, err_msg=what, **TOLERANCES[expected.dtype.name])
    else:
        np.testing.assert_array_equal(actual, expected, err_msg=what)


def test_recording_matches_case_list():
    assert {key for _, key in VARIANTS} == set(META["cases"]), "re-record: tests/record/record_shape.py"
    assert set(ERRORS) == set(META["errors"])
    assert {name for name, _ in shape_cases.FACTS} == set(META["facts"])


@pytest.mark.parametrize("case, key", VARIANTS, ids=[key for _, key in VARIANTS])
def test_case_matches_torch(case, key):
    expected = META["cases"][key]
    inputs = [stored(key, "in", i) for i in range(len(case.args))]
    got = common.run_case(minigrad, case, inputs, lambda j, out: stored(key, "up", j))
    assert got["out_dtype"] == expected["out_dtype"], "result dtypes"
    for j, out in enumerate(got["out"]):
        assert_same(out, stored(key, "out", j), f"output {j}")
    assert got["out_requires_grad"] == expected["out_requires_grad"], "which outputs require grad"
    assert [g is not None for g in got["grad"]] == expected["grad"], "which inputs got a gradient"
    for i, g in enumerate(got["grad"]):
        if g is not None:
            assert_same(g, stored(key, "grad", i), f"gradient of input {i}")


def _json(value):
    """A fact as JSON stores it, torch's names read as minigrad's."""
    if isinstance(value, str):
        return value.replace("torch.", "minigrad.")
    if isinstance(value, (tuple, list)):
        return [_json(v) for v in value]
    return value


@pytest.mark.parametrize("name, fn", shape_cases.FACTS, ids=[name for name, _ in shape_cases.FACTS])
def test_fact_matches_torch(name, fn):
    assert _json(fn(minigrad)) == _json(META["facts"][name])


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_matches_torch(name):
    fn, part = ERRORS[name]
    with pytest.raises(Exception) as info:
        fn(minigrad)
    recorded = META["errors"][name]
    message = recorded["message"].replace("torch.", "minigrad.")
    assert type(info.value).__name__ == recorded["type"], str(info.value)
    if part is None:
        assert str(info.value) == message
    else:
        assert part in message and part in str(info.value)


# ---------------------------------------------------------------- samplers: torch's distributions
N = 20000


def test_multinomial_with_replacement_follows_the_weights():
    minigrad.manual_seed(0)
    draws = minigrad.tensor([[1.0, 2.0, 7.0], [5.0, 0.0, 5.0]]).multinomial(N, replacement=True).numpy()
    assert draws.shape == (2, N) and draws.dtype == np.int64
    np.testing.assert_allclose(np.bincount(draws[0], minlength=3) / N, [0.1, 0.2, 0.7], atol=0.015)
    np.testing.assert_allclose(np.bincount(draws[1], minlength=3) / N, [0.5, 0.0, 0.5], atol=0.015)


def test_multinomial_without_replacement_draws_distinct_categories():
    gen = minigrad.Generator().manual_seed(3)
    probs = minigrad.tensor([0.1, 0.2, 0.3, 0.4], dtype=minigrad.float64).expand(N // 4, 4)
    draws = minigrad.multinomial(probs, 3, generator=gen).numpy()
    assert all(len(set(row)) == 3 for row in draws)
    np.testing.assert_allclose(np.bincount(draws[:, 0], minlength=4) / len(draws), [0.1, 0.2, 0.3, 0.4],
                               atol=0.02)
    assert 0 not in minigrad.tensor([0.0, 1.0, 1.0]).multinomial(2).tolist()


def test_generators_repeat_their_streams():
    a = minigrad.zeros(5).uniform_(generator=minigrad.Generator().manual_seed(7))
    b = minigrad.zeros(5).uniform_(generator=minigrad.Generator().manual_seed(7))
    assert a.tolist() == b.tolist()
    minigrad.manual_seed(11)
    first = minigrad.normal(0.0, 1.0, (4,)).tolist() + minigrad.ones(4).bernoulli(0.5).tolist()
    minigrad.manual_seed(11)
    assert first == minigrad.normal(0.0, 1.0, (4,)).tolist() + minigrad.ones(4).bernoulli(0.5).tolist()


def test_bernoulli_means():
    minigrad.manual_seed(1)
    p = minigrad.tensor([0.0, 0.25, 0.9, 1.0])
    draws = minigrad.bernoulli(p.expand(N, 4)).numpy()
    assert set(np.unique(draws)) <= {0.0, 1.0}
    np.testing.assert_allclose(draws.mean(0), [0.0, 0.25, 0.9, 1.0], atol=0.015)
    assert abs(minigrad.zeros(N, dtype=minigrad.float64).bernoulli_(0.3).numpy().mean() - 0.3) < 0.015
    assert abs(minigrad.zeros(N).bernoulli(0.7).numpy().mean() - 0.7) < 0.015


def test_normal_overloads_have_their_moments():
    minigrad.manual_seed(2)
    mean, std = minigrad.tensor([-1.0, 3.0]), minigrad.tensor([0.5, 2.0])
    draws = minigrad.normal(mean.expand(N, 2), std.expand(N, 2)).numpy()
    np.testing.assert_allclose(draws.mean(0), [-1.0, 3.0], atol=0.05)
    np.testing.assert_allclose(draws.std(0), [0.5, 2.0], rtol=0.03)
    scalar_std = minigrad.normal(minigrad.full((N,), 2.0), 3.0).numpy()
    assert abs(scalar_std.mean() - 2.0) < 0.1 and abs(scalar_std.std() - 3.0) < 0.1
    scalar_mean = minigrad.normal(-2.0, minigrad.full((N,), 0.5)).numpy()
    assert abs(scalar_mean.mean() + 2.0) < 0.02 and abs(scalar_mean.std() - 0.5) < 0.02
    floats = minigrad.normal(1.0, 2.0, (N,)).numpy()
    assert abs(floats.mean() - 1.0) < 0.06 and abs(floats.std() - 2.0) < 0.06
    in_place = minigrad.empty(N).normal_(5.0, 0.1).numpy()
    assert abs(in_place.mean() - 5.0) < 0.01 and abs(in_place.std() - 0.1) < 0.005


def test_sampled_tensors_are_in_the_graph_with_zero_gradient():
    mean = minigrad.tensor([1.0, 2.0], requires_grad=True)
    minigrad.normal(mean, 1.0).sum().backward()
    assert mean.grad.tolist() == [0.0, 0.0]
    p = minigrad.tensor([0.5, 0.5], requires_grad=True)
    minigrad.bernoulli(p).sum().backward()
    assert p.grad.tolist() == [0.0, 0.0]


def test_uniform_exponential_and_integer_ranges():
    minigrad.manual_seed(4)
    u = minigrad.empty(N, dtype=minigrad.float64).uniform_(-2.0, 3.0).numpy()
    assert u.min() >= -2.0 and u.max() < 3.0 and abs(u.mean() - 0.5) < 0.05
    e = minigrad.empty(N).exponential_(4.0).numpy()
    assert e.min() >= 0 and abs(e.mean() - 0.25) < 0.01
    r = minigrad.empty(N).random_(2, 5).numpy()
    assert set(np.unique(r)) == {2.0, 3.0, 4.0}
    assert set(np.unique(minigrad.zeros(N, dtype=minigrad.int64).random_(3).numpy())) == {0, 1, 2}
    big = minigrad.empty(1000).random_().numpy()
    assert big.min() >= 0 and big.max() <= 2 ** 24 and (big == np.round(big)).all()
    k = minigrad.randint_like(minigrad.zeros(N, dtype=minigrad.int32), -1, 2)
    assert k.dtype == minigrad.int32 and set(np.unique(k.numpy())) == {-1, 0, 1}


def test_apply_keeps_the_dtype_and_layout():
    x = minigrad.arange(6).reshape(2, 3).T
    x.apply_(lambda v: v * 10)
    assert x.dtype == minigrad.int64 and x.tolist() == [[0, 30], [10, 40], [20, 50]]
