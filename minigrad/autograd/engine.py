"""The backward pass: the chain rule, walked over the graph from the outputs to the leaves.

``run_backward`` visits every node that receives a gradient once, and does three things:

1. **order**: it always runs, next, the node recorded last among those holding a gradient
   (nodes are numbered as they are recorded, ``Node._seq``, as torch's sequence_nr), so
   every node that feeds it a gradient has already run and its sum is complete;
2. **chain rule**: the node's backward turns the gradient w.r.t. its output into gradients
   w.r.t. its inputs, ``dL/dx_i = dL/dy · dy/dx_i`` (``call_backward``);
3. **deliver**: each input gradient is summed down to the input's shape (``unbroadcast``:
   the one place broadcasting is undone) and added to what the node that produced that
   input has collected so far.  At a leaf, its ``AccumulateGrad`` node adds it to ``.grad``:
   for a leaf with nothing attached (no hook), once, after the last op node has run (the
   order would be the same: a leaf's node is numbered before every op that uses it).

``autograd.trace()`` is the one global hook: when a trace is open in this thread, the
walk hands it its nodes before running them (``state.trace.watch(order)``), and the
trace puts node hooks on them; with no trace, the cost is one ``if`` per backward.

Everything else hangs off small functions of its own: a node's backward with torch's checks
for a user's Function, tensor hooks and ``retain_grad`` (``call_backward``,
``before_backward``: ``node_backward.py``), capturing gradients for ``autograd.grad``
instead of accumulating them (``_capture``), taking a fresh gradient as ``.grad`` without a
copy (``accumulate.py``), and freeing what each node saved unless ``retain_graph=True``.

Under ``create_graph=True`` the same walk runs on Tensors with grad mode on, so the
backward pass records a graph of its own, and gradients of gradients follow.
"""
from heapq import heappop, heappush
from sys import getrefcount

import numpy as np

from minigrad.autograd.accumulate import GRAD_LOCK, accumulate
from minigrad.autograd.node import _FREED, AccumulateGrad
from minigrad.autograd.grad_mode import state
from minigrad.autograd.node_backward import _after_accumulate, _expandable, before_backward, call_backward
from minigrad.tensor import Tensor


