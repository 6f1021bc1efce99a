"""``Function``: one differentiable operation; ``apply`` runs it and records its ``Node``
(``node.py``: its place in the graph, the output's ``grad_fn``).

A user writes a Function exactly as in PyTorch::

    class MyReLU(Function):
        @staticmethod
        def forward(ctx, input):              # Tensors in (grad recording is off inside)
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):       # Tensors in, one gradient per forward argument out
            (input,) = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input

    y = MyReLU.apply(x)

A backward written with Tensor operations is itself differentiable, so
``create_graph=True`` gives its higher-order gradients.

The built-in ops subclass ``ArrayFunction`` instead: their forward computes on numpy
arrays (no Tensor wrappers: the fast path), and their backward is written once, with
operators and the helpers of ``minigrad.ops.dual`` that work on arrays and Tensors
alike.  For a first-order backward the engine hands it arrays; under
``create_graph=True`` it hands it Tensors, so the same rule records the graph of the
backward pass.  Gradients may come back with the *broadcast* shape: the engine sums
them down to the input's shape in one place (``engine.unbroadcast``).
"""
import numpy as np

from minigrad.autograd.grad_mode import no_grad, state
from minigrad.autograd.node import INPUT, OUTPUT, _edges, next_seq
from minigrad.autograd.node import AccumulateGrad, Node  # noqa: F401 - also importable from here
from minigrad.tensor import Tensor

_new_object = object.__new__
_NUMBERS = (int, float, np.ndarray)  # the other operands next_functions lists (the rest: shapes, dims, flags)


class _FunctionBase:
    """What both kinds of Function share.  Each subclass gets its own node class, named as
    torch names it (``MulBackward``, ``MyReLUBackward``): ``type(y.grad_fn).__name__``."""
    _array_level = False
    _node_class = Node
    node_name = None  # the node's name when it is not "<Function name>Backward"
    #: True where torch's backward formula takes the saved input or output as an argument even
    #: where its derivative w.r.t. it is 0 (relu's mask, abs's sign): under create_graph the
    #: gradient then belongs to their graph (see node_backward._link_to_saved).
    backward_reads_saved = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("node_name") or cls.__name__ + "Backward"
        cls._node_class = type(name, (Node,), {"__slots__": (), "__module__": cls.__module__, "fn": cls,
                                               "_array_level": cls._array_level,
                                               "__doc__": f"The graph node of {cls.__name__}."})

    #: True for ops whose result is a view of their first input (reshape, transpose,
    #: basic indexing, ...): the result then shares the input's version counter, so an
    #: in-place change through either is seen by both.
    returns_view = False

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")


