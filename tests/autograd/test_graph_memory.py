"""What a kept loss costs after ``backward()``, and that a graph is freed without the cycle collector.

After ``loss.backward()`` (no ``retain_graph``) torch frees the saved tensors; a loss
kept in a list (``losses.append(loss)``, a common mistake instead of ``loss.item()``)
then holds only its own scalar and its chain of graph nodes: edges and a little
metadata, no activations.  minigrad must do the same.
"""
import gc
import tracemalloc
import weakref

import numpy as np

import minigrad

KEPT = 1000
BATCH, IN, HIDDEN, CLASSES = 64, 10, 32, 3
# Bound per kept loss.  A torch-like retention is the 0-d loss Tensor plus its nodes
# (for this MLP: linear, relu, linear, cross-entropy: 4 to 8 nodes depending on how
# ops are split).  ``_node_only_cost`` measures that with plain Python objects (a
# __dict__ each, a 2-edge next_functions tuple, two small tuples): ~1.9 KB for 6
# nodes, ~2.4 KB for 8.  3 KiB leaves room for a node or two more, but not for
# activations: one (64, 32) float32 hidden activation alone is 8 KiB (keeping the
# forward's tensors costs ~20 KB per loss).
BOUND_PER_LOSS = 3 * 1024


def _mlp_and_data():
    import minigrad
    import minigrad.nn as nn
    rng = np.random.default_rng(0)
    x = minigrad.tensor(rng.standard_normal((BATCH, IN)).astype(np.float32))
    y = minigrad.tensor(rng.integers(0, CLASSES, size=BATCH))
    model = nn.Sequential(nn.Linear(IN, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, CLASSES))
    return model, x, y


def _step(model, x, y):
    import minigrad.nn.functional as F
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    return loss


def _node_only_cost(n_nodes):
    """Bytes per kept loss if it held only a 0-d Tensor and ``n_nodes`` small node objects."""
    import minigrad

    class Node:
        def __init__(self, previous):
            self.next_functions = ((previous, 0), (None, 0))
            self.needs_input_grad = (True, True)
            self.shape = (BATCH, HIDDEN)

    def one():
        node = None
        for _ in range(n_nodes):
            node = Node(node)
        return minigrad.tensor(1.0), node
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    kept = [one() for _ in range(KEPT)]
    gc.collect()
    cost = (tracemalloc.get_traced_memory()[0] - before) / KEPT
    del kept
    return cost


def test_kept_losses_hold_only_their_nodes():
    model, x, y = _mlp_and_data()
    for _ in range(20):  # warm up: parameter grads, kernel compilation, caches
        _step(model, x, y)
    tracemalloc.start()
    try:
        reference = _node_only_cost(6)
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        losses = [_step(model, x, y) for _ in range(KEPT)]
        gc.collect()
        per_loss = (tracemalloc.get_traced_memory()[0] - before) / KEPT
    finally:
        tracemalloc.stop()
    print(f"kept loss: {per_loss:.0f} bytes each (a 0-d tensor + 6 plain nodes: {reference:.0f}; "
          f"bound {BOUND_PER_LOSS})")
    assert len(losses) == KEPT
    assert per_loss <= BOUND_PER_LOSS, (
        f"each kept loss holds {per_loss:.0f} bytes: the graph keeps tensors alive after backward")


def _graph_refs(loss, hidden):
    """Weak references to every node reachable from ``loss`` except the per-parameter
    AccumulateGrad nodes (they live as long as the parameters, not the loss), and to ``hidden``."""
    refs, seen, stack = [weakref.ref(hidden), weakref.ref(loss)], set(), [loss.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if type(node).__name__ != "AccumulateGrad":
            refs.append(weakref.ref(node))
        stack.extend(f for f, _ in node.next_functions)
    return refs


def test_graph_is_freed_by_reference_counting():
    import minigrad.nn.functional as F
    model, x, y = _mlp_and_data()
    for retain in (False, True):
        hidden = model[1](model[0](x))
        loss = F.cross_entropy(model[2](hidden), y)
        loss.backward(retain_graph=retain)
        refs = _graph_refs(loss, hidden)
        assert len(refs) >= 5
        gc.collect()
        gc.disable()
        try:
            del loss, hidden
            alive = [r() for r in refs if r() is not None]
            names = [type(a).__name__ for a in alive]
            del alive
        finally:
            gc.enable()
        assert names == [], f"still alive without the cycle collector (retain_graph={retain}): {names}"


def test_a_leaf_used_in_graphs_is_freed_by_reference_counting():
    """A leaf keeps its AccumulateGrad node, which refers back to it weakly: no cycle."""
    x = minigrad.tensor(np.arange(3.0), requires_grad=True)
    for _ in range(2):
        (x * 2).sum().backward()
    node = x._grad_edge()[0]
    assert node.variable is x
    ref = weakref.ref(x)
    gc.collect()
    gc.disable()
    try:
        del x
        alive = ref() is not None
    finally:
        gc.enable()
    assert not alive
    assert node.variable is None


def test_backward_after_a_leaf_was_dropped():
    """The graph does not keep a leaf alive; its gradient then goes nowhere, the others arrive."""
    x = minigrad.tensor(np.arange(3.0), requires_grad=True)
    w = minigrad.tensor(np.ones(3), requires_grad=True)
    y = (x * w).sum()
    del x
    y.backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.arange(3.0))
