"""Scenarios: Module forward pre-hooks, forward hooks and full backward (pre-)hooks."""
from common import floats
from semantics_common import error, scenario, warned


def _linear(m, inp, name="w"):
    """``nn.Linear(3, 2)`` whose weight and bias come from the stored inputs."""
    lin = m.nn.Linear(3, 2).to(m.float64 if inp[name].dtype.name == "float64" else m.float32)
    with m.no_grad():
        lin.weight.copy_(m.tensor(inp[name]))
        lin.bias.copy_(m.tensor(inp[name + "_b"]))
    return lin


@scenario(x=floats(4, 3), w=floats(2, 3), w_b=floats(2))
def module_forward_hooks(m, inp):
    """A pre-hook replacing the input, a forward hook replacing the output, prepend order,
    with_kwargs, and removal."""
    lin, log = _linear(m, inp), []
    x = m.tensor(inp["x"])
    h1 = lin.register_forward_pre_hook(lambda mod, args: log.append("pre") or args[0] * 2)
    lin.register_forward_pre_hook(lambda mod, args: log.append("pre_first") or None, prepend=True)
    h3 = lin.register_forward_hook(lambda mod, args, out: log.append("fwd") or out + 1)
    lin.register_forward_hook(lambda mod, args, out: log.append(f"fwd_first:{len(args)}") or None, prepend=True)
    res = {"hooked": lin(x), "log": list(log), "plain": lin.forward(x * 2) + 1}
    h1.remove()
    h3.remove()
    log.clear()
    res.update(after_remove=lin(x), after_remove_log=list(log))
    with lin.register_forward_hook(lambda mod, args, out: log.append("with") or out * 0):
        res["with_block"] = lin(x)
    res["after_with_block"] = lin(x)
    log.clear()

    def kw_pre(mod, args, kwargs):
        log.append(f"kw_pre:{sorted(kwargs)}")
        return (args[0] * 3,), kwargs

    def kw_fwd(mod, args, kwargs, out):
        log.append(f"kw_fwd:{sorted(kwargs)}")
        return out * 2
    lin2 = _linear(m, inp)
    lin2.register_forward_pre_hook(kw_pre, with_kwargs=True)
    lin2.register_forward_hook(kw_fwd, with_kwargs=True)
    log.clear()
    res.update(kwargs_hooked=lin2(x), kwargs_log=list(log))
    lin3 = _linear(m, inp)
    lin3.register_forward_pre_hook(lambda mod, args, kwargs: args[0], with_kwargs=True)
    error(res, "bad_kw_pre", lambda: lin3(x))
    return res


