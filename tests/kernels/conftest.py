import os
import sys

import numpy as np
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import minigrad.kernels.threading as kth  # noqa: E402


@pytest.fixture(params=["serial", "parallel"])
def mode(request, monkeypatch):
    """Run a test through the serial kernels, then through the prange variants
    (threshold 0 so tiny test shapes take the parallel path)."""
    if request.param == "parallel":
        if not kth.parallel_available():
            pytest.skip("no tbb threading layer: serial kernels only")
        monkeypatch.setattr(kth, "PARALLEL_THRESHOLD", 0)
    else:
        monkeypatch.setattr(kth, "PARALLEL_THRESHOLD", 1 << 62)
    return request.param