class ArrayFunction(_FunctionBase):
    """Base of the built-in ops: ``forward(ctx, *args)`` gets numpy arrays for Tensor arguments
    and returns one array; ``backward(ctx, grad)`` gets arrays (first order) or Tensors
    (create_graph) and returns one gradient per forward argument (None where none is needed)."""
    _array_level = True

    @classmethod
    def apply(cls, *args):
        """Run ``forward`` on the arrays of ``args``; record a node if grad mode is on and some
        input requires grad.  Returns the output Tensor."""
        ctx = cls._node_class()
        if state.enabled:  # one pass: the arrays forward gets, which need a gradient, the edges
            arrays, needs, edges = [], [], []
            for a in args:
                if isinstance(a, Tensor):
                    arrays.append(a._data)
                    if a._requires_grad:
                        needs.append(True)
                        fn = a.grad_fn  # a leaf's edge leads to its AccumulateGrad (node._edges, inline)
                        edges.append((fn, a._output_nr) if fn is not None else a._leaf_edge or a._grad_edge())
                    else:
                        needs.append(False)
                        edges.append(())
                else:
                    arrays.append(a)
                    needs.append(False)
                    edges.append(() if isinstance(a, _NUMBERS) and type(a) is not bool else None)
            record = True in needs
        else:
            arrays = [a._data if isinstance(a, Tensor) else a for a in args]
            record = False
        ctx.needs_input_grad = needs = tuple(needs) if record else (False,) * len(args)
        out = cls.forward(ctx, *arrays)
        if type(out) is np.ndarray:
            scalar = None
        else:  # numpy gives 0-d results as scalars
            scalar, out = out, np.asarray(out)
        result = _new_object(Tensor)  # Tensor._wrap(out), inline
        result._data = out
        result._grad = result._base = result._leaf_edge = result._hooks = result.grad_fn = None
        result._requires_grad = False
        result._version_counter = [0]
        result._output_nr = 0
        if cls.returns_view:
            base = args[0]
            result._version_counter = base._version_counter
            result._base = base._base if base._base is not None else base
        if record:
            ctx.next_edges = edges
            ctx._out_meta = (out.shape, out.dtype)
            ctx._seq = next_seq()  # after the edges: higher than any node they lead to
            result._requires_grad = True
            result.grad_fn = ctx
            saved = ctx._saved
            if saved:
                if len(saved) == 1 and saved[0] is out:  # the usual case, inline: forward saved its output
                    counter = result._version_counter
                    ctx._saved_info = ((OUTPUT, 0, counter, counter[0]),)
                else:
                    _note_saved(ctx, args, arrays, out, scalar, result._version_counter)
            if state.anomaly:
                _remember_trace(ctx)
        return result

    @classmethod
    def _apply_binary(cls, a, b):
        """``apply(a, b)`` for two operands, each a Tensor or a Python number, with its steps
        unrolled: the arithmetic operators call this (a graph of scalars records thousands
        of them; the loop over arguments was a fifth of an op's cost).  It records exactly
        the node ``apply`` records."""
        ctx = cls._node_class()
        if isinstance(a, Tensor):
            a_data, need_a = a._data, a._requires_grad
        else:
            a_data, need_a = a, False
        if isinstance(b, Tensor):
            b_data, need_b = b._data, b._requires_grad
        else:
            b_data, need_b = b, False
        record = (need_a or need_b) and state.enabled
        ctx.needs_input_grad = (need_a, need_b) if record else (False, False)
        out = cls.forward(ctx, a_data, b_data)
        if type(out) is np.ndarray:
            scalar = None
        else:  # numpy gives 0-d results as scalars
            scalar, out = out, np.asarray(out)
        result = _new_object(Tensor)  # Tensor._wrap(out), inline
        result._data = out
        result._grad = result._base = result._leaf_edge = result._hooks = None
        result._version_counter = [0]
        result._output_nr = 0
        if not record:
            result._requires_grad = False
            result.grad_fn = None
            return result
        edge_a = edge_b = ()
        if need_a:
            fn = a.grad_fn
            edge_a = (fn, a._output_nr) if fn is not None else a._leaf_edge or a._grad_edge()
        if need_b:
            fn = b.grad_fn
            edge_b = (fn, b._output_nr) if fn is not None else b._leaf_edge or b._grad_edge()
        ctx.next_edges = [edge_a, edge_b]
        ctx._out_meta = (out.shape, out.dtype)
        ctx._seq = next_seq()
        result._requires_grad = True
        result.grad_fn = ctx
        saved = ctx._saved
        if saved:
            if len(saved) == 2 and (saved[0] is a_data or saved[0] is None) and (saved[1] is b_data or saved[1] is None):
                # the usual case, inline: forward saved (some of) its operands' arrays
                info_a = info_b = None
                if saved[0] is not None and a_data is not a:  # (a Python number is its own "data")
                    counter = a._version_counter
                    info_a = (INPUT, 0, counter, counter[0])
                if saved[1] is not None and b_data is not b:
                    counter = b._version_counter
                    info_b = (INPUT, 1, counter, counter[0])
                ctx._saved_info = (info_a, info_b)
            else:
                _note_saved(ctx, (a, b), (a_data, b_data), out, scalar, result._version_counter)
        if state.anomaly:
            _remember_trace(ctx)
        return result


