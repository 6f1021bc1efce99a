"""Check the semantics harness with torch standing in for minigrad.

    /tmp/venv-torch/bin/python tests/record/selfcheck_semantics.py

Replays every recorded run of ``tests/expected/semantics.npz`` under torch, from the
stored inputs, through the same ``semantics_common.compare`` the minigrad test uses.
It must report no difference: otherwise a scenario is not deterministic, or the
storage or the comparison loses something.  It also checks that every scenario is
recorded.
"""
import importlib
import sys
import warnings
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import EXPECTED_DIR, load_expected  # noqa: E402
import semantics_common as sc  # noqa: E402


def main():
    for name in sc.SCENARIO_FILES:
        importlib.import_module(name)
    stored, meta = load_expected(EXPECTED_DIR / sc.OUTPUT_NAME)
    failures = []
    if sorted(meta["scenarios"]) != sorted(sc.SCENARIOS):
        failures.append(f"scenario list differs from the recording: re-record "
                        f"({sorted(set(meta['scenarios']) ^ set(sc.SCENARIOS))})")
    runs = 0
    for key in meta["results"]:
        name, dtype = key.split("/")
        inputs, want_arrays, want_plain = sc.from_storage(key, stored, meta)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arrays, plain = sc.run_scenario(torch, sc.SCENARIOS[name], inputs)
        arrays, plain = _round_trip(arrays, plain)
        failures += [f"{key}: {p}" for p in sc.compare(want_arrays, want_plain, arrays, plain, dtype)]
        runs += 1
    for f in failures:
        print("FAIL", f)
    print(f"selfcheck: {runs} runs of {len(sc.SCENARIOS)} scenarios under torch {torch.__version__}: "
          f"{'OK' if not failures else f'{len(failures)} failures'}")
    return 1 if failures else 0


def _round_trip(arrays, plain):
    """What storage does to a result (JSON turns tuples into lists)."""
    import json
    return arrays, json.loads(json.dumps(plain))


if __name__ == "__main__":
    sys.exit(main())
