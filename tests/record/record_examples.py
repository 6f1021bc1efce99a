"""Record the tutorial-style examples under torch -> tests/expected/examples.npz.

    /tmp/venv-torch/bin/python tests/record/record_examples.py

Each example in ``examples_common.RUNS`` is run with its import lines switched to torch
(see ``examples_common.run_example``), and the loss of every training step and the final
parameters are stored under ``<example>/<run>/losses`` and ``<example>/<run>/param<i>``.
``tests/test_tutorial_examples.py`` runs the same scripts under minigrad and compares.
"""
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import EXPECTED_DIR, save_expected  # noqa: E402
from examples_common import RUNS, results, run_example  # noqa: E402


def main():
    arrays, runs = {}, {}
    for name, name_runs in RUNS.items():
        for run, argv in name_runs:
            namespace, _ = run_example(name, argv, torch)
            for key, value in results(name, namespace).items():
                arrays[f"{name}/{run}/{key}"] = value
            runs[f"{name}/{run}"] = argv
            print(f"{name} {run}: {len(namespace['losses'])} steps, last loss {namespace['losses'][-1]:.6g}")
    save_expected(EXPECTED_DIR / "examples.npz", arrays, {"torch": torch.__version__, "runs": runs})


if __name__ == "__main__":
    main()
