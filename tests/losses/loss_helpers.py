"""Helpers for the loss tests: the recorded torch outputs (tests/expected/losses.npz, written by
tests/record/record_losses.py), running a case on minigrad, and comparing arrays."""
import functools
import json
import os
import sys
import types
import warnings

import numpy as np

import minigrad
import minigrad.nn
import minigrad.nn.functional

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "record"))
import loss_cases  # noqa: E402,F401 - re-exported for the tests

PATH = os.path.join(ROOT, "expected", "losses.npz")
L = types.SimpleNamespace(lib=minigrad, nn=minigrad.nn, F=minigrad.nn.functional)


@functools.lru_cache(maxsize=None)
def load():
    """{key: ndarray or list of str}, keys "<case>|<dtype>|<what>" as the recorder wrote them."""
    with np.load(PATH) as z:
        index = json.loads(bytes(z["index"]).decode())
        buffers = {name[len("buffer"):]: z[name] for name in z.files if name.startswith("buffer")}
    out = {}
    for key, entry in index.items():
        if entry[0] == "str":
            out[key] = entry[1]
        else:
            dtype, offset, shape = entry
            size = int(np.prod(shape))
            out[key] = buffers[dtype][offset:offset + size].reshape(shape)
    return out


# float64 must agree with torch to 1e-10, float32 to 1e-5 (relative, with an absolute floor
# of the same size relative to the array's largest finite value: softmax-style gradients
# such as p - 1 cancel, so a tiny entry carries the absolute error of a large one)
RTOL = {np.dtype(np.float64): 1e-10, np.dtype(np.float32): 1e-5, np.dtype(np.float16): 1e-2}


def assert_matches(actual, expected, what="", rtol=None):
    """Same dtype, shape, nan and ±inf positions; finite values within RTOL of torch's."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype}, torch {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, torch {expected.shape}"
    if expected.dtype.kind != "f":
        np.testing.assert_array_equal(actual, expected, err_msg=what)
        return
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected), err_msg=f"{what}: nan positions")
    np.testing.assert_array_equal(np.where(np.isinf(actual), actual, 0), np.where(np.isinf(expected), expected, 0),
                                  err_msg=f"{what}: inf positions")
    finite = np.isfinite(expected)
    if not finite.any():
        return
    rtol = RTOL[expected.dtype] if rtol is None else rtol
    scale = max(float(np.max(np.abs(expected[finite]))), np.finfo(expected.dtype).tiny)
    np.testing.assert_allclose(actual[finite], expected[finite], rtol=rtol, atol=rtol * scale, err_msg=what)


def make_tensors(arrays, grad=()):
    """minigrad tensors of exactly the recorded arrays; floating ones named in ``grad`` require grad."""
    tensors = {}
    for name, array in arrays.items():
        t = minigrad.from_numpy(np.array(array, copy=True))
        if name in grad and array.dtype.kind == "f":
            t.requires_grad_()
        tensors[name] = t
    return tensors


def run_call(call, tensors):
    """Run a case's call on minigrad; returns (output, ["Category: message", ...])."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = call(L, tensors)
    return out, [f"{w.category.__name__}: {w.message}" for w in caught]
