"""``Node``: an op's place in the graph (its output's ``grad_fn``), and ``AccumulateGrad``,
the node a leaf is reached through.

A ``Node`` holds edges to the nodes that produced its inputs (``next_functions``),
never the input Tensors themselves; a leaf is reached through its ``AccumulateGrad``
node.  So a kept output keeps nodes, not activations, once backward has freed what
each node saved.  A node is also the ``ctx`` its Function's forward and backward get:
``save_for_backward``, ``saved_tensors`` (with the check that nothing saved was changed
in place since), ``needs_input_grad``, ``mark_dirty``, ... (``function.py`` makes them).
"""
import itertools
from collections import OrderedDict

import numpy as np

from minigrad.tensor import Tensor
from minigrad.utils.hooks import RemovableHandle

_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")

INPUT, OUTPUT = 1, 2  # where a saved value came from (see Node._note_saved)
_FREED = ("freed",)   # what ``Node._saved`` holds once backward has freed it
_KEPT_AFTER_FREE = ("_tensor_hooks", "_retained", "_pre_hooks", "_post_hooks", "_metadata", "_hooked",
                    "_output_meta")


class Node:
    """A node of the backward graph: torch's ``grad_fn``.

    ``next_edges[i]`` is ``(node, output_nr)`` for forward argument i when it needs a
    gradient, ``()`` for another Tensor (or number operand), None for the rest (shapes,
    dims, flags); ``_out_meta`` is the output's (shape, dtype): what a consumer's gradient
    must be summed down and cast to (``input_meta``), so the engine can sum a
    broadcast gradient down and cast it.  Ops keep what backward needs as attributes
    (``ctx.dim = ...``) and through ``save_for_backward``; ``release()`` drops them all.
    """
    __slots__ = ("needs_input_grad", "next_edges", "_out_meta", "_seq", "__dict__", "__weakref__")
    fn = None  # the Function class whose node this is (a class attribute of each node class)
    _array_level = False  # fn._array_level, on the node class: the walk reads it once per node
    # state that not every node has: class defaults, set in the instance's __dict__ when used
    _saved = None           # what forward saved (``save_for_backward``); ``_FREED`` once released
    _saved_info = None      # per saved value: (source, index, version counter, version) or None
    num_outputs = 1
    _as_tensors = False     # saved_tensors gives Tensors (user Functions, create_graph)
    _tensor_hooks = None    # {output_nr: {handle id: hook}}: hooks of non-leaf Tensors
    _retained = None        # {output_nr: weakref to a Tensor that called retain_grad()}
    _pre_hooks = None       # {handle id: hook(grad_outputs)}
    _post_hooks = None      # {handle id: hook(grad_inputs, grad_outputs)}
    _trace = None           # forward stack, kept under detect_anomaly()
    _hooked = False         # True once any of the hooks above (or retain_grad) is set: one check in the walk

    # No __init__ (creating a node is on every op's path): ``apply`` sets needs_input_grad,
    # and after forward next_edges, _out_meta and _seq.  ``_seq`` (torch's sequence_nr)
    # numbers nodes in the order they were recorded, each after the nodes its edges lead
    # to: the backward walk runs nodes from the highest number down, so every node runs
    # after all the nodes that feed it a gradient.

    # ---------------------------------------------------------------- saving for backward
    def save_for_backward(self, *values):
        if not self.fn._array_level:
            for i, v in enumerate(values):
                if v is not None and not isinstance(v, Tensor):
                    raise TypeError(f"save_for_backward can only save variables, but argument {i} is of "
                                    f"type {type(v).__name__}")
        self._saved = values

    @property
    def saved_tensors(self):
        """What forward saved.  For an ArrayFunction in a first-order backward: the arrays.
        For a user Function, or under create_graph: Tensors, the inputs and outputs
        among them connected to the graph as they were in forward."""
        saved, info = self._saved, self._saved_info
        if info is not None:  # (release() drops the info with what was saved)
            for entry in info:  # the in-place check: each saved input or output still at its version
                if entry is not None and entry[2][0] != entry[3]:
                    k = next(i for i, e in enumerate(info) if e is entry)
                    raise RuntimeError(self._modified_message(saved[k], entry))
            if not self._as_tensors:
                return saved
            return tuple(self._unpack(value, entry) for value, entry in zip(saved, info))
        if saved is _FREED:
            raise RuntimeError(_FREED_MESSAGE)
        return saved if saved is not None else ()

    saved_variables = saved_tensors

    def _modified_message(self, value, entry):
        """torch's words for a saved tensor changed in place before backward."""
        from minigrad.tensor_math import _torch_type_name
        source, index, counter, version = entry
        array = value._data if isinstance(value, Tensor) else value
        what = f"[minigrad.{_torch_type_name(array.dtype)}Tensor [{', '.join(map(str, array.shape))}]]"
        maker = None
        if source == OUTPUT:
            maker = (self, index)
        elif source == INPUT and index < len(self.next_edges) and self.next_edges[index] \
                and type(self.next_edges[index][0]) is not AccumulateGrad:
            maker = self.next_edges[index]
        if maker is not None:
            what += f", which is output {maker[1]} of {maker[0].name().removesuffix('Backward')},"
        return ("one of the variables needed for gradient computation has been modified by an inplace "
                f"operation: {what} is at version {counter[0]}; expected version {version} instead. Hint: "
                "enable anomaly detection to find the operation that failed to compute its gradient, with "
                "minigrad.autograd.set_detect_anomaly(True, check_nan=False).")

    def _note_saved(self, inputs, outputs):
        """After forward: note which saved values are an input's or an output's data, with
        their version, so that an in-place change before backward raises instead of giving a
        wrong gradient, and so that they can be rebuilt as connected Tensors (``_unpack``)."""
        info, saved = [], list(self._saved)
        for k, value in enumerate(saved):
            entry = None
            array = value._data if isinstance(value, Tensor) else value
            if array is not None:
                for nr, out in enumerate(outputs):
                    if isinstance(out, Tensor) and out._data is array:
                        entry = (OUTPUT, nr, out._version_counter, out._version_counter[0])
                        break
                else:
                    for i, t in enumerate(inputs):
                        if isinstance(t, Tensor) and (t is value or t._data is array):
                            entry = (INPUT, i, t._version_counter, t._version_counter[0])
                            break
                    else:
                        if isinstance(value, Tensor):
                            entry = (None, None, value._version_counter, value._version_counter[0])
            if entry is not None and entry[0] is not None and isinstance(value, Tensor):
                saved[k] = array  # keep the data, not the Tensor: no cycle through an output
            info.append(entry)
        self._saved, self._saved_info = tuple(saved), tuple(info)

    def _unpack(self, value, entry):
        """A saved value as a Tensor: an input or output gets its place in the graph back."""
        source, index, counter, _ = entry or (None, None, None, None)
        if value is None or (source is None and isinstance(value, Tensor)):
            return value
        if source == INPUT:
            edge = (self.next_edges[index] if index < len(self.next_edges) else None) or None
            if edge is not None and type(edge[0]) is AccumulateGrad and edge[0].variable is not None:
                return edge[0].variable
        elif source == OUTPUT:
            edge = (self, index)
        else:
            edge = None
        t = Tensor._wrap(value)
        if counter is not None:
            t._version_counter = counter
        if edge is not None:
            t.grad_fn, t._output_nr, t._requires_grad = edge[0], edge[1], True
        return t

    def input_tensor(self, index, array):
        """Forward argument ``index`` (its data ``array``) as a Tensor connected to the graph as
        it was in forward: for a create_graph backward that recomputes from the inputs."""
        return self._unpack(array, (INPUT, index, None, None))

    # ---------------------------------------------------------------- torch's ctx methods
    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tensors

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def set_materialize_grads(self, value):
        self._materialize = bool(value)

    # ---------------------------------------------------------------- the graph
    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"

    @property
    def next_functions(self):
        """``((node, output_nr), ...)`` like torch: one entry per Tensor argument (and, for
        built-in ops, per number operand); ``(None, 0)`` for one that needs no gradient."""
        return tuple(edge if edge else (None, 0) for edge in self.next_edges if edge is not None)

    @property
    def input_meta(self):
        """Per forward argument: (shape, dtype) of one that needs a gradient, False for another
        Tensor or number operand, None for the rest."""
        return tuple((edge_meta(e) or False) if e else (None if e is None else False) for e in self.next_edges)

    @property
    def metadata(self):
        if "_metadata" not in self.__dict__:
            self._metadata = {}
        return self._metadata

    def register_hook(self, hook):
        """``hook(grad_inputs, grad_outputs)`` runs after this node's backward; it may return
        replacement grad_inputs."""
        if self._post_hooks is None:
            self._post_hooks = OrderedDict()
        self._hooked = True
        return _add_hook(self._post_hooks, hook)

    def register_prehook(self, hook):
        """``hook(grad_outputs)`` runs before this node's backward; it may return replacements."""
        if self._pre_hooks is None:
            self._pre_hooks = OrderedDict()
        self._hooked = True
        return _add_hook(self._pre_hooks, hook)

    @property
    def _freed(self):
        return self._saved is _FREED

    def release(self):
        """Drop what forward saved, and every attribute holding an array (called by backward
        unless retain_graph=True): a kept output then holds nodes, not activations.  A node
        that kept no array can run again, as in torch; one that did keeps only its edges
        (and hooks)."""
        d = self.__dict__
        if "_saved" not in d:
            for value in d.values():
                if _holds_array(value):
                    break
            else:
                return
        kept = [(k, d[k]) for k in _KEPT_AFTER_FREE if k in d] if self._hooked else None
        d.clear()
        if kept:
            d.update(kept)
        self._saved = _FREED


