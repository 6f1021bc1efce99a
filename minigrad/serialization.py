"""``minigrad.save(obj, path)`` / ``minigrad.load(path)``: state dicts on disk as safetensors, never unpickled.

The file is a `safetensors <https://github.com/huggingface/safetensors>`_ file, the format
PyTorch users share weights in: an 8-byte header length, a JSON header (names, dtypes,
shapes, byte offsets and a string-to-string ``__metadata__`` map), then the raw bytes.

- **A model's state dict** (names -> Tensors) is stored with its names as the tensor names,
  so ``safetensors.torch.load_file(path)`` gives PyTorch a state dict for ``load_state_dict``,
  and a file written by ``safetensors.torch.save_file(model.state_dict(), path)`` loads here
  (as an OrderedDict of Tensors, in the file's order).
- **Anything nested** (an optimizer state dict, a checkpoint dict with epochs and several
  state dicts, lists, tuples, numbers, strings, None) is flattened: each Tensor or ndarray
  becomes one tensor named by its path of keys joined with dots (``state.0.exp_avg``,
  ``model.0.weight``; a name already taken gets ``~1``, ``~2`` appended), and the structure
  around them is JSON in ``__metadata__["minigrad.structure"]``::

      {"format": "minigrad.save", "version": 2, "object": <node>}
      node: null | true | 3 | 0.5 | "text" | [node, ...]             JSON values and lists
          | {"tensor": name, "requires_grad": b} | {"parameter": name, "requires_grad": b}
          | {"ndarray": name} | {"tuple": [node, ...]} | {"float": "nan" | "inf" | "-inf"}
          | {"dict": [[key node, value node], ...]} | {"ordered_dict": [...]} | {"dtype": "float32"}

  (dict keys are nodes, so an optimizer's integer parameter ids stay integers).
- ``__metadata__["format"]`` is ``"pt"`` (what PyTorch tools expect of a safetensors checkpoint) and
  ``__metadata__["minigrad.sha256"]`` is a SHA-256 over every tensor's name, dtype, shape and
  bytes, checked on load: safetensors has no checksum of its own, so a damaged byte would
  otherwise load silently.

Loading never runs code from the file; ``.npz`` files written by earlier minigrads
(``__structure__`` entry, read with ``allow_pickle=False``) still load.

Saving is atomic: the file is written to a temporary name in the same directory,
flushed to disk (fsync), then renamed over ``path`` (``os.replace``), so a crash or an
error mid-save leaves any previous file at ``path`` intact.  Otherwise it behaves like
writing with ``open()``: a new file gets mode ``0o666 & ~umask``, a replaced file keeps
its mode, and a symlink is written through to its target (the link stays).
"""
import errno
import hashlib
import io
import json
import math
import os
import secrets
import stat
from collections import OrderedDict

import numpy as np

from minigrad.tensor import Tensor

FORMAT = "minigrad.save"
VERSION = 2
STRUCTURE_KEY = "minigrad.structure"
CHECKSUM_KEY = "minigrad.sha256"
_NPZ_STRUCTURE = "__structure__"   # version 1 files (.npz)
_ZIP_MAGIC = b"PK\x03\x04"


# ---------------------------------------------------------------------- encoding
def _c_contiguous(a):
    """``a`` in C order, keeping 0-d arrays 0-d (``np.ascontiguousarray`` would make them 1-d)."""
    return a if a.flags.c_contiguous else np.array(a, order="C")


def _tensor_name(path, arrays):
    """The dotted path of keys, made unique among ``arrays``."""
    base = ".".join(path) or "tensor"
    name, n = base, 0
    while name in arrays:
        n += 1
        name = f"{base}~{n}"
    return name


