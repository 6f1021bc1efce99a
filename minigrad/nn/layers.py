"""Layers: Linear, the activations, Dropout, Flatten, Identity and Sequential.

Each layer's ``forward`` is one call into ``minigrad.nn.functional`` (where the
graph node is made); the layer itself only holds parameters and settings.
"""
import math
from collections import OrderedDict

from minigrad import dtypes
from minigrad.autograd import grad_mode
from minigrad.creation import empty
from minigrad.nn import functional as F
from minigrad.nn import init
from minigrad.nn.module import Module, Parameter


class Identity(Module):
    """Returns its input unchanged (arguments are accepted and ignored, as in torch)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):  # noqa: A002 - torch's argument name
        return input


class Linear(Module):
    """y = x Wᵀ + b.  x: (*, in_features) -> y: (*, out_features).

    ``weight`` is (out_features, in_features) and ``bias`` (out_features,), initialised
    as torch does: both U(-1/√in_features, 1/√in_features) (kaiming_uniform_ with a=√5
    for the weight), drawn from minigrad's seeded generator."""

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        np_dtype = dtypes.to_dtype(dtype) if dtype is not None else None
        self.weight = Parameter(empty((out_features, in_features), dtype=np_dtype))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=np_dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        with grad_mode.no_grad():
            init.kaiming_uniform_(self.weight, a=math.sqrt(5))
            if self.bias is not None:
                fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
                bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
                init.uniform_(self.bias, -bound, bound)

    def forward(self, input):  # noqa: A002
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class ReLU(Module):
    """max(x, 0)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """x for x > 0, negative_slope·x otherwise."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Tanh(Module):
    def forward(self, input):  # noqa: A002
        return input.tanh()


class Sigmoid(Module):
    def forward(self, input):  # noqa: A002
        return input.sigmoid()


class Dropout(Module):
    """Zeroes each element with probability p while training and scales the rest by 1/(1-p);
    does nothing in eval mode."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Flatten(Module):
    """Merges dims start_dim..end_dim: (N, C, H, W) -> (N, C·H·W) with the defaults."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):  # noqa: A002
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Sequential(Module):
    """Calls its modules in order, each on the previous one's output.

    ``Sequential(a, b, c)`` names them "0", "1", "2"; ``Sequential(OrderedDict(...))`` uses
    the given names.  Supports ``len``, iteration, ``seq[i]``, ``seq[1:]`` (a new Sequential),
    ``append`` and ``insert``."""

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for index, module in enumerate(args):
                self.add_module(str(index), module)

    def forward(self, input):  # noqa: A002
        for module in self._modules.values():
            input = module(input)
        return input

    def _index(self, idx):
        n = len(self._modules)
        idx = idx.__index__()
        if not -n <= idx < n:
            raise IndexError(f"index {idx} is out of range")
        return idx % n

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return Sequential(OrderedDict(list(self._modules.items())[idx]))
        return list(self._modules.values())[self._index(idx)]

    def __setitem__(self, idx, module):
        key = list(self._modules.keys())[self._index(idx)]
        setattr(self, key, module)

    def __delitem__(self, idx):
        if isinstance(idx, slice):
            keys = list(self._modules.keys())[idx]
        else:
            keys = [list(self._modules.keys())[self._index(idx)]]
        for key in keys:
            delattr(self, key)
        # renumber so the names stay 0..n-1, as torch does
        modules = list(self._modules.values())
        for key in list(self._modules.keys()):
            delattr(self, key)
        for index, module in enumerate(modules):
            self.add_module(str(index), module)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        n = len(self._modules)
        if not -n <= index <= n:
            raise IndexError(f"Index out of range: {index}")
        index %= n + 1
        modules = list(self._modules.values())
        modules.insert(index, module)
        for key in list(self._modules.keys()):
            delattr(self, key)
        for i, m in enumerate(modules):
            self.add_module(str(i), m)
        return self
