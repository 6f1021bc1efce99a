"""``minigrad.autograd.functional`` against values recorded from ``torch.autograd.functional``
(``tests/expected/functional.npz``, made by ``tests/record/record_functional.py`` from the
cases in ``tests/record/functional_cases.py``): results, their nesting (Tensor or tuples,
following the inputs and outputs), requires_grad flags, gradients through
``create_graph=True`` results back to the caller's inputs, and errors with torch's messages.
"""
import builtins

import numpy as np
import pytest

from recording import load_record  # noqa: E402

TOLERANCES = {"float64": dict(rtol=1e-10, atol=1e-12), "float32": dict(rtol=1e-5, atol=1e-6)}
common = load_record("common.py")
cases = load_record("functional_cases.py")
ARRAYS, META = common.load_expected(common.EXPECTED_DIR / "functional.npz")
CASE_KEYS = [(case, dtype, key) for case in cases.CASES for dtype, key in zip(cases.DTYPES, case.keys())]


def _stored(key, prefix):
    found, k = [], 0
    while f"{key}/{prefix}{k}" in ARRAYS:
        found.append(ARRAYS[f"{key}/{prefix}{k}"])
        k += 1
    return found


def _assert_close(actual, expected, what):
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype}, torch {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, torch {expected.shape}"
    np.testing.assert_allclose(actual, expected, err_msg=what, **TOLERANCES[expected.dtype.name])


def test_recording_matches_case_list():
    assert sorted(META["cases"]) == sorted(key for _, _, key in CASE_KEYS), "re-run tests/record/record_functional.py"
    assert sorted(META["errors"]) == sorted(name for name, _ in cases.ERRORS)


@pytest.mark.parametrize("case,dtype,key", CASE_KEYS, ids=[key for _, _, key in CASE_KEYS])
def test_functional_matches_torch(case, dtype, key):
    import minigrad
    import minigrad.autograd.functional as AF

    arrays = {name.split("/")[-1]: a for name, a in ARRAYS.items() if name.startswith(key + "/")}
    meta = META["cases"][key]
    weights = _stored(key, "w") if meta["bgrad"] is not None else None
    record = cases.run(minigrad, AF, case, arrays, dtype, w=weights)
    assert record["structure"] == meta["structure"], "tuple/Tensor nesting differs from torch"
    assert record["dtypes"] == meta["dtypes"]
    assert record["requires_grad"] == meta["requires_grad"], "requires_grad of the results differs from torch"
    expected = _stored(key, "res")
    assert len(record["leaves"]) == len(expected)
    for k, (actual, want) in enumerate(zip(record["leaves"], expected)):
        _assert_close(actual, want, f"{key}: result tensor {k}")
    if meta["bgrad"] is not None:  # create_graph=True: backward through the results
        got = [g is not None for g in record["bgrad"]]
        assert got == meta["bgrad"], "which inputs get a gradient through the results"
        for i, g in enumerate(record["bgrad"]):
            if g is not None:
                _assert_close(g, arrays[f"bgrad{i}"], f"{key}: gradient of input {i} through the results")


@pytest.mark.parametrize("name,fn", cases.ERRORS, ids=[name for name, _ in cases.ERRORS])
def test_errors_match_torch(name, fn):
    import minigrad
    import minigrad.autograd.functional as AF

    error = META["errors"][name]
    with pytest.raises(getattr(builtins, error["type"])) as info:
        fn(minigrad, AF, cases.Tensors(minigrad))
    assert type(info.value) is getattr(builtins, error["type"])
    assert str(info.value) == error["message"].replace("torch.", "minigrad.")


@pytest.mark.parametrize("name,fn", cases.UNSUPPORTED, ids=[name for name, _ in cases.UNSUPPORTED])
def test_vectorize_and_forward_mode_are_not_implemented(name, fn):
    """torch computes these with vmap / forward-mode AD, which minigrad does not have."""
    import minigrad
    import minigrad.autograd.functional as AF

    with pytest.raises(NotImplementedError, match="minigrad does not have"):
        fn(minigrad, AF, cases.Tensors(minigrad))


def test_importable_as_submodule_and_attribute():
    import minigrad
    import minigrad.autograd.functional as AF

    assert minigrad.autograd.functional is AF
    for name in ("jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"):
        assert callable(getattr(minigrad.autograd.functional, name))


def test_return_structures_follow_inputs_and_outputs():
    import minigrad
    from minigrad.autograd.functional import hessian, jacobian, vjp

    x = minigrad.tensor([0.5, 1.0, 2.0], requires_grad=True)
    y = minigrad.tensor([1.0, 2.0], requires_grad=True)
    assert isinstance(jacobian(lambda a: a.exp(), x), minigrad.Tensor)
    assert jacobian(lambda a: a.exp(), x).shape == (3, 3)
    j = jacobian(lambda a, b: a.exp(), (x, y))
    assert isinstance(j, tuple) and [t.shape for t in j] == [(3, 3), (3, 2)]
    j = jacobian(lambda a: (a.exp(), a.sum()), x)
    assert isinstance(j, tuple) and [t.shape for t in j] == [(3, 3), (3,)]  # out.shape + in.shape
    j = jacobian(lambda a, b: (a.exp(), b.tanh()), (x, y))
    assert [[t.shape for t in row] for row in j] == [[(3, 3), (3, 2)], [(2, 3), (2, 2)]]
    h = hessian(lambda a, b: (a.sum() * b.tanh()).sum(), (x, y))
    assert [[t.shape for t in row] for row in h] == [[(3, 3), (3, 2)], [(2, 3), (2, 2)]]
    out, g = vjp(lambda a: a.pow(2).sum(), x)
    assert isinstance(out, minigrad.Tensor) and isinstance(g, minigrad.Tensor)
    assert not out.requires_grad and not g.requires_grad  # create_graph=False: detached
    out, g = vjp(lambda a, b: a.pow(2).sum() + b.sum(), (x, y))
    assert isinstance(g, tuple) and len(g) == 2


def test_func_sees_new_tensors_not_the_callers():
    """As torch: func gets fresh Tensor objects, so a func that also captured the caller's
    tensor differentiates only through its argument."""
    import minigrad
    from minigrad.autograd.functional import jacobian

    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    jac = jacobian(lambda a: seen.append(a) or a * x, x)
    assert seen[0] is not x
    np.testing.assert_allclose(jac.numpy(), np.diag([1.0, 2.0]))
