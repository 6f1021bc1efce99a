"""Full backward hooks of a Module, built as torch builds them.

``Module.__call__`` wraps the module's Tensor inputs, and then its Tensor outputs,
in ``BackwardHookFunction``: an identity autograd Function whose backward hands its
gradients to one ``BackwardHook`` object (one per call) and passes on what it gets
back.  So in the backward pass:

1. the gradients reach the *outputs'* identity node first: ``BackwardHook`` stores
   them as ``grad_output`` (``None`` for outputs that got no gradient), lets every
   backward pre-hook replace them, and sends them on into the module's graph;
2. they then reach the *inputs'* identity node: every full backward hook is called
   as ``hook(module, grad_input, grad_output)`` and may return a replacement
   ``grad_input``: ``None`` for arguments that are not Tensors, zeros (as in torch:
   that node materializes missing gradients) for Tensors that got none, including
   Tensors that do not require grad.

If no input requires grad there is no input node: the hooks then fire at step 1
with an all-``None`` ``grad_input`` (and torch's warning).

Only the ``minigrad.autograd.Function`` contract is used (Tensors in, Tensors out,
a non-Tensor first argument whose gradient is ``None``), so nothing here knows how
the engine works.
"""
import warnings

from minigrad.tensor import Tensor

_NO_INPUT_GRAD_WARNING = (
    "Full backward hook is firing when gradients are computed with respect to module outputs since "
    "no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
    "#torch.nn.Module.register_full_backward_hook for more details.")

_BackwardHookFunction = None


def _function_class():
    """``BackwardHookFunction``, defined on first use (``minigrad.autograd`` binds
    ``Function`` only once ``Tensor`` exists)."""
    global _BackwardHookFunction
    if _BackwardHookFunction is None:
        from minigrad.autograd import Function

        class BackwardHookFunction(Function):
            """Identity on Tensors; its backward runs ``side(grads)``."""

            @staticmethod
            def forward(ctx, side, *args):
                ctx.side = side
                ctx.set_materialize_grads(side.materialize)
                outs = tuple(a.view_as(a) for a in args)
                ctx.mark_non_differentiable(*[o for o, a in zip(outs, args) if not a.requires_grad])
                return outs

            @staticmethod
            def backward(ctx, *grads):
                return (None, *ctx.side(ctx, grads))

        _BackwardHookFunction = BackwardHookFunction
    return _BackwardHookFunction


class _Side:
    """The callable one identity node calls back in backward."""

    def __init__(self, fn, materialize):
        self.fn, self.materialize = fn, materialize

    def __call__(self, ctx, grads):
        return self.fn(ctx, grads)


def _pack_with_none(indices, values, size):
    res = [None] * size
    for i, v in zip(indices, values):
        res[i] = v
    return tuple(res)


class BackwardHook:
    """Links one forward call's output gradients to its input gradients and calls the hooks."""

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.module, self.user_hooks, self.user_pre_hooks = module, user_hooks, user_pre_hooks
        self.grad_outputs = None
        self.n_inputs = self.n_outputs = -1
        self.input_tensors_index = self.output_tensors_index = None

    def _apply_on_tensors(self, side, args):
        """Wrap the Tensors among ``args``; -> (new args, their indices or None if nothing needs grad)."""
        from minigrad.autograd import grad_mode
        index = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        if not (any(args[i].requires_grad for i in index) and grad_mode.is_grad_enabled()):
            return args, None
        wrapped = _function_class().apply(side, *[args[i] for i in index])
        if isinstance(wrapped, Tensor):
            wrapped = (wrapped,)
        out = list(args)
        for i, t in zip(index, wrapped):
            out[i] = t
        return (tuple(out) if type(args) is tuple else type(args)(*out)), index

    # ------------------------------------------------------------------ inputs
    def setup_input_hook(self, args):
        res, index = self._apply_on_tensors(_Side(self._input_grads, materialize=True), args)
        self.n_inputs, self.input_tensors_index = len(args), index
        return res

    def _input_grads(self, ctx, grads):
        if self.grad_outputs is None:  # reached without passing through the outputs (double backward)
            return grads
        res = _pack_with_none(self.input_tensors_index, grads, self.n_inputs)
        for hook in self.user_hooks:
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                   f"got {len(out)}, but expected {len(res)}")
            res = out
        self.grad_outputs = None
        return tuple(res[i] for i in self.input_tensors_index)

    # ------------------------------------------------------------------ outputs
    def setup_output_hook(self, result):
        is_tuple = isinstance(result, tuple)
        args = result if is_tuple else (result,)
        res, index = self._apply_on_tensors(_Side(self._output_grads, materialize=False), args)
        self.n_outputs, self.output_tensors_index = len(args), index
        return res if is_tuple else res[0]

    def _output_grads(self, ctx, grads):
        self.grad_outputs = _pack_with_none(self.output_tensors_index, grads, self.n_outputs)
        for pre_hook in self.user_pre_hooks:
            new = pre_hook(self.module, self.grad_outputs)
            if new is None:
                continue
            if len(new) != len(self.grad_outputs):
                raise RuntimeError("Backward pre hook returned an invalid number of grad_output, "
                                   f"got {len(new)}, but expected {len(self.grad_outputs)}")
            self.grad_outputs = new
        local = self.grad_outputs
        if self.input_tensors_index is None:
            warnings.warn(_NO_INPUT_GRAD_WARNING, stacklevel=2)
            grad_inputs = _pack_with_none([], [], self.n_inputs)
            for hook in self.user_hooks:
                res = hook(self.module, grad_inputs, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple) and all(r is None for r in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires "
                                       "gradient should always return None or None for all gradients.")
            self.grad_outputs = None
        return tuple(local[i] for i in self.output_tensors_index)
