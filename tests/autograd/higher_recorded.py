"""torch's higher-order gradients (``tests/expected/higher.npz``) and the checks that replay them.

The checks take the module to run as ``m``: the tests pass ``minigrad``;
``tests/record/selfcheck_higher.py`` passes ``torch`` to validate the checks themselves.
This file imports numpy only (plus the torch-free record modules, loaded by path under
their own names, ``minigrad_record_common`` and ``minigrad_record_higher_cases``).
"""

import numpy as np

from recording import load_record  # noqa: E402

common = load_record("common.py")
higher_cases = load_record("higher_cases.py")

ARRAYS, META = common.load_expected(common.EXPECTED_DIR / "higher.npz")

TOLERANCES = {"float64": dict(rtol=1e-10, atol=1e-12), "float32": dict(rtol=1e-5, atol=1e-6)}

CASE_VARIANTS = [(case, key) for case in higher_cases.CASES for key in case.keys()]
SCENARIO_VARIANTS = [(scenario, key) for scenario in higher_cases.SCENARIOS for key in scenario.keys()]
ERRORS = higher_cases.ERRORS


def stored(key, name):
    return ARRAYS.get(f"{key}/{name}")


def assert_same(actual, expected, what):
    """Equal dtype and shape; float values within the dtype's tolerance (nan equals nan);
    everything else exactly equal."""
    actual = np.asarray(actual)
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype}, torch {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, torch {expected.shape}"
    if expected.dtype.kind == "f":
        np.testing.assert_allclose(actual, expected, equal_nan=True, err_msg=what,
                                   **TOLERANCES[expected.dtype.name])
    else:
        np.testing.assert_array_equal(actual, expected, err_msg=what)


# ---------------------------------------------------------------------- cases
ORDERS = (("g1", None, None), ("g2", "v", "used2"), ("g3", "w", "used3"))
ORDER_NAMES = {"g1": "first", "g2": "second", "g3": "third"}


def _replay(case, key):
    """``run_higher`` on the stored inputs, handing it the stored upstreams.  Before the next
    order uses a gradient, that gradient is compared with torch's, so the first difference
    is the one reported."""
    inputs = [stored(key, f"in{i}") for i in range(len(case.args))]
    expected = META["cases"][key]

    def upstream(stage, i, like):
        if stage == "u":
            assert_same(like, stored(key, "out"), f"{key}: output")
            return stored(key, "u")
        order = "g1" if stage == "v" else "g2"
        up = stored(key, f"{stage}{i}")
        assert up is not None, (
            f"{key}: the {ORDER_NAMES[order]}-order gradient of input {i} requires grad here; torch's "
            f"{'is None' if expected[order + '_meta'][i] is None else 'does not require grad'}")
        assert_same(like, stored(key, f"{order}_{i}"), f"{key}: {ORDER_NAMES[order]}-order gradient of input {i}")
        return up

    return inputs, upstream


def check_case(case, key, m):
    """Replay one recorded case (one dtype) under module ``m`` and compare everything torch
    recorded: output value, dtype and requires_grad; per order, which inputs got a gradient,
    its dtype, its values and whether it requires grad; which inputs entered each next order."""
    expected = META["cases"][key]
    inputs, upstream = _replay(case, key)
    got = higher_cases.run_higher(m, case, inputs, upstream)
    assert got["out_dtype"] == expected["out_dtype"], f"{key}: output dtype"
    assert_same(got["out"], stored(key, "out"), f"{key}: output")
    assert got["out_requires_grad"] == expected["out_requires_grad"], f"{key}: output requires_grad"
    for order, _, used in ORDERS:
        what = f"{key}: {ORDER_NAMES[order]}-order"
        if used is not None:
            assert got[used] == expected[used], (
                f"{what}: inputs whose lower-order gradient exists and requires grad: "
                f"{got[used]}, torch {expected[used]}")
        want = expected[f"{order}_meta"]
        if want is None:
            assert got[order] is None, f"{what} gradients: computed, torch computed none"
            continue
        assert got[order] is not None, f"{what} gradients: not computed, torch computed them"
        have = got[f"{order}_meta"]
        assert [g is None for g in have] == [g is None for g in want], (
            f"{what}: which inputs got a gradient (None marks none): "
            f"{[None if g is None else 'grad' for g in have]}, torch {[None if g is None else 'grad' for g in want]}")
        for i, (h, w) in enumerate(zip(have, want)):
            if w is None:
                continue
            assert h["dtype"] == w["dtype"], f"{what} gradient of input {i}: dtype {h['dtype']}, torch {w['dtype']}"
            assert_same(got[order][i], stored(key, f"{order}_{i}"), f"{what} gradient of input {i}")
            assert h["requires_grad"] == w["requires_grad"], (
                f"{what} gradient of input {i}: requires_grad {h['requires_grad']}, torch {w['requires_grad']}")


# ---------------------------------------------------------------------- scenarios
def scenario_inputs(key):
    prefix = f"{key}/in_"
    return {k[len(prefix):]: v for k, v in ARRAYS.items() if k.startswith(prefix)}


def check_scenario(scenario, key, m):
    """Run one scenario under ``m`` on its stored inputs; every result equals torch's
    (None where torch's is None; flags exactly)."""
    expected = META["scenarios"][key]
    got = scenario.fn(m, scenario_inputs(key))
    assert sorted(k for k, v in got.items() if v is None) == expected["none"], f"{key}: results that are None"
    assert sorted(k for k, v in got.items() if v is not None) == expected["arrays"], f"{key}: results"
    for name in expected["arrays"]:
        assert_same(got[name], stored(key, f"out_{name}"), f"{key}: {name}")


# ---------------------------------------------------------------------- errors
def check_error(name, fn, compare, m):
    """``fn(m)`` raises torch's exception type with torch's message (``torch.`` read as
    ``<m>.``), or, when ``compare`` is a string, a message containing it."""
    expected = META["errors"][name]
    try:
        fn(m)
    except Exception as e:  # noqa: BLE001 - comparing whatever is raised with torch
        got_type, message = type(e).__name__, str(e)
    else:
        raise AssertionError(f"{name}: no exception; torch raised {expected['type']}: {expected['message']}")
    assert got_type == expected["type"], f"{name}: {got_type}: {message}; torch raised {expected['type']}"
    if compare is None:
        assert message == expected["message"].replace("torch.", f"{m.__name__}."), f"{name}: message"
    else:
        assert compare in expected["message"], f"{name}: the recorded message lacks {compare!r}"
        assert compare in message, f"{name}: message {message!r} lacks {compare!r}"
