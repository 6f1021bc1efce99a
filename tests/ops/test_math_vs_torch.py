"""Elementwise math, reductions, norms and matrix products against torch's recording
(``tests/expected/math.npz``, made by ``tests/record/record_math.py`` from ``math_cases.py``):
values, dtypes, gradients to second (some third) order, errors and reprs."""
import pytest

import minigrad
from tests.engine.recorded import normalize_repr

from .math_recorded import META, check_case, check_forward, math_cases

# inf and nan inputs (nan_to_num's cases) make numpy warn inside the ops; torch is silent
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning",
                                        "ignore:invalid value encountered:RuntimeWarning")

CASES = [(case, key) for case in math_cases.CASES for key in case.keys()]
FORWARD = [(case, key) for case in math_cases.FORWARD for key in case.keys()]


def test_recording_matches_case_list():
    hint = "re-record: tests/record/record_math.py"
    assert {key for _, key in CASES} == set(META["cases"]), hint
    assert {key for _, key in FORWARD} == set(META["forward"]), hint
    assert {name for name, _ in math_cases.ERRORS} == set(META["errors"]), hint
    assert {name for name, _ in math_cases.REPRS} == set(META["reprs"]), hint


@pytest.mark.parametrize("case, key", CASES, ids=[key for _, key in CASES])
def test_gradients_match_torch(case, key):
    check_case(case, key, minigrad)


@pytest.mark.parametrize("case, key", FORWARD, ids=[key for _, key in FORWARD])
def test_values_and_dtypes_match_torch(case, key):
    check_forward(case, key, minigrad)


@pytest.mark.parametrize("name, fn", math_cases.ERRORS, ids=[name for name, _ in math_cases.ERRORS])
def test_error_matches_torch(name, fn):
    expected = META["errors"][name]
    raised = math_cases.run_error(minigrad, fn)
    assert raised is not None, f"{name}: did not raise; torch raises {expected['type']}: {expected['message']}"
    assert raised[0] == expected["type"], f"{name}: {raised}, torch {expected}"
    assert normalize_repr(raised[1]) == normalize_repr(expected["message"]), f"{name}: message"


@pytest.mark.parametrize("name, fn", math_cases.REPRS, ids=[name for name, _ in math_cases.REPRS])
def test_repr_matches_torch(name, fn):
    assert repr(fn(minigrad)) == normalize_repr(META["reprs"][name])


def test_nelement_is_numel():
    assert minigrad.ones(2, 3).nelement() == 6 == minigrad.nelement(minigrad.ones(2, 3))


def test_return_types_are_named_tuples_of_their_kind():
    result = minigrad.tensor([[1.0, 5.0], [3.0, 2.0]]).max(1)
    assert isinstance(result, minigrad.return_types.max) and isinstance(result, tuple)
    values, indices = result
    assert values.tolist() == [5.0, 3.0] and indices.tolist() == [1, 0] and result.indices is indices
    low, high = minigrad.tensor([2.0, -1.0]).aminmax()
    assert (low.item(), high.item()) == (-1.0, 2.0)
