"""Record what torch computes for ``shape_cases.py`` into ``tests/expected/shape.npz``.

    /path/to/venv-with-torch/bin/python tests/record/record_shape.py

Same layout as ``ops.npz`` (see ``record_ops.py``): per case and dtype the inputs, outputs,
upstream gradients and input gradients; ``__meta__`` holds the result dtypes, which
outputs require grad, the ``FACTS`` values and the ``ERRORS`` (type and message).
"""
import sys
import warnings
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import EXPECTED_DIR, save_expected  # noqa: E402
from record_ops import record_cases  # noqa: E402
from shape_cases import CASES, ERRORS, FACTS  # noqa: E402

OUTPUT = EXPECTED_DIR / "shape.npz"


def record_errors():
    errors = {}
    for name, fn, _ in ERRORS:
        try:
            fn(torch)
        except Exception as e:  # noqa: BLE001 - recording whatever torch raises
            errors[name] = {"type": type(e).__name__, "message": str(e)}
        else:
            raise AssertionError(f"error case {name!r} did not raise under torch")
    return errors


def main():
    warnings.simplefilter("ignore")  # scatter's deprecated reduce= argument
    torch.manual_seed(0)
    arrays = {}
    meta = {"torch_version": torch.__version__, "numpy_version": np.__version__, "cases": {}}
    record_cases(CASES, arrays, meta)
    meta["facts"] = {name: fn(torch) for name, fn in FACTS}
    meta["errors"] = record_errors()
    save_expected(OUTPUT, arrays, meta)
    print(f"wrote {OUTPUT} ({len(meta['cases'])} case variants, {len(arrays)} arrays, "
          f"{len(meta['errors'])} errors, {len(meta['facts'])} facts) with torch {torch.__version__}")


if __name__ == "__main__":
    main()
