"""Record torch's higher-order gradients for ``higher_cases.py`` into ``tests/expected/higher.npz``.

    /path/to/venv-with-torch/bin/python tests/record/record_higher.py

Per case and float dtype, under ``<case>/<dtype>/``: the inputs ``in<i>``, the output ``out``,
the upstreams ``u`` (first order), ``v<i>`` (second) and ``w<i>`` (third), and the gradients
``g1_<i>``, ``g2_<i>``, ``g3_<i>`` of every input that got one (see ``higher_cases.run_higher``).
The JSON ``__meta__`` holds per case the output dtype and requires_grad, and per order a list
over the inputs of null (no gradient, or input not differentiated) or {dtype, requires_grad},
plus ``used2``/``used3``: the inputs whose gradient entered the next order's sum (null when
that order was not computed).  Scenarios store ``<scenario>/<dtype>/in_<name>`` and
``out_<name>`` (meta: which results are arrays, which None); errors store type and message.
"""
import sys
import warnings
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import EXPECTED_DIR, save_expected, seed_for  # noqa: E402
from higher_cases import CASES, ERRORS, SCENARIOS, run_higher  # noqa: E402

OUTPUT = EXPECTED_DIR / "higher.npz"


def record_cases(arrays, meta):
    for case in CASES:
        for dtype, key in zip(case.dtypes, case.keys()):
            inputs = case.make_inputs(dtype)
            rng = np.random.default_rng(seed_for(key, "upstream"))
            rec = run_higher(torch, case, inputs,
                             lambda stage, i, like: rng.standard_normal(like.shape).astype(like.dtype))
            for i, a in enumerate(inputs):
                arrays[f"{key}/in{i}"] = a
            arrays[f"{key}/out"] = rec["out"]
            arrays[f"{key}/u"] = rec["u"]
            for name in ("v", "w", "g1", "g2", "g3"):
                sep = "" if name in ("v", "w") else "_"
                for i, a in enumerate(rec[name] or []):
                    if a is not None:
                        arrays[f"{key}/{name}{sep}{i}"] = a
            meta["cases"][key] = {k: rec[k] for k in ("out_dtype", "out_requires_grad", "g1_meta", "used2",
                                                      "g2_meta", "used3", "g3_meta")}
            # informational (the tests do not read it): where torch returned a ZeroTensor
            meta["cases"][key]["torch_zero_tensor"] = {k: rec[f"{k}_zero_tensor"] for k in ("g1", "g2", "g3")
                                                       if rec[f"{k}_zero_tensor"]}


def record_scenarios(arrays, meta):
    for scenario in SCENARIOS:
        for dtype, key in zip(scenario.dtypes, scenario.keys()):
            inputs = scenario.make_inputs(dtype)
            out = scenario.fn(torch, inputs)
            for name, a in inputs.items():
                arrays[f"{key}/in_{name}"] = a
            for name, a in out.items():
                if a is not None:
                    arrays[f"{key}/out_{name}"] = np.asarray(a)
            meta["scenarios"][key] = {"arrays": sorted(k for k, a in out.items() if a is not None),
                                      "none": sorted(k for k, a in out.items() if a is None)}


def record_errors(meta):
    for name, fn, _ in ERRORS:
        try:
            fn(torch)
        except Exception as e:  # noqa: BLE001 - recording whatever torch raises
            meta["errors"][name] = {"type": type(e).__name__, "message": str(e)}
        else:
            raise AssertionError(f"error case {name!r} did not raise under torch")


def main():
    # backward(create_graph=True) is what the scenarios are about
    warnings.filterwarnings("ignore", message="Using backward\\(\\) with create_graph=True")
    arrays = {}
    meta = {"torch_version": torch.__version__, "numpy_version": np.__version__,
            "cases": {}, "scenarios": {}, "errors": {}}
    record_cases(arrays, meta)
    record_scenarios(arrays, meta)
    record_errors(meta)
    save_expected(OUTPUT, arrays, meta)
    size = OUTPUT.stat().st_size
    print(f"wrote {OUTPUT} ({len(meta['cases'])} case variants, {len(meta['scenarios'])} scenario variants, "
          f"{len(meta['errors'])} errors, {len(arrays)} arrays, {size / 1024:.0f} KiB) with torch {torch.__version__}")


if __name__ == "__main__":
    main()
