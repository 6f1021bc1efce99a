"""Higher-order gradients replayed on minigrad and compared with torch's recording.

Every case of ``tests/record/higher_cases.py``: ``grad(..., create_graph=True)`` to first,
second and (for some) third order, against ``tests/expected/higher.npz``: values (float64 to
rtol 1e-10, float32 to rtol 1e-5), dtypes, which inputs get a gradient (None) and which
gradients require grad.  Also the scenarios (Hessian-vector product of an MLP, WGAN-GP
gradient penalty, ``backward(create_graph=True)`` accumulating into ``.grad``,
``grad_outputs``) and torch's error messages.
"""
import pytest

import minigrad
from .higher_recorded import (CASE_VARIANTS, ERRORS, META, SCENARIO_VARIANTS, check_case, check_error,
                              check_scenario)


def test_recording_matches_case_list():
    hint = "re-record: tests/record/record_higher.py (see tests/record/README.md)"
    assert {key for _, key in CASE_VARIANTS} == set(META["cases"]), hint
    assert {key for _, key in SCENARIO_VARIANTS} == set(META["scenarios"]), hint
    assert {name for name, _, _ in ERRORS} == set(META["errors"]), hint


@pytest.mark.parametrize("case, key", CASE_VARIANTS, ids=[key for _, key in CASE_VARIANTS])
def test_higher_order_matches_torch(case, key):
    check_case(case, key, minigrad)


@pytest.mark.parametrize("scenario, key", SCENARIO_VARIANTS, ids=[key for _, key in SCENARIO_VARIANTS])
def test_scenario_matches_torch(scenario, key):
    check_scenario(scenario, key, minigrad)


@pytest.mark.parametrize("name, fn, compare", ERRORS, ids=[name for name, _, _ in ERRORS])
def test_error_matches_torch(name, fn, compare):
    check_error(name, fn, compare, minigrad)
