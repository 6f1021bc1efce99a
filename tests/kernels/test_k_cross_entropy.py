import numpy as np
import pytest

import minigrad.kernels.cross_entropy as ce
from kernel_helpers import assert_close

# (logits shape, with ignore) -- (N, C), (N, C, S), 1-D, N=0, C=1
SHAPES = [(6, 5), (70, 4), (5, 20), (4, 40), (4, 3, 5), (2, 3, 4, 2), (5,), (0, 4), (3, 1)]
OPTIONS = [dict(), dict(weight=True), dict(label_smoothing=0.15, mean=True),
           dict(weight=True, label_smoothing=0.3, ignore_index=1, mean=True)]


def _case(rng, shape, dtype):
    x = (rng.normal(size=shape) * 3).astype(dtype)
    C = shape[1] if len(shape) > 1 else shape[0]
    tshape = (shape[0],) + shape[2:] if len(shape) > 1 else ()
    t = rng.integers(0, C, size=tshape)
    if t.size > 2:
        t.reshape(-1)[1] = -100
    if x.size > 8:
        flat = x.reshape(-1)
        flat[3] = 1e4 if dtype == np.float64 else 30.0
        # -inf at a non-target class
        N, S = x.shape[0], t.size // x.shape[0]
        x3 = x.reshape(N, C, S)
        y0 = t.reshape(N, S)[0, 0]
        if y0 != -100 and C > 1:
            x3[0, (y0 + 1) % C, 0] = -np.inf
    return x, t, C


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_index_targets_match_reference(dtype, mode):
    if mode == "parallel" and dtype == np.float32:
        pytest.skip("parallel variants are checked in float64 only (compile time)")
    rng = np.random.default_rng(1)
    for shape in SHAPES:
        x, t, C = _case(rng, shape, dtype)
        for opt in OPTIONS:
            kw = dict(opt)
            if kw.pop("weight", False):
                kw["weight"] = rng.uniform(0.5, 2.0, C).astype(dtype)
            ii = kw.get("ignore_index", -100)
            if ii >= C:
                ii = kw["ignore_index"] = -100
            t = np.where(t == -100, ii, t)
            loss, grad, lsum, tw = ce.cross_entropy_forward_backward(x, t, **kw)
            rl, rg, rsum, rtw = ce.cross_entropy_reference(x, t, **kw)
            assert loss.shape == rl.shape and grad.shape == x.shape
            scale = 1e4 if dtype == np.float64 else 30
            assert_close(loss, rl, dtype, scale)
            assert_close(grad, rg, dtype)
            assert tw == pytest.approx(rtw, rel=1e-12)
            assert lsum == pytest.approx(rsum, rel=1e-5 if dtype == np.float32 else 1e-12, abs=1e-6)
            ign = (t == ii)
            if ign.any():                      # ignored positions: exactly 0
                assert (loss[ign] == 0).all()
                g3 = np.moveaxis(grad, 1, -1) if grad.ndim > 1 else grad[None]
                assert (g3[ign] == 0).all()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_probability_targets_match_reference(dtype, mode):
    if mode == "parallel" and dtype == np.float32:
        pytest.skip("parallel variants are checked in float64 only (compile time)")
    rng = np.random.default_rng(2)
    for shape in [(6, 5), (4, 3, 5), (5,), (0, 3)]:
        x = (rng.normal(size=shape) * 3).astype(dtype)
        P = rng.uniform(0, 1, size=shape)
        P = (P / np.maximum(P.sum(axis=1 if len(shape) > 1 else 0, keepdims=True), 1e-9)).astype(dtype)
        C = shape[1] if len(shape) > 1 else shape[0]
        for kw in (dict(), dict(weight=rng.uniform(0.5, 2, C).astype(dtype), label_smoothing=0.2,
                                mean=True, target_grad=True)):
            got = ce.cross_entropy_probs_forward_backward(x, P, **kw)
            ref = ce.cross_entropy_probs_reference(x, P, **kw)
            assert_close(got[0], ref[0], dtype)
            assert_close(got[1], ref[1], dtype)
            if kw.get("target_grad"):
                assert_close(got[2], ref[2], dtype)
            else:
                assert got[2] is None
            assert got[3] == pytest.approx(ref[3], rel=1e-5, abs=1e-6)