# ------------------------------------------------------------------------- the walk
def run_backward(roots, root_grads, retain_graph, create_graph, targets=None, accumulate_into=None):
    """Backpropagate ``root_grads`` from the ``roots`` edges ((node, output_nr) pairs).

    ``targets`` ({edge: slot}) asks for the gradients reaching those edges, returned as a
    list (``autograd.grad``): nothing is accumulated, and only the nodes on a path to a
    target run.  Without it, gradients are accumulated into ``.grad`` of the leaves (of
    the tensors in ``accumulate_into`` only, when given)."""
    captured = None if targets is None else [None] * (max(targets.values()) + 1 if targets else 0)
    pending = {}  # node -> the gradient w.r.t. its output(s), summed over the paths so far
    queue = []    # (-node._seq, node) of the nodes in `pending`: the one recorded last runs first
    for (node, nr), g in zip(roots, root_grads):
        if node not in pending:
            heappush(queue, (-node._seq, node))
        _add(pending, node, nr, g)
    watching = targets is not None or accumulate_into is not None
    needed = None
    if watching or state.trace is not None:
        order = topological_order(node for node, _ in roots)
        if watching:
            needed = _nodes_leading_to(order, targets if targets is not None else accumulate_into)
        if state.trace is not None:  # autograd.trace(): hooks on this walk's nodes (the one global hook)
            state.trace.watch(order)
    leaves = []  # AccumulateGrad nodes holding a gradient, run after the heap (see the end)
    defer_leaves = not watching and state.trace is None
    plain = not (create_graph or state.anomaly)  # a built-in op's backward can be called as it is
    previous_mode, state.enabled = state.enabled, create_graph  # the walk records only under create_graph
    previous_releasing, state.releasing = state.releasing, not retain_graph  # (a backward may reuse what it saved)
    try:
        while queue:
            # 1. order: every node that feeds this one a gradient was recorded after it, so has run
            node = heappop(queue)[1]
            if type(node) is AccumulateGrad:  # the end of a path: a leaf with a hook, or watched
                if needed is None or node in needed:
                    _run_leaf(node, pending.pop(node), watching, targets, captured, accumulate_into, create_graph)
                continue
            grad_outputs = pending.pop(node)
            hooked = node._hooked
            if watching or hooked:
                grad_outputs = _at_node(node, grad_outputs, targets, captured, accumulate_into, create_graph)
                if grad_outputs is None or (needed is not None and node not in needed):
                    continue

            # 2. chain rule at this node: gradients w.r.t. its inputs from the one w.r.t. its output
            if plain and not hooked and node._array_level and node._saved is not _FREED:
                grad_inputs = node.fn.backward(node, grad_outputs)
                if type(grad_inputs) is not tuple:
                    grad_inputs = (grad_inputs,)
            else:
                grad_inputs = call_backward(node, grad_outputs, create_graph)
            del grad_outputs
            if not retain_graph:
                saved = node.__dict__
                if "_saved" in saved and not hooked:  # node.release(), inline: the usual case
                    saved.clear()
                    saved["_saved"] = _FREED
                elif saved:
                    node.release()

            # 3. deliver: each input's gradient, summed down to its shape and cast to its dtype,
            # is added to what the node that produced that input has collected so far
            for edge, g in zip(node.next_edges, grad_inputs):
                if g is None or not edge:
                    continue
                parent = edge[0]
                at_leaf = type(parent) is AccumulateGrad
                if at_leaf:
                    leaf = parent._variable()
                    if leaf is None:
                        continue
                    shape, dtype = leaf._data.shape, leaf._data.dtype
                    single = True
                else:
                    single = parent.num_outputs == 1
                    shape, dtype = parent._out_meta if single else parent._output_meta[edge[1]]
                if type(g) is not np.ndarray and type(g) is not Tensor:
                    g = np.asarray(g)
                if g.shape != shape:
                    g = unbroadcast(g, shape, node)
                if g.dtype is not dtype and g.dtype != dtype:
                    g = g.astype(dtype) if type(g) is np.ndarray else _cast(g, dtype)
                if single:
                    previous = pending.get(parent)
                    if previous is None:
                        pending[parent] = g
                        if at_leaf and defer_leaves and not (leaf._hooks or parent._hooked):
                            leaves.append(parent)  # its gradient is added to .grad after the walk
                        else:
                            heappush(queue, (-parent._seq, parent))
                    else:
                        pending[parent] = previous + g
                else:
                    if parent not in pending:
                        heappush(queue, (-parent._seq, parent))
                    _add(pending, parent, edge[1], g)
                del g
            grad_inputs = None  # nothing but `pending` holds a gradient now (a leaf can take it as .grad)
        # the leaves with nothing attached, each once all its gradients have arrived (the
        # heap would run them last anyway: a leaf's node is numbered when the leaf is first
        # used, before every op that uses it; and without a hook nothing can see the order)
        with GRAD_LOCK:  # another thread's walk may be adding to the same .grad
            for node in leaves:
                g = pending.pop(node)
                leaf = node._variable()
                if leaf is None:
                    continue
                if (leaf._grad is None and type(g) is np.ndarray and g.base is None and getrefcount(g) == 2
                        and (not g.ndim or g.flags.c_contiguous)):
                    leaf._grad = Tensor._wrap(g)  # a fresh gradient only this name holds: it becomes .grad as it is
                else:
                    accumulate(leaf, g, create_graph)  # (the same, with every other case)
                del g
    finally:
        state.enabled = previous_mode
        state.releasing = previous_releasing
    return captured


