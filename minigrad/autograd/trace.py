"""Watch the backward pass: which node runs, in which order, what flows in and what flows out.

    w = minigrad.tensor([0.5, -1.0], requires_grad=True)
    x = minigrad.tensor([2.0, 3.0])
    z = w * x
    y = (z + z.tanh()).sum()
    with minigrad.autograd.trace(params={"w": w, "z": z}) as t:
        y.backward()
    print(t)                    # a numbered table, one row per node, in the engine's order
    t.steps[0].grad_out         # the gradients that node sent to its inputs (numpy arrays)

Every node the engine runs becomes a ``Step``: ``index`` (1, 2, ... in the order the engine
ran it), ``node`` (the ``grad_fn``), ``name`` (``node.name()``, or the name given in
``params`` for a named tensor), ``grad_in`` (the gradient w.r.t. the node's output(s): dL/d
output, after tensor hooks, as ``retain_grad`` would see it) and ``grad_out`` (one entry per
``next_functions`` entry: dL/d input before it is summed down to the input's shape; None
where no gradient flows; a leaf's ``AccumulateGrad`` has none, its ``grad_in`` is what is
added to ``.grad``).  The arrays are copies, so later accumulation does not change them.

How it works: ``trace()`` sets ``grad_mode.state.trace`` for this thread; at the start of
every backward walk the engine hands the trace the nodes it is about to run (its one global
hook) and the trace puts a pre-hook (``node.register_prehook``) and a post-hook
(``node.register_hook``) on each, removed as soon as the node has run.  Without a trace
nothing is registered: the cost is one ``if`` per backward.
"""
import numpy as np

from minigrad.autograd.node import AccumulateGrad
from minigrad.autograd.grad_mode import state
from minigrad.tensor import Tensor

SMALL = 8  # tensors with at most this many elements are shown with their values


class Step:
    """One node run by the engine (see the module docstring)."""
    __slots__ = ("index", "node", "name", "grad_in", "grad_out", "walk")

    def __init__(self, index, node, name, walk):
        self.index, self.node, self.name, self.walk = index, node, name, walk
        self.grad_in = self.grad_out = None

    @property
    def is_leaf(self):
        return type(self.node) is AccumulateGrad

    def __repr__(self):
        return f"Step({self.index}, {self.name})"


class BackwardTrace:
    """Records every backward walk run in this thread while it is open (``with`` block).

    ``params``: {name: Tensor} naming leaves (``dict(model.named_parameters())``) and, for
    non-leaf tensors, the node that produced them (``{"z": z}`` names z's ``grad_fn``)."""

    def __init__(self, params=None):
        self.steps = []
        self.walks = 0
        self.names = node_names(params)
        self._handles = []
        self._previous = None

    # ------------------------------------------------------------------ context
    def __enter__(self):
        self._previous, state.trace = state.trace, self
        return self

    def __exit__(self, *exc):
        state.trace = self._previous
        self._remove_hooks()
        return False

    # ------------------------------------------------------------------ the engine's hook
    def watch(self, order):
        """Called by the engine with the nodes of a walk, in the order it will visit them."""
        self._remove_hooks()  # anything left from a walk that stopped early
        walk = self.walks
        self.walks += 1
        for node in order:
            self._handles.append(node.register_prehook(self._pre_hook(node, walk)))
            if type(node) is not AccumulateGrad:
                self._handles.append(node.register_hook(self._post_hook(node)))

    def _pre_hook(self, node, walk):
        def hook(grad_outputs):
            step = Step(len(self.steps) + 1, node, self.names.get(node, node.name()), walk)
            step.grad_in = tuple(_copy(g) for g in grad_outputs)  # final for a leaf; replaced below otherwise
            self.steps.append(step)
            self._running[node] = step
        return hook

    def _post_hook(self, node):
        def hook(grad_inputs, grad_outputs):
            step = self._running.pop(node, None)
            if step is not None:
                step.grad_in = tuple(_copy(g) for g in grad_outputs)  # after tensor hooks
                step.grad_out = _per_next_function(node, [_copy(g) for g in grad_inputs])
        return hook

    @property
    def _running(self):
        running = self.__dict__.get("_running_steps")
        if running is None:
            running = self.__dict__["_running_steps"] = {}
        return running

    def _remove_hooks(self):
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self._running.clear()

    # ------------------------------------------------------------------ reading it
    @property
    def order(self):
        """The nodes, in the order the engine ran them."""
        return [step.node for step in self.steps]

    def step_of(self, node):
        """The (first) step that ran ``node``, or None."""
        for step in self.steps:
            if step.node is node:
                return step
        return None

    def table(self, max_values=SMALL):
        """The trace as a numbered text table (what ``print(t)`` shows)."""
        rows = [("#", "node", "grad in (dL/d output)", "grad out (dL/d each input)")]
        for step in self.steps:
            inputs = ", ".join(format_grad(g, max_values) for g in step.grad_in)
            if step.is_leaf:
                outputs = "-> .grad" if step.node.variable is not None else ""
            elif step.grad_out is None:
                outputs = "(did not run)"
            else:
                outputs = ", ".join(format_grad(g, max_values) for g in step.grad_out)
            rows.append((str(step.index), step.name, inputs, outputs))
        widths = [max(len(row[k]) for row in rows) for k in range(3)]
        lines = [f"{r[0]:>{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}".rstrip() for r in rows]
        return "\n".join(lines)

    def __str__(self):
        return self.table()

    def __repr__(self):
        return f"<BackwardTrace: {len(self.steps)} steps in {self.walks} backward walk(s)>"


