"""Run minigrad's ``autograd/functional.py`` and ``gradgradcheck`` with torch as their
library and compare them with torch's own ``torch.autograd.functional`` and
``gradgradcheck``: same values, nesting, requires_grad flags, gradients through
``create_graph=True`` results, errors and messages.

    /path/to/venv-with-torch/bin/python tests/record/selfcheck_functional.py

Both modules use only torch-named public API through a module-level name ``lib``, so
swapping in torch checks minigrad's port of torch's logic independently of minigrad's
engine (useful while the engine cannot yet differentiate a gradient).  minigrad must
be importable (numpy, numba); this script puts the repository on ``sys.path``.
"""
import sys
from pathlib import Path

import numpy as np
import torch
import torch.autograd.functional as TF

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))
import importlib  # noqa: E402

import minigrad.autograd.functional as AF  # noqa: E402
GC = importlib.import_module("minigrad.autograd.gradcheck")  # the module (the attribute is the function)
from functional_cases import (CASES, DTYPES, ERRORS, GRADGRAD, UNSUPPORTED, Tensors,  # noqa: E402
                              gradgrad_inputs, run)

AF.lib = torch
GC.lib = torch
GC.gradcheck = torch.autograd.gradcheck

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL", what)


def same_arrays(a, b):
    if a is None or b is None:
        return a is None and b is None
    return a.dtype == b.dtype and a.shape == b.shape and np.allclose(a, b, rtol=1e-12, atol=1e-14, equal_nan=True)


def compare_cases():
    for case in CASES:
        for dtype, key in zip(DTYPES, case.keys()):
            arrays = case.make_arrays(dtype)
            theirs = run(torch, TF, case, arrays, dtype)
            try:
                ours = run(torch, AF, case, arrays, dtype, w=theirs["w"])
            except Exception as e:  # noqa: BLE001
                check(False, f"{key}: raised {type(e).__name__}: {e}")
                continue
            for field in ("structure", "requires_grad", "dtypes"):
                check(ours[field] == theirs[field], f"{key}: {field} {ours[field]} vs torch {theirs[field]}")
            for k, (a, b) in enumerate(zip(ours["leaves"], theirs["leaves"])):
                check(same_arrays(a, b), f"{key}: result {k}")
            if theirs["bgrad"] is not None:
                for i, (a, b) in enumerate(zip(ours["bgrad"], theirs["bgrad"])):
                    check(same_arrays(a, b), f"{key}: gradient through the result to input {i}")


def outcome(fn, F):
    try:
        fn(torch, F, Tensors(torch))
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None


def compare_errors():
    for name, fn in ERRORS:
        ours, theirs = outcome(fn, AF), outcome(fn, TF)
        check(theirs is not None and ours == theirs, f"error {name}: {ours} vs torch {theirs}")
    for name, fn in UNSUPPORTED:
        ours, theirs = outcome(fn, AF), outcome(fn, TF)
        check(theirs is None and ours is not None and ours[0] == "NotImplementedError",
              f"unsupported {name}: ours {ours}, torch {theirs}")


def compare_gradgradcheck():
    for name, build, specs, correct in GRADGRAD:
        for kwargs in ({}, {"gen_non_contig_grad_outputs": True}):
            results = []
            for ggc in (GC.gradgradcheck, torch.autograd.gradgradcheck):
                torch.manual_seed(0)
                inputs = gradgrad_inputs(torch, name, specs)
                results.append(ggc(build(torch), inputs, raise_exception=False, **kwargs))
            check(results == [correct, correct], f"gradgradcheck {name} {kwargs}: {results}, expected {correct}")
        inputs = gradgrad_inputs(torch, name, specs)
        outs = build(torch)(*inputs)
        outs = outs if isinstance(outs, tuple) else (outs,)
        grad_outputs = tuple(torch.ones_like(o, requires_grad=True) for o in outs)
        check(GC.gradgradcheck(build(torch), inputs, grad_outputs, raise_exception=False) == correct,
              f"gradgradcheck {name} with given grad_outputs")
        if not correct:
            try:
                GC.gradgradcheck(build(torch), inputs)
                check(False, f"gradgradcheck {name} did not raise")
            except sys.modules["torch.autograd.gradcheck"].GradcheckError:
                pass


def main():
    compare_cases()
    compare_errors()
    compare_gradgradcheck()
    total = len(CASES) * len(DTYPES)
    print(f"{total} case/dtype pairs, {len(ERRORS)} errors, {len(UNSUPPORTED)} unsupported, "
          f"{len(GRADGRAD)} gradgradcheck functions: {len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
