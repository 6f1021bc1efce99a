"""Making tensors: ``tensor``, ``zeros``, ``arange``, ``randn``, ... with torch's dtype rules."""
import numpy as np

from minigrad import dtypes
from minigrad.device import check_device
from minigrad.random import numpy_generator
from minigrad.tensor import Tensor
from minigrad.tensor_math import _shape_args


def _finish(array, dtype, requires_grad, device=None):
    if device is not None:
        check_device(device)
    if dtype is not None:
        array = array.astype(dtypes.to_dtype(dtype).numpy, copy=False)
    dtypes.from_numpy_dtype(array.dtype)  # refuses types minigrad does not support
    t = Tensor._wrap(array)
    if requires_grad:
        if array.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t.requires_grad = True
    return t


def _default_dtype_for(array):
    """Python data -> torch's defaults: floats float32, ints int64, bools bool."""
    kind = array.dtype.kind
    if kind == "f":
        return dtypes.default_float.numpy
    if kind in "iu":
        return np.dtype(np.int64)
    if kind == "b":
        return np.dtype(np.bool_)
    raise TypeError(f"Could not infer dtype of {array.dtype}")


def tensor(data, dtype=None, requires_grad=False, device=None):
    """A new tensor with a copy of ``data`` (a number, a nested list, an ndarray or a Tensor).
    Python floats become float32 and ints int64; an ndarray keeps its dtype."""
    if isinstance(data, Tensor):
        array = data._data.copy()
    elif isinstance(data, (np.ndarray, np.generic)):
        array = np.array(data)
    else:
        array = np.array(data)
        if array.dtype == object:
            raise TypeError(f"Could not infer dtype of {type(data).__name__}")
        if dtype is None:
            array = array.astype(_default_dtype_for(array), copy=False)
    return _finish(array, dtype, requires_grad, device)


def as_tensor(data, dtype=None, device=None):
    check_device(device)
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtype):
        return data
    if isinstance(data, np.ndarray):
        return _finish(data, dtype, False)
    return tensor(data, dtype=dtype)


def from_numpy(array):
    """A tensor sharing memory with ``array`` (changes to one show in the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    return _finish(array, None, False)


def _float_dtype(dtype):
    return dtypes.to_dtype(dtype).numpy if dtype is not None else dtypes.default_float.numpy


def zeros(*size, dtype=None, requires_grad=False, device=None):
    return _finish(np.zeros(_shape_args(size), _float_dtype(dtype)), None, requires_grad, device)


def ones(*size, dtype=None, requires_grad=False, device=None):
    return _finish(np.ones(_shape_args(size), _float_dtype(dtype)), None, requires_grad, device)


empty = zeros


def full(size, fill_value, dtype=None, requires_grad=False, device=None):
    if dtype is None:  # torch infers the dtype from the fill value
        dtype = _default_dtype_for(np.asarray(fill_value))
    array = np.full(_shape_args((size,)), fill_value, dtypes.to_dtype(dtype).numpy)
    return _finish(array, None, requires_grad, device)


def _like(t, dtype):
    return dtypes.to_dtype(dtype).numpy if dtype is not None else t._data.dtype


def zeros_like(input, dtype=None, requires_grad=False, device=None, memory_format=None):  # noqa: A002 - torch's argument name
    return _finish(np.zeros(input.shape, _like(input, dtype)), None, requires_grad, device)


def ones_like(input, dtype=None, requires_grad=False, device=None, memory_format=None):  # noqa: A002
    return _finish(np.ones(input.shape, _like(input, dtype)), None, requires_grad, device)


def full_like(input, fill_value, dtype=None, requires_grad=False, device=None, memory_format=None):  # noqa: A002
    return _finish(np.full(input.shape, fill_value, _like(input, dtype)), None, requires_grad, device)


empty_like = zeros_like


def arange(start, end=None, step=1, dtype=None, requires_grad=False, device=None):
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (values[1] - values[0]) * values[2] < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    is_float = any(isinstance(v, float) for v in values)
    default = dtypes.default_float.numpy if is_float else np.int64
    array = np.arange(*values, dtype=np.float64 if is_float else np.int64)
    return _finish(array.astype(default), dtype, requires_grad, device)


def linspace(start, end, steps, dtype=None, requires_grad=False, device=None):
    return _finish(np.linspace(start, end, steps).astype(_float_dtype(dtype)), None, requires_grad, device)


def eye(n, m=None, dtype=None, requires_grad=False, device=None):
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), None, requires_grad, device)


def rand(*size, generator=None, dtype=None, requires_grad=False, device=None):
    """Uniform on [0, 1)."""
    dt = _float_dtype(dtype)
    array = numpy_generator(generator).random(_shape_args(size), dtype=np.float64).astype(dt)
    return _finish(array, None, requires_grad, device)


def randn(*size, generator=None, dtype=None, requires_grad=False, device=None):
    """Standard normal."""
    dt = _float_dtype(dtype)
    array = numpy_generator(generator).standard_normal(_shape_args(size)).astype(dt)
    return _finish(array, None, requires_grad, device)


def rand_like(input, dtype=None, requires_grad=False, device=None, memory_format=None):  # noqa: A002
    return rand(input.shape, dtype=_like(input, dtype), requires_grad=requires_grad, device=device)


def randn_like(input, dtype=None, requires_grad=False, device=None, memory_format=None):  # noqa: A002
    return randn(input.shape, dtype=_like(input, dtype), requires_grad=requires_grad, device=device)


def randint(low, high=None, size=None, generator=None, dtype=None, requires_grad=False, device=None):
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high)."""
    if size is None:
        low, high, size = 0, low, high
    if high is None or size is None:
        raise TypeError("randint() missing required arguments: 'high' and 'size'")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    array = numpy_generator(generator).integers(low, high, size=_shape_args((size,)), dtype=np.int64)
    return _finish(array, dtype, requires_grad, device)


def randperm(n, generator=None, dtype=None, requires_grad=False, device=None):
    """A random permutation of 0 .. n-1."""
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    return _finish(numpy_generator(generator).permutation(n).astype(np.int64), dtype, requires_grad, device)