def _run_leaf(node, grad_outputs, watching, targets, captured, accumulate_into, create_graph):
    """A leaf's AccumulateGrad node taken from the heap (one with a hook, or in a walk that
    watches: ``autograd.grad``, ``inputs=``): hooks, capture, then ``.grad``.  (No name but
    the parameter holds ``grad_outputs``, so ``accumulate`` can take it without a copy.)"""
    leaf = node._variable()
    if leaf is None:  # a leaf nothing refers to any more: its gradient goes nowhere
        return
    if watching or node._hooked or leaf._hooks:
        grad_outputs = _at_node(node, grad_outputs, targets, captured, accumulate_into, create_graph)
        if grad_outputs is None:
            return
    if targets is None:
        accumulate(leaf, grad_outputs, create_graph)
        if leaf._hooks:
            _after_accumulate(leaf)


def _at_node(node, grad_outputs, targets, captured, accumulate_into, create_graph):
    """What happens at a node before its backward, when anything is attached to it: tensor
    hooks and retain_grad, gradients captured for ``autograd.grad``, and ``backward(inputs=)``
    on a non-leaf.  Returns the (possibly replaced) gradient."""
    if node._hooked or (type(node) is AccumulateGrad and node.variable._hooks):
        grad_outputs = before_backward(node, grad_outputs, targets is None)
    if targets is not None:
        _capture(node, grad_outputs, targets, captured)
    elif accumulate_into and type(node) is not AccumulateGrad:  # backward(inputs=[a non-leaf])
        for nr, g in enumerate(grad_outputs if node.num_outputs > 1 else (grad_outputs,)):
            t = accumulate_into.get((node, nr))
            if t is not None and g is not None:
                accumulate(t, g, create_graph, owned=False)
    return grad_outputs



def _cast(t, dtype):
    from minigrad.ops.elementwise import Cast
    return Cast.apply(t, dtype)


def _add(pending, node, nr, g):
    if node.num_outputs == 1:
        previous = pending.get(node)
        pending[node] = g if previous is None else previous + g
        return
    slots = pending.setdefault(node, [None] * node.num_outputs)
    slots[nr] = g if slots[nr] is None else slots[nr] + g


def topological_order(roots):
    """Every node reachable from ``roots``, each before all the nodes it feeds from (an
    explicit stack, no recursion: a 100,000-op chain is fine)."""
    order, seen = [], set()
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(root.next_edges))]
        while stack:
            node, pending = stack[-1]
            for edge in pending:
                if edge and edge[0] not in seen:
                    parent = edge[0]
                    seen.add(parent)
                    stack.append((parent, iter(parent.next_edges)))
                    break
            else:  # all parents done: node goes after them
                stack.pop()
                order.append(node)
    order.reverse()
    return order


def _nodes_leading_to(order, edges):
    """The nodes that must run for gradients to reach ``edges``: those with a path to one."""
    goal = {node for node, _ in edges}
    needed = set()
    for node in reversed(order):  # producers first
        for edge in node.next_edges:
            if edge and (edge[0] in needed or edge[0] in goal):
                needed.add(node)
                break
    for node in goal:
        if type(node) is AccumulateGrad:
            needed.add(node)
    return needed


def _capture(node, grad_outputs, targets, captured):
    grads = grad_outputs if node.num_outputs > 1 else (grad_outputs,)
    for nr, g in enumerate(grads):
        slot = targets.get((node, nr))
        if slot is not None and g is not None:
            captured[slot] = g if captured[slot] is None else captured[slot] + g
def unbroadcast(grad, shape, node=None):
    """Sum ``grad`` over the axes that broadcasting added or stretched to reach ``shape``.

    If ``y = x + b`` broadcast ``x`` of shape (3, 1) to (2, 3, 4), every element of x
    was used 2*4 times, so its gradient is the sum over those copies.  Works on arrays
    and (differentiably) on Tensors.
    """
    if not _expandable(shape, grad.shape):
        where = f" from {node.name()}" if node is not None else ""
        raise RuntimeError(f"gradient of shape {tuple(grad.shape)}{where} does not match input of shape {shape}")
    extra = grad.ndim - len(shape)
    lead = tuple(range(extra))
    stretched = tuple(i + extra for i, n in enumerate(shape) if n == 1 and grad.shape[i + extra] != 1)
    if isinstance(grad, Tensor):
        if lead or stretched:
            grad = grad.sum(lead + stretched, keepdim=True)
        return grad.reshape(shape)
    if lead:
        grad = grad.sum(axis=lead)
    if stretched:
        grad = grad.sum(axis=tuple(i - extra for i in stretched), keepdims=True)
    return grad


