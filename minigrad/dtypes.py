"""dtypes with PyTorch's names: ``minigrad.float32`` and friends.

A ``DType`` is a thin label around a numpy dtype.  It compares equal to the
other spellings of the same type (``minigrad.float == minigrad.float32``,
``t.dtype == np.float32``) so code written for torch or for numpy both work.
"""
import builtins

import numpy as np

_builtin_bool = builtins.bool


class DType:
    __slots__ = ("name", "numpy", "is_floating_point", "itemsize")

    def __init__(self, name, numpy_dtype):
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.is_floating_point = self.numpy.kind == "f"
        self.itemsize = self.numpy.itemsize

    def __repr__(self):
        return f"minigrad.{self.name}"

    def __eq__(self, other):
        if isinstance(other, DType):
            return self.numpy == other.numpy
        try:
            return self.numpy == np.dtype(other)
        except TypeError:
            return NotImplemented

    def __hash__(self):
        return hash(self.numpy)

    def __reduce__(self):  # pickles/copies as the canonical instance
        return (to_dtype, (self.name,))


float32 = DType("float32", np.float32)
float64 = DType("float64", np.float64)
float16 = DType("float16", np.float16)
int64 = DType("int64", np.int64)
int32 = DType("int32", np.int32)
int16 = DType("int16", np.int16)
int8 = DType("int8", np.int8)
uint8 = DType("uint8", np.uint8)
bool = DType("bool", np.bool_)  # noqa: A001 - torch's name, shadows the builtin only in this module

# torch's aliases
float = float32  # noqa: A001
double = float64
half = float16
long = int64
short = int16

_BY_NUMPY = {d.numpy: d for d in (float32, float64, float16, int64, int32, int16, int8, uint8, bool)}
_ALIASES = {"float": float32, "double": float64, "half": float16, "long": int64, "int": int32,
            "short": int16}

default_float = float32


def to_dtype(spec):
    """Any spelling of a dtype (DType, numpy dtype, python type, name) -> DType."""
    if isinstance(spec, DType):
        return spec
    if isinstance(spec, str):
        if spec in _ALIASES:
            return _ALIASES[spec]
        spec = spec.replace("minigrad.", "").replace("torch.", "")
        if spec in _ALIASES:
            return _ALIASES[spec]
    if spec is builtins.float:
        return default_float
    if spec is builtins.bool:
        return bool
    if spec is int:
        return int64
    try:
        return _BY_NUMPY[np.dtype(spec)]
    except (KeyError, TypeError):
        raise TypeError(f"minigrad does not support dtype {spec!r}") from None


def from_numpy_dtype(np_dtype):
    """The DType for an array's dtype (arrays of unsupported types are refused on creation)."""
    try:
        return _BY_NUMPY[np_dtype]
    except KeyError:
        raise TypeError(f"can't convert np.ndarray of type {np_dtype}. The only supported types are: "
                        "float64, float32, float16, int64, int32, int16, int8, uint8, and bool.") from None


def _category(np_dtype):
    """0 for bool, 1 for integers, 2 for floating point."""
    return 2 if np_dtype.kind == "f" else (0 if np_dtype.kind == "b" else 1)


def result_type(*operands):
    """The numpy dtype torch gives ``a + b`` (and friends) for Tensors and Python scalars.

    torch differs from numpy: the kind of a result (bool < int < float) is the highest
    among the operands, but the *size* is set by tensors of at least one dimension
    first, then by 0-d tensors, and only then by Python scalars, which give the
    default float32 / int64.  So ``int64_tensor * 2.5`` is float32 and
    ``float32_vector + float64_0d_tensor`` is float32, where numpy says float64.
    """
    groups = ([], [], [])  # tensors with dims, 0-d tensors, python scalars
    top = 0
    for x in operands:
        if hasattr(x, "_data"):
            dt = x._data.dtype
            groups[0 if x._data.ndim else 1].append(dt)
        else:
            dt = np.dtype(np.bool_) if isinstance(x, (_builtin_bool, np.bool_)) else (
                np.dtype(np.int64) if isinstance(x, (int, np.integer)) else default_float.numpy)
            groups[2].append(dt)
        top = max(top, _category(dt))
    for group in groups:
        same_kind = [dt for dt in group if _category(dt) == top]
        if same_kind:
            return np.result_type(*same_kind)
    raise TypeError("result_type needs at least one operand")


def dtype_from_to_args(args, dtype=None, device=None, non_blocking=False, copy=False, memory_format=None):
    """The dtype asked for by ``x.to(...)``'s arguments: a dtype, a tensor (its dtype), or a
    device (the CPU is accepted; any other device raises RuntimeError); None if no dtype is named."""
    from minigrad.device import check_device, is_device_spec
    check_device(device)
    for a in args:
        if hasattr(a, "_data"):
            dtype = a.dtype
        elif is_device_spec(a):
            check_device(a)
        else:
            dtype = a
    return None if dtype is None else to_dtype(dtype)