def _note_saved(ctx, args, arrays, out, scalar, out_counter):
    """``Node._note_saved`` for an ArrayFunction, whose saved values are arrays (the fast
    path): per saved value, (OUTPUT or INPUT, index, version counter, version) when it is
    the output's or a Tensor argument's data, else None.  A 0-d output forward saved as a
    numpy scalar is saved as the output array instead (so it is the output's data)."""
    saved, info = ctx._saved, []
    k = 0
    for value in saved:
        entry = None
        if value is out or (value is scalar and scalar is not None):
            if value is not out:
                ctx._saved = saved = tuple([out if v is scalar else v for v in saved])
            entry = (OUTPUT, 0, out_counter, out_counter[0])
        elif value is not None:
            # ops mostly save their arguments in order: look at position k first
            i = k if k < len(arrays) and arrays[k] is value else _position(value, arrays)
            if i is not None and arrays[i] is not args[i]:  # a Tensor's data, not a bare array argument
                counter = args[i]._version_counter
                entry = (INPUT, i, counter, counter[0])
        info.append(entry)
        k += 1
    ctx._saved_info = info


def _position(value, arrays):
    for i, array in enumerate(arrays):
        if array is value:
            return i
    return None


class Function(_FunctionBase):
    """Base class of a user's differentiable operation, with torch's contract (see the module
    docstring).  ``forward`` may also be written without ``ctx``, with a ``setup_context(ctx,
    inputs, output)`` beside it, as in torch 2."""

    @classmethod
    def apply(cls, *args, **kwargs):
        if kwargs:
            raise TypeError(f"{cls.__name__}.apply() takes no keyword arguments")
        needs = tuple([isinstance(a, Tensor) and a._requires_grad for a in args])
        record = state.enabled and True in needs
        ctx = cls._node_class()
        ctx.needs_input_grad = needs
        with no_grad():
            if cls.setup_context is not Function.setup_context:
                output = cls.forward(*args)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args)
        is_tuple = isinstance(output, tuple)
        outputs = list(output) if is_tuple else [output]
        dirty = ctx.__dict__.get("_dirty", ())
        for nr, out in enumerate(outputs):
            if isinstance(out, Tensor) and any(out is a for a in args) and not any(out is d for d in dirty):
                outputs[nr] = _alias(out)  # an input returned as it is: a new Tensor on the same data
        if record:
            _connect(cls, ctx, args, needs, outputs, dirty)
        return tuple(outputs) if is_tuple else outputs[0]

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not overridden")

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("You must implement the jvp function for custom autograd.Function to use "
                                  "it with forward mode AD.")

    vjp = _FunctionBase.backward


def _alias(t):
    view = Tensor._wrap(t._data)
    view._version_counter = t._version_counter
    view._base = t._base if t._base is not None else t
    return view


def _connect(cls, ctx, args, needs, outputs, dirty):
    """Make ``ctx`` the grad_fn of a user Function's differentiable outputs."""
    for d in dirty:
        if d._requires_grad and d.grad_fn is None and d._base is None:
            raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
    ctx.next_edges = _edges(args, needs, Tensor)
    ctx._seq = next_seq()
    ctx.num_outputs = len(outputs)
    ctx._output_meta = tuple([(o._data.shape, o._data.dtype) if isinstance(o, Tensor) else None
                              for o in outputs])
    ctx._out_meta = ctx._output_meta[0]
    non_differentiable = ctx.__dict__.get("_non_differentiable", ())
    for nr, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            continue
        if any(out is n for n in non_differentiable) or out._data.dtype.kind != "f":
            out._requires_grad = False
            continue
        out.grad_fn, out._output_nr, out._requires_grad = ctx, nr, True
        if any(out is d for d in dirty):
            out._version_counter[0] += 0  # forward's in-place op already bumped it
    if ctx._saved:
        ctx._note_saved(args, outputs)
    ctx._as_tensors = True
    if state.anomaly:
        _remember_trace(ctx)


def _remember_trace(ctx):
    import traceback
    ctx._trace = "".join(traceback.format_stack()[:-3])


def once_differentiable(backward):
    """Decorator for a backward that is not itself differentiable: it runs without recording,
    and a gradient computed from it under create_graph raises when differentiated."""
    import functools

    @functools.wraps(backward)
    def wrapper(ctx, *grad_outputs):
        with no_grad():
            return backward(ctx, *grad_outputs)
    return wrapper
