"""The graph and the engine: reuse, accumulation, retain_grad, depth, freeing, grad mode,
detach, and user-written Functions.  Expected values here are exact in binary floating point."""
import gc
import weakref

import numpy as np
import pytest

import minigrad
from minigrad.autograd import Function


def leaf(values, dtype=minigrad.float64):
    return minigrad.tensor(values, dtype=dtype, requires_grad=True)


def values(t):
    return t.detach().numpy()


# ---------------------------------------------------------------- gradients through shared nodes
def test_reused_node_gets_both_gradients():
    x = leaf([1.0, -2.0, 3.0])
    (x * x).sum().backward()  # d/dx x² = 2x
    np.testing.assert_array_equal(values(x.grad), [2.0, -4.0, 6.0])


def test_diamond_graph_sums_both_paths():
    x = leaf([1.0, 2.0, 3.0])
    a = x * 2
    b = a * 3
    c = a * a
    (b + c).sum().backward()  # d/dx (6x + 4x²) = 6 + 8x
    np.testing.assert_array_equal(values(x.grad), [14.0, 22.0, 30.0])


def test_broadcast_operands_get_summed_gradients():
    x = leaf([[1.0], [2.0], [3.0]])      # (3, 1)
    y = leaf([[1.0, 2.0, 3.0, 4.0]])     # (1, 4)
    (x * y).sum().backward()
    np.testing.assert_array_equal(values(x.grad), [[10.0], [10.0], [10.0]])  # Σ y
    np.testing.assert_array_equal(values(y.grad), [[6.0, 6.0, 6.0, 6.0]])     # Σ x


def test_retain_graph_second_backward_accumulates():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(values(x.grad), [4.0, 8.0])


@pytest.mark.parametrize("make", [lambda x: x + 1, lambda x: -x, lambda x: x.reshape(2, 1), lambda x: x],
                         ids=["add", "neg", "reshape", "leaf"])
def test_second_backward_without_saved_values_accumulates(make):
    """torch, too, walks a graph twice when no node saved anything."""
    x = leaf([1.0, 2.0])
    y = make(x).sum()
    y.backward()
    first = values(x.grad).copy()
    y.backward()
    np.testing.assert_array_equal(values(x.grad), 2 * first)


def test_leaf_grads_accumulate_across_separate_graphs():
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(values(x.grad), [5.0, 7.0])
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_array_equal(values(x.grad), [3.0, 3.0])


def test_backward_with_explicit_gradient():
    x = leaf([1.0, 2.0, 3.0])
    y = x * x
    y.backward(minigrad.tensor([1.0, 0.5, -1.0], dtype=minigrad.float64))
    np.testing.assert_array_equal(values(x.grad), [2.0, 2.0, -6.0])


def test_non_leaf_grad_only_with_retain_grad():
    x = leaf([1.0, 2.0])
    h = x * 3
    kept = x * 2
    kept.retain_grad()
    y = (h * h).sum() + (kept * kept).sum()
    y.backward()
    with pytest.warns(UserWarning, match="not a leaf Tensor is being accessed"):  # as torch
        assert h.grad is None
    assert not h.retains_grad and not h.is_leaf
    assert kept.retains_grad
    np.testing.assert_array_equal(values(kept.grad), [4.0, 8.0])  # d/dk k² = 2k
    np.testing.assert_array_equal(values(x.grad), [18.0 + 8.0, 36.0 + 16.0])


def test_retained_grad_accumulates_over_two_uses():
    x = leaf([1.0, 2.0])
    h = x * 1
    h.retain_grad()
    (h + h * 3).sum().backward()
    np.testing.assert_array_equal(values(h.grad), [4.0, 4.0])


def test_autograd_grad_returns_without_touching_grad():
    x = leaf([1.0, 2.0])
    h = x * x
    (gx, gh) = minigrad.autograd.grad((h * 3).sum(), (x, h))
    np.testing.assert_array_equal(values(gx), [6.0, 12.0])
    np.testing.assert_array_equal(values(gh), [3.0, 3.0])
    assert x.grad is None
    with pytest.warns(UserWarning, match="not a leaf Tensor is being accessed"):
        assert h.grad is None