def test_torch_worked_examples():
    x = np.array([[3.0, 1.0, 0.2], [0.5, 2.0, 0.3]], np.float32)
    t = np.array([0, 1])
    for kw, want in ((dict(), 0.25986028), (dict(weight=[1, 2, 3]), 0.28677893),
                     (dict(label_smoothing=0.1), 0.39319360),
                     (dict(label_smoothing=0.1, weight=[1, 2, 3]), 0.50386018)):
        _, _, s, w = ce.cross_entropy_forward_backward(x, t, **kw)
        assert s / w == pytest.approx(want, rel=1e-6)
    loss, grad, s, w = ce.cross_entropy_forward_backward(x, t, mean=True)
    np.testing.assert_allclose(loss, [0.17910424, 0.34061629], rtol=1e-6)
    np.testing.assert_allclose(grad, [[-0.08199063, 0.05657141, 0.02541918],
                                      [0.07935979, -0.14433408, 0.06497430]], rtol=1e-5)
    loss, _, s, w = ce.cross_entropy_forward_backward(x, [0, -100], label_smoothing=0.1)
    np.testing.assert_allclose(loss, [0.33910424, 0.0], rtol=1e-6)
    assert s / w == pytest.approx(0.33910424, rel=1e-6)
    _, _, _, s = ce.cross_entropy_probs_forward_backward(x, np.array([[.7, .2, .1], [.1, .8, .1]], np.float32))
    assert s / 2 == pytest.approx(0.75986034, rel=1e-6)
    _, _, s, _ = ce.cross_entropy_forward_backward(np.array([[0.3, 0.3, 0.4]]), [1])
    assert s == pytest.approx(1.1330688, rel=1e-7)


def test_extreme_logits_and_edge_cases():
    inf, nan = np.inf, np.nan
    x = np.array([[1e4, 0, -1e4], [1e4, 0, -1e4], [-inf, 0, 1], [-inf, 0, 1],
                  [-inf, -inf, -inf], [inf, 0, 1], [nan, 0, 1]])
    t = np.array([0, 2, 1, 0, 1, 1, 1])
    loss, grad, _, _ = ce.cross_entropy_forward_backward(x, t)
    assert loss[0] == 0 and loss[1] == 20000
    assert np.isfinite(loss[2]) and np.isfinite(grad[2]).all()
    assert loss[3] == inf
    assert np.isnan(loss[4:]).all() and np.isnan(grad[4:]).all()
    # all ignored + mean: total weight 0, gradient all zeros (torch), loss_sum 0
    loss, grad, s, w = ce.cross_entropy_forward_backward(x[:2], [-100, -100], mean=True,
                                                         label_smoothing=0.2)
    assert w == 0 and s == 0 and (grad == 0).all() and (loss == 0).all()
    # total weight 0 from zero weights (not ignored) + mean: nan gradient, like torch
    _, grad, _, w = ce.cross_entropy_forward_backward(x[:2], [0, 0], weight=[0.0, 1, 1], mean=True)
    assert w == 0 and np.isnan(grad).all()
    # empty batch
    loss, grad, s, w = ce.cross_entropy_forward_backward(np.zeros((0, 3)), np.zeros(0, np.int64))
    assert loss.shape == (0,) and grad.shape == (0, 3) and s == 0 and w == 0
    with pytest.raises(ValueError, match="between 0.0 and 1.0. Got: 1.5"):
        ce.cross_entropy_forward_backward(x[:2], [0, 1], label_smoothing=1.5)
    a = ce.cross_entropy_forward_backward(x[:2], [0, 1], label_smoothing=-0.5)
    b = ce.cross_entropy_forward_backward(x[:2], [0, 1])
    np.testing.assert_array_equal(a[0], b[0])


