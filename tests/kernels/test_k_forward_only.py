"""The forward-only path of the fused cross-entropy kernel (``want_grad=False``): the same
loss, loss sum and total weight bit for bit as the forward+backward path, and no gradient."""
import numpy as np
import pytest

import minigrad.kernels.cross_entropy as ce

# (N, C) with few classes (transposed blocks), many classes (row kernel), (N, C, S) tiles, 1-D
SHAPES = [(70, 4), (9, 40), (4, 3, 5), (2, 3, 4, 2), (6,)]
OPTIONS = [dict(), dict(weight=True), dict(label_smoothing=0.15, mean=True),
           dict(weight=True, label_smoothing=0.3, ignore_index=1, mean=True)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("options", OPTIONS)
def test_forward_only_matches_fused_bit_for_bit(mode, shape, dtype, options):
    rng = np.random.default_rng(len(shape) * 100 + shape[-1])
    x = (rng.normal(size=shape) * 3).astype(dtype)
    C = shape[1] if len(shape) > 1 else shape[0]
    t = rng.integers(0, C, size=(shape[0],) + shape[2:] if len(shape) > 1 else ())
    kw = dict(options)
    if kw.pop("weight", False):
        kw["weight"] = rng.uniform(0.2, 2, C).astype(dtype)
    loss, grad, lsum, total = ce.cross_entropy_forward_backward(x, t, **kw)
    loss_f, grad_f, lsum_f, total_f = ce.cross_entropy_forward_backward(x, t, want_grad=False, **kw)
    assert grad is not None and grad_f is None
    assert loss_f.dtype == loss.dtype and loss_f.shape == loss.shape
    assert np.array_equal(loss_f, loss, equal_nan=True)
    assert (lsum_f, total_f) == (lsum, total)


def test_forward_only_still_refuses_a_bad_target(mode):
    with pytest.raises(IndexError, match="Target 7 is out of bounds."):
        ce.cross_entropy_forward_backward(np.zeros((3, 4), np.float32), [0, 7, 1], want_grad=False)