@scenario(x=floats(4, 3), w=floats(2, 3), w_b=floats(2))
def module_forward_hook_always_call(m, inp):
    """``always_call=True`` forward hooks run even when forward raises; others do not."""
    class Boom(m.nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    log, res = [], {}
    mod = Boom()
    mod.register_forward_hook(lambda md, args, out: log.append(f"always:{out is None}"), always_call=True)
    mod.register_forward_hook(lambda md, args, out: log.append("normal"))
    error(res, "forward", lambda: mod(m.tensor(inp["x"])))
    res["log"] = log
    return res


@scenario(x=floats(4, 3), w=floats(2, 3), w_b=floats(2), u=floats(4, 2))
def module_full_backward_hook(m, inp):
    """What the hooks see on nn.Linear, and the effect of replacing grad_input / grad_output."""
    res, log = {}, []
    u = m.tensor(inp["u"])
    for mode in ("observe", "replace_input", "replace_output"):
        lin = _linear(m, inp)
        x = m.tensor(inp["x"], requires_grad=True)
        seen = {}

        def hook(mod, grad_input, grad_output):
            log.append(f"{mode}:hook:{len(grad_input)}:{len(grad_output)}")
            seen["grad_input"], seen["grad_output"] = grad_input[0].clone(), grad_output[0].clone()
            seen["same_module"] = mod is lin
            if mode == "replace_input":
                return (grad_input[0] * 0.5,)

        def pre_hook(mod, grad_output):
            log.append(f"{mode}:pre:{len(grad_output)}")
            if mode == "replace_output":
                return (grad_output[0] * 3,)
        lin.register_full_backward_hook(hook)
        lin.register_full_backward_pre_hook(pre_hook)
        out = lin(x)
        res[f"{mode}_out_grad_fn"] = type(out.grad_fn).__name__
        (out * u).sum().backward()
        res.update({f"{mode}_{k}": v for k, v in seen.items()})
        res.update({f"{mode}_x_grad": x.grad, f"{mode}_w_grad": lin.weight.grad, f"{mode}_b_grad": lin.bias.grad})
    res["log"] = log
    return res


@scenario(x=floats(3), y=floats(3), u=floats(3))
def module_backward_hook_inputs(m, inp):
    """grad_input entries: zeros for a Tensor not requiring grad, None for a non-Tensor argument;
    an input the forward does not use; the gradient w.r.t. a second output that is unused."""
    class Mix(m.nn.Module):
        def forward(self, a, b, k, c):
            return a * k + b, c * 0 + a

    class UsesFirst(m.nn.Module):
        def forward(self, a, b):
            return a * 2

    res, seen = {}, {}

    def hook(mod, gi, go):
        seen["gi_none"] = [g is None for g in gi]
        seen["go_none"] = [g is None for g in go]
        seen["gi"] = [g.clone() for g in gi if g is not None]
        seen["go"] = [g.clone() for g in go if g is not None]
    x, y = m.tensor(inp["x"], requires_grad=True), m.tensor(inp["y"])
    c = m.tensor(inp["x"], requires_grad=True)
    mod = Mix()
    mod.register_full_backward_hook(hook)
    out, _ = mod(x, y, 2.0, c)
    (out * m.tensor(inp["u"])).sum().backward()
    res.update({f"mix_{k}": (v if k.endswith("none") else len(v)) for k, v in seen.items()})
    res.update(mix_gi0=seen["gi"][0], mix_gi1=seen["gi"][1], mix_go0=seen["go"][0], mix_c_grad_is_none=c.grad is None)
    mod2 = UsesFirst()
    mod2.register_full_backward_hook(hook)
    a, b = m.tensor(inp["x"], requires_grad=True), m.tensor(inp["y"], requires_grad=True)
    mod2(a, b).sum().backward()
    res.update(first_gi_none=seen["gi_none"], first_gi=[len(seen["gi"])], first_b_grad_is_none=b.grad is None)
    if len(seen["gi"]) == 2:
        res["first_gi1"] = seen["gi"][1]
    return res


@scenario(x=floats(4, 3), w=floats(2, 3), w_b=floats(2))
def module_backward_hook_no_input_grad(m, inp):
    """No input requires grad: the hook fires at the outputs with grad_input all None, with a
    warning; returning a gradient is then an error.  A wrong-length return is an error too."""
    res, seen = {}, {}
    lin = _linear(m, inp)

    def hook(mod, gi, go):
        seen["gi"], seen["go0"] = list(gi), go[0].clone()
    lin.register_full_backward_hook(hook)
    x = m.tensor(inp["x"])
    _, messages = warned(lambda: lin(x).sum().backward())
    res.update(gi=[g is None for g in seen["gi"]], go0=seen["go0"], warnings=messages, w_grad=lin.weight.grad)
    lin2 = _linear(m, inp)
    lin2.register_full_backward_hook(lambda mod, gi, go: (go[0],))
    error(res, "return_with_no_input_grad", lambda: warned(lambda: lin2(x).sum().backward()))
    lin3 = _linear(m, inp)
    lin3.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
    xr = m.tensor(inp["x"], requires_grad=True)
    error(res, "wrong_length", lambda: lin3(xr).sum().backward())
    lin4 = _linear(m, inp)
    lin4.register_full_backward_pre_hook(lambda mod, go: (go[0], go[0]))
    error(res, "pre_wrong_length", lambda: lin4(xr).sum().backward())
    return res


@scenario(x=floats(4, 3), w=floats(2, 3), w_b=floats(2), v=floats(2, 2), v_b=floats(2))
def module_backward_hook_order(m, inp):
    """Hooks on the children of a Sequential: the order in which they fire in backward."""
    log = []
    first, second = _linear(m, inp, "w"), _linear_2x2(m, inp)
    net = m.nn.Sequential(first, m.nn.Tanh(), second)
    for name, mod in (("first", first), ("second", second), ("net", net)):
        mod.register_full_backward_pre_hook(lambda md, go, name=name: log.append(f"pre:{name}"))
        mod.register_full_backward_hook(lambda md, gi, go, name=name: log.append(f"hook:{name}"))
        mod.register_forward_hook(lambda md, a, o, name=name: log.append(f"fwd:{name}"))
    x = m.tensor(inp["x"], requires_grad=True)
    net(x).sum().backward()
    return {"log": log, "x_grad": x.grad, "w_grad": first.weight.grad}


def _linear_2x2(m, inp):
    lin = m.nn.Linear(2, 2).to(m.float64 if inp["v"].dtype.name == "float64" else m.float32)
    with m.no_grad():
        lin.weight.copy_(m.tensor(inp["v"]))
        lin.bias.copy_(m.tensor(inp["v_b"]))
    return lin
