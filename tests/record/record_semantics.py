"""Record torch's autograd semantics (custom Functions, tensor and module hooks, graph
structure, in-place through views, grad mode, anomaly detection) into
``tests/expected/semantics.npz``.

    /tmp/venv-torch/bin/python tests/record/record_semantics.py

Every scenario in the ``semantics_*.py`` files runs under torch once per dtype it
lists; its seeded inputs and its results are stored (see ``semantics_common``).
Check the harness with ``selfcheck_semantics.py`` afterwards.
"""
import importlib
import sys
import warnings
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import EXPECTED_DIR, save_expected  # noqa: E402
import semantics_common as sc  # noqa: E402


def main():
    for name in sc.SCENARIO_FILES:
        importlib.import_module(name)
    arrays, meta = {}, {"results": {}, "scenarios": {}, "torch_version": torch.__version__}
    for name, scenario in sc.SCENARIOS.items():
        meta["scenarios"][name] = list(scenario.dtypes)
        for dtype in scenario.dtypes:
            inputs = scenario.make_inputs(dtype)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out_arrays, plain = sc.run_scenario(torch, scenario, inputs)
            sc.to_storage(name, dtype, inputs, out_arrays, plain, arrays, meta)
    save_expected(EXPECTED_DIR / sc.OUTPUT_NAME, arrays, meta)
    print(f"{len(sc.SCENARIOS)} scenarios, {len(meta['results'])} runs -> {EXPECTED_DIR / sc.OUTPUT_NAME}")


if __name__ == "__main__":
    main()
