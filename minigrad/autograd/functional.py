"""Jacobians, Hessians and their products with vectors, as ``torch.autograd.functional``.

Everything here is built on ``minigrad.autograd.grad``: a row of a Jacobian is one
backward pass with a one-hot gradient, and the Hessian is the Jacobian of the
Jacobian (its inner ``grad`` calls use ``create_graph=True``).  ``jvp`` and ``hvp``
need a product on the *other* side of the matrix, which reverse mode does not give
directly; they use the double-backward trick: ``g(u) = J^T u`` is linear in ``u``, so
backpropagating ``v`` through ``g`` with respect to ``u`` gives ``J v``.

Shapes, for ``func`` with inputs ``x_j`` and outputs ``y_i``:

- ``vjp(func, x, v)``:     v like y         -> ``Σ_i v_i · ∂y_i/∂x_j``, shaped like x_j
- ``jvp(func, x, v)``:     v like x         -> ``Σ_j ∂y_i/∂x_j · v_j``, shaped like y_i
- ``jacobian(func, x)``:   ``J[i][j]`` of shape ``y_i.shape + x_j.shape``
- ``hessian(func, x)``:    scalar func; ``H[i][j]`` of shape ``x_i.shape + x_j.shape``
- ``vhp`` / ``hvp``:       scalar func, v like x -> shaped like x

Single Tensors in give single Tensors out; tuples in give tuples out (nested for
``jacobian``/``hessian``), exactly as in torch.

The library is the module-level name ``lib`` and only its public, torch-named API
is used, so ``tests/record/selfcheck_functional.py`` can swap in torch and compare
this file with ``torch.autograd.functional`` line for line.
"""
import minigrad as lib

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


# ---------------------------------------------------------------- helpers
def _as_tuple(inp, arg_name, fn_name):
    """-> ``(was_tuple, tuple_of_tensors)``; a TypeError names anything not a Tensor
    (a list is not a tuple: it is reported, as in torch)."""
    is_tuple = isinstance(inp, tuple)
    inp = inp if is_tuple else (inp,)
    for i, el in enumerate(inp):
        if not isinstance(el, lib.Tensor):
            where = f"the value at index {i}" if is_tuple else f"the given {arg_name}"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                            f"Tensors but {where} has type {type(el)}.")
    return is_tuple, inp


def _tuple_postprocess(res, to_unpack):
    """Undo ``_as_tuple``: ``to_unpack`` is one was-tuple flag, or (outer, inner) for nested results."""
    outer, inner = to_unpack if isinstance(to_unpack, tuple) else (to_unpack, True)
    if not inner:
        res = tuple(el[0] for el in res)
    return res if outer else res[0]


def _grad_preprocess(inputs, create_graph, need_graph):
    """Fresh Tensor objects to differentiate with respect to (always new objects, so a
    func that also captured the caller's tensor is not confused with the argument).
    With ``create_graph`` a tensor that requires grad stays connected (``view_as``) so
    results can be differentiated back to it; otherwise it is detached and requires
    grad only if ``need_graph``."""
    return tuple(inp.view_as(inp) if create_graph and inp.requires_grad
                 else inp.detach().requires_grad_(need_graph) for inp in inputs)


def _grad_postprocess(inputs, create_graph):
    """Detach results (recursively through tuples) unless the caller asked for a graph."""
    if isinstance(inputs[0], lib.Tensor):
        return inputs if create_graph else tuple(inp.detach() for inp in inputs)
    return tuple(_grad_postprocess(inp, create_graph) for inp in inputs)


def _validate_v(v, other, is_other_tuple):
    """``v`` (a tuple) must match ``other`` (a tuple) in length and in every shape."""
    if len(other) != len(v):
        if is_other_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for idx, (el_v, el_other) in enumerate(zip(v, other)):
        if tuple(el_v.shape) != tuple(el_other.shape):
            prepend = f"Entry {idx} in " if is_other_tuple else ""
            should, got = (f"{lib.__name__}.Size({list(t.shape)})" for t in (el_other, el_v))
            raise RuntimeError(f"{prepend}v has invalid size: should be {should} but got {got}.")


