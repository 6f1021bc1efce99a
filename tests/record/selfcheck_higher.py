"""Validate the higher-order checks of ``tests/autograd`` by running them with torch itself.

    /path/to/venv-with-torch/bin/python tests/record/selfcheck_higher.py

Every case, scenario and error check of ``tests/autograd/higher_recorded.py`` is run with
``m = torch`` on the recording: all must pass.  Then a few recorded values are perturbed,
and the checks must notice.  minigrad is not imported.
"""
import importlib.util
import sys
import warnings
from pathlib import Path

import numpy as np
import torch

HELPER = Path(__file__).resolve().parents[1] / "autograd" / "higher_recorded.py"


def load_helper():
    spec = importlib.util.spec_from_file_location("minigrad_autograd_higher_recorded", HELPER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_all(h):
    failures, count = [], 0
    checks = ([(key, h.check_case, (case, key)) for case, key in h.CASE_VARIANTS]
              + [(key, h.check_scenario, (scenario, key)) for scenario, key in h.SCENARIO_VARIANTS]
              + [(name, h.check_error, (name, fn, compare)) for name, fn, compare in h.ERRORS])
    for name, check, args in checks:
        count += 1
        try:
            check(*args, torch)
        except Exception as e:  # noqa: BLE001 - report every failing check
            failures.append(f"{name}: {type(e).__name__}: {e}")
    return count, failures


def must_fail(h, label, key, name, change, check):
    saved = h.ARRAYS[f"{key}/{name}"]
    h.ARRAYS[f"{key}/{name}"] = change(saved)
    try:
        check()
    except AssertionError:
        return None
    finally:
        h.ARRAYS[f"{key}/{name}"] = saved
    return f"perturbation not noticed: {label}"


def perturbations(h):
    cases = {key: case for case, key in h.CASE_VARIANTS}
    scenarios = {key: s for s, key in h.SCENARIO_VARIANTS}
    bump32 = lambda a: a * np.asarray(1 + 1e-4, dtype=a.dtype)  # noqa: E731 - beyond float32's rtol 1e-5
    bump64 = lambda a: a * (1 + 1e-8)  # noqa: E731 - beyond float64's rtol 1e-10
    trials = [
        ("g2 of third_cube/float64", "third_cube/float64", "g2_0", bump64),
        ("g3 of third_product3/float32", "third_product3/float32", "g3_1", bump32),
        ("g1 of ce_smoothing/float64", "ce_smoothing/float64", "g1_0", bump64),
        ("g2 of to_float64_chain/fixed (float32 gradient)", "to_float64_chain/fixed", "g2_0", bump32),
        ("output of softmax_1/float32", "softmax_1/float32", "out", bump32),
        ("g2 dtype of exp/float64", "exp/float64", "g2_0", lambda a: a.astype(np.float32)),
    ]
    problems = [must_fail(h, label, key, name, change, lambda key=key: h.check_case(cases[key], key, torch))
                for label, key, name, change in trials]
    problems.append(must_fail(h, "hvp of hvp_mlp/float64", "hvp_mlp/float64", "out_hvp_w1", bump64,
                              lambda: h.check_scenario(scenarios["hvp_mlp/float64"], "hvp_mlp/float64", torch)))
    problems.append(must_fail(h, "flags of backward_cube_0d/float32", "backward_cube_0d/float32", "out_flags",
                              lambda a: ~a, lambda: h.check_scenario(scenarios["backward_cube_0d/float32"],
                                                                     "backward_cube_0d/float32", torch)))
    # a flag in the meta: torch's first-order gradient said not to require grad
    meta = h.META["cases"]["exp/float64"]["g1_meta"][0]
    meta["requires_grad"] = False
    try:
        h.check_case(cases["exp/float64"], "exp/float64", torch)
        problems.append("perturbation not noticed: requires_grad of exp/float64's g1")
    except AssertionError:
        pass
    finally:
        meta["requires_grad"] = True
    return [p for p in problems if p]


def main():
    warnings.filterwarnings("ignore", message="Using backward\\(\\) with create_graph=True")
    h = load_helper()
    count, failures = run_all(h)
    problems = perturbations(h)
    for line in failures + problems:
        print("FAIL", line)
    print(f"{count - len(failures)}/{count} checks pass with torch {torch.__version__}; "
          f"{'all' if not problems else 'NOT all'} perturbations noticed")
    assert "minigrad" not in sys.modules, "the self-check must not import minigrad"
    sys.exit(1 if failures or problems else 0)


if __name__ == "__main__":
    main()
