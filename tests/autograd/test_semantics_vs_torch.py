"""minigrad's autograd semantics against torch's, recorded in ``tests/expected/semantics.npz``.

Each recorded run (a scenario of ``tests/record/semantics_*.py`` in one dtype) is
replayed under minigrad from its stored inputs and compared with
``semantics_common.compare``: values with rtol 1e-10 (float64) / 1e-5 (float32),
dtypes and shapes exactly, bools/ints/strings/lists exactly, error messages exactly
up to the torch-specific parts listed in ``semantics_common.TORCH_SPECIFIC`` (C++
tensor types and op names in the version-counter message, node-name digits,
``torch.`` prefixes, "Triggered internally at" locations), node names in graph
structure up to torch's trailing digit.  Re-record with
``tests/record/record_semantics.py`` after changing a scenario.
"""
import warnings

import pytest

from tests.autograd.recorded_semantics import ARRAYS, META, RUN_KEYS, semantics


def test_recording_covers_every_scenario():
    assert sorted(META["scenarios"]) == sorted(semantics.SCENARIOS), \
        "scenario files and tests/expected/semantics.npz disagree: run tests/record/record_semantics.py"


@pytest.mark.parametrize("key", RUN_KEYS)
def test_scenario_matches_torch(key):
    import minigrad
    import minigrad.nn  # noqa: F401  (torch imports torch.nn with torch; scenarios use m.nn)
    name, dtype = key.split("/")
    inputs, want_arrays, want_plain = semantics.from_storage(key, ARRAYS, META)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            arrays, plain = semantics.run_scenario(minigrad, semantics.SCENARIOS[name], inputs)
        finally:
            _reset_global_modes(minigrad)
    problems = semantics.compare(want_arrays, want_plain, arrays, plain, dtype)
    assert not problems, f"{key} differs from torch:\n" + "\n".join(problems)


def _reset_global_modes(m):
    """A failing scenario must not leave grad mode or anomaly mode switched for the next one."""
    m.set_grad_enabled(True)
    set_anomaly = getattr(m.autograd, "set_detect_anomaly", None)
    if set_anomaly is not None:
        set_anomaly(False)
