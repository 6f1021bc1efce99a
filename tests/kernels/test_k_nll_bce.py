import numpy as np
import pytest

import minigrad.kernels.nll as nll
import minigrad.kernels.bce as bce
from minigrad.kernels.validate import check_targets, check_targets_reference
from kernel_helpers import assert_close


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_nll_matches_reference(dtype):
    rng = np.random.default_rng(0)
    for shape in [(5, 4), (2, 4, 3), (4,), (0, 3), (3, 1)]:
        x = rng.normal(size=shape).astype(dtype)
        C = shape[1] if len(shape) > 1 else shape[0]
        tshape = (shape[0],) + shape[2:] if len(shape) > 1 else ()
        t = rng.integers(0, C, tshape)
        if t.size > 1:
            t.reshape(-1)[0] = -100
        for w in (None, rng.uniform(-1, 2, C)):
            loss, s, tw = nll.nll_forward(x, t, w)
            rl, rs, rtw = nll.nll_forward_reference(x, t, w)
            assert_close(loss, rl, dtype)
            assert s == pytest.approx(rs, rel=1e-6, abs=1e-7) and tw == pytest.approx(rtw)
            for g in (rng.normal(size=tshape), 0.25):
                assert_close(nll.nll_backward(g, t, shape, dtype, w),
                             nll.nll_backward_reference(g, t, shape, dtype, w), dtype)
    with pytest.raises(IndexError, match="^Target 4 is out of bounds.$"):
        nll.nll_forward(np.zeros((2, 4)), [0, 4])
    with pytest.raises(IndexError, match="^Target -1 is out of bounds.$"):
        nll.nll_backward(1.0, [-1, 0], (2, 4), np.float64)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bce_with_logits(dtype, mode):
    if mode == "parallel" and dtype == np.float32:
        pytest.skip("parallel variants are checked in float64 only (compile time)")
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(size=40) * 5, [1e4, -1e4, 0, 30, -30, 120, -120]]).astype(dtype)
    y = np.concatenate([rng.uniform(0, 1, 40), [1, 1, 0, 1, 0, 0, 1]]).astype(dtype)
    for kw in (dict(), dict(pos_weight=rng.uniform(0.5, 3, x.shape).astype(dtype)),
               dict(weight=rng.uniform(0, 2, x.shape).astype(dtype), mean=True)):
        loss, grad, s = bce.bce_with_logits_forward_backward(x, y, **kw)
        rl, rg, rs = bce.bce_with_logits_reference(x, y, **kw)
        assert_close(loss, rl, dtype, scale=1e4)
        assert_close(grad, rg, dtype)
        assert np.isfinite(loss).all()
        assert s == pytest.approx(rs, rel=1e-6)
    # torch's worked example
    loss, grad, s = bce.bce_with_logits_forward_backward(
        np.array([[2.0], [0.5], [-1.0]], dtype), np.array([[1.], [1.], [0.]], dtype), mean=True)
    assert s / 3 == pytest.approx(0.3047555609137673, rel=1e-6)
    np.testing.assert_allclose(grad.ravel(), [-0.03973432, -0.12584688, 0.08964714], rtol=1e-5)
    _, _, s = bce.bce_with_logits_forward_backward(
        np.array([[2.0], [0.5], [-1.0]], dtype), np.array([[1.], [1.], [0.]], dtype),
        pos_weight=np.array([3.0], dtype))
    assert s / 3 == pytest.approx(0.70542556, rel=1e-6)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bce_probabilities(dtype):
    rng = np.random.default_rng(2)
    p = np.concatenate([rng.uniform(0, 1, 30), [0, 1, 0.7, 0.7, 1e-30]]).astype(dtype)
    y = np.concatenate([rng.uniform(0, 1, 30), [1, 0, 1, 0, 1]]).astype(dtype)
    for kw in (dict(), dict(weight=rng.uniform(0, 2, p.shape).astype(dtype), mean=True)):
        loss, grad, s = bce.bce_forward_backward(p, y, **kw)
        rl, rg, rs = bce.bce_reference(p, y, **kw)
        assert_close(loss, rl, dtype, scale=100)
        assert_close(grad, rg, dtype, scale=1e12)
    loss, _, _ = bce.bce_forward_backward(p, y)
    assert loss[30] == 100 and loss[31] == 100
    assert loss[32] == pytest.approx(0.35667497, rel=1e-6) and loss[33] == pytest.approx(1.2039728, rel=1e-6)
    for bad in (1.5, -0.1, np.nan):
        with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
            bce.bce_forward_backward(np.array([0.5, bad], dtype), np.array([1, 1], dtype))


def test_validate_module():
    check_targets(np.array([0, 2, -100]), 3)
    for bad in (3, -1, 10**12):
        for fn in (check_targets, check_targets_reference):
            with pytest.raises(IndexError, match=f"^Target {bad} is out of bounds.$"):
                fn(np.array([[0, -100], [bad, 1]]), 3)
    check_targets(np.array([0, 5]), 3, ignore_index=5)
    check_targets(np.zeros(0, np.int64), 0)
