"""A loss whose target is computed from its input (``mse_loss(x, f(x))``): the gradient with
``create_graph=True`` (the composite form differentiated by the engine) must equal the plain
first-order one, and second derivatives must pass gradgradcheck.  The composite backward
once counted the path through the target twice."""
import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad.autograd import gradgradcheck

LOSSES = {
    "mse": lambda x, y: F.mse_loss(x, y, reduction="none"),
    "l1": lambda x, y: F.l1_loss(x, y),
    "smooth_l1": lambda x, y: F.smooth_l1_loss(x, y, beta=0.7, reduction="none"),
    "huber": lambda x, y: F.huber_loss(x, y, delta=0.6, reduction="sum"),
    "kl_div": lambda x, y: F.kl_div(x, y.abs(), reduction="batchmean"),
    "bce": lambda x, y: F.binary_cross_entropy(x.sigmoid(), y.sigmoid(), reduction="none"),
    "bce_with_logits": lambda x, y: F.binary_cross_entropy_with_logits(x, y.sigmoid(), reduction="none"),
    "cross_entropy_probs": lambda x, y: F.cross_entropy(x, y.softmax(1)),
}


def _target(x):
    return x[[2, 0, 1]] * 0.5


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_create_graph_gradient_is_the_first_order_one(name):
    rng = np.random.default_rng(1)
    x_array, u = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    grads = []
    for create_graph in (False, True):
        x = minigrad.tensor(x_array, requires_grad=True)
        out = LOSSES[name](x, _target(x))
        total = (out * minigrad.tensor(u)).sum() if out.ndim else out
        (g,) = minigrad.autograd.grad(total, x, create_graph=create_graph)
        grads.append(g.detach().numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_second_derivatives_with_a_dependent_target(name):
    rng = np.random.default_rng(2)
    x = minigrad.tensor(rng.normal(size=(3, 4)), requires_grad=True)
    assert gradgradcheck(lambda t: LOSSES[name](t, _target(t)), (x,))
