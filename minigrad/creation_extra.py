"""Making tensors from tensors, and random sampling, with torch's names and rules.

Tensor methods (``new_zeros``, ``type``, ``element_size``, ``multinomial``, ``bernoulli``,
the in-place samplers ``uniform_`` / ``normal_`` / ``bernoulli_`` / ``exponential_`` /
``random_``, ``fill_diagonal_``, ``apply_``) in the mixin ``TensorCreationExtra``, and the
free functions ``normal``, ``bernoulli``, ``multinomial``, ``randint_like``.

Random values come from minigrad's seeded generator (``minigrad/random.py``): the same
distributions as torch's, not the same streams.
"""
import numpy as np

from minigrad import dtypes
from minigrad.autograd import grad_mode
from minigrad.random import numpy_generator
from minigrad.tensor_math import _as_tensor, _shape_args, _torch_type_name

# torch's legacy type names: 'torch.FloatTensor' and friends
_TYPE_NAMES = {"Float": dtypes.float32, "Double": dtypes.float64, "Half": dtypes.float16, "Long": dtypes.int64,
               "Int": dtypes.int32, "Short": dtypes.int16, "Char": dtypes.int8, "Byte": dtypes.uint8,
               "Bool": dtypes.bool}


def _wrap(array, requires_grad=False):
    from minigrad.tensor import Tensor
    t = Tensor._wrap(np.asarray(array))
    if requires_grad:
        t.requires_grad_()
    return t


def _float_name(value):
    return f"{value:g}" if float(value) != int(value) else str(int(value))


class TensorCreationExtra:
    __slots__ = ()

    # ------------------------------------------------------------- new tensors like self
    def _new(self, array, dtype, requires_grad):
        dt = self._data.dtype if dtype is None else dtypes.to_dtype(dtype).numpy
        return _wrap(np.asarray(array).astype(dt), requires_grad)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        data = data._data.copy() if hasattr(data, "_data") else np.array(data)
        return self._new(data, dtype, requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new(np.zeros(_shape_args(size)), dtype, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return self._new(np.ones(_shape_args(size)), dtype, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return self.new_zeros(*size, dtype=dtype, requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        dt = self._data.dtype if dtype is None else dtypes.to_dtype(dtype).numpy
        return _wrap(np.full(_shape_args((size,)), fill_value).astype(dt), requires_grad)

    # ------------------------------------------------------------- type and memory
    def type(self, dtype=None, non_blocking=False, **kwargs):
        """No argument: torch's type name ('minigrad.FloatTensor'); else a cast, the dtype given
        as a dtype or as such a name."""
        if dtype is None:
            return f"minigrad.{_torch_type_name(self._data.dtype)}Tensor"
        if isinstance(dtype, str):
            name = dtype.split(".")[-1]
            target = _TYPE_NAMES.get(name[:-len("Tensor")]) if name.endswith("Tensor") else None
            if target is None or dtype.count(".") != 1 or dtype.split(".")[0] not in ("torch", "minigrad"):
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = target
        return self.to(dtype)

    def type_as(self, other):
        return self.to(other.dtype)

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.size * self._data.itemsize

    # ------------------------------------------------------------- sampling
    def multinomial(self, num_samples, replacement=False, *, generator=None):
        """Indices drawn from the rows of self (weights, not necessarily normalized)."""
        p = self._data
        if p.dtype.kind != "f":
            raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                               f"{_torch_type_name(p.dtype)}")
        if p.ndim not in (1, 2):
            raise RuntimeError("prob_dist must be 1 or 2 dim")
        if num_samples <= 0:
            raise RuntimeError("cannot sample n_sample <= 0 samples")
        if not replacement and num_samples > p.shape[-1]:
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
        rows = p.reshape(-1, p.shape[-1]).astype(np.float64)
        if not np.isfinite(rows).all() or (rows < 0).any():
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        totals = rows.sum(-1)
        if (totals <= 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        rng = numpy_generator(generator)
        out = np.empty((rows.shape[0], num_samples), np.int64)
        for i, (row, total) in enumerate(zip(rows, totals)):
            if not replacement and num_samples > np.count_nonzero(row):
                raise RuntimeError("invalid multinomial distribution (with replacement=False, "
                                   "not enough non-negative category to sample)")
            out[i] = rng.choice(row.size, num_samples, replace=replacement, p=row / total)
        return _wrap(out.reshape(p.shape[:-1] + (num_samples,)))

    def bernoulli(self, p=None, *, generator=None):
        """0/1 draws with probability ``p`` (default: self's values), in self's dtype.
        As in torch, the result is part of the graph, with zero gradient."""
        probs = self._data if p is None else np.broadcast_to(np.asarray(_as_tensor(p)._data, np.float64),
                                                              self._data.shape)
        if probs.size and ((probs < 0) | (probs > 1)).any():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error "
                               "message be improved?  If so, please report an enhancement request to PyTorch.)")
        draws = numpy_generator(generator).random(self._data.shape) < probs
        sample = draws.astype(self._data.dtype)
        return self * 0 + _wrap(sample) if p is None and self._requires_grad else _wrap(sample)

    # ------------------------------------------------------------- in-place sampling
    def _fill_with(self, sample):
        """Write ``sample`` (an array of self's shape) into self, as torch's in-place samplers:
        a leaf that requires grad refuses; a non-leaf gets a node with zero gradient."""
        self._check_inplace()
        if grad_mode.state.enabled and self._requires_grad:
            return self._inplace(lambda s: s * 0 + _wrap(sample.astype(self._data.dtype)))
        self._data[...] = sample
        self._version_counter[0] += 1
        return self

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        if a > b:
            raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={_float_name(a)} "
                               f"> to={_float_name(b)}")
        return self._fill_with(numpy_generator(generator).uniform(a, b, self._data.shape))

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {_float_name(std)}")
        return self._fill_with(numpy_generator(generator).normal(mean, std, self._data.shape))

    def bernoulli_(self, p=0.5, *, generator=None):
        probs = np.broadcast_to(np.asarray(_as_tensor(p)._data, np.float64), self._data.shape)
        if probs.size and ((probs < 0) | (probs > 1)).any():
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_float_name(p)}"
                               if not hasattr(p, "_data") else
                               "bernoulli_ expects p to be in [0, 1], but got p outside")
        return self._fill_with(numpy_generator(generator).random(self._data.shape) < probs)

    def exponential_(self, lambd=1.0, *, generator=None):
        if lambd <= 0:
            raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_float_name(lambd)}")
        return self._fill_with(numpy_generator(generator).exponential(1.0 / lambd, self._data.shape))

    def random_(self, from_=0, to=None, *, generator=None):
        """Integers in [from, to); ``random_(to)`` is [0, to); ``random_()`` [0, 2**mantissa]
        for floats (every integer exactly representable), [0, max] for integers."""
        if to is None and from_ != 0:
            from_, to = 0, from_
        if to is None:
            kind = self._data.dtype
            to = (2 ** (np.finfo(kind).nmant + 1) + 1) if kind.kind == "f" else (
                2 if kind.kind == "b" else int(np.iinfo(kind).max) + 1)
        if from_ >= to:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={from_} >= to={to}")
        return self._fill_with(numpy_generator(generator).integers(from_, to, self._data.shape))

    def fill_diagonal_(self, fill_value, wrap=False):
        shape = self._data.shape
        if len(shape) < 2:
            raise RuntimeError("dimensions must larger than 1")
        if len(shape) > 2 and len(set(shape)) != 1:
            raise RuntimeError("all dimensions of input must be of equal length")
        mask = np.zeros(shape, dtype=bool)
        if len(shape) == 2:
            rows, cols = shape
            step = cols + 1
            end = rows * cols if (wrap and rows > cols) else min(rows, cols) * cols
            mask.reshape(-1)[:end:step] = True
        else:
            mask[(np.arange(shape[0]),) * len(shape)] = True
        value = fill_value
        if grad_mode.state.enabled and self._requires_grad and self.grad_fn is None:  # torch writes through a view
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
        self._check_inplace()
        if grad_mode.state.enabled and self._requires_grad:
            return self._inplace(lambda s: s.masked_fill(_wrap(mask), value))
        self._data[mask] = value
        self._version_counter[0] += 1
        return self

    def apply_(self, callable):  # noqa: A002 - torch's argument name
        """Replace every element by ``callable(element)`` (a Python function; slow, as in torch)."""
        if self._requires_grad:
            raise RuntimeError("Can't call apply_() on Variable that requires grad. Use var.detach().apply_() "
                               "instead.")
        flat = self._data.reshape(-1) if self._data.flags.c_contiguous else None
        values = [callable(v) for v in self._data.reshape(-1).tolist()]
        if flat is not None:
            flat[...] = values
        else:
            self._data[...] = np.asarray(values).reshape(self._data.shape)
        self._version_counter[0] += 1
        return self


