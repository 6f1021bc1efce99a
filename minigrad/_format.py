"""Tensor repr in torch's style: ``tensor([[0.4153, 0.4934]], grad_fn=<SoftmaxBackward>)``."""
import numpy as np

_PREFIX = "tensor("
_DEFAULT_DTYPES = (np.dtype(np.float32), np.dtype(np.int64), np.dtype(np.bool_))


def _float_formatter(values):
    """torch's choice: integers print as ``1.``, ordinary values with 4 decimals, and
    scientific notation when the magnitudes span more than 1000x or leave [1e-4, 1e8]."""
    finite = values[np.isfinite(values)].astype(np.float64)
    nonzero = np.abs(finite[finite != 0])
    if finite.size and np.all(finite == np.round(finite)) and (not nonzero.size or nonzero.max() < 1e8):
        fmt = "{:.0f}."
    elif nonzero.size and (nonzero.max() / nonzero.min() > 1000 or nonzero.max() > 1e8 or nonzero.min() < 1e-4):
        fmt = "{:.4e}"
    else:
        fmt = "{:.4f}"

    def one(v):
        return fmt.format(v) if np.isfinite(v) else str(float(v))

    samples = [one(v) for v in (finite.min(), finite.max())] if finite.size else []
    samples += [one(v) for v in (np.nan, np.inf, -np.inf) if _has(values, v)]
    width = max(map(len, samples), default=0)
    return lambda v: one(v).rjust(width)


def _has(values, v):
    return bool(np.isnan(values).any()) if np.isnan(v) else bool((values == v).any())


def format_array(a):
    if a.size == 0:
        return "[]"
    kwargs = dict(separator=", ", prefix=_PREFIX, threshold=1000, edgeitems=3, max_line_width=80)
    if a.dtype.kind == "f":
        shown = a if a.size <= 1000 else np.concatenate([a.reshape(-1)[:500], a.reshape(-1)[-500:]])
        kwargs["formatter"] = {"float_kind": _float_formatter(shown)}
    if a.ndim == 0:
        return kwargs["formatter"]["float_kind"](a.item()).strip() if a.dtype.kind == "f" else repr(a.item())
    return np.array2string(a, **kwargs)


def tensor_repr(t):
    a = t._data
    parts = [format_array(a)]
    if a.size == 0 and a.shape != (0,):
        parts.append(f"size={tuple(a.shape)}")
    if a.dtype not in _DEFAULT_DTYPES:
        parts.append(f"dtype=minigrad.{a.dtype.name}")
    if t.grad_fn is not None:
        parts.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        parts.append("requires_grad=True")
    return _PREFIX + ", ".join(parts) + ")"