# ---------------------------------------------------------------- depth and lifetime
def test_chain_of_100000_ops_backward_is_iterative():
    x = leaf([1.0, 2.0])
    y = x
    for _ in range(50_000):
        y = y * 1.0
        y = y + 0.0
    y.sum().backward()  # a recursive walk would hit RecursionError at ~1000 nodes
    np.testing.assert_array_equal(values(x.grad), [1.0, 1.0])
    del y  # freeing a deep chain must not recurse either


def test_graph_is_freed_by_reference_counting_alone():
    """No reference cycles: nodes hold edges to nodes, never Tensors, so a dropped intermediate
    Tensor goes at once; backward frees what the nodes saved; dropping the output frees the
    nodes, all with the cyclic garbage collector off."""
    gc.collect()
    gc.disable()
    try:
        x = leaf(np.linspace(-1.0, 1.0, 6).reshape(2, 3))
        h = x.exp()
        h.retain_grad()
        z = h * h
        y = (z @ x.T).sum()
        tensors = [weakref.ref(h), weakref.ref(z)]
        arrays = [weakref.ref(h._data), weakref.ref(z._data)]  # saved by exp, mul and matmul
        nodes = [weakref.ref(n) for n in (h.grad_fn, z.grad_fn, y.grad_fn)]
        del h, z
        assert [r() for r in tensors] == [None, None], "nodes hold no Tensors"
        assert all(r() is not None for r in arrays + nodes), "saved arrays live until backward"
        y.backward()
        assert [r() for r in arrays] == [None, None], "backward frees what the nodes saved"
        assert all(r() is not None for r in nodes), "the graph's nodes live as long as its output"
        del y
        assert [r() for r in nodes] == [None] * len(nodes)
        assert x.grad is not None and x.is_leaf
    finally:
        gc.enable()


def test_backward_frees_saved_values_unless_retain_graph():
    class SavesScratch(Function):
        @staticmethod
        def forward(ctx, x):
            scratch = 2 * x  # an array only the node holds
            ctx.save_for_backward(scratch)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (scratch,) = ctx.saved_tensors
            return g * scratch  # d/dx x² = 2x

    for retain in (True, False):
        x = leaf([1.0, 3.0])
        y = SavesScratch.apply(x)
        scratch = weakref.ref(y.grad_fn._saved[0])
        y.sum().backward(retain_graph=retain)
        np.testing.assert_array_equal(values(x.grad), [2.0, 6.0])
        assert (scratch() is not None) == retain


def test_dropping_output_without_backward_frees_graph():
    gc.disable()
    try:
        x = leaf([1.0, 2.0])
        y = (x.exp() * 2).sum()
        node = weakref.ref(y.grad_fn)
        del y
        assert node() is None
    finally:
        gc.enable()


# ---------------------------------------------------------------- grad mode
def test_no_grad_context_manager():
    x = leaf([1.0])
    with minigrad.no_grad():
        assert not minigrad.is_grad_enabled()
        y = x * 2
        with minigrad.enable_grad():
            assert minigrad.is_grad_enabled()
            z = x * 2
        assert not minigrad.is_grad_enabled()
    assert minigrad.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf
    assert z.requires_grad and z.grad_fn is not None


def test_no_grad_and_enable_grad_as_decorators():
    @minigrad.no_grad()
    def frozen(t):
        assert not minigrad.is_grad_enabled()
        return t * 2

    @minigrad.enable_grad()
    def tracked(t):
        return t * 2

    x = leaf([1.0])
    assert not frozen(x).requires_grad
    with minigrad.no_grad():
        assert tracked(x).requires_grad
    assert minigrad.is_grad_enabled()
    assert frozen.__name__ == "frozen"


def test_grad_mode_restored_after_exception():
    with pytest.raises(ValueError):
        with minigrad.no_grad():
            raise ValueError
    assert minigrad.is_grad_enabled()


def test_set_grad_enabled():
    try:
        minigrad.set_grad_enabled(False)
        assert not (leaf([1.0]) * 2).requires_grad
    finally:
        minigrad.set_grad_enabled(True)
    assert (leaf([1.0]) * 2).requires_grad


