"""``Module`` and ``Parameter``: the containers a model is built from, as in torch.nn.

A Module registers every ``Parameter``, sub-``Module`` and buffer assigned to it
as an attribute, in assignment order.  That order gives ``parameters()``, the
``state_dict()`` keys (``"0.weight"``, ``"encoder.fc.bias"``, ...) and the repr.

Registered values are kept in ``_parameters`` / ``_buffers`` / ``_modules`` *and*
in the instance ``__dict__``, so ``self.fc1`` is a plain attribute lookup (torch
routes it through ``__getattr__``, which costs a call on every access).  Hooks: module_hooks.py.
"""
from collections import OrderedDict, namedtuple

import numpy as np

from minigrad import dtypes
from minigrad.autograd import grad_mode
from minigrad.nn.module_hooks import ModuleHooks
from minigrad.tensor import Tensor


class Parameter(Tensor):
    """A Tensor that a Module registers as a learnable weight (``requires_grad=True`` by default).

    ``Parameter(t)`` shares ``t``'s array (no copy) and keeps its dtype."""

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            array = np.empty(0, dtype=dtypes.default_float.numpy)
        elif isinstance(data, Tensor):
            array = data._data
        else:
            array = np.asarray(data)
        self._data = array
        self._grad = None
        self.grad_fn = None
        self._version_counter = [0]
        self._base = None
        self._output_nr = 0
        self._leaf_edge = self._hooks = None
        self._requires_grad = False
        self.requires_grad = requires_grad

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce__(self):
        return (Parameter, (Tensor._wrap(self._data), self._requires_grad))


_IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


