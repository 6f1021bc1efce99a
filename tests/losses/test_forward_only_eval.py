"""The short forward-only path of the common evaluation call (``cross_entropy`` / ``nll_loss``
of (N, C) input and (N,) int64 targets, no weight, no smoothing, under no_grad): it gives the
bits, dtype, shape and errors of the path with a graph, and hands every case it does not
decide itself (ignored targets, a zero total weight, a sum that could overflow, a layout or a
dtype the kernel does not take) to the Function's forward."""
import numpy as np
import pytest

import minigrad
import minigrad.kernels.threading as kernel_threads
import minigrad.nn.functional as F
from minigrad.ops import loss as loss_ops

LOSSES = {"cross_entropy": loss_ops.CrossEntropyIndex, "nll_loss": loss_ops.NLLLoss}


def _pair(name, x, t, **options):
    """(the loss with x requiring grad, its backward run; the same call under no_grad)."""
    fn = getattr(F, name)
    xt = minigrad.tensor(x, requires_grad=True)
    with_grad = fn(xt, minigrad.tensor(t), **options)
    with_grad.sum().backward()
    with minigrad.no_grad():
        without = fn(minigrad.tensor(x, requires_grad=True), minigrad.tensor(t), **options)
    return with_grad, without


def _same(a, b):
    a, b = a.detach().numpy(), b.detach().numpy()
    assert a.dtype == b.dtype and a.shape == b.shape
    assert np.array_equal(a, b, equal_nan=True), (a, b)


@pytest.fixture(params=["serial", "parallel"])
def kernels_mode(request, monkeypatch):
    """The serial kernels, then their prange variants (threshold 0: small shapes take them)."""
    if request.param == "parallel":
        if not kernel_threads.parallel_available():
            pytest.skip("no tbb threading layer: serial kernels only")
        monkeypatch.setattr(kernel_threads, "PARALLEL_THRESHOLD", 0)
    return request.param


def _forward_must_not_run(monkeypatch, name):
    def refuse(*args):
        raise AssertionError("the Function's forward ran")
    monkeypatch.setattr(LOSSES[name], "forward", staticmethod(refuse))


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(1, 1), (7, 3), (64, 10), (33, 40)])
def test_the_short_path_gives_the_graph_paths_bits(name, dtype, reduction, shape, kernels_mode):
    rng = np.random.default_rng(sum(shape))
    x = (rng.normal(size=shape) * 3).astype(dtype)
    t = rng.integers(0, shape[1], shape[0])
    with_grad, without = _pair(name, x, t, reduction=reduction)
    _same(without, with_grad)
    assert not without.requires_grad and without.grad_fn is None


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_the_common_call_takes_the_short_path(monkeypatch, name):
    x = minigrad.randn(6, 4, requires_grad=True)
    t = minigrad.tensor([0, 3, 1, 2, 2, 0])
    expected = getattr(F, name)(x, t)
    _forward_must_not_run(monkeypatch, name)
    with minigrad.no_grad():
        got = getattr(F, name)(x, t)
    _same(got, expected)


def _ignored_cases():
    x = np.random.default_rng(4).normal(size=(5, 4))
    inf_at_ignored = x.copy()
    inf_at_ignored[2, 1] = np.inf
    nan_at_ignored = x.copy()
    nan_at_ignored[2, 3] = np.nan
    t = np.array([0, 3, 1, 2, 1])
    t_ignored = np.array([0, 3, -100, 2, 1])
    return [
        ("finite logits", x, t_ignored),
        ("inf logit where ignored", inf_at_ignored, t_ignored),
        ("nan logit where ignored", nan_at_ignored, t_ignored),
        ("every target ignored", x, np.full(5, -100)),
        ("inf logit, nothing ignored", inf_at_ignored, t),
    ]


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("case", _ignored_cases(), ids=lambda c: c[0])
def test_ignored_targets_and_non_finite_logits(name, dtype, reduction, case):
    _, x, t = case
    with_grad, without = _pair(name, x.astype(dtype), t, reduction=reduction)
    _same(without, with_grad)


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("bad", [4, 7, -1, -101])
def test_a_bad_target_raises_torchs_error(name, bad):
    x = minigrad.randn(3, 4, requires_grad=True)
    t = minigrad.tensor([0, bad, 1])
    with pytest.raises(IndexError) as with_grad:
        getattr(F, name)(x, t)
    with minigrad.no_grad(), pytest.raises(IndexError) as without:
        getattr(F, name)(x, t)
    assert str(without.value) == str(with_grad.value) == f"Target {bad} is out of bounds."


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_a_non_contiguous_input(name, reduction):
    base = np.random.default_rng(5).normal(size=(4, 6)).astype(np.float32)
    t = np.array([0, 3, 1, 2, 2, 1])
    strided = minigrad.from_numpy(base).t()  # (6, 4), not contiguous
    with minigrad.no_grad():
        got = getattr(F, name)(strided, minigrad.tensor(t), reduction=reduction)
    with_grad, _ = _pair(name, np.ascontiguousarray(base.T), t, reduction=reduction)
    _same(got, with_grad)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_nll_sums_that_would_overflow_in_the_inputs_dtype(dtype, reduction):
    big = np.finfo(dtype).max / 2
    x = np.full((4, 3), -big, dtype)  # each loss is representable, their sum is not
    with_grad, without = _pair("nll_loss", x, np.array([0, 1, 2, 0]), reduction=reduction)
    _same(without, with_grad)
    assert np.isinf(without.item())


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_float16_and_kernels_off_go_the_long_way(name):
    x = np.random.default_rng(6).normal(size=(5, 3))
    t = np.array([0, 2, 1, 1, 0])
    with_grad, without = _pair(name, x.astype(np.float16), t)
    _same(without, with_grad)
    minigrad.set_kernels(False)
    try:
        with_grad, without = _pair(name, x, t)
    finally:
        minigrad.set_kernels(True)
    _same(without, with_grad)


