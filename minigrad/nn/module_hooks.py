"""Module hooks: run code before/after ``forward`` and in the backward pass, as in torch.

``Module`` inherits ``ModuleHooks``.  Without hooks, ``module(x)`` costs one attribute
check more than ``module.forward(x)`` (training steps are benchmarked); the hook
dicts are created on an instance only when a first hook is registered.

- ``register_forward_pre_hook(hook)``: ``hook(module, args)`` before forward; may return
  new args (a non-tuple is wrapped in one).  ``with_kwargs=True``:
  ``hook(module, args, kwargs)`` returning ``None`` or ``(args, kwargs)``.
- ``register_forward_hook(hook)``: ``hook(module, args, output)`` after forward; may
  return a new output.  ``always_call=True`` also runs it if forward raised.
- ``register_full_backward_pre_hook(hook)``: ``hook(module, grad_output)``; may return
  a new ``grad_output`` tuple.
- ``register_full_backward_hook(hook)``: ``hook(module, grad_input, grad_output)``; may
  return a new ``grad_input`` tuple (see ``minigrad.nn.hooks``).

Each returns a ``minigrad.utils.hooks.RemovableHandle``; ``prepend=True`` puts the
hook before the ones already registered.
"""
import types
import warnings
from collections import OrderedDict

from minigrad.nn.hooks import BackwardHook
from minigrad.tensor import Tensor
from minigrad.utils.hooks import RemovableHandle

_EMPTY = types.MappingProxyType({})


class ModuleHooks:
    """The hook registries and the hooked call path of ``Module``."""
    _has_hooks = False  # the one check Module.__call__ makes
    _forward_pre_hooks = _forward_pre_hooks_with_kwargs = _EMPTY
    _forward_hooks = _forward_hooks_with_kwargs = _forward_hooks_always_called = _EMPTY
    _backward_pre_hooks = _backward_hooks = _EMPTY

    def _hook_dict(self, name):
        d = self.__dict__
        d["_has_hooks"] = True
        if name not in d:
            d[name] = OrderedDict()
        return d[name]

    def _add_hook(self, registry, hook, prepend, flags=()):
        hooks = self._hook_dict(registry)
        extras = [self._hook_dict(flag) for flag in flags]
        handle = RemovableHandle(hooks, extra_dict=extras)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle, extras

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """``hook(module, args)`` (or ``hook(module, args, kwargs)``) before every forward."""
        handle, (kw,) = self._add_hook("_forward_pre_hooks", hook, prepend, ["_forward_pre_hooks_with_kwargs"])
        if with_kwargs:
            kw[handle.id] = True
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """``hook(module, args, output)`` (or ``hook(module, args, kwargs, output)``) after every forward."""
        handle, (kw, always) = self._add_hook("_forward_hooks", hook, prepend,
                                              ["_forward_hooks_with_kwargs", "_forward_hooks_always_called"])
        if with_kwargs:
            kw[handle.id] = True
        if always_call:
            always[handle.id] = True
        return handle

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """``hook(module, grad_output)`` when the gradients of the module's outputs are known."""
        return self._add_hook("_backward_pre_hooks", hook, prepend)[0]

    def register_full_backward_hook(self, hook, prepend=False):
        """``hook(module, grad_input, grad_output)`` when the gradients of its inputs are computed."""
        return self._add_hook("_backward_hooks", hook, prepend)[0]

    # ------------------------------------------------------------------ the hooked call
    def _call_with_hooks(self, args, kwargs):
        """torch's ``Module._call_impl`` when hooks are registered."""
        called_always = set()
        result = None
        try:
            bw_hook = None
            for hook_id, hook in list(self._forward_pre_hooks.items()):
                if hook_id in self._forward_pre_hooks_with_kwargs:
                    new = hook(self, args, kwargs)
                    if new is not None:
                        if isinstance(new, tuple) and len(new) == 2:
                            args, kwargs = new
                        else:
                            raise RuntimeError("forward pre-hook must return None or a tuple "
                                               f"of (new_args, new_kwargs), but got {new}.")
                else:
                    new = hook(self, args)
                    if new is not None:
                        args = new if isinstance(new, tuple) else (new,)
            if self._backward_hooks or self._backward_pre_hooks:
                bw_hook = BackwardHook(self, list(self._backward_hooks.values()),
                                       list(self._backward_pre_hooks.values()))
                args = bw_hook.setup_input_hook(args)
            result = self.forward(*args, **kwargs)
            for hook_id, hook in list(self._forward_hooks.items()):
                if hook_id in self._forward_hooks_always_called:
                    called_always.add(hook_id)
                if hook_id in self._forward_hooks_with_kwargs:
                    new = hook(self, args, kwargs, result)
                else:
                    new = hook(self, args, result)
                if new is not None:
                    result = new
            if bw_hook:
                if not isinstance(result, (Tensor, tuple)):
                    warnings.warn("For backward hooks to be called, module output should be a Tensor or a "
                                  f"tuple of Tensors but received {type(result)}", stacklevel=3)
                result = bw_hook.setup_output_hook(result)
            return result
        except Exception:
            self._run_always_called(args, kwargs, result, called_always)
            raise

    def _run_always_called(self, args, kwargs, result, called):
        """After forward raised: the ``always_call`` forward hooks not yet run, their errors silenced."""
        for hook_id, hook in list(self._forward_hooks.items()):
            if hook_id not in self._forward_hooks_always_called or hook_id in called:
                continue
            try:
                if hook_id in self._forward_hooks_with_kwargs:
                    new = hook(self, args, kwargs, result)
                else:
                    new = hook(self, args, result)
                if new is not None:
                    result = new
            except Exception as e:
                warnings.warn("module forward hook with ``always_call=True`` raised an exception "
                              f"that was silenced as another error was raised in forward: {e}", stacklevel=3)
