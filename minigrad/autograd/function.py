"""``Function``: one differentiable operation, and ``Context``: its node in the graph.

Every operation in minigrad, built-in or written by a user, is a subclass of
``Function`` with two static methods, exactly as in PyTorch::

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):              # x is a numpy array
            y = np.exp(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_output):   # an array shaped like forward's result
            (y,) = ctx.saved_tensors
            return grad_output * y        # d/dx e^x = e^x

    y = Exp.apply(x)                      # x, y are Tensors

``forward`` receives the inputs as numpy arrays (non-tensor arguments pass
through unchanged) and returns one array.  ``backward`` returns one gradient per
``forward`` argument (``None`` for arguments that need none).  Gradients may come
back with the *broadcast* shape: the engine sums them down to the input's shape
in one place (``engine.unbroadcast``), so no op has to think about broadcasting.
A backward must not modify ``grad_output`` in place: it may be shared.
"""
from minigrad.autograd import grad_mode
from minigrad.tensor import Tensor

_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")


class Context:
    """A node of the graph: the inputs of one call, and what forward saved for backward.

    ``grad_fn`` of a Tensor is its Context.  It holds the input Tensors (to walk the
    graph) but never the output Tensor, so the graph has no reference cycles and is
    released by reference counting as soon as the last output is dropped.
    """
    # defaults, shadowed per node only when used (keeps creating a node cheap)
    inputs = ()                 # forward's arguments, Tensors among them
    _saved = None               # what forward saved for backward
    _saved_versions = None      # [(version counter, value when saved, index)]
    _freed = False
    _retained = None            # weakref to an output that called retain_grad()

    def __init__(self, fn, needs_input_grad=()):
        self.fn = fn                      # the Function subclass
        self.needs_input_grad = needs_input_grad

    def save_for_backward(self, *arrays):
        self._saved = arrays

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE)
        if self._saved_versions:
            for counter, version, index in self._saved_versions:
                if counter[0] != version:
                    raise RuntimeError(
                        "one of the variables needed for gradient computation has been modified by an "
                        f"inplace operation: saved tensor {index} of {self.name()} is at version "
                        f"{counter[0]}; expected version {version} instead.")
        return self._saved if self._saved is not None else ()

    def name(self):
        return self.fn.__name__ + "Backward"

    def __repr__(self):
        return f"<{self.name()}>"

    @property
    def next_functions(self):
        """The nodes feeding this one, as (node, 0) pairs like torch; leaves show as None."""
        return tuple((t.grad_fn, 0) for t in self.inputs if isinstance(t, Tensor))

    def release(self):
        """Drop what forward saved (called by backward unless retain_graph=True)."""
        if self._saved is not None:
            self._saved = None
            self._freed = True

    def _note_saved_versions(self, inputs, out_counter, out_array):
        """Remember the version of every saved array that is an input's or the output's data,
        so that an in-place change made before backward is caught instead of giving a wrong grad."""
        versions = []
        for index, saved in enumerate(self._saved):
            if saved is out_array:
                versions.append((out_counter, out_counter[0], index))
                continue
            for t in inputs:
                if isinstance(t, Tensor) and t._data is saved:
                    versions.append((t._version_counter, t._version_counter[0], index))
                    break
        self._saved_versions = versions


class Function:
    """Base class of every differentiable operation.  Subclasses define the two static
    methods ``forward(ctx, *args)`` and ``backward(ctx, grad_output)``."""

    #: True for ops whose result is a view of their first input (reshape, transpose,
    #: basic indexing, ...): the result then shares the input's version counter, so an
    #: in-place change through either is seen by both.
    returns_view = False

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args):
        """Run ``forward`` on the arrays of ``args``; record a node if grad mode is on and
        some input requires grad.  Returns the output Tensor."""
        needs = tuple([isinstance(a, Tensor) and a._requires_grad for a in args])
        record = grad_mode._grad_enabled and True in needs
        ctx = Context(cls, needs if record else (False,) * len(args))
        out = cls.forward(ctx, *[a._data if isinstance(a, Tensor) else a for a in args])
        result = Tensor._wrap(out)
        if cls.returns_view:
            base = args[0]
            result._version_counter = base._version_counter
            result._base = base._base if base._base is not None else base
        if record:
            ctx.inputs = args
            result._requires_grad = True
            result.grad_fn = ctx
            if ctx._saved:
                ctx._note_saved_versions(args, result._version_counter, out)
        return result
