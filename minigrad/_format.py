"""Tensor repr as torch prints it: ``tensor([[0.4153, 0.4934]], grad_fn=<SoftmaxBackward>)``.

This follows torch/_tensor_str.py with its default print options: one format and
width for all the values of a tensor (``_Formatter``), a fixed number of elements
per line, summaries (``...``) past 1000 elements, and suffixes (``dtype=...``)
moved to a new line when they would pass 80 columns.
"""
import math

import numpy as np

LINE_WIDTH = 80
THRESHOLD = 1000   # more elements than this: show EDGE_ITEMS at each end of every dim
EDGE_ITEMS = 3
PRECISION = 4
_PREFIX = "tensor("
_DEFAULT_DTYPES = (np.dtype(np.float32), np.dtype(np.int64), np.dtype(np.bool_))


class _Formatter:
    """torch's choice for floats, made from the nonzero finite values: integers print as
    ``1.``, others with 4 decimals, and scientific notation when the magnitudes span more
    than 1000x or leave [1e-4, 1e8].  Every value is right-aligned to the widest one."""

    def __init__(self, a):
        self.floating = a.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        flat = a.reshape(-1)
        if not self.floating:
            self.width = max([len(str(v)) for v in flat.tolist()] + [1])
            return
        values = flat[np.isfinite(flat) & (flat != 0)]
        if not values.size:
            return
        magnitudes = np.abs(values).astype(np.float64)
        smallest, largest = magnitudes.min(), magnitudes.max()
        self.int_mode = bool(np.all(values == np.ceil(values)))
        self.sci_mode = bool(largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4)
        self.width = max(len(self._plain(v)) for v in values.tolist())

    def _plain(self, v):
        if not self.floating:
            return str(v)
        if self.sci_mode:
            return f"{v:.{PRECISION}e}"
        if self.int_mode:  # nan and inf get no "."
            return f"{v:.0f}" + ("." if math.isfinite(v) else "")
        return f"{v:.{PRECISION}f}"

    def __call__(self, v):
        return self._plain(v).rjust(self.width)


def _summarized(a):
    """The values a summary shows: EDGE_ITEMS from each end of every long dimension."""
    if a.ndim == 0:
        return a
    if a.shape[0] > 2 * EDGE_ITEMS:
        a = np.concatenate([a[:EDGE_ITEMS], a[-EDGE_ITEMS:]])
    return np.stack([_summarized(row) for row in a]) if a.ndim > 1 else a


def _vector_str(a, indent, summarize, fmt):
    per_line = max(1, (LINE_WIDTH - indent) // (fmt.width + 2))
    if summarize and a.shape[0] > 2 * EDGE_ITEMS:
        data = ([fmt(v) for v in a[:EDGE_ITEMS].tolist()] + [" ..."]
                + [fmt(v) for v in a[-EDGE_ITEMS:].tolist()])
    else:
        data = [fmt(v) for v in a.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str(a, indent, summarize, fmt):
    if a.ndim == 0:
        return fmt(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt)
    if summarize and a.shape[0] > 2 * EDGE_ITEMS:
        rows = list(range(EDGE_ITEMS)) + [None] + list(range(a.shape[0] - EDGE_ITEMS, a.shape[0]))
    else:
        rows = range(a.shape[0])
    slices = ["..." if i is None else _tensor_str(a[i], indent + 1, summarize, fmt) for i in rows]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _add_suffixes(text, suffixes, indent):
    """Append ``, suffix`` for each suffix, on a new line if the line would pass LINE_WIDTH."""
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > LINE_WIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    return "".join(parts) + ")"


def format_array(a, indent=len(_PREFIX)):
    """The bracketed values of ``a`` as torch prints them (no prefix or suffixes)."""
    if a.size == 0:
        return "[]"
    summarize = a.size > THRESHOLD
    return _tensor_str(a, indent, summarize, _Formatter(_summarized(a) if summarize else a))


def tensor_repr(t):
    a = t._data
    suffixes = []
    if a.size == 0:  # no values to tell the dtype by: name it unless it is the default float
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if a.dtype != _DEFAULT_DTYPES[0]:
            suffixes.append(f"dtype=minigrad.{a.dtype.name}")
    elif a.dtype not in _DEFAULT_DTYPES:
        suffixes.append(f"dtype=minigrad.{a.dtype.name}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(_PREFIX + format_array(a), suffixes, len(_PREFIX))
