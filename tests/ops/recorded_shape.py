"""The torch recording ``tests/expected/shape.npz`` and its case list ``shape_cases.py``,
loaded under their own module names (``tests/record`` is not a package)."""
import importlib.util
import sys
from pathlib import Path

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
sys.modules["common"] = common  # shape_cases says ``from common import ...``
try:
    shape_cases = _load("shape_cases.py", "minigrad_record_shape_cases")
finally:
    if _previous is None:
        del sys.modules["common"]
    else:
        sys.modules["common"] = _previous

ARRAYS, META = common.load_expected(common.EXPECTED_DIR / "shape.npz")
TOLERANCES = {"float64": dict(rtol=1e-10, atol=1e-12), "float32": dict(rtol=1e-5, atol=1e-6),
              "float16": dict(rtol=1e-3, atol=1e-3)}
