"""The torch recording ``tests/expected/optim_extra.npz`` and ``tests/record/record_optim_extra.py``,
whose procedures run under either library (loaded here by path; torch only in its ``main``)."""
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np

import recorded_training  # noqa: F401 - loads record_training under the name record_optim_extra expects

_PATH = Path(__file__).resolve().parents[1] / "record" / "record_optim_extra.py"
_NAME = "minigrad_record_optim_extra"


def _load():
    if _NAME not in sys.modules:
        spec = importlib.util.spec_from_file_location(_NAME, _PATH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[_NAME] = module
        spec.loader.exec_module(module)
    return sys.modules[_NAME]


record_optim_extra = _load()

with np.load(record_optim_extra.OUT, allow_pickle=False) as _data:
    expected = {k: _data[k] for k in _data.files if k != "__meta__"}
    meta = json.loads(str(_data["__meta__"]))
