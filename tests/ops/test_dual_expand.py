"""``dual.expand`` on arrays: a filled array for small shapes, a broadcast view for large ones,
the same numbers either way (and what reaches ``.grad`` through a sum is the same)."""
import numpy as np
import pytest

import minigrad
from minigrad.ops import dual


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("g_shape, shape", [((), (4, 4)), ((1, 1), (4, 4)), ((3, 1), (3, 5)), ((1,), (0,)),
                                             ((1, 1), (64, 64)), ((1, 1), (65, 64)), ((2, 1, 1), (2, 100, 50))])
def test_expand_gives_what_broadcast_to_gives(dtype, g_shape, shape):
    g = np.random.default_rng(0).normal(size=g_shape).astype(dtype)
    out = dual.expand(g, shape)
    expected = np.broadcast_to(g, shape)
    assert out.shape == expected.shape and out.dtype == expected.dtype
    assert out.tobytes() == expected.tobytes()


@pytest.mark.parametrize("shape", [(4, 4), (80, 80)])  # below and above the fill size
def test_a_sum_sends_every_element_the_upstream_gradient(shape):
    x = minigrad.tensor(np.ones(shape, np.float32), requires_grad=True)
    (x.sum() * 3.0).backward()
    assert x.grad.shape == shape and (x.grad.numpy() == 3.0).all()
    x.grad.add_(1.0)  # .grad is an array of its own, writable, as torch's
    assert (x.grad.numpy() == 4.0).all()
