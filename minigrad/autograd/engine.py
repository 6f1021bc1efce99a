"""The backward pass: walk the graph from the output to the leaves.

1. Order the nodes topologically with an explicit stack (no recursion, so a
   100,000-op chain is fine).
2. Visit them output-first.  Each node's gradient is complete by the time it is
   visited, because every node that consumes it comes earlier in the order.
3. Hand it to the node's ``backward``, sum each input gradient down to the
   input's shape (``unbroadcast``: the one place broadcasting is undone), and
   add it to the input's node, or to ``.grad`` for a leaf.
4. Free what each node saved, unless ``retain_graph=True``.
"""
import sys

import numpy as np

from minigrad.tensor import Tensor


def unbroadcast(grad, shape):
    """Sum ``grad`` over the axes that broadcasting added or stretched to reach ``shape``.

    If ``y = x + b`` broadcast ``x`` of shape (3, 1) to (2, 3, 4), every element of x
    was used 2*4 times, so its gradient is the sum over those copies.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    if grad.shape != shape:  # a backward returned something that is not broadcastable
        raise RuntimeError(f"gradient of shape {grad.shape} does not match input of shape {shape}")
    return grad


def topological_order(root):
    """Every node reachable from ``root``, each before all the nodes it feeds from."""
    order, seen = [], {root}
    stack = [(root, iter(root.inputs))]
    while stack:
        node, pending = stack[-1]
        for t in pending:
            parent = t.grad_fn if isinstance(t, Tensor) else None
            if parent is not None and parent not in seen:
                seen.add(parent)
                stack.append((parent, iter(parent.inputs)))
                break
        else:  # all parents done: node goes after them
            stack.pop()
            order.append(node)
    order.reverse()
    return order


def _accumulate(t, grad, owned=False):
    """``t.grad += grad``, as torch does for leaves and retained non-leaves.  The first
    gradient is copied (it may be shared: ``x + x`` returns one array twice) unless the
    caller says it is ``owned``: a fresh array nothing else refers to, kept as it is."""
    if grad.dtype != t._data.dtype:
        grad, owned = grad.astype(t._data.dtype), True
    if t.grad is None:
        t.grad = Tensor._wrap(grad if owned else np.array(grad, copy=True))
    else:
        np.add(t.grad._data, grad, out=t.grad._data)
        t.grad._version_counter[0] += 1


def _root_gradient(root, gradient):
    if not root.requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    if gradient is None:
        if root._data.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        return np.ones_like(root._data)
    grad = gradient._data if isinstance(gradient, Tensor) else np.asarray(gradient)
    if grad.shape != root.shape:
        raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of minigrad.Size({list(grad.shape)}) "
                           f"and output[0] has a shape of minigrad.Size({list(root.shape)}).")
    return grad.astype(root._data.dtype, copy=False)


def backward(root, gradient=None, retain_graph=False):
    """Compute d(root)/d(leaf) for every leaf that requires grad, and add it to ``leaf.grad``."""
    _walk(root, _root_gradient(root, gradient), retain_graph, captured=None)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, allow_unused=False):
    """torch.autograd.grad: the gradients of ``outputs`` w.r.t. ``inputs``, returned as a
    tuple instead of added to ``.grad`` (no ``.grad`` anywhere is touched)."""
    single = isinstance(inputs, Tensor)
    inputs = (inputs,) if single else tuple(inputs)
    outputs = (outputs,) if isinstance(outputs, Tensor) else tuple(outputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,) * len(outputs)
    captured = {id(t): None for t in inputs}
    for out, g in zip(outputs, grad_outputs):
        _walk(out, _root_gradient(out, g), bool(retain_graph), captured, inputs)
    result = []
    for i, t in enumerate(inputs):
        g = captured[id(t)]
        if g is None and not allow_unused:
            raise RuntimeError(f"One of the differentiated Tensors (input {i}) appears to not have been used "
                               "in the graph. Set allow_unused=True if this is the desired behavior.")
        result.append(None if g is None else Tensor._wrap(g))
    return tuple(result)


def _walk(root, grad, retain_graph, captured, capture_tensors=()):
    """The graph walk.  ``captured`` (id -> gradient) collects gradients for ``grad()``
    instead of accumulating them into ``.grad``."""
    if root.grad_fn is None:  # backward on a leaf: its gradient is `gradient` itself
        _deliver(root, grad, captured, owned=False)
        return

    # non-leaf tensors whose gradient grad() asks for: found by their node
    wanted = {t.grad_fn: t for t in capture_tensors if t.grad_fn is not None}
    grads = {root.grad_fn: grad}
    for node in topological_order(root.grad_fn):
        grad_output = grads.pop(node, None)
        if grad_output is None:  # nothing flowed here (all paths gave None)
            continue
        if wanted and node in wanted:
            _deliver(wanted[node], grad_output, captured, owned=False)
        if node._retained is not None and captured is None:
            kept = node._retained()
            if kept is not None:
                _accumulate(kept, grad_output)
        input_grads = node.fn.backward(node, grad_output)
        if not retain_graph:
            node.release()
        del grad_output
        if type(input_grads) is not tuple:
            input_grads = (input_grads,)
        input_grads = list(input_grads)
        for i, t in enumerate(node.inputs):
            if i >= len(input_grads):
                break
            g, input_grads[i] = input_grads[i], None
            if g is None or not isinstance(t, Tensor) or not t._requires_grad:
                continue
            if type(g) is not np.ndarray:
                g = np.asarray(g)
            if g.shape != t._data.shape:
                g = unbroadcast(g, t._data.shape)
            if g.dtype != t._data.dtype:
                g = g.astype(t._data.dtype)
            parent = t.grad_fn
            if parent is None:
                owned = _is_private(g)  # its own statement: a call argument would hold g too
                _deliver(t, g, captured, owned)
            elif parent in grads:
                grads[parent] = grads[parent] + g
            else:
                grads[parent] = g


def _is_private(g):
    """True if nothing but the caller's one name refers to ``g`` or to the memory under it,
    so it can become ``.grad`` without a copy (as torch's AccumulateGrad steals a gradient).
    References counted: the caller's name, this parameter, getrefcount's argument; for a
    view's base: the view, the name ``base``, getrefcount's argument."""
    if sys.getrefcount(g) > 3:
        return False
    base = g.base
    while base is not None:  # a reshape of a fresh kernel result, say
        if type(base) is not np.ndarray or sys.getrefcount(base) > 3:
            return False
        base = base.base
    return True


def _deliver(t, g, captured, owned):
    if captured is None:
        _accumulate(t, g, owned)
    elif id(t) in captured:
        captured[id(t)] = g if captured[id(t)] is None else captured[id(t)] + g
