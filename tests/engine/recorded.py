"""The torch recording (``tests/expected/ops.npz``) and the case list it was made from.

``tests/record`` is not a package, and its generic module name ``common`` could clash
with another test folder's, so its two modules are loaded here under their own names
(``minigrad_record_common``, ``minigrad_record_ops_cases``).
"""
import importlib.util
import re
import sys
from pathlib import Path

import numpy as np

RECORD_DIR = Path(__file__).resolve().parents[1] / "record"


def _load(filename, name):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, RECORD_DIR / filename)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


common = _load("common.py", "minigrad_record_common")
# ops_cases says ``from common import ...``: let that name mean our common while it loads
_previous = sys.modules.get("common")
sys.modules["common"] = common
try:
    ops_cases = _load("ops_cases.py", "minigrad_record_ops_cases")
finally:
    if _previous is None:
        del sys.modules["common"]
    else:
        sys.modules["common"] = _previous

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