_NOT_DIFFERENTIABLE = {
    "hessian": ("The hessian of the user-provided function with respect to input {i} is independent of the "
                "input. This is not allowed in strict mode. You should ensure that your function is thrice "
                "differentiable and that the hessian depends on the inputs."),
    "jacobian": ("While computing the hessian, found that the jacobian of the user-provided function with "
                 "respect to input {i} is independent of the input. This is not allowed in strict mode. You "
                 "should ensure that your function is twice differentiable and that the jacobian depends on "
                 "the inputs (this would be violated by a linear function for example)."),
    "grad_inputs": ("The gradient with respect to input {i} is independent of the inputs of the user-provided "
                    "function. This is not allowed in strict mode."),
    "outputs": ("Output {i} of the user-provided function does not require gradients. The outputs must be "
                "computed in a differentiable manner from the input when running in strict mode."),
}


def _check_requires_grad(inputs, input_type, strict):
    """In strict mode, every tensor of ``inputs`` must exist and require grad."""
    if not strict:
        return
    for i, inp in enumerate(inputs):
        if inp is None:  # only grad_inputs can hold None
            raise RuntimeError(_INDEPENDENT["back"].format(i=i))
        if not inp.requires_grad:
            raise RuntimeError(_NOT_DIFFERENTIABLE[input_type].format(i=i))


def _autograd_grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """``autograd.grad`` that skips outputs which are None or do not require grad, and
    gives None (not an error) for inputs nothing depends on.  All tuples."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    kept = [(out, g) for out, g in zip(outputs, grad_outputs) if out is not None and out.requires_grad]
    if not kept:  # no differentiable output: no need to run the engine
        return (None,) * len(inputs)
    new_outputs, new_grad_outputs = (tuple(x) for x in zip(*kept))
    return lib.autograd.grad(new_outputs, inputs, new_grad_outputs, allow_unused=True,
                             create_graph=create_graph, retain_graph=retain_graph)


_INDEPENDENT = {
    "back": "The output of the user-provided function is independent of input {i}. This is not allowed in "
            "strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the grad_outputs "
                  "when using the double backward trick to compute forward mode gradients. This is not "
                  "allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This is not "
                   "allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} in the "
                         "grad_jacobian. This is not allowed in strict mode as it prevents from using the "
                         "double backward trick to replace forward mode AD.",
}


def _fill_in_zeros(grads, refs, strict, create_graph, stage):
    """Replace each None in ``grads`` by zeros shaped like ``refs[i]`` -- or, in strict
    mode, raise the ``stage``'s message (which backward pass found the independence)."""
    res = ()
    for i, grads_i in enumerate(grads):
        if grads_i is None:
            if strict:
                raise RuntimeError(_INDEPENDENT[stage].format(i=i))
            grads_i = lib.zeros_like(refs[i])
        elif strict and create_graph and not grads_i.requires_grad:
            raise _constant_result("hessian" if "double" in stage else "jacobian", i)
        res += (grads_i,)
    return res


def _constant_result(what, i):
    return RuntimeError(f"The {what} of the user-provided function is independent of input {i}. This is not "
                        "allowed in strict mode when create_graph=True.")


def _prepare_v(v, refs, is_refs_tuple, fn_name, create_graph, refs_are):
    """``v`` as a tuple checked against ``refs``; None only allowed when ``refs`` is one
    one-element Tensor (then autograd's implicit 1 is used)."""
    if v is not None:
        _, v = _as_tuple(v, "v", fn_name)
        v = _grad_preprocess(v, create_graph=create_graph, need_graph=False)
        _validate_v(v, refs, is_refs_tuple)
    elif len(refs) != 1 or refs[0].numel() != 1:
        raise RuntimeError(f"The vector v can only be None if {refs_are} a single Tensor with a single element.")
    return v


def _call(func, inputs, fn_name, strict):
    """Run ``func`` on the prepared inputs -> ``(was_tuple, outputs)``."""
    is_outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", fn_name)
    _check_requires_grad(outputs, "outputs", strict=strict)
    return is_outputs_tuple, outputs


def _check_scalar_output(is_outputs_tuple, outputs, fn_name):
    if is_outputs_tuple or not isinstance(outputs[0], lib.Tensor):
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should contain a single element")


def _finish(outputs, res, is_outputs_tuple, is_res_tuple, create_graph):
    """``(func_output, product)``: detached unless ``create_graph``, untupled like the arguments."""
    outputs, res = _grad_postprocess(outputs, create_graph), _grad_postprocess(res, create_graph)
    return _tuple_postprocess(outputs, is_outputs_tuple), _tuple_postprocess(res, is_res_tuple)


_V_NONE_OUTPUT = "the user-provided function returns"  # v is None only if these are
_V_NONE_INPUT = "the input to the user-provided function is"