def _encode(obj, arrays, path=()):
    """obj -> JSON-able structure; arrays are added to ``arrays`` under their path's name."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        value = float(obj)
        return value if math.isfinite(value) else {"float": repr(value)}
    if isinstance(obj, Tensor):
        name = _tensor_name(path, arrays)
        arrays[name] = _c_contiguous(obj._data)
        kind = "parameter" if type(obj).__name__ == "Parameter" else "tensor"
        return {kind: name, "requires_grad": bool(obj.requires_grad)}
    if isinstance(obj, np.ndarray):
        if obj.dtype.hasobject:
            raise TypeError("minigrad.save: object arrays cannot be saved (they would need pickle)")
        if obj.dtype.kind not in "biuf":
            raise TypeError(f"minigrad.save: arrays of dtype {obj.dtype} cannot be saved (safetensors stores "
                            "booleans, integers and floats)")
        name = _tensor_name(path, arrays)
        arrays[name] = _c_contiguous(obj.astype(obj.dtype.newbyteorder("<"), copy=False))
        return {"ndarray": name}
    if isinstance(obj, dict):
        items = [[_encode(k, arrays, path), _encode(v, arrays, path + (str(k),))] for k, v in obj.items()]
        return {"ordered_dict" if isinstance(obj, OrderedDict) else "dict": items}
    if isinstance(obj, tuple):
        return {"tuple": [_encode(v, arrays, path + (str(i),)) for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [_encode(v, arrays, path + (str(i),)) for i, v in enumerate(obj)]
    if hasattr(obj, "name") and type(obj).__name__ == "DType":
        return {"dtype": obj.name}
    raise TypeError(f"minigrad.save can store Tensors, arrays, dicts, lists, tuples, numbers, strings and None; "
                    f"not {type(obj).__name__}")


def _decode(node, arrays):
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [_decode(v, arrays) for v in node]
    if "tensor" in node or "parameter" in node:
        t = Tensor._wrap(arrays[node.get("tensor", node.get("parameter"))])
        if "parameter" in node:
            from minigrad.nn.module import Parameter
            return Parameter(t, requires_grad=node["requires_grad"])
        t.requires_grad = node["requires_grad"]
        return t
    if "ndarray" in node:
        return arrays[node["ndarray"]]
    if "dict" in node or "ordered_dict" in node:
        items = ((_decode(k, arrays), _decode(v, arrays)) for k, v in node.get("dict", node.get("ordered_dict")))
        return OrderedDict(items) if "ordered_dict" in node else dict(items)
    if "tuple" in node:
        return tuple(_decode(v, arrays) for v in node["tuple"])
    if "float" in node:
        return float(node["float"])
    if "dtype" in node:
        from minigrad import dtypes
        return dtypes.to_dtype(node["dtype"])
    raise ValueError(f"unknown entry {node!r}")


# ---------------------------------------------------------------------- files
def _checksum(arrays):
    """SHA-256 over the tensors (name, dtype, shape, bytes) in name order."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        a = arrays[name]
        digest.update(json.dumps([name, a.dtype.str, list(a.shape)]).encode())
        digest.update(a.reshape(-1).view(np.uint8))  # the bytes, without a copy (a is C-contiguous)
    return digest.hexdigest()


def to_bytes(obj):
    """The safetensors bytes ``save`` writes for ``obj``."""
    import safetensors.numpy
    arrays = {}
    structure = {"format": FORMAT, "version": VERSION, "object": _encode(obj, arrays)}
    metadata = {"format": "pt", STRUCTURE_KEY: json.dumps(structure, allow_nan=False),
                CHECKSUM_KEY: _checksum(arrays)}
    return safetensors.numpy.save(arrays, metadata=metadata)


def _write(f, obj):
    f.write(to_bytes(obj))


def save(obj, f):
    """Write ``obj`` (a state dict, an optimizer state dict, a Tensor, or nested dicts/lists/tuples
    of Tensors, arrays, numbers, strings and None) to the path ``f`` atomically, or to a
    binary file object.

    The file gets the permissions ``open()`` would give it: a new file ``0o666 & ~umask``,
    an existing one keeps its mode (and, where allowed, its owner and group).  A symlink
    is written through: its final target is replaced and the link stays a link."""
    if hasattr(f, "write"):
        _write(f, obj)
        return
    target = _final_target(os.fspath(f))
    directory = os.path.dirname(target)
    fd, tmp = _create_temp(target)
    try:
        with os.fdopen(fd, "wb") as out:
            _write(out, obj)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_directory(directory)


def _final_target(path):
    """Absolute ``path`` with every symlink resolved (a dangling link gives the path it
    points to, which is then created, as ``open()`` does).  A symlink loop raises ELOOP."""
    target = os.path.realpath(path)
    if os.path.islink(target):   # realpath stops inside a loop
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)
    return target


