"""``gradcheck``: compare backward's gradients with central finite differences.

For every input element x_i it evaluates ``(f(x + eps) - f(x - eps)) / 2eps`` (a
column of the Jacobian), and for every output element it runs backward with a
one-hot gradient (a row of the Jacobian); the two Jacobians must agree within
``atol + rtol * |numerical|``.  Use float64 inputs: float32 rounding swamps eps=1e-6.

``gradgradcheck`` checks second derivatives the same way: it runs gradcheck on the
function ``(inputs, grad_outputs) -> grad(func(inputs), inputs, grad_outputs,
create_graph=True)``, i.e. on the gradient itself, as torch does.
"""
import numpy as np

import minigrad as lib  # gradgradcheck's library (public API only), bound at call time
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


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, masked=False):
    """True if the second derivatives of ``func`` at ``inputs`` match finite differences of
    its first derivatives; otherwise raises GradcheckError (or returns False if
    ``raise_exception=False``).

    ``grad_outputs`` (one per output that requires grad, shaped like it) default to
    random tensors uniform in [-1, 1) from minigrad's generator (seed it with
    ``minigrad.manual_seed`` for a reproducible check), made non-contiguous if
    ``gen_non_contig_grad_outputs``.  Those that require grad are checked too: the
    gradient is linear in them.  Like gradcheck, it needs float64 inputs.

    torch's options: ``nondet_tol``, ``check_undefined_grad`` and ``masked`` are accepted
    with any value and have no effect (minigrad's backward is deterministic, has no
    undefined gradients and no sparse tensors).  ``check_grad_dtypes``,
    ``check_batched_grad`` and ``check_fwd_over_rev`` ask for checks minigrad cannot run
    (no vmap, no forward-mode AD): only their default False is accepted.
    """
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError("Expected at least one of check_fwd_over_rev or check_rev_over_rev to be True")
    if check_undefined_grad and not check_rev_over_rev:
        raise AssertionError("Setting check_undefined_grad=True requires check_rev_over_rev to be True")
    if check_batched_grad and not check_rev_over_rev:
        raise AssertionError("Setting check_batched_grad=True requires check_rev_over_rev to be True")
    for name, value, why in (("check_batched_grad", check_batched_grad, "batched gradients (vmap)"),
                             ("check_fwd_over_rev", check_fwd_over_rev, "forward-mode AD"),
                             ("check_grad_dtypes", check_grad_dtypes, "a gradient dtype check")):
        if value:
            raise NotImplementedError(f"gradgradcheck({name}=True) needs {why}, which minigrad does not have; "
                                      f"use {name}=False")

    tupled_inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    if grad_outputs is None:
        outputs = _differentiable_outputs(func(*tupled_inputs))
        tupled_grad_outputs = tuple(_random_grad_output(x, gen_non_contig_grad_outputs) for x in outputs)
    else:
        tupled_grad_outputs = tuple(grad_outputs) if isinstance(grad_outputs, (tuple, list)) else (grad_outputs,)
    num_outputs = len(tupled_grad_outputs)
    diff_input_args_indices = {i for i, x in enumerate(tupled_inputs) if isinstance(x, lib.Tensor) and x.requires_grad}
    diff_grad_output_indices = {i for i, x in enumerate(tupled_grad_outputs) if x.requires_grad}

    def new_func(*args):
        """(inputs..., grad_outputs...) -> the gradients w.r.t. the inputs that require grad,
        as a graph (create_graph=True), so gradcheck can differentiate them once more."""
        input_args = tuple(x.requires_grad_() if i in diff_input_args_indices else x
                           for i, x in enumerate(args[:-num_outputs]))
        # minigrad's gradcheck runs func under no_grad for the finite differences; the
        # gradient is itself computed by backward, so it needs grad mode either way
        with lib.enable_grad():
            outputs = _differentiable_outputs(func(*input_args))
            grad_outs = tuple(x.requires_grad_() if i in diff_grad_output_indices else x
                              for i, x in enumerate(args[-num_outputs:]))
            diff_input_args = tuple(x for i, x in enumerate(input_args) if i in diff_input_args_indices)
            grad_inputs = lib.autograd.grad(outputs, diff_input_args, grad_outs, create_graph=True,
                                            allow_unused=True)
        return tuple(g for g in grad_inputs if g is not None)

    return gradcheck(new_func, tupled_inputs + tupled_grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)


def _differentiable_outputs(out):
    return tuple(o for o in (out if isinstance(out, (tuple, list)) else (out,)) if o.requires_grad)


def _random_grad_output(x, noncontiguous):
    """A leaf shaped like ``x``, uniform in [-1, 1), requiring grad; with ``noncontiguous``
    every other element of a twice-as-long last dimension (as torch's make_tensor)."""
    shape = tuple(x.shape)
    if noncontiguous and x.numel() > 1:
        values = (lib.rand((*shape[:-1], 2 * shape[-1]), dtype=x.dtype) * 2 - 1)[..., ::2]
    else:
        values = lib.rand(shape, dtype=x.dtype) * 2 - 1
    return values.detach().requires_grad_()
