"""Extreme logits against PyTorch: tests/expected/extreme.npz (tests/record/record_extreme.py).

Logits shifted by up to 1e30 (1e300 in float64), rows of +-finfo.max, mixed +-inf and
all -inf rows, through every kernel path: few classes (transposed blocks), per-row,
(N, C, S) tiles; serial and parallel (the ``mode`` fixture); float32 and float64.  Each
case runs through minigrad's functional API (forward, then backward with torch's
upstream gradient).

* nan positions and +-inf values must match torch exactly;
* float64: finite values within 1e-10 relative of torch's;
* float32: within torch's own accuracy -- twice torch's float32 error against torch in
  float64 on the same inputs, and never tighter than 4 ulp.

Errors are relative to a scale per element (``_scale``): log_softmax's output, the
row's largest finite magnitude (a row of ~1e31 gaps next to -log 3 in another row);
gradients and softmax, the array's (they are bounded by weight x upstream, and
``p - 1``-style cancellation leaves a small entry with the absolute error of its large
terms); losses, their own magnitude, at least 1.
"""
import functools
import json
import os
import sys
import types
import warnings

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
PATH = os.path.join(HERE, "..", "expected", "extreme.npz")
RTOL64 = 1e-10
ULP4_32 = 4 * float(np.finfo(np.float32).eps)


@functools.lru_cache(maxsize=None)
def load():
    """{key: ndarray or str}, unpacked as tests/losses/loss_helpers.py does."""
    with np.load(PATH) as z:
        index = json.loads(bytes(z["index"]).decode())
        buffers = {name[len("buffer"):]: z[name] for name in z.files if name.startswith("buffer")}
    out = {}
    for key, entry in index.items():
        if entry[0] == "str":
            out[key] = entry[1]
        else:
            dtype, offset, shape = entry
            out[key] = buffers[dtype][offset:offset + int(np.prod(shape))].reshape(shape)
    return out


def _runs():
    rec = load()
    runs = []
    for key in rec:
        if key.endswith("|out") and not key.endswith("ref:out"):
            case, dtype, _ = key.split("|")
            runs.append((case, dtype))
    return sorted(runs)


RUNS = _runs()


def _scale(e, kind):
    """Per-element error scale of expected values ``e``: kind "row" (largest finite |e|
    along the class axis), "array" (largest finite |e|) or "loss" (max(|e|, 1))."""
    a = np.where(np.isfinite(e), np.abs(e), 0.0).astype(np.float64)
    if kind == "row" and e.ndim >= 2:
        return np.maximum(a, np.max(a, axis=1, keepdims=True)) + np.finfo(e.dtype).tiny
    if kind == "loss":
        return np.maximum(a, 1.0)
    return np.maximum(a, np.max(a, initial=0.0)) + np.finfo(e.dtype).tiny


def _rel_err(actual, expected, kind):
    both = np.isfinite(actual) & np.isfinite(expected)
    if not both.any():
        return 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(actual.astype(np.float64) - expected.astype(np.float64)) / _scale(expected, kind)
    return float(np.max(err[both]))


def assert_like_torch(actual, expected, ref, what, kind):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype}, torch {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, torch {expected.shape}"
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected), err_msg=f"{what}: nan positions")
    np.testing.assert_array_equal(np.where(np.isinf(actual), actual, 0), np.where(np.isinf(expected), expected, 0),
                                  err_msg=f"{what}: inf positions")
    if expected.dtype == np.float64:
        tol = RTOL64
    else:    # torch's own float32 accuracy on these inputs
        tol = max(ULP4_32, 2 * _rel_err(expected, ref, kind))
    finite = np.isfinite(expected)
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(actual.astype(np.float64) - expected.astype(np.float64)) / _scale(expected, kind)
    bad = finite & ~(err <= tol)
    assert not bad.any(), (f"{what}: error {err[finite].max():.3g} > {tol:.3g} (row-scaled) at "
                           f"{np.argwhere(bad)[:5].tolist()}; minigrad {actual[bad][:5]}, torch {expected[bad][:5]}")


def _call(spec, t):
    rename = spec.get("rename", {})
    kw = dict(spec["options"])
    kw.update({rename.get(k, k): t[k] for k in spec.get("tensors", [])})
    return getattr(F, spec["name"])(*[t[a] for a in spec["args"]], **kw)


def test_recording_is_present():
    rec = load()
    assert len(RUNS) > 600 and "meta|torch_version" in rec
    assert {d for _, d in RUNS} == {"float32", "float64"}


@pytest.mark.parametrize("case,dtype", RUNS, ids=[f"{c}-{d}" for c, d in RUNS])
def test_extreme_vs_torch(case, dtype, mode):
    rec = load()
    spec = json.loads(rec["call|" + case])
    key = f"{case}|{dtype}|"
    arrays = {k[len(key) + 3:]: v for k, v in rec.items() if k.startswith(key + "in:")}
    t = {k: minigrad.from_numpy(np.array(v, copy=True)) for k, v in arrays.items()}
    t["input"].requires_grad_()
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # the kernels stay silent on inf/nan, like torch
        out = _call(spec, t)
        out.backward(minigrad.from_numpy(rec[key + "upstream"].copy()))
    kind = {"log_softmax": "row", "softmax": "array"}.get(spec["name"], "loss")
    assert_like_torch(out.detach().numpy(), rec[key + "out"], rec.get(key + "ref:out"),
                      f"{case} {dtype} forward", kind)
    assert_like_torch(t["input"].grad.numpy(), rec[key + "grad:input"], rec.get(key + "ref:grad:input"),
                      f"{case} {dtype} d/dinput", "array")
