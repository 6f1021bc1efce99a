"""autograd.trace(): the engine's order, the gradients retain_grad sees, nothing left behind."""
import threading

import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.autograd.engine import topological_order
from minigrad.autograd.grad_mode import state
from minigrad.viz import draw_graph


def diamond():
    w = minigrad.tensor([0.5, -1.0, 2.0], requires_grad=True)
    x = minigrad.tensor([2.0, 3.0, -1.0])
    z = w * x
    t = z.tanh()
    s = z + t
    for v in (z, t, s):
        v.retain_grad()
    y = s.sum()
    return w, z, t, s, y


def all_nodes(root):
    return topological_order([root.grad_fn])


def test_order_is_the_engines_and_gradients_are_what_retain_grad_gives():
    w, z, t, s, y = diamond()
    order = all_nodes(y)
    with minigrad.autograd.trace(params={"w": w}) as tr:
        y.backward()
    assert tr.order == order
    assert [step.index for step in tr.steps] == [1, 2, 3, 4, 5]
    for tensor in (z, t, s):
        (g,) = tr.step_of(tensor.grad_fn).grad_in
        np.testing.assert_array_equal(g, tensor.grad.numpy())
    leaf = tr.steps[-1]
    assert leaf.is_leaf and leaf.name == "w" and leaf.grad_out is None
    np.testing.assert_array_equal(leaf.grad_in[0], w.grad.numpy())
    # what flows out of the add is what flows into the tanh and (partly) the mul
    add = tr.step_of(s.grad_fn)
    np.testing.assert_array_equal(add.grad_out[1], t.grad.numpy())
    mul_in = tr.step_of(z.grad_fn).grad_in[0]
    np.testing.assert_allclose(mul_in, add.grad_out[0] + tr.step_of(t.grad_fn).grad_out[0])
    assert tr.step_of(z.grad_fn).grad_out[1] is None  # x needs no gradient


def test_the_engine_order_is_not_depth_first():
    """On the diamond the mul runs after the tanh: depth-first from the output would reach it
    first through the add, before the tanh's gradient has been added to it."""
    w, z, t, s, y = diamond()
    with minigrad.autograd.trace() as tr:
        y.backward()
    names = [step.name for step in tr.steps]
    assert names.index("TanhBackward") < names.index("MulBackward")


def test_table_is_numbered_in_order():
    w, z, t, s, y = diamond()
    with minigrad.autograd.trace(params={"w": w, "z": z}) as tr:
        y.backward()
    lines = str(tr).splitlines()
    assert lines[0].split()[:2] == ["#", "node"]
    assert [line.split()[0] for line in lines[1:]] == ["1", "2", "3", "4", "5"]
    assert lines[4].split()[1:4] == ["z", "=", "MulBackward"] and lines[5].split()[1] == "w"
    assert lines[5].endswith("-> .grad")
    g = draw_graph(y, params={"w": w}, trace=tr, show_grad=True)
    for step in tr.steps:
        assert g.nodes[g.node_ids[step.node]].startswith(f"#{step.index}\n")


def test_hooks_are_removed_and_nothing_is_registered_without_a_trace():
    w, z, t, s, y = diamond()
    nodes = all_nodes(y)
    assert state.trace is None
    with minigrad.autograd.trace() as tr:
        y.backward(retain_graph=True)
        assert state.trace is tr
    assert state.trace is None
    assert all(not node._pre_hooks and not node._post_hooks for node in nodes)
    y.backward()  # untraced: the trace does not grow
    assert len(tr.steps) == 5 and tr.walks == 1


def test_large_tensors_show_shapes_and_arrays_are_copies():
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    x, labels = minigrad.randn(8, 4), minigrad.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    with minigrad.autograd.trace(params=dict(model.named_parameters())) as tr:
        F.cross_entropy(model(x), labels).backward()
        first = tr.step_of(model[0].weight._leaf_edge[0]).grad_in[0].copy()
        F.cross_entropy(model(x), labels).backward()  # accumulates into .grad in place
    assert tr.walks == 2 and {s.walk for s in tr.steps} == {0, 1}
    np.testing.assert_array_equal(tr.step_of(model[0].weight._leaf_edge[0]).grad_in[0], first)
    assert "shape (16, 4) [" in str(tr)
    assert {"0.weight", "0.bias", "2.weight", "2.bias"} <= {s.name for s in tr.steps}


def test_autograd_grad_and_create_graph_are_traced():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x ** 3).sum()
    with minigrad.autograd.trace() as tr:
        (g,) = minigrad.autograd.grad(y, x, create_graph=True)
    assert [s.name for s in tr.steps] == ["SumBackward", "PowBackward", "AccumulateGrad"]
    np.testing.assert_allclose(tr.steps[1].grad_out[0], g.detach().numpy())


def test_a_trace_belongs_to_its_thread():
    w, z, t, s, y = diamond()
    other = []

    def backward_elsewhere():
        a = minigrad.tensor([1.0], requires_grad=True)
        (a * 2).sum().backward()
        other.append(state.trace)

    with minigrad.autograd.trace() as tr:
        thread = threading.Thread(target=backward_elsewhere)
        thread.start()
        thread.join()
    assert other == [None] and tr.steps == []


def test_user_hooks_still_run_and_can_change_gradients():
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)
    h = w * 3
    h.register_hook(lambda g: g * 10)
    with minigrad.autograd.trace() as tr:
        h.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [30.0, 30.0])
    mul = tr.step_of(h.grad_fn)
    np.testing.assert_array_equal(mul.grad_in[0], [10.0, 10.0])  # after the tensor hook


@pytest.mark.parametrize("bad", [None])
def test_nested_traces_restore_the_outer(bad):
    with minigrad.autograd.trace() as outer:
        with minigrad.autograd.trace() as inner:
            assert state.trace is inner
        assert state.trace is outer
    assert state.trace is bad


def test_a_node_pre_hook_under_autograd_grad():
    """A node pre-hook on a graph differentiated with autograd.grad (no retain_grad in play) runs
    and leaves the result alone (the engine once called a non-callable here)."""
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    seen = []
    h.grad_fn.register_prehook(lambda grads: seen.append(grads[0].numpy().copy()))
    (g,) = minigrad.autograd.grad(h.sum(), x)
    np.testing.assert_array_equal(g.numpy(), [2.0, 4.0])
    np.testing.assert_array_equal(seen[0], [1.0, 1.0])
