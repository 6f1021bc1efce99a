"""``minigrad.save(obj, path)`` / ``minigrad.load(path)``: state dicts on disk, never unpickled.

The file is a numpy ``.npz`` (a zip of ``.npy`` arrays): every Tensor or ndarray in
``obj`` becomes one array entry (``a0``, ``a1``, ...) and the structure around them
(dicts, lists, tuples, numbers, strings, None) is JSON in the entry ``__structure__``.
Loading reads with ``allow_pickle=False``, so a file can hold data but never code.

Saving is atomic: the file is written to a temporary name in the same directory,
flushed to disk (fsync), then renamed over ``path`` (``os.replace``), so a crash or an
error mid-save leaves any previous file at ``path`` intact.  Otherwise it behaves like
writing with ``open()``: a new file gets mode ``0o666 & ~umask``, a replaced file keeps
its mode, and a symlink is written through to its target (the link stays).
"""
import errno
import io
import json
import math
import os
import secrets
import stat
import zipfile
from collections import OrderedDict

import numpy as np

from minigrad.tensor import Tensor

FORMAT = "minigrad.save"
VERSION = 1
_STRUCTURE = "__structure__"


# ---------------------------------------------------------------------- encoding
def _encode(obj, arrays):
    """obj -> JSON-able structure; arrays are appended to ``arrays`` and referenced by name."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        value = float(obj)
        return value if math.isfinite(value) else {"float": repr(value)}
    if isinstance(obj, Tensor):
        name = f"a{len(arrays)}"
        arrays[name] = np.ascontiguousarray(obj._data)
        kind = "parameter" if type(obj).__name__ == "Parameter" else "tensor"
        return {kind: name, "requires_grad": bool(obj.requires_grad)}
    if isinstance(obj, np.ndarray):
        if obj.dtype.hasobject:
            raise TypeError("minigrad.save: object arrays cannot be saved (they would need pickle)")
        name = f"a{len(arrays)}"
        arrays[name] = np.ascontiguousarray(obj)
        return {"ndarray": name}
    if isinstance(obj, dict):
        items = [[_encode(k, arrays), _encode(v, arrays)] for k, v in obj.items()]
        return {"ordered_dict" if isinstance(obj, OrderedDict) else "dict": items}
    if isinstance(obj, tuple):
        return {"tuple": [_encode(v, arrays) for v in obj]}
    if isinstance(obj, list):
        return [_encode(v, arrays) for v in obj]
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
def _write(f, obj):
    arrays = {}
    structure = {"format": FORMAT, "version": VERSION, "object": _encode(obj, arrays)}
    text = json.dumps(structure, allow_nan=False).encode()
    np.savez(f, **{_STRUCTURE: np.frombuffer(text, dtype=np.uint8)}, **arrays)


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


def load(f, weights_only=True, map_location=None):
    """Read what ``save`` wrote.  Raises RuntimeError naming the file if it is not a complete
    minigrad file (truncated, corrupt, or something else).  ``weights_only`` and
    ``map_location`` are accepted for torch compatibility: minigrad never unpickles anyway."""
    name = getattr(f, "name", None) if hasattr(f, "read") else os.fspath(f)
    name = name or "<file object>"
    try:
        with np.load(f, allow_pickle=False) as data:
            if _STRUCTURE not in data.files:
                raise ValueError("no minigrad structure entry")
            structure = json.loads(data[_STRUCTURE].tobytes().decode())
            if structure.get("format") != FORMAT:
                raise ValueError("not written by minigrad.save")
            if structure.get("version", 0) > VERSION:
                raise ValueError(f"written by a newer minigrad (format version {structure['version']})")
            arrays = {k: data[k] for k in data.files if k != _STRUCTURE}
    except FileNotFoundError:
        raise
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile, UnicodeDecodeError,
            json.JSONDecodeError, io.UnsupportedOperation) as e:
        raise RuntimeError(f"minigrad.load: {name} is not a valid minigrad file "
                           f"(truncated or corrupt?): {type(e).__name__}: {e}") from None
    try:
        return _decode(structure["object"], arrays)
    except (ValueError, KeyError, TypeError) as e:
        raise RuntimeError(f"minigrad.load: {name} has a malformed structure: {e}") from None
