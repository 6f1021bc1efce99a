"""The torch recording ``tests/expected/math.npz`` and the case list it was made from
(``tests/record/math_cases.py``), loaded under names of their own."""
from recording import load_record
from tests.engine.recorded import assert_same, common

higher_cases = load_record("higher_cases.py")
math_cases = load_record("math_cases.py")

ARRAYS, META = common.load_expected(common.EXPECTED_DIR / "math.npz")
ORDERS = (("g1", None, None), ("g2", "v", "used2"), ("g3", "w", "used3"))
ORDER_NAMES = {"g1": "first", "g2": "second", "g3": "third"}


def stored(key, name):
    return ARRAYS.get(f"{key}/{name}")


def check_case(case, key, m):
    """Replay a ``CASES`` entry: output (value, dtype, requires_grad) and, per order, which
    inputs got a gradient, its dtype, values and requires_grad."""
    expected = META["cases"][key]
    inputs = [stored(key, f"in{i}") for i in range(len(case.args))]

    def upstream(stage, i, like):
        if stage == "u":
            assert_same(like, stored(key, "out"), f"{key}: output")
            return stored(key, "u")
        order = "g1" if stage == "v" else "g2"
        up = stored(key, f"{stage}{i}")
        assert up is not None, f"{key}: the {ORDER_NAMES[order]}-order gradient of input {i} requires grad here, " \
                               "not in torch"
        assert_same(like, stored(key, f"{order}_{i}"), f"{key}: {ORDER_NAMES[order]}-order gradient of input {i}")
        return up

    got = higher_cases.run_higher(m, case, inputs, upstream)
    assert got["out_dtype"] == expected["out_dtype"], f"{key}: output dtype"
    assert_same(got["out"], stored(key, "out"), f"{key}: output")
    assert got["out_requires_grad"] == expected["out_requires_grad"], f"{key}: output requires_grad"
    for order, _, used in ORDERS:
        what = f"{key}: {ORDER_NAMES[order]}-order"
        if used is not None:
            assert got[used] == expected[used], f"{what}: inputs entering it {got[used]}, torch {expected[used]}"
        want = expected[f"{order}_meta"]
        if want is None:
            assert got[order] is None, f"{what} gradients: computed, torch computed none"
            continue
        assert got[order] is not None, f"{what} gradients: not computed, torch computed them"
        have = got[f"{order}_meta"]
        assert [g is None for g in have] == [g is None for g in want], f"{what}: which inputs got a gradient"
        for i, (h, w) in enumerate(zip(have, want)):
            if w is not None:
                assert h["dtype"] == w["dtype"], f"{what} gradient of input {i}: dtype"
                assert_same(got[order][i], stored(key, f"{order}_{i}"), f"{what} gradient of input {i}")
                assert h["requires_grad"] == w["requires_grad"], f"{what} gradient of input {i}: requires_grad"


def check_forward(case, key, m):
    inputs = [stored(key, f"in{i}") for i in range(len(case.args))]
    outs, dtypes = math_cases.run_forward(m, case, inputs)
    assert dtypes == META["forward"][key]["out_dtype"], f"{key}: output dtypes"
    for j, out in enumerate(outs):
        assert_same(out, stored(key, f"out{j}"), f"{key}: output {j}")



