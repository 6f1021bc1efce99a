"""log_softmax keeps its forward's exps for the backward (``LogSoftmax.KEEP_EXPS_FROM``
elements and up, kernels on): the recorded torch cases are replayed through that path (the
threshold lowered to 0, and a spy checking the path was taken), and it is compared with the
plain path on a size above the threshold, with torch's in-place check, retain_graph and
create_graph."""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad.kernels import softmax as softmax_kernels
from minigrad.ops import softmax as softmax_ops
from loss_helpers import RTOL, assert_matches, load, loss_cases, make_tensors, run_call

RECORDED = [(case, dtype) for case in loss_cases.all_cases() for dtype in case.dtypes
            if case.call.name in ("log_softmax", "LogSoftmax")]


@pytest.fixture
def kept_path(monkeypatch):
    """Every log_softmax with a graph keeps its exps; counts the calls that did."""
    calls = []
    keep = softmax_kernels.log_softmax_forward_keep

    def spy(*args, **kwargs):
        calls.append(args[0].shape)
        return keep(*args, **kwargs)
    monkeypatch.setattr(softmax_ops.LogSoftmax, "KEEP_EXPS_FROM", 0)
    monkeypatch.setattr(softmax_ops.LogSoftmax, "kernel_forward_keep", staticmethod(spy))
    return calls


def test_the_recorded_cases_include_log_softmax():
    assert len(RECORDED) >= 20


@pytest.mark.parametrize("case,dtype", RECORDED, ids=[f"{c.name}-{d}" for c, d in RECORDED])
def test_recorded_log_softmax_through_kept_exps(case, dtype, kept_path):
    recorded = load()
    key = f"{case.name}|{dtype}|"
    arrays = {name[len(key) + 3:]: value for name, value in recorded.items() if name.startswith(key + "in:")}
    floats = [a.dtype for a in arrays.values() if a.dtype.kind == "f"] + [recorded[key + "out"].dtype]
    rtol = max(RTOL[d] for d in floats)
    tensors = make_tensors(arrays, case.grad)
    out, _ = run_call(case.call, tensors)
    assert_matches(out.detach().numpy(), recorded[key + "out"], f"{case.name} forward", rtol)
    if key + "upstream" not in recorded or key + "backward_error" in recorded:
        return
    took_kernel = out.detach().numpy().size > 0 and out.detach().numpy().ndim > 0 and \
        out.dtype in (minigrad.float32, minigrad.float64) and minigrad.kernels_enabled()
    assert bool(kept_path) == took_kernel
    out.backward(minigrad.from_numpy(recorded[key + "upstream"].copy()))
    for name in case.grad:
        expected = recorded.get(key + "grad:" + name)
        if expected is not None:
            assert_matches(tensors[name].grad.numpy(), expected, f"{case.name} d/d{name}", rtol)


def _pair(dtype, shape=(170, 100), seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.normal(size=shape) * 3).astype(dtype)
    g = rng.normal(size=shape).astype(dtype)
    return x, g


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape,dim", [((170, 100), 1), ((3300, 5), 1), ((14, 30, 40), 1), ((33, 500), 0)])
def test_kept_exps_give_the_plain_gradient(dtype, shape, dim):
    """Above the threshold: the same forward bit for bit, and the gradient of
    ``g - exp(out) * Σg`` within a few ulps (``e * (1/s)`` against ``exp(out)``)."""
    assert np.prod(shape) >= softmax_ops.LogSoftmax.KEEP_EXPS_FROM
    x, g = _pair(dtype, shape)
    xt = minigrad.tensor(x, requires_grad=True)
    out = F.log_softmax(xt, dim)
    assert "kept" in out.grad_fn.__dict__
    out.backward(minigrad.tensor(g))
    with minigrad.no_grad():
        plain = F.log_softmax(minigrad.tensor(x), dim).numpy()
    np.testing.assert_array_equal(out.detach().numpy(), plain)
    expected = softmax_kernels.log_softmax_backward(g, plain, dim)
    tol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(xt.grad.numpy(), expected, rtol=tol, atol=tol)


def test_output_changed_in_place_raises_torchs_error():
    x, g = _pair(np.float32)
    out = F.log_softmax(minigrad.tensor(x, requires_grad=True), 1)
    out.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.backward(minigrad.tensor(g))


def test_retain_graph_and_a_second_backward():
    x, g = _pair(np.float64)
    xt = minigrad.tensor(x, requires_grad=True)
    out = F.log_softmax(xt, 1)
    out.backward(minigrad.tensor(g), retain_graph=True)
    first = xt.grad.numpy().copy()
    out.backward(minigrad.tensor(g))
    np.testing.assert_allclose(xt.grad.numpy(), 2 * first, rtol=1e-15)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        out.backward(minigrad.tensor(g))


def test_create_graph_uses_the_saved_output():
    """Under create_graph the rule is the Tensor form on the saved output (the kept exps are
    not differentiable): the same first derivative, and second derivatives as with the plain path."""
    x, g = _pair(np.float64, (20, 10))
    grads = []
    for keep_from in (0, 10 ** 9):
        old = softmax_ops.LogSoftmax.KEEP_EXPS_FROM
        softmax_ops.LogSoftmax.KEEP_EXPS_FROM = keep_from
        try:
            xt = minigrad.tensor(x, requires_grad=True)
            (gx,) = minigrad.autograd.grad(F.log_softmax(xt, 1), xt, minigrad.tensor(g), create_graph=True)
            (ggx,) = minigrad.autograd.grad((gx * gx).sum(), xt)
            grads.append((gx.detach().numpy(), ggx.numpy()))
        finally:
            softmax_ops.LogSoftmax.KEEP_EXPS_FROM = old
    np.testing.assert_array_equal(grads[0][0], grads[1][0])  # the Tensor rule: the same ops
    # (the second derivative runs log_softmax's first-order backward again: kept exps or exp(out))
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-12, atol=1e-13)


def test_no_graph_keeps_nothing():
    x, _ = _pair(np.float32)
    out = F.log_softmax(minigrad.tensor(x, requires_grad=True), 1)
    out.grad_fn.release()
    assert "kept" not in out.grad_fn.__dict__
    with minigrad.no_grad():
        assert F.log_softmax(minigrad.tensor(x, requires_grad=True), 1).grad_fn is None


def test_the_gradient_is_written_over_the_exps_unless_the_graph_is_retained():
    """Without retain_graph the walk frees the node right after its backward, so the gradient
    goes over the kept exps (no new array: a fresh one costs page faults at every step); with
    retain_graph the exps stay intact for the next backward."""
    x, g = _pair(np.float32)
    for retain in (True, False):
        xt = minigrad.tensor(x, requires_grad=True)
        out = F.log_softmax(xt, 1)
        exps = out.grad_fn.__dict__["kept"][0]
        before = exps.copy()
        out.backward(minigrad.tensor(g), retain_graph=retain)
        if retain:
            np.testing.assert_array_equal(exps, before)
            assert not np.shares_memory(xt.grad.numpy(), exps)
        else:  # (the gradient is copied into .grad here only because this test holds the exps)
            np.testing.assert_array_equal(exps, xt.grad.numpy())


def test_the_gradient_written_over_the_exps_becomes_grad_without_a_copy():
    import weakref
    x, g = _pair(np.float32)
    xt = minigrad.tensor(x, requires_grad=True)
    out = F.log_softmax(xt, 1)
    exps = weakref.ref(out.grad_fn.__dict__["kept"][0])
    out.backward(minigrad.tensor(g))
    assert xt.grad._data is exps()