def _create_temp(target):
    """Open a new temporary file beside ``target`` (same directory, so the final rename is
    atomic) with the mode ``open(target, "wb")`` would leave: ``target``'s own if it exists,
    else 0o666 filtered by the umask (the kernel applies it, as for ``open()``)."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    directory, name = os.path.split(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = os.path.join(directory, f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o600 if st else 0o666)
            break
        except FileExistsError:
            continue
    else:  # pragma: no cover - 100 random names all taken
        raise FileExistsError(errno.EEXIST, "no free temporary name", directory)
    if st is not None:
        _copy_mode_and_owner(fd, st)
    return fd, tmp


def _copy_mode_and_owner(fd, st):
    """Give the open file ``fd`` the mode of ``st`` and, when permitted, its owner and group."""
    if hasattr(os, "fchown"):
        try:
            os.fchown(fd, st.st_uid, st.st_gid)
        except OSError:
            pass   # not root and not the owner: the new file keeps the saver's ids
    if hasattr(os, "fchmod"):
        os.fchmod(fd, stat.S_IMODE(st.st_mode))


def _fsync_directory(directory):
    """Make the rename itself durable (best effort: not every file system allows it)."""
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def load(f, weights_only=True, map_location=None, mmap=None):
    """Read what ``save`` wrote, a safetensors file written by PyTorch (an OrderedDict of Tensors),
    or an ``.npz`` of an earlier minigrad.  Raises RuntimeError naming the file if it is not a
    complete, undamaged file of these kinds.  ``weights_only`` and ``mmap`` are accepted for torch
    compatibility (minigrad never unpickles anyway); ``map_location`` may name the CPU only."""
    if isinstance(map_location, str) or type(map_location).__name__ == "device":
        from minigrad.device import check_device
        check_device(map_location)
    name = getattr(f, "name", None) if hasattr(f, "read") else os.fspath(f)
    name = name or "<file object>"
    if hasattr(f, "read"):
        data = f.read()
    else:
        with open(f, "rb") as fh:
            data = fh.read()
    try:
        if data[:4] == _ZIP_MAGIC:
            structure, arrays = _read_npz(data)
        else:
            structure, arrays = _read_safetensors(data)
            if structure is None:  # a plain safetensors file (e.g. PyTorch's save_file)
                return OrderedDict((k, Tensor._wrap(v)) for k, v in arrays.items())
        if structure.get("format") != FORMAT:
            raise ValueError("not written by minigrad.save")
        if structure.get("version", 0) > VERSION:
            raise ValueError(f"written by a newer minigrad (format version {structure['version']})")
    except Exception as e:  # noqa: BLE001 - safetensors' parser raises its own SafetensorError
        raise RuntimeError(f"minigrad.load: {name} is not a valid minigrad file "
                           f"(truncated or corrupt?): {type(e).__name__}: {e}") from None
    try:
        return _decode(structure["object"], arrays)
    except (ValueError, KeyError, TypeError) as e:
        raise RuntimeError(f"minigrad.load: {name} has a malformed structure: {e}") from None


def read_header(data):
    """The JSON header of safetensors bytes: {name: {"dtype", "shape", "data_offsets"}, "__metadata__": {...}}."""
    if len(data) < 8:
        raise ValueError("shorter than a safetensors header")
    size = int.from_bytes(data[:8], "little")
    if size > len(data) - 8:
        raise ValueError("header longer than the file")
    return json.loads(bytes(data[8:8 + size]).decode("utf-8"), object_pairs_hook=OrderedDict)


def _read_safetensors(data):
    """(structure or None, {name: array in the header's order}); the checksum is verified if present."""
    import safetensors.numpy
    header = read_header(data)
    metadata = header.pop("__metadata__", None) or {}
    loaded = safetensors.numpy.load(bytes(data))
    arrays = OrderedDict((k, np.array(loaded[k], copy=False)) for k in header)
    if STRUCTURE_KEY not in metadata:
        return None, arrays
    if metadata.get(CHECKSUM_KEY) != _checksum(arrays):
        raise ValueError("the tensors' checksum does not match: the file was damaged")
    return json.loads(metadata[STRUCTURE_KEY]), arrays


def _read_npz(data):
    """Version 1 files: a numpy .npz with the structure in the entry ``__structure__``."""
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        if _NPZ_STRUCTURE not in npz.files:
            raise ValueError("no minigrad structure entry")
        structure = json.loads(npz[_NPZ_STRUCTURE].tobytes().decode())
        arrays = {k: npz[k] for k in npz.files if k != _NPZ_STRUCTURE}
    return structure, arrays