def test_set_grad_enabled_as_context_manager():
    try:
        with minigrad.set_grad_enabled(False):
            assert not (leaf([1.0]) * 2).requires_grad
        assert minigrad.is_grad_enabled()
    finally:
        minigrad.set_grad_enabled(True)


def test_no_grad_as_bare_decorator():
    try:
        @minigrad.no_grad
        def frozen(t):
            return t * 2

        assert not frozen(leaf([1.0])).requires_grad
    finally:
        minigrad.set_grad_enabled(True)


def test_requires_grad_propagation():
    a, b = leaf([1.0]), minigrad.tensor([2.0], dtype=minigrad.float64)
    assert (a + b).requires_grad and (b * a).requires_grad
    assert not (b * b).requires_grad and (b * b).grad_fn is None
    assert not (a > b).requires_grad  # comparisons are not differentiable
    assert not a.argmax().requires_grad
    assert (a.max(0).values.requires_grad, a.max(0).indices.requires_grad) == (True, False)
    assert minigrad.cat([b, a]).requires_grad


def test_detach_cuts_graph_and_shares_memory():
    x = leaf([1.0, 2.0])
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    with minigrad.no_grad():
        d[0] = 10.0
    assert values(y)[0] == 10.0  # same memory, as torch
    e = y.detach().requires_grad_()
    (e * e).sum().backward()
    assert x.grad is None  # nothing flows through the cut
    np.testing.assert_array_equal(values(e.grad), [20.0, 8.0])


# ---------------------------------------------------------------- user-written Functions
class ScaledProduct(Function):
    """out = a * b * scale (scale a plain number); records what backward was asked for."""
    seen_needs = None

    @staticmethod
    def forward(ctx, a, b, scale):
        assert isinstance(a, minigrad.Tensor) and isinstance(b, minigrad.Tensor) and scale == 3.0
        assert not minigrad.is_grad_enabled()  # forward runs without recording, as in torch
        ctx.save_for_backward(a, b)
        ctx.scale = scale
        return a * b * scale

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        assert isinstance(g, minigrad.Tensor) and isinstance(a, minigrad.Tensor)
        ScaledProduct.seen_needs = ctx.needs_input_grad
        need_a, need_b, _ = ctx.needs_input_grad
        return (g * b * ctx.scale if need_a else None,  # broadcast shape: the engine sums it down
                g * a * ctx.scale if need_b else None,
                None)


def test_custom_function_apply_and_backward():
    a = leaf([[1.0, 2.0], [3.0, 4.0]])
    b = minigrad.tensor([0.5, -1.0], dtype=minigrad.float64, requires_grad=True)
    out = ScaledProduct.apply(a, b, 3.0)
    assert isinstance(out, minigrad.Tensor) and out.requires_grad
    assert out.grad_fn.name() == "ScaledProductBackward"
    np.testing.assert_array_equal(values(out), [[1.5, -6.0], [4.5, -12.0]])
    out.sum().backward()
    assert ScaledProduct.seen_needs == (True, True, False)
    np.testing.assert_array_equal(values(a.grad), [[1.5, -3.0], [1.5, -3.0]])
    np.testing.assert_array_equal(values(b.grad), [12.0, 18.0])  # summed over the broadcast rows


def test_custom_function_needs_input_grad_skips_constant():
    a = leaf([1.0, 2.0])
    b = minigrad.tensor([5.0, 7.0], dtype=minigrad.float64)
    ScaledProduct.apply(a, b, 3.0).sum().backward()
    assert ScaledProduct.seen_needs == (True, False, False)
    assert b.grad is None
    np.testing.assert_array_equal(values(a.grad), [15.0, 21.0])


def test_custom_function_saved_tensors_and_no_grad():
    a = leaf([1.0, 2.0])
    with minigrad.no_grad():
        out = ScaledProduct.apply(a, a, 3.0)
    assert not out.requires_grad and out.grad_fn is None
    out = ScaledProduct.apply(a, a, 3.0)
    saved = out.grad_fn.saved_tensors
    assert len(saved) == 2 and all(s is a for s in saved)  # a saved leaf comes back as itself
