"""The forward-only kernels of the pointwise losses (minigrad/kernels/pointwise_losses.py and
the loss-only BCE-with-logits kernel): under no_grad each loss is bit for bit the one of the
plain-numpy path (kernels switched off) and of the recorded path (input requiring grad)."""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad.kernels import bce as bce_kernels
from minigrad.kernels._jitmath import NO_JIT

# (40000,) is above the kernels' parallel threshold: the prange variants run too (the pointwise
# ones' threshold is 8x higher: test_pointwise_loss_kernels_prange_variants forces them)
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered")  # the recorded path on 1e30

SHAPES = [(6, 5), (3, 4, 5), (7,), (40000,)]
REDUCTIONS = ["none", "mean", "sum"]


def _pair(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.normal(size=shape) * 2).astype(dtype)
    y = (rng.normal(size=shape) * 2).astype(dtype)
    flat = x.reshape(-1)
    if flat.size > 6:  # special values: the same nan / inf / -0 handling as numpy
        flat[:6] = [np.nan, np.inf, -np.inf, -0.0, 1e30, -1e-30]
    return x, y


def _three_ways(call, x, y):
    """(no_grad with kernels, no_grad with kernels off, recorded path) losses as arrays."""
    with minigrad.no_grad():
        kernel = call(minigrad.tensor(x, requires_grad=True), minigrad.tensor(y)).numpy()
        previous = minigrad.set_kernels(False)
        try:
            plain = call(minigrad.tensor(x, requires_grad=True), minigrad.tensor(y)).numpy()
        finally:
            minigrad.set_kernels(previous)
    recorded = call(minigrad.tensor(x, requires_grad=True), minigrad.tensor(y))
    assert recorded.requires_grad
    return kernel, plain, recorded.detach().numpy()