@pytest.mark.parametrize("bad,shape", [(5, (4, 3)), (-1, (4, 3)), (3, (2, 3, 4)), (-7, (2, 3, 4))])
def test_bad_targets_raise_before_writing(bad, shape):
    x = np.zeros(shape)
    t = np.zeros((shape[0],) + shape[2:], np.int64)
    t.reshape(-1)[-1] = bad
    t.reshape(-1)[0] = -100
    with pytest.raises(IndexError, match=f"^Target {bad} is out of bounds.$"):
        ce.cross_entropy_forward_backward(x, t)
    with pytest.raises(IndexError, match=f"^Target {bad} is out of bounds.$"):
        ce.cross_entropy_reference(x, t)
    # ignore_index itself may be negative or >= C
    t.reshape(-1)[-1] = 0
    t.reshape(-1)[0] = bad
    ce.cross_entropy_forward_backward(x, t, ignore_index=bad)


def test_small_class_transposed_path_agrees_with_rows(monkeypatch):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(150, 7)) * 5
    x[3, 2] = -np.inf
    x[5, 0] = 1e4
    x[7, :] = -np.inf
    t = rng.integers(0, 7, 150)
    t[::11] = -100
    w = rng.uniform(0.5, 2, 7)
    for kw in (dict(), dict(weight=w, label_smoothing=0.2, mean=True)):
        a = ce.cross_entropy_forward_backward(x, t, **kw)
        monkeypatch.setitem(ce.SMALL_C, x.dtype, 0)
        b = ce.cross_entropy_forward_backward(x, t, **kw)
        monkeypatch.setitem(ce.SMALL_C, x.dtype, 16)
        np.testing.assert_allclose(a[0], b[0], rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(a[1], b[1], rtol=1e-13, atol=1e-15)
        assert a[3] == b[3]


@pytest.mark.parametrize("entry", ["cross_entropy_forward_backward", "cross_entropy_probs_forward_backward"])
def test_zero_d_logits_are_refused_before_any_kernel_runs(entry):
    """A 0-d array has no class dimension: a clear ValueError, not an IndexError from inside."""
    import minigrad.kernels as k
    target = np.int64(0) if entry == "cross_entropy_forward_backward" else np.float32(1.0)
    with pytest.raises(ValueError, match="class dimension"):
        getattr(k, entry)(np.float32(1.0), target)


@pytest.mark.parametrize("C", [5, 40])  # the transposed-block path (work scratch) and the row path (rows scratch)
def test_kept_scratch_is_per_thread(C):
    """The row kernel's scratch is kept between calls, one set per thread: calls from four
    threads at once give each thread's own answer, bit for bit."""
    import threading
    from minigrad.kernels._jitmath import NO_JIT
    if NO_JIT:
        pytest.skip("kernels as plain Python hold the GIL: no two calls overlap")
    rng = np.random.default_rng(C)
    cases = [((rng.normal(size=(64, C)) * 3).astype(np.float32), rng.integers(0, C, 64)) for _ in range(4)]
    expected = [ce.cross_entropy_loss_rows(x, t, -100, True)[:2] for x, t in cases]
    wrong = []

    def run(k):
        x, t = cases[k]
        for _ in range(300):
            loss, lsum = ce.cross_entropy_loss_rows(x, t, -100, True)[:2]
            if not (np.array_equal(loss, expected[k][0]) and lsum == expected[k][1]):
                wrong.append(k)
    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert wrong == []
    ref = [ce.cross_entropy_reference(x, t)[0] for x, t in cases]
    for (loss, _), r in zip(expected, ref):
        assert_close(loss, r, np.float32)
