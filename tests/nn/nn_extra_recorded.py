"""The torch recording ``tests/expected/nn.npz`` and its case lists ``tests/record/nn_cases.py``
and ``nn_module_cases.py``,
loaded under their own module names (``tests/record`` is not a package)."""
import re

import numpy as np

from recording import load_record  # noqa: E402

common = load_record("common.py")
nn_cases = load_record("nn_cases.py")
nn_module_cases = load_record("nn_module_cases.py")

ARRAYS, META = common.load_expected(common.EXPECTED_DIR / "nn.npz")
TOLERANCES = {"float64": dict(rtol=1e-10, atol=1e-12), "float32": dict(rtol=1e-5, atol=1e-6)}


def assert_same(actual, expected, what):
    actual = np.asarray(actual)
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype}, torch {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, torch {expected.shape}"
    if expected.dtype.kind == "f":
        np.testing.assert_allclose(actual, expected, equal_nan=True, err_msg=what, **TOLERANCES[expected.dtype.name])
    else:
        np.testing.assert_array_equal(actual, expected, err_msg=what)


def in_minigrad_words(text):
    """torch's message as minigrad words it: ``torch.`` -> ``minigrad.`` (``torch.Size`` stays: minigrad prints shapes so)."""
    return re.sub(r"\btorch\.(?!Size)", "minigrad.", text)
