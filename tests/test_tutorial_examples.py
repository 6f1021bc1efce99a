"""The tutorial-style examples run under minigrad and follow torch's recorded training exactly.

``examples/polynomial_fit.py`` (the "Learning PyTorch with Examples" polynomial fit) and
``examples/makemore_mlp.py`` (a makemore-style character MLP) are executed as written, with
fewer steps; the loss of every step and the final parameters are compared with torch's, recorded
by ``tests/record/record_examples.py`` running the same scripts with torch imported instead.
(``examples/pytorch_style.py`` is run by ``tests/optim/test_examples_train.py``.)
"""
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad

sys.path.insert(0, str(Path(__file__).resolve().parent / "record"))
from common import EXPECTED_DIR, load_expected  # noqa: E402
from examples_common import RUNS, TOLERANCE, results, run_example  # noqa: E402

EXPECTED, META = load_expected(EXPECTED_DIR / "examples.npz")
CASES = [(name, run, argv) for name, runs in RUNS.items() for run, argv in runs]


@pytest.mark.parametrize("name, run, argv", CASES, ids=[f"{n}-{r}" for n, r, _ in CASES])
def test_example_trains_like_torch(name, run, argv):
    assert META["runs"][f"{name}/{run}"] == argv, "re-record: tests/record/record_examples.py"
    namespace, printed = run_example(name, argv, minigrad)
    assert minigrad.get_default_dtype() == minigrad.float32  # the run's --dtype was undone
    tol = TOLERANCE[run]
    got = results(name, namespace)
    keys = sorted(k.rsplit("/", 1)[1] for k in EXPECTED if k.startswith(f"{name}/{run}/"))
    assert sorted(got) == keys
    for key in keys:
        expected = EXPECTED[f"{name}/{run}/{key}"]
        assert got[key].dtype == expected.dtype, key
        assert got[key].shape == expected.shape, key
        np.testing.assert_allclose(got[key], expected, rtol=tol, atol=tol * np.abs(expected).max(), err_msg=key)
    if name == "polynomial_fit":
        assert printed.splitlines()[-1].startswith("Result: y = ")
    else:
        samples = printed.splitlines()[-20:]  # 20 names drawn with torch.multinomial
        assert all(s.endswith(".") and set(s[:-1]) <= set("abcdefghijklmnopqrstuvwxyz") for s in samples)
