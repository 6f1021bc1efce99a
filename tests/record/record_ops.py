"""Record what torch computes for the cases in ``ops_cases.py`` into ``tests/expected/ops.npz``.

    /path/to/venv-with-torch/bin/python tests/record/record_ops.py

For every case and float dtype it stores, under ``<case>/<dtype>/``: the inputs
(``in0, in1, ...``), the outputs (``out0, ...``), the upstream gradient used for
each float output (``up0, ...``; the loss is ``Σ (out * up).sum()``) and the
gradient of every input that requires grad (``grad0, ...``).  The JSON ``__meta__``
holds the output dtypes, which outputs require grad, the reprs, the errors
(type and message) and the torch version.  Inputs are stored, so the tests never
regenerate them.
"""
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import EXPECTED_DIR, run_case, save_expected, seed_for  # noqa: E402
from ops_cases import CASES, CREATION, ERRORS, REPRS  # noqa: E402

OUTPUT = EXPECTED_DIR / "ops.npz"


def record_cases(cases, arrays, meta):
    for case in cases:
        for dtype, key in zip(case.dtypes, case.keys()):
            inputs = case.make_inputs(dtype)
            rng = np.random.default_rng(seed_for(key, "upstream"))
            record = run_case(torch, case, inputs,
                              lambda j, out: rng.standard_normal(out.shape).astype(out.dtype))
            for i, a in enumerate(inputs):
                arrays[f"{key}/in{i}"] = a
            for name in ("out", "up", "grad"):
                for i, a in enumerate(record[name]):
                    if a is not None:
                        arrays[f"{key}/{name}{i}"] = a
            meta["cases"][key] = {
                "out_dtype": record["out_dtype"],
                "out_requires_grad": record["out_requires_grad"],
                "grad": [g is not None for g in record["grad"]],
            }


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
    torch.set_printoptions(profile="default")
    arrays = {}
    meta = {"torch_version": torch.__version__, "numpy_version": np.__version__, "cases": {}}
    record_cases(CASES + CREATION, arrays, meta)
    meta["reprs"] = {name: repr(fn(torch)) for name, fn in REPRS}
    meta["errors"] = record_errors()
    save_expected(OUTPUT, arrays, meta)
    size = OUTPUT.stat().st_size
    print(f"wrote {OUTPUT} ({len(meta['cases'])} case variants, {len(arrays)} arrays, "
          f"{len(meta['errors'])} errors, {len(meta['reprs'])} reprs, {size / 1024:.0f} KiB) "
          f"with torch {torch.__version__}")


if __name__ == "__main__":
    main()
