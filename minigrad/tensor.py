"""``Tensor``: a numpy array plus its place in the graph.

A Tensor holds its values in ``_data`` (a numpy array).  If it was made by an
operation while grad mode was on and some input required grad, ``grad_fn`` is
the graph node (a ``Context``) that produced it; leaves have ``grad_fn=None``.
Every method below that computes something hands the work to a ``Function`` in
``minigrad/ops``: that is where each forward and its backward live.
"""
import warnings
import weakref
from collections import OrderedDict

import numpy as np

from minigrad import (dtypes, tensor_inplace, tensor_math, tensor_math_extra, tensor_reduce_extra,
                      tensor_select_extra, tensor_shape, tensor_shape_extra)
from minigrad.device import CPU as _CPU, NO_DEVICE as _NO_DEVICE


_NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be "
    "populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf "
    "Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure "
    "you access the leaf Tensor instead.")


class Tensor(tensor_math_extra.TensorMathExtra, tensor_math.TensorMath, tensor_shape.TensorShape,
             tensor_inplace.TensorInplace, tensor_shape_extra.TensorShapeExtra):
    __slots__ = ("_data", "_requires_grad", "_grad", "grad_fn", "_version_counter", "_base",
                 "_output_nr", "_leaf_edge", "_hooks", "__weakref__")
    __array_priority__ = 1000  # `array * tensor` defers to Tensor.__rmul__, as with torch

    def __init__(self, data=(), requires_grad=False):
        """``minigrad.Tensor(data)`` makes a float32 tensor, as ``torch.Tensor(data)`` does.
        Prefer ``minigrad.tensor(data, dtype=...)``, which infers the dtype."""
        if isinstance(data, Tensor):
            data = data._data
        self._data = np.array(data, dtype=np.float32)
        self._grad = None
        self.grad_fn = None
        self._version_counter = [0]
        self._base = None
        self._output_nr = 0
        self._leaf_edge = self._hooks = None
        self._requires_grad = False
        self.requires_grad = requires_grad

    @classmethod
    def _wrap(cls, array):
        """Fast internal constructor around an existing array (no copy, no checks)."""
        t = object.__new__(cls)
        t._data = array if type(array) is np.ndarray else np.asarray(array)
        t._requires_grad = False
        t._grad = None
        t.grad_fn = None
        t._version_counter = [0]
        t._base = None
        t._output_nr = 0
        t._leaf_edge = t._hooks = None
        return t

    # ------------------------------------------------------------------ attributes
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        flag = bool(flag)
        if self.grad_fn is not None and not flag:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().")
        if flag and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self._requires_grad = flag

    def requires_grad_(self, requires_grad=True):
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def shape(self):
        return self._data.shape

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    @property
    def dtype(self):
        return dtypes.from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        return _CPU

    is_cpu = True
    is_cuda = False
    is_mps = False

    @property
    def _version(self):
        return self._version_counter[0]

    def size(self, dim=None):
        if dim is None:
            return self._data.shape
        return self._data.shape[tensor_math._normalize_dim(dim, self._data.ndim)]

    def numel(self):
        return self._data.size

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    @property
    def data(self):
        """The same values, detached from the graph (and, as in torch, unseen by version checks)."""
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, other):
        self._data = other._data if isinstance(other, Tensor) else np.asarray(other)

    # ------------------------------------------------------------------ conversions
    def numpy(self):
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and np.dtype(dtype) != self._data.dtype:
            return self._data.astype(dtype)
        return self._data.copy() if copy else self._data

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    __hash__ = object.__hash__

    def detach(self):
        """A tensor with the same values (shared memory), cut from the graph."""
        t = Tensor._wrap(self._data)
        t._version_counter = self._version_counter
        return t

    def detach_(self):
        if self._base is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._requires_grad = False
        return self

    def to(self, *args, dtype=None, **kwargs):
        """``t.to(minigrad.float64)``, ``t.to("cpu")``, ``t.to(other)``; a non-CPU device raises RuntimeError."""
        dtype = dtypes.dtype_from_to_args(args, dtype, **kwargs)
        if dtype is None or dtype.numpy == self._data.dtype:
            return self
        if dtype.numpy.kind != "f":  # integers and bools are outside the graph, as in torch
            return Tensor._wrap(self._data.astype(dtype.numpy))
        return _ops.elementwise.Cast.apply(self, dtype.numpy)

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def half(self):
        return self.to(dtypes.float16)

    def long(self):
        return self.to(dtypes.int64)

    def int(self):
        return self.to(dtypes.int32)

    def bool(self):
        return self.to(dtypes.bool)

    def cpu(self):
        return self

    def cuda(self, device=None, non_blocking=False):
        raise RuntimeError(_NO_DEVICE)

    def clone(self, *, memory_format=None):
        return _ops.elementwise.Clone.apply(self)

    def contiguous(self):
        return self if self._data.flags.c_contiguous else self.clone()

    def is_contiguous(self):
        return self._data.flags.c_contiguous

    # ------------------------------------------------------------------ autograd
    @property
    def grad(self):
        """The gradient accumulated by backward (leaves, and non-leaves that retain_grad())."""
        if self._grad is None and self.grad_fn is not None and not self.retains_grad:
            warnings.warn(_NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Add d(self)/d(leaf) to ``leaf.grad`` for every leaf that requires grad (the chain
        rule, walked in ``autograd/engine.py``).  ``create_graph=True`` records the backward
        pass too, so the gradients can be differentiated again."""
        _engine.backward(self, gradient, retain_graph, create_graph, inputs)

    def _grad_edge(self):
        """Where a gradient for this tensor goes: ``(grad_fn, output_nr)``, or for a leaf
        ``(its AccumulateGrad node, 0)``, made on first use and kept by the leaf."""
        if self.grad_fn is not None:
            return (self.grad_fn, self._output_nr)
        if self._leaf_edge is None:
            node = _new_node(_node.AccumulateGrad)  # AccumulateGrad(), without a Python __init__ call
            node._variable = weakref.ref(self)
            node._seq = _node.next_seq()
            self._leaf_edge = (node, 0)
        return self._leaf_edge

    def register_hook(self, hook):
        """``hook(grad) -> Tensor or None`` runs when the gradient w.r.t. this tensor has been
        computed; a returned Tensor replaces it.  Returns a handle with ``.remove()``."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = {}
            hooks = self._hooks.setdefault("grad", OrderedDict())
        else:
            node = self.grad_fn
            node._hooked = True
            if node._tensor_hooks is None:
                node._tensor_hooks = {}
            hooks = node._tensor_hooks.setdefault(self._output_nr, OrderedDict())
        return _node._add_hook(hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """``hook(tensor)`` runs after a leaf's ``.grad`` has been updated."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if self._hooks is None:
            self._hooks = {}
        return _node._add_hook(self._hooks.setdefault("post", OrderedDict()), hook)

    def _tensor_hooks(self):
        return self._hooks.get("grad") if self._hooks else None

    def _post_accumulate_hooks(self):
        return self._hooks.get("post") if self._hooks else None

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward (leaves always keep it)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            node = self.grad_fn
            node._hooked = True
            if node._retained is None:
                node._retained = {}
            node._retained[self._output_nr] = weakref.ref(self)

    @property
    def retains_grad(self):
        if self.grad_fn is None or not self.grad_fn._retained:
            return False
        kept = self.grad_fn._retained.get(self._output_nr)
        return kept is not None and kept() is self

    def __repr__(self):
        return _format.tensor_repr(self)

    def __reduce__(self):
        return (_rebuild, (self._data, self._requires_grad))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.")
        t = type(self).__new__(type(self))
        Tensor.__init__(t, ())
        t._data = self._data.copy()
        t._requires_grad = self._requires_grad
        t.grad = None if self.grad is None else Tensor._wrap(self.grad._data.copy())
        memo[id(self)] = t
        return t


_new_node = object.__new__


def _rebuild(data, requires_grad):
    t = Tensor._wrap(data)
    t._requires_grad = requires_grad
    return t


# The ops and the engine build on Tensor, so they are imported once it exists.
from minigrad import _format  # noqa: E402
from minigrad import ops as _ops  # noqa: E402
from minigrad.autograd import engine as _engine  # noqa: E402
from minigrad.autograd import node as _node  # noqa: E402

tensor_math.ops = tensor_shape.ops = tensor_inplace.ops = _ops
tensor_math_extra.ops = tensor_reduce_extra.ops = _ops
tensor_shape_extra.ops = tensor_select_extra.ops = _ops