# --------------------------------------------------------------------------- binary cross-entropy
def _bce_inputs(name, shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 2, shape)
    x = 1 / (1 + np.exp(-x)) if name == "binary_cross_entropy" else x
    return x.astype(dtype), rng.random(shape).astype(dtype)


@pytest.mark.parametrize("name", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(), (1,), (7, 3), (64, 10)])
def test_bce_short_path_gives_the_graph_paths_bits(name, dtype, reduction, shape, kernels_mode):
    x, y = _bce_inputs(name, shape, dtype, seed=len(shape))
    fn = getattr(F, name)
    xt = minigrad.tensor(x, requires_grad=True)
    with_grad = fn(xt, minigrad.tensor(y), reduction=reduction)
    with_grad.sum().backward()
    with minigrad.no_grad():
        without = fn(minigrad.tensor(x, requires_grad=True), minigrad.tensor(y), reduction=reduction)
    _same(without, with_grad)
    assert without.grad_fn is None and not without.requires_grad


@pytest.mark.parametrize("name", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_bce_common_call_skips_the_checks(monkeypatch, name):
    """The short path runs no Python check: the kernel takes the arrays as they are."""
    from minigrad.ops import loss_checks
    x, y = _bce_inputs(name, (5, 4), np.float32)
    expected = getattr(F, name)(minigrad.tensor(x), minigrad.tensor(y))
    for check in ("check_bce", "reduction_from", "check_not_differentiable"):
        monkeypatch.setattr(loss_checks, check, lambda *a, **k: pytest.fail("a check ran"))
    with minigrad.no_grad():
        got = getattr(F, name)(minigrad.tensor(x, requires_grad=True), minigrad.tensor(y))
    _same(got, expected)


@pytest.mark.parametrize("where, value, culprit", [("p", 1.5, "input"), ("p", np.nan, "input"), ("y", -0.5, "target"),
                                                  ("y", np.nan, "target")])
def test_bce_values_outside_the_unit_interval(where, value, culprit):
    p, y = _bce_inputs("binary_cross_entropy", (4, 3), np.float32)
    (p if where == "p" else y)[2, 1] = value
    with pytest.raises(RuntimeError) as with_grad:
        F.binary_cross_entropy(minigrad.tensor(p, requires_grad=True), minigrad.tensor(y))
    with minigrad.no_grad(), pytest.raises(RuntimeError) as without:
        F.binary_cross_entropy(minigrad.tensor(p, requires_grad=True), minigrad.tensor(y))
    assert str(without.value) == str(with_grad.value) == f"all elements of {culprit} should be between 0 and 1"


@pytest.mark.parametrize("name", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_bce_calls_the_short_path_does_not_take(name):
    """Mixed dtypes, different shapes, an integer target: the long path's errors, under no_grad too."""
    x, y = _bce_inputs(name, (3, 2), np.float32)
    cases = [(x, y.astype(np.float64)), (x, y[:, :1]), (x, (y > 0.5).astype(np.int64))]
    for a, b in cases:
        fn = getattr(F, name)
        try:
            fn(minigrad.tensor(a, requires_grad=True), minigrad.tensor(b))
        except Exception as e:  # noqa: BLE001 - the same exception either way
            with minigrad.no_grad(), pytest.raises(type(e)) as without:
                fn(minigrad.tensor(a, requires_grad=True), minigrad.tensor(b))
            assert str(without.value) == str(e)
        else:
            with minigrad.no_grad():
                got = fn(minigrad.tensor(a, requires_grad=True), minigrad.tensor(b))
            _same(got, fn(minigrad.tensor(a), minigrad.tensor(b)))
