"""Check minigrad's module-hook code on torch's autograd engine.

    /tmp/venv-torch/bin/python tests/record/check_module_hooks_on_torch.py

minigrad's ``ModuleHooks`` (``minigrad/nn/module_hooks.py``) and ``BackwardHook``
(``minigrad/nn/hooks.py``) are mixed into torch's nn classes, with the identity
``BackwardHookFunction`` written as in minigrad but on ``torch.autograd.Function``;
the ``module_*`` scenarios then run on torch and are compared with the recording.
This tests the hook logic independently of minigrad's engine: it must print "bad 0".
"""
import importlib
import json
import sys
import types
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))
import torch
import minigrad.nn.hooks as H
import minigrad.nn.module_hooks as MH
H.Tensor = torch.Tensor
MH.Tensor = torch.Tensor

class BackwardHookFunction(torch.autograd.Function):
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
H._BackwardHookFunction = BackwardHookFunction

class Mixin(MH.ModuleHooks):
    def __call__(self, *args, **kwargs):
        if self.__dict__.get("_has_hooks"):
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)
    # torch's own dicts exist; redirect registrations into our attribute names
    def _hook_dict(self, name):
        d = self.__dict__
        d["_has_hooks"] = True
        key = "_mg" + name
        if key not in d:
            from collections import OrderedDict
            d[key] = OrderedDict()
        return d[key]
for nm in ["_forward_pre_hooks", "_forward_pre_hooks_with_kwargs", "_forward_hooks", "_forward_hooks_with_kwargs",
           "_forward_hooks_always_called", "_backward_pre_hooks", "_backward_hooks"]:
    setattr(Mixin, nm, property(lambda self, nm=nm: self.__dict__.get("_mg" + nm, {}),
                                lambda self, v, nm=nm: self.__dict__.__setitem__("_t" + nm, v)))

nn = types.SimpleNamespace()
for cls in ["Module", "Linear", "Sequential", "Tanh"]:
    setattr(nn, cls, type(cls, (Mixin, getattr(torch.nn, cls)), {}))
fake = types.SimpleNamespace(**{k: getattr(torch, k) for k in dir(torch) if not k.startswith("__")})
fake.nn = nn

import semantics_common as sc
from common import EXPECTED_DIR, load_expected
importlib.import_module("semantics_modules")
stored, meta = load_expected(EXPECTED_DIR / sc.OUTPUT_NAME)
bad = 0
for key in meta["results"]:
    name, dtype = key.split("/")
    if not name.startswith("module_"):
        continue
    inputs, wa, wp = sc.from_storage(key, stored, meta)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a, p = sc.run_scenario(fake, sc.SCENARIOS[name], inputs)
    p = json.loads(json.dumps(p))
    probs = sc.compare(wa, wp, a, p, dtype)
    print(key, "OK" if not probs else probs)
    bad += bool(probs)
print("bad", bad)
sys.exit(1 if bad else 0)
