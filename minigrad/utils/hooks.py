"""``RemovableHandle``: what every ``register_*hook`` returns, as ``torch.utils.hooks``.

A hook lives in an ordered dict keyed by the handle's ``id`` (ids increase across
all handles, so registration order is the dict order).  ``handle.remove()`` deletes
that key from the dict, and from any ``extra_dict`` that records per-hook flags
(e.g. "this forward hook takes kwargs").  The handle holds the dicts weakly: it
never keeps a module or tensor alive.  ``with module.register_forward_hook(h):``
removes the hook when the block ends.

Tensor hooks (``Tensor.register_hook``) and module hooks (``Module.register_*_hook``)
both use this class.
"""
import itertools
import weakref
from collections import OrderedDict

__all__ = ["RemovableHandle"]

_ids = itertools.count()


class RemovableHandle:
    """Removes one hook from the dict(s) it was registered in."""

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = next(_ids)
        if isinstance(extra_dict, dict):
            self.extra_dict_ref = (weakref.ref(extra_dict),)
        elif isinstance(extra_dict, list):
            self.extra_dict_ref = tuple(weakref.ref(d) for d in extra_dict)
        else:
            self.extra_dict_ref = ()

    def remove(self):
        """Unregister the hook; removing twice (or after the owner is gone) does nothing."""
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            d = ref()
            if d is not None and self.id in d:
                del d[self.id]

    def __getstate__(self):
        return (self.hooks_dict_ref(), self.id, tuple(ref() for ref in self.extra_dict_ref))

    def __setstate__(self, state):
        global _ids
        self.hooks_dict_ref = weakref.ref(OrderedDict() if state[0] is None else state[0])
        self.id = state[1]
        extra = state[2] if len(state) > 2 and state[2] is not None else ()
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extra if d is not None)
        current = next(_ids)
        _ids = itertools.count(max(current, self.id + 1))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
