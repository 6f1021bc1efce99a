"""Errors: the same exception type and message as torch, recorded in ``tests/expected/ops.npz``.

The error cases live in ``tests/record/ops_cases.py`` (``ERRORS``).  A message is
compared whole, reading ``torch.`` as ``minigrad.``, unless the case names the part
to compare (torch's messages that name its own node or type names).
"""
import numpy as np
import pytest

import minigrad
from minigrad.autograd import Function
from .recorded import META, ops_cases

ERRORS = {name: (fn, part) for name, fn, part in ops_cases.ERRORS}


def raised(fn):
    with pytest.raises(Exception) as info:
        fn(minigrad)
    return info.value


def torch_message(name):
    return META["errors"][name]["message"].replace("torch.", "minigrad.")


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_matches_torch(name):
    fn, part = ERRORS[name]
    error = raised(fn)
    assert type(error).__name__ == META["errors"][name]["type"]
    if part is None:
        assert str(error) == torch_message(name)
    else:
        assert part in torch_message(name), "the compared part must be in torch's message"
        assert part in str(error)


def test_error_list_matches_recording():
    assert set(ERRORS) == set(META["errors"])


def test_backward_gradient_shape_message_exact():
    assert str(raised(ERRORS["backward_gradient_shape"][0])) == torch_message("backward_gradient_shape")


def test_requires_grad_method_message_exact():
    assert str(raised(ERRORS["requires_grad_int_method"][0])) == torch_message("requires_grad_int_method")


def test_sgd_step_in_no_grad_is_allowed():
    w = minigrad.tensor([1.0, -2.0, 3.0], requires_grad=True)
    (w * w).sum().backward()
    with minigrad.no_grad():
        w -= 0.25 * w.grad  # w - 0.25 * 2w = 0.5 w, exact in binary
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
    np.testing.assert_array_equal(w.detach().numpy(), [0.5, -1.0, 1.5])
    w.grad.zero_()
    (w * w).sum().backward()  # the updated leaf still works in a new graph
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, -2.0, 3.0])


def test_inplace_on_saved_output_raises_instead_of_wrong_gradient():
    x = minigrad.tensor([0.5, 1.0], requires_grad=True)
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    assert x.grad is None


def test_inplace_not_saved_is_fine():
    """x * 2 saves nothing of x's result, so changing the result in place is harmless (as torch)."""
    x = minigrad.tensor([0.5, 1.0], requires_grad=True)
    y = x * 2
    y.add_(1)
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 4 * (2 * np.array([0.5, 1.0], np.float32) + 1))


def test_inplace_through_view_of_saved_tensor_is_caught():
    x = minigrad.tensor([0.5, 1.0, 2.0], requires_grad=True)
    a = x * 2
    b = a.exp()
    with minigrad.no_grad():
        b[0:2].mul_(3)  # a view shares b's version counter
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        b.sum().backward()


def test_saved_tensors_after_backward_raise_freed_message():
    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2

    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x)
    y.sum().backward()
    with pytest.raises(RuntimeError) as info:
        y.grad_fn.saved_tensors
    assert str(info.value) == torch_message("backward_twice")


def test_retain_graph_allows_second_backward():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()
