"""Record torch's device objects and default-dtype rules into tests/expected/devices.npz.

    /tmp/venv-torch/bin/python tests/record/record_devices.py

The cases run under either library (``lib`` is torch or minigrad); tests/test_devices.py
replays them.  Only the CPU exists in minigrad, so the cases that *use* another device are
not recorded (torch without CUDA raises AssertionError there; minigrad raises RuntimeError).
"""
import json
import os
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "expected", "devices.npz")

DEVICE_SPECS = [("cpu",), ("cpu:0",), ("cpu", 0), ("cuda",), ("cuda:1",), ("cuda", 2), ("mps",), ("meta",)]
BAD_DEVICE_SPECS = ["foo", "cpu:x", "cuda:-1", "cpu:0:1", "", "CPU", "cuda:01"]


def describe(d):
    return {"repr": repr(d), "str": str(d), "type": d.type, "index": d.index}


def device_cases(lib):
    out = {"devices": [describe(lib.device(*spec)) for spec in DEVICE_SPECS], "errors": []}
    for spec in BAD_DEVICE_SPECS:
        try:
            lib.device(spec)
            out["errors"].append(None)
        except Exception as e:  # noqa: BLE001 - recorded as torch raises it
            out["errors"].append([type(e).__name__, str(e)])
    a, b = lib.device("cpu"), lib.device("cpu:0")
    out["equalities"] = [a == b, a == lib.device("cpu"), a == "cpu", b == "cpu:0", lib.zeros(1).device == a,
                         hash(lib.device("cpu", 0)) == hash(b)]
    out["tensor_device"] = describe(lib.zeros(2).device)
    out["tensor_is_cpu"] = [lib.zeros(1).is_cpu, lib.zeros(1).is_cuda]
    out["cuda"] = [lib.cuda.is_available(), lib.cuda.device_count()]
    return out


def dtype_cases(lib):
    """Result dtypes under set_default_dtype(float64), then restored."""
    name = lambda t: str(t.dtype).split(".")[-1]  # noqa: E731
    out = {}
    for default in ("float32", "float64"):
        lib.set_default_dtype(getattr(lib, default))
        try:
            out[default] = {
                "get": str(lib.get_default_dtype()).split(".")[-1],
                "tensor_float": name(lib.tensor([1.5])), "tensor_int": name(lib.tensor([1])),
                "zeros": name(lib.zeros(2)), "ones": name(lib.ones(1)), "full_float": name(lib.full((2,), 1.5)),
                "arange_float": name(lib.arange(3.0)), "arange_int": name(lib.arange(3)),
                "linspace": name(lib.linspace(0, 1, 3)), "rand": name(lib.rand(2)), "randn": name(lib.randn(2)),
                "eye": name(lib.eye(2)), "int_times_float": name(lib.tensor([1, 2]) * 2.5),
                "int_true_div": name(lib.tensor([1, 2]) / 2), "f32_plus_float": name(lib.zeros(1, dtype=lib.float32)
                                                                                     + 1.5),
                "mean_of_ints_cast": name(lib.tensor([1, 2]).float()),
            }
        finally:
            lib.set_default_dtype(lib.float32)
    errors = []
    for bad in ("int64", "bool"):
        try:
            lib.set_default_dtype(getattr(lib, bad))
            errors.append(None)
        except Exception as e:  # noqa: BLE001
            errors.append([type(e).__name__, str(e)])
    out["errors"] = errors
    return out


def main():
    import torch
    meta = {"torch": torch.__version__, "devices": device_cases(torch), "dtypes": dtype_cases(torch)}
    np.savez_compressed(OUT, __meta__=np.array(json.dumps(meta, indent=1, sort_keys=True)))
    print(f"wrote {os.path.relpath(OUT)} (torch {torch.__version__})", file=sys.stderr)


if __name__ == "__main__":
    main()