def _addindent(text, spaces):
    """Indent every line but the first (torch's helper for nested reprs)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


def _shape_str(shape):
    return f"minigrad.Size({list(shape)})"


#: the array kinds a state-dict value may have (bool, ints, floats, complex)
_NUMERIC_KINDS = "biufc"


def unsupported_array_message(array):
    """torch's words for an array it cannot convert to a tensor (``torch.as_tensor`` of a
    numpy string array, checked with torch 2.13.0), or None for a numeric array."""
    if array.dtype.kind in _NUMERIC_KINDS:
        return None
    return (f"can't convert np.ndarray of type numpy.{array.dtype.type.__name__}. The only supported "
            "types are: float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
            "uint64, uint32, uint16, uint8, and bool.")


def _loadable_array(key, source, target):
    """``(array, None)``: ``source`` as an array with ``target``'s shape and dtype, ready to be
    copied; or ``(None, message)`` in torch's words when it cannot be loaded into ``target``.

    As torch, a 1-element 1-d value loads into a 0-d entry (checkpoints from before 0-d
    tensors existed); numbers and bools are cast like ``copy_`` (complex drops the imaginary
    part with numpy's ComplexWarning, as torch warns)."""
    if not isinstance(source, (Tensor, np.ndarray)):
        return None, (f'While copying the parameter named "{key}", expected minigrad.Tensor or '
                      f"Tensor-like object from checkpoint but received {type(source)}")
    array = source._data if isinstance(source, Tensor) else source
    unsupported = unsupported_array_message(array)
    if unsupported:
        return None, f'While copying the parameter named "{key}", {unsupported}'
    if target.ndim == 0 and array.shape == (1,):
        array = array.reshape(())
    if array.shape != target.shape:
        return None, (f"size mismatch for {key}: copying a param with shape {_shape_str(array.shape)} "
                      f"from checkpoint, the shape in current model is {_shape_str(target.shape)}.")
    if array.dtype != target.dtype:
        array = array.astype(target.dtype)   # before any copy: a failure here changes nothing
    return array, None


def clear_grads(params, set_to_none=True):
    """Drop each parameter's ``.grad`` (set_to_none) or fill it with zeros in place;
    ``Module.zero_grad`` and ``Optimizer.zero_grad`` both come here."""
    for p in params:
        grad = p._grad  # (parameters are leaves: no non-leaf .grad warning to check for)
        if grad is None:
            continue
        if set_to_none:
            p._grad = None
        else:
            grad._data[...] = 0
            grad._version_counter[0] += 1


class Module(ModuleHooks):
    """Base class of every layer and model: subclass it, assign layers in ``__init__``,
    compute in ``forward``, and call the module like a function."""

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() takes no arguments")
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent_buffers"] = set()
        d["_modules"] = OrderedDict()

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args, **kwargs):
        if self._has_hooks:  # forward/backward hooks: see module_hooks.py
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name, value):
        d = self.__dict__
        if "_parameters" not in d:
            if isinstance(value, (Parameter, Module)):
                raise AttributeError("cannot assign parameters or modules before Module.__init__() call")
            object.__setattr__(self, name, value)
            return
        params, modules, buffers = d["_parameters"], d["_modules"], d["_buffers"]
        if isinstance(value, Parameter):
            self._forget(name, keep=params)  # reassigning keeps the entry's place in the order
            params[name] = value
        elif isinstance(value, Module):
            self._forget(name, keep=modules)
            modules[name] = value
        elif name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                "(minigrad.nn.Parameter or None expected)")
            params[name] = None
        elif name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' "
                                "(minigrad.nn.Module or None expected)")
            modules[name] = None
        elif name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                                "(minigrad.Tensor or None expected)")
            buffers[name] = value
        d[name] = value

    def __getattr__(self, name):
        """Only reached when ``name`` is not in ``__dict__``: e.g. after code that, as some torch
        code does, wrote straight into ``_modules`` / ``_parameters`` / ``_buffers``."""
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            values = d.get(registry)
            if values is not None and name in values:
                return values[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        self._forget(name)
        object.__delattr__(self, name)

    def _forget(self, name, keep=None):
        """Drop ``name`` from every registry but ``keep`` (before it is registered again)."""
        for registry in (self._parameters, self._modules, self._buffers):
            if registry is not keep:
                registry.pop(name, None)
        self._non_persistent_buffers.discard(name)

    def register_parameter(self, name, param):
        if "." in name or name == "":
            raise KeyError(f'parameter name can\'t contain "." or be empty, got "{name}"')
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                            "(minigrad.nn.Parameter or None required)")
        self._forget(name, keep=self._parameters)
        self._parameters[name] = param
        self.__dict__[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """A tensor that belongs to the module's state (saved, moved by ``to``) but is not trained."""
        if "." in name or name == "":
            raise KeyError(f'buffer name can\'t contain "." or be empty, got "{name}"')
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                            "(minigrad.Tensor or None required)")
        self._forget(name, keep=self._buffers)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent_buffers.add(name)
        self.__dict__[name] = tensor

    def add_module(self, name, module):
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        if "." in str(name) or name == "":
            raise KeyError(f'module name can\'t contain "." or be empty, got "{name}"')
        name = str(name)
        self._forget(name, keep=self._modules)
        self._modules[name] = module
        self.__dict__[name] = module

    register_module = add_module

    def get_submodule(self, target):
        module = self
        for item in target.split(".") if target else ():
            if item not in module._modules:
                raise AttributeError(f"{module._get_name()} has no attribute `{item}`")
            module = module._modules[item]
        return module

    # ------------------------------------------------------------------ traversal
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """(name, module) for this module and every descendant, depth-first in registration order."""
        memo = set() if memo is None else memo
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry, prefix, recurse, remove_duplicate=True):
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or (remove_duplicate and value in seen):
                    continue
                seen.add(value)
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, Parameter) pairs, each shared Parameter once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn):
        """Call ``fn(module)`` on every submodule (children first) and on self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ modes and gradients
    def train(self, mode=True):
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            module.__dict__["training"] = mode
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Clear every parameter's ``.grad``: drop it (default, as torch) or fill it with zeros."""
        clear_grads(self.parameters(), set_to_none)

    # ------------------------------------------------------------------ dtype
    def _apply_to_arrays(self, convert):
        """Replace the array of every parameter, grad and floating buffer by ``convert(array)``,
        keeping the Parameter objects themselves (so optimizers still hold them)."""
        for module in self.modules():
            for p in module._parameters.values():
                if p is None:
                    continue
                p._data = convert(p._data)
                p._version_counter[0] += 1
                if p.grad is not None:
                    p.grad._data = convert(p.grad._data)
            for name, b in module._buffers.items():
                if b is not None and b._data.dtype.kind == "f":
                    b._data = convert(b._data)
        return self

    def to(self, *args, dtype=None, **kwargs):
        """``module.to(minigrad.float64)``, ``module.to("cpu")``; a non-CPU device raises RuntimeError."""
        target = dtypes.dtype_from_to_args(args, dtype, **kwargs)
        if target is None:
            return self
        if not target.is_floating_point:
            raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired dtype={target}")
        np_dtype = target.numpy
        return self._apply_to_arrays(lambda a: a if a.dtype == np_dtype or a.dtype.kind != "f"
                                     else a.astype(np_dtype))

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def half(self):
        return self.to(dtypes.float16)

    def type(self, dst_type):
        return self.to(dst_type)

    def cpu(self):
        return self

    def cuda(self, device=None):
        from minigrad.device import NO_DEVICE
        raise RuntimeError(NO_DEVICE)
    # ------------------------------------------------------------------ state dict
    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """An OrderedDict from dotted names to tensors sharing memory with the parameters and
        persistent buffers (detached unless ``keep_vars=True``)."""
        out = OrderedDict() if destination is None else destination
        for key, value in self._state_entries(prefix.rstrip(".")):
            out[key] = value if keep_vars else value.detach()
        return out

    def _state_entries(self, prefix=""):
        """(key, tensor) for every entry state_dict holds, in its order."""
        entries = []
        for module_prefix, module in self.named_modules(prefix=prefix):
            dot = module_prefix + "." if module_prefix else ""
            entries += [(dot + name, p) for name, p in module._parameters.items() if p is not None]
            entries += [(dot + name, b) for name, b in module._buffers.items()
                        if b is not None and name not in module._non_persistent_buffers]
        return entries

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy values from ``state_dict`` into the parameters and buffers.

        Every entry is checked before anything is copied: missing and unexpected keys
        (when ``strict``), the type (a Tensor or ndarray), the shape and the dtype (numbers
        and bools are cast to the parameter's dtype, as torch's ``copy_``; strings, objects,
        dates are refused).  If anything is wrong, one RuntimeError lists every problem
        and the module is left untouched.  Returns ``(missing_keys, unexpected_keys)``."""
        if assign:
            raise NotImplementedError("load_state_dict(assign=True) is not supported: values are copied")
        if not hasattr(state_dict, "keys"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        entries = self._state_entries()
        own_keys = {key for key, _ in entries}
        missing = [key for key, _ in entries if key not in state_dict]
        unexpected = [key for key in state_dict.keys() if key not in own_keys]
        errors, copies = [], []
        for key, target in entries:
            if key in state_dict:
                array, error = _loadable_array(key, state_dict[key], target._data)
                if error:
                    errors.append(error)
                else:
                    copies.append((target, array))
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected)))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in missing)))
        if errors:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                type(self).__name__, "\n\t".join(errors)))
        with grad_mode.no_grad():
            for target, array in copies:     # same shape and dtype: copying cannot fail
                np.copyto(target._data, array)
                target._version_counter[0] += 1
        return _IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ repr
    def extra_repr(self):
        """The text inside the parentheses of this module's repr (its settings)."""
        return ""

    def _get_name(self):
        return type(self).__name__

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({key}): " + _addindent(repr(module), 2) for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"
