"""Record what torch computes for ``math_cases.py`` into ``tests/expected/math.npz``.

    /path/to/venv-with-torch/bin/python tests/record/record_math.py

``CASES`` are stored as ``record_higher.py`` stores its cases (inputs ``in<i>``, ``out``,
upstreams ``u``/``v<i>``/``w<i>``, gradients ``g1_<i>``/``g2_<i>``/``g3_<i>``; meta: dtypes,
requires_grad, which inputs got gradients).  ``FORWARD`` cases store ``in<i>`` and ``out<j>``
(meta: the output dtypes); ``ERRORS`` the error type and message; ``REPRS`` the repr text.
"""
import sys
import warnings
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import EXPECTED_DIR, save_expected, seed_for  # noqa: E402
from higher_cases import run_higher  # noqa: E402
from math_cases import CASES, ERRORS, FORWARD, REPRS, run_error, run_forward  # noqa: E402

OUTPUT = EXPECTED_DIR / "math.npz"


def record_cases(arrays, meta):
    for case in CASES:
        for dtype, key in zip(case.dtypes, case.keys()):
            inputs = case.make_inputs(dtype)
            rng = np.random.default_rng(seed_for(key, "upstream"))
            rec = run_higher(torch, case, inputs,
                             lambda stage, i, like: rng.standard_normal(like.shape).astype(like.dtype))
            for i, a in enumerate(inputs):
                arrays[f"{key}/in{i}"] = a
            arrays[f"{key}/out"], arrays[f"{key}/u"] = rec["out"], rec["u"]
            for name in ("v", "w", "g1", "g2", "g3"):
                sep = "" if name in ("v", "w") else "_"
                for i, a in enumerate(rec[name] or []):
                    if a is not None:
                        arrays[f"{key}/{name}{sep}{i}"] = a
            meta["cases"][key] = {k: rec[k] for k in ("out_dtype", "out_requires_grad", "g1_meta", "used2",
                                                      "g2_meta", "used3", "g3_meta")}


def record_forward(arrays, meta):
    for case in FORWARD:
        for dtype, key in zip(case.dtypes, case.keys()):
            inputs = case.make_inputs(dtype)
            outs, dtypes = run_forward(torch, case, inputs)
            for i, a in enumerate(inputs):
                arrays[f"{key}/in{i}"] = a
            for j, a in enumerate(outs):
                arrays[f"{key}/out{j}"] = a
            meta["forward"][key] = {"out_dtype": dtypes}


def main():
    warnings.filterwarnings("ignore", message=".*degrees of freedom")
    arrays = {}
    meta = {"torch_version": torch.__version__, "numpy_version": np.__version__,
            "cases": {}, "forward": {}, "errors": {}, "reprs": {}}
    record_cases(arrays, meta)
    record_forward(arrays, meta)
    for name, fn in ERRORS:
        raised = run_error(torch, fn)
        assert raised is not None, f"error case {name!r} did not raise under torch"
        meta["errors"][name] = {"type": raised[0], "message": raised[1]}
    meta["reprs"] = {name: repr(fn(torch)) for name, fn in REPRS}
    save_expected(OUTPUT, arrays, meta)
    print(f"wrote {OUTPUT} ({len(meta['cases'])} case variants, {len(meta['forward'])} forward variants, "
          f"{len(meta['errors'])} errors, {len(arrays)} arrays, {OUTPUT.stat().st_size / 1024:.0f} KiB) "
          f"with torch {torch.__version__}")


if __name__ == "__main__":
    main()
