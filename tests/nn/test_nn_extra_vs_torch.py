"""The extra nn layers, functions, losses and utils replayed against torch's recording
(``tests/expected/nn.npz``, from ``tests/record/record_nn.py``): forward values and dtypes,
gradients of inputs and parameters, running statistics, state_dict keys, reprs and errors."""
import warnings

import numpy as np
import pytest

import minigrad
import minigrad.nn  # noqa: F401
import minigrad.optim  # noqa: F401
from nn_extra_recorded import ARRAYS, META, assert_same, common, in_minigrad_words, nn_cases, nn_module_cases

VARIANTS = [(case, key) for case in nn_cases.CASES for key in case.keys()]
MODULES = [(case, dtype, key) for case in nn_module_cases.MODULE_CASES for dtype, key in zip(("float32", "float64"),
                                                                                         case.keys())]


def test_recording_matches_case_lists():
    assert {key for _, key in VARIANTS} == set(META["cases"]), "re-record: tests/record/record_nn.py"
    assert {key for _, _, key in MODULES} == set(META["modules"]), "re-record: tests/record/record_nn.py"
    assert {name for name, _ in nn_module_cases.ERRORS} == set(META["errors"])
    assert {name for name, _ in nn_module_cases.REPRS} == set(META["reprs"])
    assert {f"higher/{name}/{d}" for name, _ in nn_cases.HIGHER for d in ("float32", "float64")} == set(META["higher"])


@pytest.mark.parametrize("case, key", VARIANTS, ids=[key for _, key in VARIANTS])
def test_function_matches_torch(case, key):
    expected = META["cases"][key]
    inputs = [ARRAYS[f"{key}/in{i}"] for i in range(len(case.args))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = common.run_case(minigrad, case, inputs, lambda j, out: ARRAYS[f"{key}/up{j}"])
    assert got["out_dtype"] == expected["out_dtype"], "result dtypes"
    for j, out in enumerate(got["out"]):
        assert_same(out, ARRAYS[f"{key}/out{j}"], f"output {j}")
    assert got["out_requires_grad"] == expected["out_requires_grad"], "which outputs require grad"
    assert [g is not None for g in got["grad"]] == expected["grad"], "which inputs got a gradient"
    for i, g in enumerate(got["grad"]):
        if g is not None:
            assert_same(g, ARRAYS[f"{key}/grad{i}"], f"gradient of input {i}")


@pytest.mark.parametrize("case, dtype, key", MODULES, ids=[key for _, _, key in MODULES])
def test_module_matches_torch(case, dtype, key):
    expected = META["modules"][key]
    inputs = [ARRAYS[f"{key}/in{i}"] for i in range(len(case.args))]
    state = {k: ARRAYS[f"{key}/initial/{k}"] for k in expected["initial"]}
    got = nn_module_cases.run_module(minigrad, case, dtype, inputs, state, upstream=lambda out: ARRAYS[f"{key}/up"])
    assert got["keys"] == expected["keys"], "state_dict keys"
    assert got["params"] == expected["params"], "parameter names"
    assert got["out_dtype"] == expected["out_dtype"]
    for j, out in enumerate(got["out"]):
        assert_same(out, ARRAYS[f"{key}/out{j}"], f"output of call {j}")
    assert sorted(got["grad"]) == expected["grads"], "which inputs and parameters got a gradient"
    for name, g in got["grad"].items():
        assert_same(g, ARRAYS[f"{key}/grad/{name}"], f"gradient of {name}")
    for name, v in got["after"].items():
        assert_same(v, ARRAYS[f"{key}/after/{name}"], f"state {name} after the calls")


@pytest.mark.parametrize("name, build", nn_module_cases.REPRS, ids=[n for n, _ in nn_module_cases.REPRS])
def test_repr_matches_torch(name, build):
    assert repr(build(minigrad)) == in_minigrad_words(META["reprs"][name])


@pytest.mark.parametrize("name, fn", nn_module_cases.ERRORS, ids=[n for n, _ in nn_module_cases.ERRORS])
def test_error_matches_torch(name, fn):
    expected = META["errors"][name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as info:
            fn(minigrad)
    assert type(info.value).__name__ == expected["type"]
    assert str(info.value) == in_minigrad_words(expected["message"])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_utils_match_torch(dtype):
    got = nn_cases.clip_scenarios(minigrad, [a.astype(dtype) for a in nn_cases.CLIP_ARRAYS])
    assert sorted(got) == META["utils"][dtype]
    for name, value in got.items():
        assert_same(value, ARRAYS[f"utils/{dtype}/{name}"], name)


HIGHER = [(name, fn, dtype) for name, fn in nn_cases.HIGHER for dtype in ("float32", "float64")]


@pytest.mark.parametrize("name, fn, dtype", HIGHER, ids=[f"{n}/{d}" for n, _, d in HIGHER])
def test_second_order_matches_torch(name, fn, dtype):
    key = f"higher/{name}/{dtype}"
    g1, g2 = nn_cases.run_higher(minigrad, fn, ARRAYS[f"{key}/x"], ARRAYS[f"{key}/u"], ARRAYS[f"{key}/v"])
    assert_same(g1, ARRAYS[f"{key}/g1"], "first-order gradient")
    assert (g2 is not None) == META["higher"][key], "whether the gradient depends on x"
    if g2 is not None:
        assert_same(g2, ARRAYS[f"{key}/g2"], "second-order gradient")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_training_run_matches_torch(dtype):
    keys = META["train"][dtype]
    state = {k: ARRAYS[f"train/{dtype}/initial/{k}"] for k in keys}
    _, losses, norms, final = nn_module_cases.train_run(minigrad, dtype, state)
    assert_same(losses, ARRAYS[f"train/{dtype}/losses"], "losses")
    assert_same(norms, ARRAYS[f"train/{dtype}/norms"], "gradient norms")
    assert list(final) == keys
    for k, v in final.items():
        assert_same(v, ARRAYS[f"train/{dtype}/final/{k}"], f"{k} after training")