def _holds_array(value):
    kind = type(value)
    if kind is np.ndarray or kind is Tensor:
        return True
    if kind is tuple or kind is list:
        for v in value:
            kind = type(v)
            if kind is np.ndarray or kind is Tensor or ((kind is tuple or kind is list) and _holds_array(v)):
                return True
    return False


class AccumulateGrad(Node):
    """Where every path to a leaf ends: adds the gradient that reaches it to ``variable.grad``.
    One per leaf, shared by every op that uses the leaf.  The leaf keeps it (with the edge
    that leads to it, ``Tensor._leaf_edge``), and it refers back to the leaf weakly: no
    reference cycle, so a dropped leaf is freed at once (a gradient for it then goes nowhere)."""
    __slots__ = ("_variable",)
    needs_input_grad = next_edges = ()  # a leaf's node leads nowhere further

    @property
    def variable(self):
        """The leaf (None once nothing else refers to it)."""
        return self._variable()

    def name(self):
        return "AccumulateGrad"


AccumulateGrad.fn = AccumulateGrad


def _add_hook(hooks, fn):
    """Add ``fn`` to an OrderedDict of hooks; the handle's ``remove()`` takes it out."""
    handle = RemovableHandle(hooks)
    hooks[handle.id] = fn
    return handle


_OPERANDS = (Tensor, int, float, np.ndarray)  # arguments next_functions lists (others: shapes, dims, flags)
next_seq = itertools.count(1).__next__  # node numbers (``Node._seq``), in recording order


def edge_meta(edge):
    """(shape, dtype) of the tensor an edge carries a gradient for: the producing node's
    output, or a leaf's own."""
    node, nr = edge
    if type(node) is AccumulateGrad:
        leaf = node.variable
        return None if leaf is None else (leaf._data.shape, leaf._data.dtype)
    return node._out_meta if node.num_outputs == 1 else node._output_meta[nr]


def _edges(args, needs, operand_types=_OPERANDS):
    """``next_edges``: an argument that needs a gradient gets its edge; another Tensor (or
    number operand) ``()``; the rest (shapes, dims, flags) None."""
    edges = []
    for a, need in zip(args, needs):
        if need:
            edges.append(a._grad_edge())
        else:
            edges.append(() if isinstance(a, operand_types) and type(a) is not bool else None)
    return tuple(edges)
