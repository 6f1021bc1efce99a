"""The loss-only kernels with logs in them: ``bce_forward`` (binary cross-entropy on
probabilities) and ``kl_div_forward``.  Each element against the same formula in float64
(from the same float32 / float64 inputs) within a few roundings of its terms, the special
values placed as numpy places them, and the prange variant equal to the serial one."""
import numpy as np
import pytest

from minigrad.kernels import bce, kl_div
from minigrad.ops.loss_elementwise import bce_forward, kl_div_forward

DTYPES = [np.float32, np.float64]
SHAPES = [(7,), (6, 5), (3, 4, 5), (0, 3)]


def _within(actual, exact, terms, dtype, ulps):
    """|actual - exact| <= ulps * eps * terms (terms: the magnitudes that were added)."""
    eps = np.finfo(dtype).eps
    assert actual.dtype == np.dtype(dtype) and actual.shape == exact.shape
    finite = np.isfinite(exact)
    assert np.array_equal(actual[~finite], exact[~finite].astype(dtype), equal_nan=True)
    err = np.abs(actual[finite].astype(np.float64) - exact[finite])
    assert np.all(err <= ulps * eps * terms[finite] + np.finfo(dtype).tiny), err.max()


def _probs(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0, 1, shape).astype(dtype)
    y = rng.uniform(0, 1, shape).astype(dtype)
    flat_p, flat_y = p.reshape(-1), y.reshape(-1)
    k = min(flat_p.size, 7)  # the ends, where a log is clamped at -100 or its argument is tiny
    flat_p[:k] = np.array([0.0, 1.0, 1e-30, np.nextafter(dtype(1), dtype(0)), 0.5, 1e-7, 0.999], dtype)[:k]
    flat_y[:k] = np.array([1.0, 0.0, 0.0, 1.0, 0.5, 1.0, 0.0], dtype)[:k]
    return p, y


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_forward_is_the_formula(mode, shape, dtype, weighted):
    p, y = _probs(shape, dtype, seed=len(shape))
    w = np.random.default_rng(5).uniform(0, 2, shape).astype(dtype) if weighted else None
    loss = bce.bce_forward(p, y, w)
    p64, y64 = p.astype(np.float64), y.astype(np.float64)
    with np.errstate(divide="ignore"):
        a = np.maximum(np.log1p(-p64), -100)
        b = np.maximum(np.log(p64), -100)
    w64 = 1.0 if w is None else w.astype(np.float64)
    exact = ((y64 - 1) * a - y64 * b) * w64
    _within(loss, exact, (np.abs((y64 - 1) * a) + np.abs(y64 * b)) * np.abs(w64), dtype, ulps=4)


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_forward_takes_what_numpy_takes(mode, dtype):
    """A broadcast weight, non-contiguous arrays: numpy's form, to a few roundings."""
    p, y = _probs((5, 8), dtype, seed=3)
    w = np.arange(1, 9, dtype=dtype)
    loss = bce.bce_forward(p.T, y.T, w[:5])
    expected = bce_forward(p.T, y.T, np.broadcast_to(w[:5], (8, 5)))
    np.testing.assert_allclose(loss, expected, rtol=8 * np.finfo(dtype).eps)


