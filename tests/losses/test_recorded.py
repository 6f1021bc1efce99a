"""minigrad against the PyTorch outputs recorded in tests/expected/losses.npz.

For every case of tests/record/loss_cases.py and each dtype: the output (value, dtype,
shape, nan/inf), the warnings, and the gradient of every input torch differentiates (for
the recorded upstream gradient), or torch's error when its backward refuses.  Every bad
input of the error table must raise torch's exception type with torch's message.
"""
import numpy as np
import pytest

import minigrad
from loss_helpers import RTOL, assert_matches, load, loss_cases, make_tensors, run_call

CASES = loss_cases.all_cases()
RUNS = [(case, dtype) for case in CASES for dtype in case.dtypes]
ERRORS = loss_cases.error_cases()


def test_recording_matches_the_case_list():
    """Every case has a recording (re-run tests/record/record_losses.py after editing loss_cases.py)."""
    recorded = load()
    missing = [f"{c.name}|{d}" for c, d in RUNS if f"{c.name}|{d}|out" not in recorded]
    missing += [c.name for c in ERRORS if f"{c.name}|error" not in recorded]
    assert not missing, f"not recorded: {missing[:10]}"


@pytest.mark.parametrize("case,dtype", RUNS, ids=[f"{c.name}-{d}" for c, d in RUNS])
def test_forward_and_gradients(case, dtype):
    recorded = load()
    key = f"{case.name}|{dtype}|"
    arrays = {name[len(key) + 3:]: value for name, value in recorded.items() if name.startswith(key + "in:")}
    assert set(arrays) == set(case.arrays), "recorded inputs differ from the case's"
    # mixed float32/float64 cases carry float32 rounding: compare at the coarsest precision involved
    floats = [a.dtype for a in arrays.values() if a.dtype.kind == "f"] + [recorded[key + "out"].dtype]
    rtol = max(RTOL[d] for d in floats)
    tensors = make_tensors(arrays, case.grad)
    out, caught = run_call(case.call, tensors)
    assert_matches(out.detach().numpy(), recorded[key + "out"], f"{case.name} forward", rtol)
    assert caught == recorded[key + "warnings"]
    if key + "upstream" not in recorded:
        assert not out.requires_grad
        return
    upstream = minigrad.from_numpy(recorded[key + "upstream"].copy())
    if key + "backward_error" in recorded:
        kind, message = recorded[key + "backward_error"]
        with pytest.raises(Exception) as info:
            out.backward(upstream)
        assert (type(info.value).__name__, str(info.value)) == (kind, message)
        return
    out.backward(upstream)
    for name in case.grad:
        t = tensors[name]
        expected = recorded.get(key + "grad:" + name)
        if expected is None:
            assert t.grad is None, f"torch gives no gradient for {name}"
        else:
            assert t.grad is not None, f"torch gives a gradient for {name}"
            assert_matches(t.grad.numpy(), expected, f"{case.name} d/d{name}", rtol)


@pytest.mark.parametrize("case", ERRORS, ids=[c.name for c in ERRORS])
def test_bad_input_raises_torchs_error(case):
    kind, message = load()[f"{case.name}|error"]
    tensors = make_tensors(case.arrays, case.grad)
    with pytest.raises(Exception) as info:
        run_call(case.call, tensors)
    assert type(info.value).__name__ == kind, f"{type(info.value).__name__}: {info.value}"
    assert str(info.value) == message


def test_float32_and_float64_agree():
    """The harness-level check of torch's suite: every value case's float32 output is within
    float32 rounding of its float64 output (nan and inf alike)."""
    recorded = load()
    for case in CASES:
        if case.dtypes != ("float64", "float32"):
            continue
        out = {}
        for dtype in case.dtypes:
            arrays = {k: v.astype(dtype) if v.dtype.kind == "f" else v for k, v in case.arrays.items()}
            with minigrad.no_grad():
                out[dtype] = run_call(case.call, make_tensors(arrays))[0].numpy()
        wide, narrow = out["float64"], out["float32"].astype(np.float64)
        np.testing.assert_array_equal(np.isnan(wide), np.isnan(narrow), err_msg=case.name)
        finite = np.isfinite(wide) & np.isfinite(narrow)
        scale = np.max(np.abs(wide[finite]), initial=1.0)
        np.testing.assert_allclose(narrow[finite], wide[finite], rtol=1e-4, atol=1e-4 * scale, err_msg=case.name)
        assert recorded[f"{case.name}|float64|out"].shape == wide.shape
