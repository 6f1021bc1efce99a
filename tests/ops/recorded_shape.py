"""The torch recording ``tests/expected/shape.npz`` and its case list ``shape_cases.py``,
loaded under their own module names (``tests/record`` is not a package)."""

from recording import load_record  # noqa: E402

common = load_record("common.py")
shape_cases = load_record("shape_cases.py")

ARRAYS, META = common.load_expected(common.EXPECTED_DIR / "shape.npz")
TOLERANCES = {"float64": dict(rtol=1e-10, atol=1e-12), "float32": dict(rtol=1e-5, atol=1e-6),
              "float16": dict(rtol=1e-3, atol=1e-3)}
