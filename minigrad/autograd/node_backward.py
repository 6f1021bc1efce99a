"""What happens at one node of the backward walk besides delivering: its backward (a
built-in op's, or a user Function's with torch's checks), and the hooks around it (tensor
hooks, ``retain_grad``, node pre- and post-hooks, post-accumulate hooks).  ``engine.py``
calls these; a learner can read the walk there first and come here for the details."""
import warnings

import numpy as np

from minigrad.autograd.accumulate import accumulate
from minigrad.autograd.node import _FREED, _FREED_MESSAGE, AccumulateGrad
from minigrad.autograd.grad_mode import state
from minigrad.tensor import Tensor


def call_backward(node, grad_outputs, create_graph):
    """The chain rule at one node: its backward, with torch's checks for a user's Function."""
    fn = node.fn
    if node._saved is _FREED:
        raise RuntimeError(_FREED_MESSAGE)
    if fn._array_level:
        if create_graph:
            node._as_tensors = True
            grads = fn.backward(node, *_as_tensors(grad_outputs, node)) if node.num_outputs > 1 \
                else fn.backward(node, _as_tensor(grad_outputs))
            grads = list(grads) if type(grads) is tuple else [grads]
            if fn.backward_reads_saved:
                grads = _link_to_saved(node, grads)
            node._as_tensors = False
        else:
            grads = fn.backward(node, *grad_outputs) if node.num_outputs > 1 else fn.backward(node, grad_outputs)
            grads = list(grads) if type(grads) is tuple else [grads]
    else:
        grads = _call_user_backward(node, grad_outputs, create_graph)
    if node._hooked and node._post_hooks:
        grads = _run_post_hooks(node, grads, grad_outputs)
    if state.anomaly:
        _check_nan(node, grads)
    return grads


def _link_to_saved(node, grads):
    """torch computes a backward from the values its op saved, so under create_graph a gradient
    depends on them even where its derivative w.r.t. them is 0 (a relu's mask, an abs's sign):
    such a gradient requires grad, and differentiating it again gives zeros, not an error."""
    if all(g is None or (isinstance(g, Tensor) and g._requires_grad) for g in grads):
        return grads
    saved = [t for t in node.saved_tensors if isinstance(t, Tensor) and t._requires_grad]
    args = node.__dict__.get("forward_args", ())
    saved += [t for t in (node.input_tensor(i, a) for i, a in enumerate(args) if isinstance(a, np.ndarray))
              if t._requires_grad]
    if not saved:
        return grads
    from minigrad.ops.elementwise import LinkedGrad
    return [g if g is None or (isinstance(g, Tensor) and g._requires_grad) else LinkedGrad.apply(_as_tensor(g), *saved)
            for g in grads]


def _call_user_backward(node, grad_outputs, create_graph):
    grad_outputs = list(grad_outputs) if node.num_outputs > 1 else [grad_outputs]
    materialize = node.__dict__.get("_materialize", True)
    for nr, g in enumerate(grad_outputs):
        if g is None and materialize and node._output_meta[nr] is not None:
            shape, dtype = node._output_meta[nr]
            g = np.zeros(shape, dtype)
        grad_outputs[nr] = _as_tensor(g)
    name = node.name()
    grads = node.fn.backward(node, *grad_outputs)
    grads = list(grads) if isinstance(grads, (tuple, list)) else [grads]
    n_inputs = len(node.next_edges)
    if len(grads) > n_inputs and all(g is None for g in grads[n_inputs:]):
        grads = grads[:n_inputs]
    if len(grads) != n_inputs:
        raise RuntimeError(f"function {name} returned an incorrect number of gradients "
                           f"(expected {n_inputs}, got {len(grads)})")
    for i, g in enumerate(grads):
        if g is None:
            continue
        meta = node.input_meta[i]
        if meta is None:
            raise RuntimeError(f"function {name} returned a gradient different than None at position {i + 1}, "
                               "but the corresponding forward input was not a Variable")
        if not meta:
            grads[i] = None
            continue
        if not isinstance(g, Tensor):
            raise TypeError(f"{name}.backward returned a {type(g).__name__} at position {i + 1}: "
                            "expected a Tensor or None")
        if not _expandable(meta[0], g._data.shape):
            raise RuntimeError(f"Function {name} returned an invalid gradient at index {i} - got "
                               f"{list(g._data.shape)} but expected shape compatible with {list(meta[0])}")
        if not create_graph:
            grads[i] = g._data
    return grads


