"""Every op case of ``tests/record/ops_cases.py`` replayed on minigrad and compared with torch.

For each case and dtype: the forward values, their dtypes, which outputs require
grad, and the gradients of ``Σ (out * upstream).sum()`` for every input, all against
the recording in ``tests/expected/ops.npz``.  float64 agrees to rtol 1e-10, float32
to rtol 1e-5 (see ``recorded.TOLERANCES``).
"""
import pytest

import minigrad
from .recorded import META, assert_same, common, ops_cases, stored

VARIANTS = [(case, dtype, key) for case in ops_cases.CASES for dtype, key in zip(case.dtypes, case.keys())]


def test_recording_matches_case_list():
    recorded = set(META["cases"])
    listed = {key for case in ops_cases.CASES + ops_cases.CREATION for key in case.keys()}
    assert listed == recorded, "re-record: tests/record/record_ops.py (see tests/record/README.md)"


def replay(case, key):
    """Run the case on minigrad with the recorded inputs and upstream gradients."""
    inputs = [stored(key, "in", i) for i in range(len(case.args))]
    return common.run_case(minigrad, case, inputs, lambda j, out: stored(key, "up", j))


def check_against_recording(case, key):
    expected = META["cases"][key]
    got = replay(case, key)
    assert got["out_dtype"] == expected["out_dtype"], "result dtypes"
    for j, out in enumerate(got["out"]):
        assert_same(out, stored(key, "out", j), f"output {j}")
    assert got["out_requires_grad"] == expected["out_requires_grad"], "which outputs require grad"
    assert [g is not None for g in got["grad"]] == expected["grad"], "which inputs got a gradient"
    for i, g in enumerate(got["grad"]):
        if g is not None:
            assert_same(g, stored(key, "grad", i), f"gradient of input {i}")


@pytest.mark.parametrize("case, dtype, key", VARIANTS, ids=[key for _, _, key in VARIANTS])
def test_op_matches_torch(case, dtype, key):
    check_against_recording(case, key)
