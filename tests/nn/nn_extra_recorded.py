"""The torch recording ``tests/expected/nn.npz`` and its case lists ``tests/record/nn_cases.py``
and ``nn_module_cases.py``,
loaded under their own module names (``tests/record`` is not a package)."""
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
_previous = sys.modules.get("common")
sys.modules["common"] = common  # nn_cases says ``from common import ...``
try:
    nn_cases = _load("nn_cases.py", "minigrad_record_nn_cases")
    nn_module_cases = _load("nn_module_cases.py", "minigrad_record_nn_module_cases")
finally:
    if _previous is None:
        del sys.modules["common"]
    else:
        sys.modules["common"] = _previous

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
