"""The elementwise kernels compile to SIMD loops: a change that stops LLVM vectorising one
(a load after a store, a helper it cannot see through) costs 5-7x and breaks no number,
so the generated code is checked here instead of a timing.  Vector types in the LLVM IR
of the compiled serial variant, for float32 and float64."""
import re

import numba
import numpy as np
import pytest

from minigrad.kernels import bce, kl_div, pointwise_losses
from minigrad.kernels._jitmath import NO_JIT

pytestmark = pytest.mark.skipif(NO_JIT, reason="NUMBA_DISABLE_JIT=1: nothing is compiled")

_VECTOR = {np.float32: re.compile(r"<\d+ x float>"), np.float64: re.compile(r"<\d+ x double>")}


def _runs(dtype):
    rng = np.random.default_rng(0)
    p = rng.uniform(0.1, 0.9, 64).astype(dtype)
    y = rng.uniform(0, 1, 64).astype(dtype)
    return {
        "bce_with_logits fused": (bce._bcel_ser, lambda: bce.bce_with_logits_forward_backward(p, y)),
        "bce_with_logits loss": (bce._bcel_fwd_ser, lambda: bce.bce_with_logits_forward(p, y)),
        "bce_with_logits loss, weights": (bce._bcel_fwd_ser, lambda: bce.bce_with_logits_forward(p, y, y, p)),
        "bce loss": (bce._bce_fwd_ser, lambda: bce.bce_forward(p, y)),
        "kl_div": (kl_div._kl_ser, lambda: kl_div.kl_div_forward(p, y)),
        "squared_error": (pointwise_losses._squared_ser, lambda: pointwise_losses.squared_error(p, y)),
        "huber": (pointwise_losses._huber_ser, lambda: pointwise_losses.huber(p, y, 0.5)),
        **{f"loss_sum {kind}": (pointwise_losses._loss_sum_ser,
                                (lambda kind: lambda: pointwise_losses.loss_sum(kind, p, y, 0.5))(kind))
           for kind in (pointwise_losses.SQUARED, pointwise_losses.HUBER)},
    }


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(_runs(np.float32)))
def test_elementwise_kernel_vectorises(name, dtype, monkeypatch):
    import minigrad.kernels.threading as kth
    monkeypatch.setattr(kth, "PARALLEL_THRESHOLD", 1 << 62)  # the serial variant
    dispatcher, call = _runs(dtype)[name]
    call()
    signatures = [sig for sig in dispatcher.signatures if any(getattr(a, "dtype", None) == _numba_dtype(dtype)
                                                               for a in sig)]
    assert signatures, f"{name}: not compiled for {dtype.__name__}"
    # the kernel may come from the disk cache, which keeps no IR: compile its function again,
    # with the same options, uncached
    options = {k: v for k, v in dispatcher.targetoptions.items() if k != "nopython"}
    fresh = numba.njit(**options)(dispatcher.py_func)
    irs = []
    for sig in signatures:
        fresh.compile(sig)
        irs.append(fresh.inspect_llvm(sig))
    assert any(_VECTOR[dtype].search(ir) for ir in irs), f"{name} ({dtype.__name__}): no vector loop"


def _numba_dtype(dtype):
    from numba import from_dtype
    return from_dtype(np.dtype(dtype))
