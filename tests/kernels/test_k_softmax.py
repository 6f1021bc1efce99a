import numpy as np
import pytest

from minigrad.kernels import softmax as _sm_mod  # noqa: F401  (module import must work)
import minigrad.kernels.softmax as sm
from kernel_helpers import assert_close

SHAPES = [((4, 5), 1), ((3, 40), -1), ((70, 3), 1), ((3, 4, 5), 1), ((2, 3, 4, 5), 1),
          ((6,), 0), ((2, 3, 4), 0), ((1, 1), 1), ((0, 4), 1), ((5, 0, 0), 1), ((), 0)]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_family_matches_reference(dtype, mode):
    rng = np.random.default_rng(0)
    if mode == "parallel" and dtype == np.float32:
        pytest.skip("parallel variants are checked in float64 only (compile time)")
    for shape, axis in SHAPES:
        x = (rng.normal(size=shape) * 4).astype(dtype)
        g = rng.normal(size=shape).astype(dtype)
        for fwd, ref, bwd, bref in (
                (sm.softmax_forward, sm.softmax_reference, sm.softmax_backward,
                 sm.softmax_backward_reference),
                (sm.log_softmax_forward, sm.log_softmax_reference, sm.log_softmax_backward,
                 sm.log_softmax_backward_reference)):
            y = fwd(x, axis)
            assert y.shape == x.shape
            assert_close(y, ref(x, axis), dtype)
            assert_close(bwd(g, y, axis), bref(g, y, axis), dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_extreme_rows(dtype):
    inf, nan = np.inf, np.nan
    x = np.array([[-inf, 0, 1], [-inf, -inf, -inf], [nan, 1, 2], [inf, 1, 2],
                  [1e4, 0, -1e4], [1000, 1001, 1002], [1, 2, 3]], dtype)
    ls = sm.log_softmax_forward(x, 1)
    s = sm.softmax_forward(x, 1)
    assert_close(ls, sm.log_softmax_reference(x, 1), dtype, scale=1e4)
    assert_close(s, sm.softmax_reference(x, 1), dtype)
    assert np.isnan(ls[1:4]).all() and np.isnan(s[1:4]).all()
    assert ls[0, 0] == -inf and s[0, 0] == 0
    assert_close(ls[0, 1:], [-1.3132616875182228, -0.3132616875182228], dtype)
    assert_close(s[5], s[6], dtype)
    assert ls[4, 0] == 0 and ls[4, 2] == -2e4


def test_small_class_transposed_path_agrees_with_rows(monkeypatch):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 7))
    a = sm.log_softmax_forward(x, 1)
    monkeypatch.setitem(sm.SMALL_C_FWD, x.dtype, 0)
    b = sm.log_softmax_forward(x, 1)
    np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-15)


def test_dtypes_and_layouts():
    x = np.arange(12, dtype=np.int64).reshape(3, 4)
    assert sm.softmax_forward(x, 1).dtype == np.float64
    assert sm.softmax_forward(x.astype(np.float16), 1).dtype == np.float32
    xf = np.asfortranarray(np.random.default_rng(0).normal(size=(5, 6)))
    np.testing.assert_allclose(sm.log_softmax_forward(xf, 0), sm.log_softmax_reference(xf, 0),
                               rtol=1e-12)
    with pytest.raises(IndexError, match="Dimension out of range"):
        sm.softmax_forward(np.ones((2, 3)), 2)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_log_softmax_kept_exps(dtype, mode):
    """log_softmax_forward_keep: the same output bit for bit, exps e = exp(x - max) and
    inv = 1 / Σe per position; log_softmax_backward_kept from them gives the gradient of
    g - exp(out) Σg (rows, the transposed-block path for few classes, and tiles)."""
    rng = np.random.default_rng(1)
    if mode == "parallel" and dtype == np.float32:
        pytest.skip("parallel variants are checked in float64 only (compile time)")
    for shape, axis in SHAPES + [((130, 7), 1), ((3, 70, 2), 1)]:
        x = (rng.normal(size=shape) * 4).astype(dtype)
        g = rng.normal(size=shape).astype(dtype)
        out, ex, inv = sm.log_softmax_forward_keep(x, axis)
        np.testing.assert_array_equal(out, sm.log_softmax_forward(x, axis))
        assert ex.shape == x.shape and ex.dtype == x.dtype and inv.dtype == x.dtype
        if x.size:
            x3 = sm._ref_ncs(x, axis)  # (N, C, S): positions (n, s), classes along axis 1
            e3 = np.exp(x3 - x3.max(1, keepdims=True))
            assert_close(ex.reshape(x3.shape), e3, dtype)
            assert_close(inv, (1 / e3.sum(1)).reshape(-1), dtype)
        assert_close(sm.log_softmax_backward_kept(g, ex, inv, axis), sm.log_softmax_backward_reference(g, out, axis),
                     dtype, scale=10)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_log_softmax_kept_exps_extreme_rows(dtype):
    inf, nan = np.inf, np.nan
    x = np.array([[-inf, 0, 1], [-inf, -inf, -inf], [nan, 1, 2], [inf, 1, 2],
                  [1e4, 0, -1e4], [1000, 1001, 1002], [1, 2, 3]], dtype)
    g = np.ones_like(x)
    out, ex, inv = sm.log_softmax_forward_keep(x, 1)
    kept = sm.log_softmax_backward_kept(g, ex, inv, 1)
    plain = sm.log_softmax_backward(g, out, 1)
    np.testing.assert_array_equal(np.isnan(kept), np.isnan(plain))
    finite = ~np.isnan(plain)
    assert_close(kept[finite], plain[finite], dtype)


def test_log_softmax_backward_kept_refuses_a_wrong_inv():
    x = np.zeros((3, 4))
    out, ex, inv = sm.log_softmax_forward_keep(x, 1)
    with pytest.raises(ValueError, match=r"inv has shape \(2,\), expected \(3,\)"):
        sm.log_softmax_backward_kept(np.ones_like(x), ex, inv[:2], 1)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_log_softmax_backward_kept_in_place(dtype, mode):
    """``in_place=True`` writes the same gradient over the exps and returns that array."""
    if mode == "parallel" and dtype == np.float32:
        pytest.skip("parallel variants are checked in float64 only (compile time)")
    rng = np.random.default_rng(2)
    for shape, axis in [((4, 5), 1), ((200, 40), 1), ((3, 4, 5), 1), ((2, 3, 4, 5), 1), ((6,), 0), ((2, 3, 4), 0)]:
        x = (rng.normal(size=shape) * 4).astype(dtype)
        g = rng.normal(size=shape).astype(dtype)
        _, ex, inv = sm.log_softmax_forward_keep(x, axis)
        expected = sm.log_softmax_backward_kept(g, ex, inv, axis)
        got = sm.log_softmax_backward_kept(g, ex, inv, axis, in_place=True)
        assert got is ex
        np.testing.assert_array_equal(got, expected)


def test_log_softmax_backward_kept_in_place_refuses_what_it_cannot_write():
    _, ex, inv = sm.log_softmax_forward_keep(np.zeros((3, 4)), 1)
    g = np.ones((3, 4))
    with pytest.raises(ValueError, match="in_place needs"):
        sm.log_softmax_backward_kept(g, ex.astype(np.float16), inv, 1, in_place=True)  # would be a converted copy
    ex.flags.writeable = False
    with pytest.raises(ValueError, match="in_place needs"):
        sm.log_softmax_backward_kept(g, ex, inv, 1, in_place=True)
