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
