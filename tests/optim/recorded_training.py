"""The torch recording ``tests/expected/training.npz`` and the procedures it was made with.

``tests/record/record_training.py`` holds the training code, written once for either
library; it is loaded here under its own name (tests/record is not a package) and
imports torch only in its ``main``, which the tests never call.
"""
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np

import minigrad.nn  # noqa: F401 - the procedures reach minigrad.nn and minigrad.optim as attributes
import minigrad.nn.functional as F
import minigrad.optim  # noqa: F401

_PATH = Path(__file__).resolve().parents[1] / "record" / "record_training.py"
_NAME = "minigrad_record_training"


def _load():
    if _NAME not in sys.modules:
        spec = importlib.util.spec_from_file_location(_NAME, _PATH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[_NAME] = module
        spec.loader.exec_module(module)
    return sys.modules[_NAME]


record_training = _load()

with np.load(record_training.OUT, allow_pickle=False) as _data:
    expected = {k: _data[k] for k in _data.files if k != "__meta__"}
    meta = json.loads(str(_data["__meta__"]))


def _cross_entropy_from_primitives(logits, target):
    """Mean cross-entropy of (N, C) logits and (N,) class indices, from max/exp/sum/log/gather."""
    shifted = logits - logits.max(1, keepdim=True).values
    log_probs = shifted - shifted.exp().sum(1, keepdim=True).log()
    return -log_probs.gather(1, target.unsqueeze(1)).mean()


#: minigrad's own F.cross_entropy once it exists; until then the primitive version above
cross_entropy = getattr(F, "cross_entropy", None) or _cross_entropy_from_primitives