def trace(params=None):
    """``with minigrad.autograd.trace() as t: loss.backward()`` records the walk; see the module."""
    return BackwardTrace(params)


# ---------------------------------------------------------------------- helpers
class node_names:
    """Names for nodes, from ``params`` ({name: Tensor}): a leaf names its AccumulateGrad node
    (found through the leaf, so a node made after the trace started is named too), a non-leaf
    its grad_fn (``z = MulBackward``).  ``get(node, default)`` like a dict."""

    def __init__(self, params):
        self.leaves, self.made = {}, {}
        for name, t in (params or {}).items():
            if isinstance(t, Tensor) and t.requires_grad:
                if t.grad_fn is None:
                    self.leaves[id(t)] = (name, t)
                else:
                    self.made[t.grad_fn] = f"{name} = {t.grad_fn.name()}"

    def get(self, node, default=None):
        if type(node) is AccumulateGrad:
            entry = self.leaves.get(id(node.variable))
            return entry[0] if entry is not None and entry[1] is node.variable else default
        return self.made.get(node, default)


def leaf_node(t):
    """A leaf's AccumulateGrad node if the leaf has been used in a graph (None otherwise;
    none is made)."""
    return t._leaf_edge[0] if t._leaf_edge is not None else None


def _copy(g):
    if g is None:
        return None
    return np.array(g._data if isinstance(g, Tensor) else g, copy=True)


def _per_next_function(node, grads):
    """A node's gradients, one per ``next_functions`` entry (number and shape operands dropped)."""
    return tuple(g if edge is not None else None
                 for g, edge, meta in zip(grads, node.next_edges, node.input_meta) if meta is not None)


def format_grad(g, max_values=SMALL):
    """A gradient for a table cell: its values when small, else its shape (and first values)."""
    if g is None:
        return "None"
    g = np.asarray(g)
    if g.size <= max_values:
        return format_values(g)
    flat = ", ".join(_number(v) for v in g.reshape(-1)[:3])
    return f"shape {tuple(g.shape)} [{flat}, ...]"


def format_values(a):
    """``a``'s values with 4 significant digits, on one line: ``[[1, 0.5], [2, 3]]``."""
    a = np.asarray(a)
    if a.ndim == 0:
        return _number(a.item())
    return " ".join(np.array2string(a, separator=", ", formatter={"all": _number}, threshold=10**6).split())


def _number(v):
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return f"{float(v):.4g}"