# ------------------------------------------------------------------ free functions
def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, requires_grad=False, out=None):
    """``normal(mean_tensor, std_tensor)``, ``normal(mean_tensor, std=1.0)``,
    ``normal(mean, std_tensor)`` and ``normal(mean, std, size)``, as torch's overloads.
    With a tensor mean or std the result is in the graph with zero gradient, as torch."""
    mean_t, std_t = hasattr(mean, "_data"), hasattr(std, "_data")
    if not mean_t and not std_t:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got (float, float), but "
                            "expected (Tensor mean, Tensor std) or (float mean, float std, tuple of ints size)")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {_float_name(std)}")
        dt = dtypes.default_float.numpy if dtype is None else dtypes.to_dtype(dtype).numpy
        sample = numpy_generator(generator).normal(mean, std, _shape_args((size,)))
        return _wrap(sample.astype(dt), requires_grad)
    m, s = _as_tensor(mean), _as_tensor(std)
    if std_t and (s._data < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not std_t and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_float_name(std)}")
    from minigrad.tensor_math import _broadcast_error
    try:
        shape = np.broadcast_shapes(m._data.shape, s._data.shape) if mean_t and std_t else \
            (m._data.shape if mean_t else s._data.shape)
    except ValueError:
        raise RuntimeError(_broadcast_error([m._data.shape, s._data.shape])) from None
    like = m if mean_t else s
    sample = numpy_generator(generator).normal(np.broadcast_to(m._data, shape), np.broadcast_to(s._data, shape))
    result = _wrap(sample.astype(like._data.dtype))
    graph = [t for t in (m, s) if t._requires_grad]
    for t in graph:  # torch: part of the graph, gradient zero
        result = result + t * 0
    return result


def bernoulli(input, p=None, *, generator=None):  # noqa: A002
    return input.bernoulli(p, generator=generator)


def multinomial(input, num_samples, replacement=False, *, generator=None):  # noqa: A002
    return input.multinomial(num_samples, replacement, generator=generator)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, requires_grad=False, device=None,  # noqa: A002
                 memory_format=None):
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    dt = input._data.dtype if dtype is None else dtypes.to_dtype(dtype).numpy
    return _wrap(numpy_generator(generator).integers(low, high, input._data.shape).astype(dt), requires_grad)