def _kl_pair(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    x = np.log(rng.uniform(0.01, 1, shape)).astype(dtype)
    t = rng.uniform(0, 1, shape).astype(dtype)
    flat_x, flat_t = x.reshape(-1), t.reshape(-1)
    k = min(flat_t.size, 7)
    flat_t[:k] = np.array([0.0, -0.0, np.nan, np.inf, -1.0, 1e-40, 1.0], dtype)[:k]
    flat_x[k:k + 3] = np.array([np.inf, -np.inf, np.nan], dtype)[:max(0, min(3, flat_x.size - k))]
    return x, t


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_forward_is_the_formula(mode, shape, dtype, log_target):
    x, t = _kl_pair(shape, dtype, seed=len(shape) + 10)
    if log_target:
        t = np.where(np.isfinite(t), np.log(np.abs(t) + 0.1), t).astype(dtype)
    loss = kl_div.kl_div_forward(x, t, log_target)
    x64, t64 = x.astype(np.float64), t.astype(np.float64)
    with np.errstate(all="ignore"):
        if log_target:
            e = np.exp(t64)
            exact = e * (t64 - x64)
            terms = e * (np.abs(t64) + np.abs(x64))
        else:
            tlogt = np.where(t64 == 0, 0.0, t64 * np.log(t64))
            exact = tlogt - t64 * x64
            terms = np.abs(tlogt) + np.abs(t64 * x64)
    _within(loss, exact, terms, dtype, ulps=4)
    with np.errstate(all="ignore"):  # nan / inf where numpy's form has them
        numpy_form = kl_div_forward(x, t, log_target)
    assert np.array_equal(np.isnan(loss), np.isnan(numpy_form))
    assert np.array_equal(loss[np.isinf(numpy_form)], numpy_form[np.isinf(numpy_form)])


@pytest.mark.parametrize("dtype", DTYPES)
def test_parallel_chunks_give_the_serial_bits(monkeypatch, dtype):
    import minigrad.kernels.threading as kth
    if not kth.parallel_available():
        pytest.skip("no tbb threading layer: serial kernels only")
    p, y = _probs((50, 41), dtype, seed=9)
    x, t = _kl_pair((50, 41), dtype, seed=9)
    monkeypatch.setattr(kth, "PARALLEL_THRESHOLD", 1 << 62)
    serial = [bce.bce_forward(p, y), kl_div.kl_div_forward(x, t, False), kl_div.kl_div_forward(x, t, True)]
    monkeypatch.setattr(kth, "PARALLEL_THRESHOLD", 0)
    parallel = [bce.bce_forward(p, y), kl_div.kl_div_forward(x, t, False), kl_div.kl_div_forward(x, t, True)]
    for a, b in zip(serial, parallel):
        assert np.array_equal(a, b, equal_nan=True)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(0,), (7,), (3, 5000), (4097,)])
def test_reduce_sums_the_loss_it_would_write(mode, shape, dtype):
    """reduce=True: the loss summed in the kernel (blocks of SUM_BLOCK, float32 blocks for
    float32) = the sum of the loss array, to a float32 block sum's rounding."""
    p, y = _probs(shape, dtype, seed=1)
    x, t = _kl_pair(shape, dtype, seed=1)
    t = np.nan_to_num(np.abs(t), nan=0.5, posinf=0.5)
    x = np.nan_to_num(x, nan=-1.0, posinf=-1.0, neginf=-1.0)
    rtol = 1e-6 if dtype == np.float32 else 1e-13
    for loss, total in [(bce.bce_forward(p, y), bce.bce_forward(p, y, reduce=True)),
                        (kl_div.kl_div_forward(x, t), kl_div.kl_div_forward(x, t, reduce=True)),
                        (kl_div.kl_div_forward(x, t, True), kl_div.kl_div_forward(x, t, True, reduce=True))]:
        assert type(total) is float
        exact = loss.astype(np.float64).sum()
        assert abs(total - exact) <= rtol * np.abs(loss.astype(np.float64)).sum(), (total, exact)


@pytest.mark.parametrize("dtype", DTYPES)
def test_reduced_sum_has_the_same_bits_serial_or_parallel(monkeypatch, dtype):
    import minigrad.kernels.threading as kth
    if not kth.parallel_available():
        pytest.skip("no tbb threading layer: serial kernels only")
    p, y = _probs((9, 5000), dtype, seed=4)
    x, t = np.log(p + dtype(0.01)).astype(dtype), y
    sums = []
    for threshold in (1 << 62, 0):
        monkeypatch.setattr(kth, "PARALLEL_THRESHOLD", threshold)
        sums.append([bce.bce_forward(p, y, reduce=True), kl_div.kl_div_forward(x, t, reduce=True),
                     kl_div.kl_div_forward(x, t, True, reduce=True)])
    assert sums[0] == sums[1]


@pytest.mark.parametrize("reduce", [False, True])
@pytest.mark.parametrize("bad", [("p", 4100, 1.5), ("y", 0, -1e-30), ("p", 9000, np.nan), ("y", 8191, np.inf)])
def test_bce_forward_checks_every_p_and_y(mode, bad, reduce):
    p, y = _probs((3, 4000), np.float32, seed=2)
    name, i, value = bad
    (p if name == "p" else y).reshape(-1)[i] = value
    with pytest.raises(RuntimeError, match=f"^all elements of {'input' if name == 'p' else 'target'} "
                                           "should be between 0 and 1$"):
        bce.bce_forward(p, y, reduce=reduce)


def test_shapes_must_match():
    with pytest.raises(ValueError, match="target shape"):
        bce.bce_forward(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="target shape"):
        kl_div.kl_div_forward(np.zeros(3), np.zeros(4))
