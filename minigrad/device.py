"""Devices, as torch names them: minigrad computes on the CPU only.

``minigrad.device("cpu")``, ``device("cpu:0")`` and ``device("cuda", 1)`` make device
objects like torch's (``.type``, ``.index``, repr ``device(type='cpu')``, str ``cpu:0``).
Constructing a CUDA or MPS device works, as in torch; *using* one (creating a tensor on
it, ``.to`` it, ``set_default_device``) raises :class:`RuntimeError` from
:func:`check_device`.  The default dtype (``set_default_dtype``) lives here too.
"""
import builtins

from minigrad import dtypes

DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia",
                "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")
NO_DEVICE = "minigrad runs on the CPU only: no CUDA/MPS device"


class device:  # noqa: N801 - torch's name
    """``device(type_or_string, index=None)``: ``device("cpu")``, ``device("cuda:1")``, ``device("cpu", 0)``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):  # noqa: A002 - torch's argument name
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, builtins.int):  # device(0): the accelerator's ordinal, as torch
            raise RuntimeError(f"{NO_DEVICE} (device ordinal {type} names an accelerator)")
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got ({builtins.type(type).__name__})")
        kind, parsed_index = _parse(type)
        if index is not None:
            if parsed_index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was passed explicitly: "
                                   f"{type}")
            if index < 0:
                raise RuntimeError("Device index must not be negative")
            parsed_index = builtins.int(index)
        self.type, self.index = kind, parsed_index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        """Equal to a device of the same type and index; never to a string (as torch: device("cpu") != "cpu")."""
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, -1 if self.index is None else self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


def _parse(text):
    if not text:
        raise RuntimeError("Device string must not be empty")
    kind, colon, number = text.partition(":")
    if kind not in DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(DEVICE_TYPES)} device type at start of device string: "
                           f"{text}")
    if not colon:
        return kind, None
    if not number.isdigit() or (len(number) > 1 and number[0] == "0"):
        raise RuntimeError(f"Invalid device string: '{text}'")
    return kind, builtins.int(number)


CPU = device("cpu")


def check_device(spec):
    """``spec`` (None, a string, a device) must name the CPU: returns None, else raises RuntimeError."""
    if spec is None:
        return None
    d = spec if isinstance(spec, device) else device(spec)
    if d.type != "cpu":
        raise RuntimeError(f"{NO_DEVICE} (asked for '{d}'); use device='cpu' or leave device out")
    return None


def is_device_spec(obj):
    """True for a device or a string naming a device type (``"cpu"``, ``"cuda:0"``, ``"mps"``)."""
    if isinstance(obj, device):
        return True
    return isinstance(obj, str) and obj.partition(":")[0] in DEVICE_TYPES


_default_device = CPU


def set_default_device(spec):
    """Only the CPU can be the default device; ``None`` resets it."""
    global _default_device
    check_device(spec)
    _default_device = CPU


def get_default_device():
    return _default_device


def set_default_dtype(d):
    """The dtype of floats made from Python numbers (``tensor([1.5])``, ``zeros(2)``, ``int_tensor * 2.5``):
    float32 (the default) or float64 (or float16), as torch."""
    d = dtypes.to_dtype(d)
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    dtypes.default_float = d


def get_default_dtype():
    return dtypes.default_float
