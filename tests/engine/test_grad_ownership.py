"""The engine hands a fresh gradient array to ``.grad`` without copying it (as torch's
AccumulateGrad does).  These tests pin down that a ``.grad`` never shares memory with an
array that something else still holds."""
import weakref

import numpy as np

import minigrad
import minigrad.nn.functional as F
from minigrad.autograd import ArrayFunction


class ReturnsSaved(ArrayFunction):
    """A backward that returns an array it saved, unchanged."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(np.full_like(x, 2.0))
        return x * 2

    @staticmethod
    def backward(ctx, g):
        (two,) = ctx.saved_tensors
        return two


class SameArrayTwice(ArrayFunction):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        fresh = g * 1.0
        return fresh, fresh


def test_grad_does_not_alias_a_saved_array_when_the_graph_is_kept():
    x = minigrad.ones(3, requires_grad=True)
    y = ReturnsSaved.apply(x)
    y.backward(minigrad.ones(3), retain_graph=True)
    y.backward(minigrad.ones(3))  # accumulating into x.grad must not change what y saved
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 4.0, 4.0])


def test_one_array_returned_for_two_inputs_gives_two_independent_grads():
    a = minigrad.ones(2, requires_grad=True)
    b = minigrad.ones(2, requires_grad=True)
    SameArrayTwice.apply(a, b).sum().backward()
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    a.grad.numpy()[:] = 7
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0])


def test_user_gradient_is_never_adopted_as_grad():
    x = minigrad.ones(3, requires_grad=True)
    upstream = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    (x + 0).backward(minigrad.from_numpy(upstream))
    x.grad.numpy()[:] = 0
    np.testing.assert_array_equal(upstream, [1.0, 2.0, 3.0])
    leaf = minigrad.ones(3, requires_grad=True)
    leaf.backward(minigrad.from_numpy(upstream))
    assert not np.shares_memory(leaf.grad.numpy(), upstream)


def test_add_shares_its_upstream_between_inputs_without_aliasing_grads():
    x = minigrad.ones(2, requires_grad=True)
    y = minigrad.ones(2, requires_grad=True)
    (x + y).sum().backward()
    assert not np.shares_memory(x.grad.numpy(), y.grad.numpy())


class ReturnsViewOfSaved(ArrayFunction):
    """A backward that returns a reshaped view of an array it saved."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(np.full(x.size, 2.0, dtype=x.dtype))
        return x * 2

    @staticmethod
    def backward(ctx, g):
        (two,) = ctx.saved_tensors
        return two.reshape(g.shape)


def test_grad_does_not_alias_a_view_of_a_saved_array():
    x = minigrad.ones(2, 2, requires_grad=True)
    y = ReturnsViewOfSaved.apply(x)
    y.backward(minigrad.ones(2, 2), retain_graph=True)
    y.backward(minigrad.ones(2, 2))
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 2), 4.0))


def test_fresh_kernel_result_becomes_grad_without_a_copy(monkeypatch):
    from minigrad.ops.softmax import LogSoftmax
    x = minigrad.randn(4, 3, requires_grad=True)
    made = []
    original = LogSoftmax.backward

    def spy(ctx, g):
        grads = original(ctx, g)
        made.append(weakref.ref(grads[0]))  # the kernel's fresh array (no reference of our own)
        return grads
    monkeypatch.setattr(LogSoftmax, "backward", staticmethod(spy))
    F.log_softmax(x, 1).backward(minigrad.ones(4, 3))
    assert x.grad._data is made[0]()


def test_a_leaf_used_twice_adds_the_sum_of_its_gradients_once():
    """``.grad += (g1 + g2)``, as torch's AccumulateGrad: the paths' gradients are summed
    first, then added to the ``.grad`` a previous backward left (float32 rounding shows it)."""
    half_ulp = np.float32(2.0 ** -24)  # 1 + half_ulp rounds back to 1 in float32; 1 + 2 half_ulp does not
    x0, old = np.ones(3, np.float32), np.ones(3, np.float32)
    a0 = b0 = np.full(3, half_ulp, np.float32)
    assert (old + a0 + b0).tobytes() != (old + (a0 + b0)).tobytes()  # the order shows
    x = minigrad.tensor(x0, requires_grad=True)
    x.grad = minigrad.tensor(old)
    (x * minigrad.tensor(a0) + x * minigrad.tensor(b0)).sum().backward()
    assert x.grad.numpy().tobytes() == (old + (a0 + b0)).tobytes()


def test_a_hook_on_a_leaf_runs_once_with_the_summed_gradient():
    seen = []
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: seen.append(g.numpy().copy()))
    (x * 3.0 + x * 4.0).sum().backward()
    assert len(seen) == 1 and seen[0].tolist() == [7.0, 7.0] and x.grad.tolist() == [7.0, 7.0]
