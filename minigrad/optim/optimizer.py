"""``Optimizer``: the base of SGD, Adam and AdamW, with torch's parameter groups and state dicts.

An optimizer holds ``param_groups`` (a list of dicts: ``"params"`` plus that group's
hyper-parameters) and ``state`` (a dict from each parameter to its buffers, e.g.
``{"momentum_buffer": Tensor}``).  Subclasses implement ``step``: it changes each
parameter's array in place, inside ``no_grad``, and bumps the parameter's version
counter so a graph that saved the old value notices.
"""
import copy
import warnings
from collections import defaultdict

import numpy as np

from minigrad.autograd import grad_mode
from minigrad.nn.module import clear_grads, unsupported_array_message
from minigrad.tensor import Tensor


class _RequiredParameter:
    """Marks a hyper-parameter (lr of SGD) that has no default."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer:
    """Base class: ``Optimizer(params, defaults)`` where params is an iterable of Tensors,
    of ``(name, Tensor)`` pairs, or of dicts that define parameter groups."""

    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {_type_name(params)}")
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add a group (a dict with "params" and optional per-group hyper-parameters)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering "
                            "of tensors in sets will change between runs. Please use a list instead.")
        else:
            params = list(params)
        group = dict(param_group)
        if params and isinstance(params[0], tuple):  # named_parameters()
            group["param_names"] = [name for name, _ in params]
            params = [p for _, p in params]
        group["params"] = params
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {_type_name(p)}")
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            group.setdefault(name, default)
        if len({id(p) for p in params}) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error; see github.com/pytorch/pytorch/issues/40967 "
                          "for more information", stacklevel=3)
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if existing & {id(p) for p in params}:
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        """Clear every parameter's gradient: drop it (default, as torch) or fill it with zeros."""
        for group in self.param_groups:
            clear_grads(group["params"], set_to_none)

    def step(self, closure=None):
        raise NotImplementedError

    def _evaluate(self, closure):
        """Run a closure that recomputes the loss (with grad on, as torch does)."""
        if closure is None:
            return None
        with grad_mode.enable_grad():
            return closure()

    # ------------------------------------------------------------------ state dict
    def state_dict(self):
        """``{"state": {index: {...}}, "param_groups": [{..., "params": [index, ...]}]}``: parameters
        are numbered in group order, as torch does; state tensors are returned, not copied."""
        index_of, next_index = {}, 0
        packed_groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                if id(p) not in index_of:
                    index_of[id(p)] = next_index
                    next_index += 1
            packed["params"] = [index_of[id(p)] for p in group["params"]]
            packed_groups.append(packed)
        state = {index_of[id(p)]: s for p, s in self.state.items() if id(p) in index_of}
        return {"state": state, "param_groups": packed_groups}

    def load_state_dict(self, state_dict):
        """Restore state and hyper-parameters saved by ``state_dict``.  Buffers are copied and cast
        to their parameter's dtype (except ``step``).  Everything is checked and converted before
        anything changes: on any error the optimizer is exactly as it was."""
        if not hasattr(state_dict, "keys"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        groups = self.param_groups
        saved_groups = state_dict["param_groups"]
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        param_of = {}
        for g, s in zip(groups, saved_groups):
            for index, p in zip(s["params"], g["params"]):
                param_of[index] = p
        new_state, problems = defaultdict(dict), []
        for index, saved in state_dict["state"].items():
            p = param_of.get(index)
            if p is not None:
                new_state[p] = _loaded_param_state(index, saved, p, problems)
        if problems:
            raise ValueError("loaded optimizer state does not fit the parameters:\n\t" + "\n\t".join(problems))
        new_groups = [dict(copy.deepcopy({k: v for k, v in s.items() if k != "params"}), params=g["params"])
                      for g, s in zip(groups, saved_groups)]
        self.state = new_state
        self.param_groups = new_groups

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __repr__(self):
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}"
            for key in sorted(group):
                if key != "params":
                    text += f"\n    {key}: {group[key]}"
        return text + "\n)"


def _loaded_param_state(index, saved, p, problems):
    """The state of parameter ``p`` rebuilt from its saved entry: arrays copied (cast to ``p``'s
    dtype, except ``step``), other values deep-copied.  Problems are appended to ``problems``."""
    entry = {}
    for key, value in saved.items():
        if isinstance(value, (Tensor, np.ndarray)):
            array = value._data if isinstance(value, Tensor) else value
            unsupported = unsupported_array_message(array)
            if unsupported:
                problems.append(f"state {key!r} of parameter {index}: {unsupported}")
                continue
            if key != "step" and array.ndim != 0 and array.shape != p.shape:  # 0-d: NAdam's mu_product
                problems.append(f"state {key!r} of parameter {index} has shape {tuple(array.shape)}, "
                                f"but the parameter has shape {tuple(p.shape)}")
                continue
            dtype = array.dtype if key == "step" else p._data.dtype
            value = Tensor._wrap(np.array(array, dtype=dtype, order="C", copy=True))
        else:
            value = copy.deepcopy(value)
        entry[key] = value
    return entry


def _type_name(obj):
    return f"minigrad.{type(obj).__name__}" if isinstance(obj, Tensor) else type(obj).__name__


def step_counter():
    """A 0-d float32 Tensor holding 0, as torch keeps ``state["step"]``."""
    return Tensor._wrap(np.zeros((), dtype=np.float32))


def zeros_state(like):
    """A C-contiguous zero Tensor shaped and typed like the array ``like`` (a moment buffer)."""
    return Tensor._wrap(np.zeros(like.shape, dtype=like.dtype))

