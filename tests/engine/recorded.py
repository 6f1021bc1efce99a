"""The torch recording (``tests/expected/ops.npz``) and the case list it was made from.

``tests/record`` is not a package, and its generic module name ``common`` could clash
with another test folder's, so its two modules are loaded here under their own names
(``minigrad_record_common``, ``minigrad_record_ops_cases``).
"""
import re

import numpy as np

from recording import load_record  # noqa: E402

common = load_record("common.py")
ops_cases = load_record("ops_cases.py")

ARRAYS, META = common.load_expected(common.EXPECTED_DIR / "ops.npz")

TOLERANCES = {"float64": dict(rtol=1e-10, atol=1e-12), "float32": dict(rtol=1e-5, atol=1e-6)}


def stored(key, name, i):
    return ARRAYS.get(f"{key}/{name}{i}")


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


def normalize_repr(text):
    """torch's repr in minigrad's words: ``torch.float64`` -> ``minigrad.float64`` and
    torch's versioned node names (``MulBackward0``) -> minigrad's (``MulBackward``)."""
    text = text.replace("torch.", "minigrad.")
    return re.sub(r"grad_fn=<(\w+?)Backward\d+>", r"grad_fn=<\1Backward>", text)