# ------------------------------------------------------------------------- entry points
def _root_gradient(root, gradient, i, create_graph):
    if not root._requires_grad:
        raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
    if gradient is None:
        if root._data.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        ones = np.array(1, root._data.dtype).reshape(root._data.shape)  # (np.ones_like costs 5x more)
        return Tensor._wrap(ones) if create_graph else ones
    if not isinstance(gradient, Tensor):
        gradient = Tensor._wrap(np.asarray(gradient))
    if gradient._data.shape != root._data.shape:
        raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                           f"minigrad.Size({list(gradient._data.shape)}) and output[{i}] has a shape of "
                           f"minigrad.Size({list(root._data.shape)}).")
    if create_graph:
        return gradient if gradient._data.dtype == root._data.dtype else gradient.to(root.dtype)
    return gradient._data.astype(root._data.dtype, copy=False)


def _as_tuple(x):
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x) if x is not None else None


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """torch.autograd.backward: add d(tensors)/d(leaf) to ``leaf.grad`` for every leaf that
    requires grad (or only for ``inputs``)."""
    if grad_tensors is None and inputs is None and not create_graph and isinstance(tensors, Tensor):
        grad = _root_gradient(tensors, None, 0, False)  # the usual loss.backward()
        run_backward([tensors._grad_edge()], [grad], bool(retain_graph), False)
        return
    tensors = _as_tuple(tensors)
    grad_tensors = (None,) * len(tensors) if grad_tensors is None else _as_tuple(grad_tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"got {len(grad_tensors)} tensors and {len(tensors)} gradients")
    if retain_graph is None:
        retain_graph = create_graph
    roots = [t._grad_edge() if t._requires_grad else None for t in tensors]
    grads = [_root_gradient(t, g, i, create_graph) for i, (t, g) in enumerate(zip(tensors, grad_tensors))]
    accumulate_into = None
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        accumulate_into = {t._grad_edge(): (t if t.grad_fn is not None else None) for t in inputs}
    run_backward(roots, grads, bool(retain_graph), create_graph, accumulate_into=accumulate_into)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=None,
         is_grads_batched=False, materialize_grads=False):
    """torch.autograd.grad: the gradients of ``outputs`` w.r.t. ``inputs``, returned as a
    tuple instead of added to ``.grad`` (no ``.grad`` anywhere is touched)."""
    if is_grads_batched:
        raise NotImplementedError("minigrad.autograd.grad does not support is_grads_batched=True")
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    allow_unused = bool(allow_unused) or materialize_grads
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if not inputs:
        raise RuntimeError("grad requires non-empty inputs.")
    grad_outputs = (None,) * len(outputs) if grad_outputs is None else _as_tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad requires one gradient per output: got {len(grad_outputs)} for "
                           f"{len(outputs)} outputs")
    if retain_graph is None:
        retain_graph = create_graph
    roots = [t._grad_edge() if t._requires_grad else None for t in outputs]
    grads = [_root_gradient(t, g, i, create_graph) for i, (t, g) in enumerate(zip(outputs, grad_outputs))]
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    targets = {}
    slot_of = []
    for t in inputs:
        edge = t._grad_edge()
        slot_of.append(targets.setdefault(edge, len(targets)))
    captured = run_backward(roots, grads, bool(retain_graph), create_graph, targets=targets)
    result = []
    for i, t in enumerate(inputs):
        g = captured[slot_of[i]]
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the "
                                   "graph. Set allow_unused=True if this is the desired behavior.")
            if materialize_grads:
                g = np.zeros_like(t._data)
        elif not isinstance(g, Tensor) and g.shape != t._data.shape:
            g = unbroadcast(g, t._data.shape)
        result.append(None if g is None else (g if isinstance(g, Tensor) else Tensor._wrap(np.array(g))))
    return tuple(result)