# ---------------------------------------------------------------- public API
def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """Vector-Jacobian product ``v^T J`` at ``inputs`` -> ``(func_output, vjp)``.

    ``v`` is shaped like func's output(s) (optional for a one-element output); the
    vjp is shaped like the inputs."""
    with lib.enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        is_outputs_tuple, outputs = _call(func, inputs, "vjp", strict)
        v = _prepare_v(v, outputs, is_outputs_tuple, "vjp", create_graph, _V_NONE_OUTPUT)

    with lib.set_grad_enabled(True if create_graph else lib.is_grad_enabled()):
        grad_res = _autograd_grad(outputs, inputs, v, create_graph=create_graph)
        vjp_res = _fill_in_zeros(grad_res, inputs, strict, create_graph, "back")
    return _finish(outputs, vjp_res, is_outputs_tuple, is_inputs_tuple, create_graph)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """Jacobian-vector product ``J v`` at ``inputs`` -> ``(func_output, jvp)``.

    ``v`` is shaped like the inputs (optional for one one-element input); the jvp is
    shaped like func's output(s).  Computed by the double-backward trick: ``u -> J^T u``
    is built with ``create_graph=True`` from zero leaves ``u``, then differentiated
    with respect to ``u`` against ``v``."""
    with lib.enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        v = _prepare_v(v, inputs, is_inputs_tuple, "jvp", create_graph, _V_NONE_INPUT)
        is_outputs_tuple, outputs = _call(func, inputs, "jvp", strict)
        # J^T u is linear in u: its value at u = 0 does not matter, only its graph
        grad_outputs = tuple(lib.zeros_like(out, requires_grad=True) for out in outputs)
        grad_inputs = _autograd_grad(outputs, inputs, grad_outputs, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict=strict)

    with lib.set_grad_enabled(True if create_graph else lib.is_grad_enabled()):
        grad_res = _autograd_grad(grad_inputs, grad_outputs, v, create_graph=create_graph)
        jvp_res = _fill_in_zeros(grad_res, outputs, strict, create_graph, "back_trick")
    return _finish(outputs, jvp_res, is_outputs_tuple, is_outputs_tuple, create_graph)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: ``J[i][j]`` has shape
    ``outputs[i].shape + inputs[j].shape`` (a single Tensor when both are single).

    One backward pass per output element (``retain_graph=True``).  ``vectorize=True``
    (batched gradients) and ``strategy="forward-mode"`` need vmap / forward-mode AD,
    which minigrad does not have: they raise NotImplementedError (after torch's own
    argument checks, with torch's messages where torch raises too)."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                             'function has more outputs than inputs, "forward-mode" tends to be more performant. '
                             'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        return _jacfwd(func, inputs, create_graph, strict, vectorize)

    with lib.enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        is_outputs_tuple, outputs = _call(func, inputs, "jacobian", strict)
        if vectorize:
            if strict:
                raise RuntimeError(f"{lib.__name__}.autograd.functional.jacobian: `strict=True` and "
                                   "`vectorized=True` are not supported together. Please either set "
                                   "`strict=False` or `vectorize=False`.")
            raise NotImplementedError("jacobian(vectorize=True) needs batched gradients (vmap), which minigrad "
                                      "does not have; vectorize=False computes the same Jacobian row by row.")

        jacobian_res = ()
        for i, out in enumerate(outputs):
            rows = tuple([] for _ in inputs)  # rows[k]: one vjp per element of out, shaped like inputs[k]
            flat = out.reshape(-1)
            for j in range(out.numel()):
                vj = _autograd_grad((flat[j],), inputs, retain_graph=True, create_graph=create_graph)
                for k, (rows_k, vj_k, inp_k) in enumerate(zip(rows, vj, inputs)):
                    if vj_k is not None:
                        if strict and create_graph and not vj_k.requires_grad:
                            raise _constant_result("jacobian", i)  # sic: torch names the output index
                        rows_k.append(vj_k)
                    else:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is independent of "
                                               f"input {k}. This is not allowed in strict mode.")
                        rows_k.append(lib.zeros_like(inp_k))
            jacobian_res += (tuple(lib.stack(rows_k, dim=0).view(tuple(out.shape) + tuple(inputs[k].shape))
                                   for k, rows_k in enumerate(rows)),)

        jacobian_res = _grad_postprocess(jacobian_res, create_graph)
        return _tuple_postprocess(jacobian_res, (is_outputs_tuple, is_inputs_tuple))


