"""``gradcheck``: compare backward's gradients with central finite differences.

For every input element x_i it evaluates ``(f(x + eps) - f(x - eps)) / 2eps`` (a
column of the Jacobian), and for every output element it runs backward with a
one-hot gradient (a row of the Jacobian); the two Jacobians must agree within
``atol + rtol * |numerical|``.  Use float64 inputs: float32 rounding swamps eps=1e-6.
"""
import numpy as np

from minigrad.autograd.grad_mode import no_grad
from minigrad.tensor import Tensor


class GradcheckError(RuntimeError):
    pass


def _outputs(fn, inputs):
    out = fn(*inputs)
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def _numerical(fn, inputs, i, n_out_sizes, eps):
    """Jacobian columns for input i: list over outputs of arrays (out.size, in.size)."""
    x = inputs[i]._data
    cols = [np.zeros((n, x.size)) for n in n_out_sizes]
    for k, idx in enumerate(np.ndindex(x.shape)):
        original = x[idx]
        x[idx] = original + eps
        with no_grad():
            plus = [o._data.astype(np.float64).ravel() for o in _outputs(fn, inputs)]
        x[idx] = original - eps
        with no_grad():
            minus = [o._data.astype(np.float64).ravel() for o in _outputs(fn, inputs)]
        x[idx] = original
        for j in range(len(cols)):
            cols[j][:, k] = (plus[j] - minus[j]) / (2 * eps)
    return cols


def _analytical(fn, inputs, diff_inputs):
    """Jacobian rows: for each output element a backward with a one-hot gradient."""
    saved_grads = [t.grad for t in inputs if isinstance(t, Tensor)]
    outputs = _outputs(fn, inputs)
    jac = {}
    for j, out in enumerate(outputs):
        for i in diff_inputs:
            jac[j, i] = np.zeros((out._data.size, inputs[i]._data.size))
        if not out.requires_grad:
            continue
        for r in range(out._data.size):
            for i in diff_inputs:
                inputs[i].grad = None
            onehot = np.zeros(out._data.size, dtype=out._data.dtype)
            onehot[r] = 1
            out.backward(Tensor._wrap(onehot.reshape(out.shape)), retain_graph=True)
            for i in diff_inputs:
                g = inputs[i].grad
                if g is not None:
                    jac[j, i][r] = g._data.astype(np.float64).ravel()
    for t, g in zip([t for t in inputs if isinstance(t, Tensor)], saved_grads):
        t.grad = g
    return [o._data.size for o in outputs], jac


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """True if ``fn``'s backward matches finite differences at ``inputs``; otherwise raises
    GradcheckError naming the worst element (or returns False if raise_exception=False)."""
    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    inputs = tuple(inputs)
    diff_inputs = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not diff_inputs:
        raise ValueError("gradcheck expects at least one input tensor to require gradient")
    for i in diff_inputs:
        if inputs[i]._data.dtype != np.float64:
            raise ValueError(f"gradcheck: input {i} is {inputs[i]._data.dtype}; use float64 inputs "
                             "(float32 rounding is larger than the finite-difference step)")
    out_sizes, analytical = _analytical(fn, inputs, diff_inputs)
    worst = None
    for i in diff_inputs:
        numerical = _numerical(fn, inputs, i, out_sizes, eps)
        for j in range(len(out_sizes)):
            a, n = analytical[j, i], numerical[j]
            excess = np.abs(a - n) - (atol + rtol * np.abs(n))
            bad = ~(excess <= 0)  # nan counts as bad
            if bad.any():
                r, c = np.unravel_index(np.argmax(np.where(np.isnan(excess), np.inf, excess)), excess.shape)
                if worst is None or not excess[r, c] <= worst[0]:
                    worst = (excess[r, c], j, i, r, c, n[r, c], a[r, c])
    if worst is None:
        return True
    _, j, i, r, c, num, ana = worst
    in_index = np.unravel_index(c, inputs[i].shape) if inputs[i].shape else ()
    message = (f"Jacobian mismatch for output {j} with respect to input {i}: at input element "
               f"{tuple(int(v) for v in in_index)} and output element {r}, numerical {num!r} vs "
               f"analytical {ana!r}")
    if raise_exception:
        raise GradcheckError(message)
    return False