def _same_bits(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    assert np.array_equal(a, b, equal_nan=True)
    assert np.array_equal(np.signbit(a), np.signbit(b)) or np.isnan(a).any()


LOSSES = {
    "mse": lambda x, y, r: F.mse_loss(x, y, reduction=r),
    "l1": lambda x, y, r: F.l1_loss(x, y, reduction=r),
    **{f"smooth_l1_{beta}": (lambda beta: lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=beta))(beta)
       for beta in (1.0, 0.1, 0.3, 2.5, 1e-3)},
    **{f"huber_{delta}": (lambda delta: lambda x, y, r: F.huber_loss(x, y, reduction=r, delta=delta))(delta)
       for delta in (1.0, 0.1, 0.3, 2.5, 1e-3)},
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_pointwise_loss_kernels_match_the_numpy_path(name, reduction, shape, dtype):
    x, y = _pair(shape, dtype)
    kernel, plain, recorded = _three_ways(lambda a, b: LOSSES[name](a, b, reduction), x, y)
    _same_bits(kernel, plain)
    _same_bits(kernel, recorded)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_pointwise_loss_kernels_prange_variants(monkeypatch, name):
    """The pointwise kernels go parallel only from 8x the threshold: forced here at 40000."""
    import minigrad.kernels.threading as kth
    if not kth.parallel_available():
        pytest.skip("no tbb threading layer: serial kernels only")
    monkeypatch.setattr(kth, "PARALLEL_THRESHOLD", 0)
    x, y = _pair((40000,), np.float32)
    kernel, plain, recorded = _three_ways(lambda a, b: LOSSES[name](a, b, "none"), x, y)
    _same_bits(kernel, plain)
    _same_bits(kernel, recorded)


@pytest.mark.parametrize("name", ["mse", "l1", "smooth_l1_0.3", "huber_2.5"])
def test_pointwise_loss_kernels_take_non_contiguous_input(name):
    x, y = _pair((8, 6), np.float32)
    kernel, plain, recorded = _three_ways(lambda a, b: LOSSES[name](a, b, "none"), x.T, y.T)
    _same_bits(kernel, plain)
    _same_bits(kernel, recorded)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("weights", ["none", "weight", "pos_weight", "both"])
def test_bce_with_logits_loss_only_kernel_is_the_fused_kernels_loss(shape, dtype, weights):
    rng = np.random.default_rng(1)
    x = (rng.normal(size=shape) * 30).astype(dtype)
    x.reshape(-1)[:3] = [0.0, -1e4, 1e4]
    y = rng.uniform(0, 1, shape).astype(dtype)
    w = rng.uniform(0.5, 2, shape).astype(dtype) if weights in ("weight", "both") else None
    pw = rng.uniform(0.5, 2, shape).astype(dtype) if weights in ("pos_weight", "both") else None
    fused, _, _ = bce_kernels.bce_with_logits_forward_backward(x, y, w, pw)
    _same_bits(bce_kernels.bce_with_logits_forward(x, y, w, pw), fused)
    for reduction in REDUCTIONS:
        def call(a, b):
            return F.binary_cross_entropy_with_logits(a, b, reduction=reduction,
                                                      weight=None if w is None else minigrad.tensor(w),
                                                      pos_weight=None if pw is None else minigrad.tensor(pw))
        kernel, _, recorded = _three_ways(call, x, y)
        _same_bits(kernel, recorded)


def test_forward_only_losses_do_not_require_grad():
    x, y = _pair((4, 3), np.float32)
    with minigrad.no_grad():
        for name, call in LOSSES.items():
            out = call(minigrad.tensor(x, requires_grad=True), minigrad.tensor(y), "mean")
            assert not out.requires_grad and out.grad_fn is None, name


LOG_LOSSES = {
    "binary_cross_entropy": lambda x, y, r: F.binary_cross_entropy(x, y, reduction=r),
    "binary_cross_entropy_weight": lambda x, y, r: F.binary_cross_entropy(
        x, y, reduction=r, weight=minigrad.tensor(np.linspace(0.5, 2, x.shape[-1]).astype(x.detach().numpy().dtype))),
    "kl_div": lambda x, y, r: F.kl_div(x, y, reduction=r),
    "kl_div_log_target": lambda x, y, r: F.kl_div(x, y, reduction=r, log_target=True),
}


def _log_pair(name, shape, dtype, seed=0):
    """Probabilities and targets in [0, 1] with both ends (BCE); log-probabilities and
    targets with zeros (KL)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, shape).astype(dtype)
    y = rng.uniform(0, 1, shape).astype(dtype)
    flat_x, flat_y = x.reshape(-1), y.reshape(-1)
    if name.startswith("kl_div"):
        x = np.log(x + dtype(0.01)).astype(dtype)
        flat_y[::5] = 0
        if name.endswith("log_target"):
            y = np.log(y + dtype(0.01)).astype(dtype)
    elif flat_x.size > 4:
        flat_x[:4] = [0.0, 1.0, 1e-30, 0.5]
    return x, y


LOG_RUNS = [(name, reduction) for name in sorted(LOG_LOSSES)
            for reduction in REDUCTIONS + (["batchmean"] if name.startswith("kl_div") else [])]


# (40000,): the prange variants; as plain Python (NUMBA_DISABLE_JIT=1) there are none, and
# it would take 5 s a call
LOG_SHAPES = [(6, 5), (3, 4, 5), (7,)] + ([] if NO_JIT else [(40000,)])


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")  # kl_div's warning, tested elsewhere
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", LOG_SHAPES)
@pytest.mark.parametrize("name,reduction", LOG_RUNS)
def test_log_loss_kernels_give_the_recorded_paths_bits(name, reduction, shape, dtype):
    """BCE and KL run their kernel with and without a graph: the same bits; the numpy form
    (kernels off) is the same formula with numpy's logs, equal to a few roundings."""
    x, y = _log_pair(name, shape, dtype)
    kernel, plain, recorded = _three_ways(lambda a, b: LOG_LOSSES[name](a, b, reduction), x, y)
    _same_bits(kernel, recorded)
    scale = np.abs(plain).max() if plain.size else 1.0
    np.testing.assert_allclose(kernel, plain, rtol=8 * np.finfo(dtype).eps,
                               atol=16 * np.finfo(dtype).eps * scale if reduction == "none" else 0)


@pytest.mark.parametrize("name", sorted(LOG_LOSSES))
def test_log_loss_kernels_take_non_contiguous_input(name):
    x, y = _log_pair(name, (8, 6), np.float64)
    kernel, plain, recorded = _three_ways(lambda a, b: LOG_LOSSES[name](a, b, "none"), x.T, y.T)
    _same_bits(kernel, recorded)
    np.testing.assert_allclose(kernel, plain, rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize("kernels_on", [True, False])
@pytest.mark.parametrize("grad", [True, False])
@pytest.mark.parametrize("where,culprit", [({"input": (3, 1.5)}, "input"), ({"target": (2, -0.5)}, "target"),
                                          ({"input": (7, np.nan)}, "input"), ({"target": (0, np.nan)}, "target"),
                                          ({"input": (5, 2.0), "target": (4, 2.0)}, "target"),
                                          ({"input": (4, 2.0), "target": (4, 2.0)}, "input")])
def test_bce_refuses_values_outside_0_1_as_torch(where, culprit, grad, kernels_on):
    """torch checks element by element, the input before the target: the kernel's check in
    its pass and numpy's scan name the same culprit, with or without a graph."""
    arrays = {"input": np.full((3, 4), 0.25, np.float32), "target": np.full((3, 4), 0.5, np.float32)}
    for name, (i, value) in where.items():
        arrays[name].reshape(-1)[i] = value
    previous = minigrad.set_kernels(kernels_on)
    try:
        p = minigrad.tensor(arrays["input"], requires_grad=True)
        with minigrad.set_grad_enabled(grad), pytest.raises(RuntimeError) as info:
            F.binary_cross_entropy(p, minigrad.tensor(arrays["target"]), reduction="sum")
    finally:
        minigrad.set_kernels(previous)
    assert str(info.value) == f"all elements of {culprit} should be between 0 and 1"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", LOG_SHAPES + [(5000,)])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("name", ["mse", "l1", "smooth_l1_0.3", "huber_2.5", "smooth_l1_1.0"])
def test_pointwise_losses_reduced_in_the_kernel(monkeypatch, name, reduction, shape, dtype):
    """The pointwise losses' 'mean' and 'sum' come from the kernels' in-kernel sum with or
    without a graph (the same bits, serial or parallel), within a few roundings of numpy's
    pairwise sum (kernels off) and of the exact sum of the same terms."""
    rng = np.random.default_rng(3)
    x = (rng.normal(size=shape) * 2).astype(dtype)
    y = (rng.normal(size=shape) * 2).astype(dtype)
    call = lambda a, b: LOSSES[name](a, b, reduction)  # noqa: E731
    kernel, plain, recorded = _three_ways(call, x, y)
    _same_bits(kernel, recorded)
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(kernel, plain, rtol=4 * eps)
    with minigrad.no_grad():
        terms = LOSSES[name](minigrad.tensor(x), minigrad.tensor(y), "none").numpy().astype(np.float64)
    exact = terms.sum() / (x.size if reduction == "mean" else 1)
    np.testing.assert_allclose(float(kernel), exact, rtol=8 * eps)
    import minigrad.kernels.threading as kth
    if kth.parallel_available() and not NO_JIT:
        monkeypatch.setattr(kth, "PARALLEL_THRESHOLD", 0)
        with minigrad.no_grad():
            parallel = call(minigrad.tensor(x), minigrad.tensor(y)).numpy()
        _same_bits(parallel, kernel)