def _expandable(shape, grad_shape):
    """True if a gradient of ``grad_shape`` sums down to ``shape`` (torch's is_expandable_to)."""
    if len(shape) > len(grad_shape):
        return False
    return all(n == m or n == 1 for n, m in zip(reversed(shape), reversed(grad_shape)))


def before_backward(node, grad_outputs, retain=True):
    """Tensor hooks (which may replace a gradient), then retain_grad, in torch's order: a
    retained ``.grad`` sees the gradient after every hook.  For a leaf's AccumulateGrad the
    hooks are the leaf's own."""
    if node._pre_hooks:
        grads = list(grad_outputs) if node.num_outputs > 1 else [grad_outputs]
        for hook in list(node._pre_hooks.values()):
            result = hook(tuple(_wrap_grad(g) for g in grads))
            if result is not None:
                grads = [_unwrap_like(r, g) for r, g in zip(result, grads)]
        grad_outputs = grads if node.num_outputs > 1 else grads[0]
    if type(node) is AccumulateGrad:
        hooks = node.variable._tensor_hooks()
        return _run_tensor_hooks(hooks, grad_outputs) if hooks else grad_outputs
    if node.num_outputs == 1:
        return _hook_one(node, 0, grad_outputs, retain)
    return [g if g is None else _hook_one(node, nr, g, retain) for nr, g in enumerate(grad_outputs)]


def _hook_one(node, nr, g, retain):
    hooks = node._tensor_hooks and node._tensor_hooks.get(nr)
    if hooks:
        g = _run_tensor_hooks(hooks, g)
    kept = node._retained.get(nr) if retain and node._retained else None
    if kept is not None:
        t = kept()
        if t is not None:
            accumulate(t, g, state.enabled, owned=False)
    return g


def _run_tensor_hooks(hooks, g):
    for hook in list(hooks.values()):
        result = hook(_wrap_grad(g))
        if result is not None:
            g = _unwrap_like(result, g)
    return g


def _run_post_hooks(node, grads, grad_outputs):
    outs = list(grad_outputs) if node.num_outputs > 1 else [grad_outputs]
    for hook in list(node._post_hooks.values()):
        result = hook(tuple(_wrap_grad(g) for g in grads), tuple(_wrap_grad(g) for g in outs))
        if result is not None:
            grads = [_unwrap_like(r, g) for r, g in zip(result, grads)]
    return grads




def _check_nan(node, grads):
    for i, g in enumerate(grads):
        if g is not None and np.isnan(g._data if isinstance(g, Tensor) else g).any():
            if node._trace:
                warnings.warn("Error detected in " + node.name() + ". Traceback of forward call that caused "
                              "the error:\n" + node._trace, RuntimeWarning, stacklevel=3)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")


# ------------------------------------------------------------------------- values
def _wrap_grad(g):
    return g if g is None or isinstance(g, Tensor) else Tensor._wrap(g)


def _unwrap_like(result, g):
    """A hook's replacement, in the walk's own currency (arrays, or Tensors under create_graph)."""
    if result is None:
        return None
    if isinstance(g, Tensor):
        return result if isinstance(result, Tensor) else Tensor._wrap(np.asarray(result))
    return result._data if isinstance(result, Tensor) else np.asarray(result)


def _as_tensor(g):
    return g if g is None or isinstance(g, Tensor) else Tensor._wrap(np.asarray(g))


def _as_tensors(grads, node):
    return [_as_tensor(g) for g in grads]



def _after_accumulate(t):
    hooks = t._post_accumulate_hooks()
    for hook in list(hooks.values()) if hooks else ():
        hook(t)