def _jacfwd(func, inputs, create_graph, strict, vectorize):
    """torch's forward-mode checks, in torch's order; minigrad has no forward-mode AD."""
    if create_graph:
        raise NotImplementedError(f'{lib.__name__}.autograd.functional.jacobian: `create_graph=True` and '
                                  '`strategy="forward-mode"` are not supported together (yet). Please either '
                                  'set `create_graph=False` or `strategy="reverse-mode"`.')
    if strict:
        raise RuntimeError(f'{lib.__name__}.autograd.functional.jacobian: `strict=True` and '
                           '`strategy="forward-mode"` are not supported together (yet). Please either set '
                           '`strict=False` or `strategy="reverse-mode"`.')
    _as_tuple(inputs, "inputs", "jacobian")
    if not vectorize:
        raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
                                  "only implemented for `vectorize=True`.")  # sic: torch's missing space
    raise NotImplementedError('jacobian(strategy="forward-mode") needs forward-mode AD and vmap, which minigrad '
                              'does not have; use strategy="reverse-mode".')


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar ``func`` at ``inputs``: ``H[i][j]`` has shape
    ``inputs[i].shape + inputs[j].shape`` (a single Tensor for a single input).

    The Jacobian (``create_graph=True``) of the Jacobian.  ``vectorize=True`` and
    ``outer_jacobian_strategy="forward-mode"`` raise as in ``jacobian``."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def ensure_single_output_function(*inp):
        out = func(*inp)
        is_out_tuple, t_out = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(t_out, "outputs", strict=strict)
        _check_scalar_output(is_out_tuple, t_out, "hessian")
        return out.squeeze()

    def jac_func(*inp):
        if outer_jacobian_strategy == "forward-mode":
            inp = tuple(t.requires_grad_(True) for t in inp)
        jac = jacobian(ensure_single_output_function, inp, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict=strict)
        return jac

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                   strategy=outer_jacobian_strategy)
    return _tuple_postprocess(res, (is_inputs_tuple, is_inputs_tuple))


def _scalar_func_grad(func, inputs, v, create_graph, strict, fn_name):
    """Shared start of vhp and hvp: prepared inputs and v, the output, and the gradient
    ``g = ∂func/∂inputs`` as a graph (``create_graph=True``)."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
    inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
    v = _prepare_v(v, inputs, is_inputs_tuple, fn_name, create_graph, _V_NONE_INPUT)
    is_outputs_tuple, outputs = _call(func, inputs, fn_name, strict)
    _check_scalar_output(is_outputs_tuple, outputs, fn_name)
    jac = _autograd_grad(outputs, inputs, create_graph=True)
    _check_requires_grad(jac, "jacobian", strict=strict)
    return is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, jac


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """Vector-Hessian product ``v^T H`` of a scalar ``func`` -> ``(func_output, vhp)``,
    ``v`` and the vhp shaped like the inputs: backpropagate ``v`` through ``∂func/∂x``."""
    with lib.enable_grad():
        is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, jac = _scalar_func_grad(
            func, inputs, v, create_graph, strict, "vhp")

    with lib.set_grad_enabled(True if create_graph else lib.is_grad_enabled()):
        grad_res = _autograd_grad(jac, inputs, v, create_graph=create_graph)
        vhp_res = _fill_in_zeros(grad_res, inputs, strict, create_graph, "double_back")
    return _finish(outputs, vhp_res, is_outputs_tuple, is_inputs_tuple, create_graph)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """Hessian-vector product ``H v`` of a scalar ``func`` -> ``(func_output, hvp)``,
    ``v`` and the hvp shaped like the inputs.  The double-backward trick on top of
    vhp's graph, so slower than ``vhp``; equal to it when H is symmetric."""
    with lib.enable_grad():
        is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, jac = _scalar_func_grad(
            func, inputs, v, create_graph, strict, "hvp")
        grad_jac = tuple(lib.zeros_like(inp, requires_grad=True) for inp in inputs)
        double_back = _autograd_grad(jac, inputs, grad_jac, create_graph=True)
        _check_requires_grad(jac, "hessian", strict=strict)  # sic: torch checks jac again here

    with lib.set_grad_enabled(True if create_graph else lib.is_grad_enabled()):
        grad_res = _autograd_grad(double_back, grad_jac, v, create_graph=create_graph)
        hvp_res = _fill_in_zeros(grad_res, inputs, strict, create_graph, "double_back_trick")
    return _finish(outputs, hvp_res, is_outputs_tuple, is_inputs_tuple, create_graph)
