"""Scenarios: ``Tensor.register_hook`` (order, removal, retain_grad, autograd.grad)."""
from common import floats
from semantics_common import error, scenario, warned


@scenario(x=floats(4), u=floats(4))
def hook_replaces_grad(m, inp):
    """A hook returning ``g * 2`` on a leaf, and on a non-leaf (it changes what flows on)."""
    u = m.tensor(inp["u"])
    x = m.tensor(inp["x"], requires_grad=True)
    x.register_hook(lambda g: g * 2)
    (x * u).sum().backward()
    res = {"leaf_x_grad": x.grad}
    x = m.tensor(inp["x"], requires_grad=True)
    h = x * 3
    h.register_hook(lambda g: g * 2)
    (h * h * u).sum().backward()
    h_grad, messages = warned(lambda: h.grad)
    res.update(nonleaf_x_grad=x.grad, nonleaf_h_grad_is_none=h_grad is None, nonleaf_grad_warnings=messages)
    return res


@scenario(x=floats(4), u=floats(4))
def hook_observes(m, inp):
    """Hooks returning None see the gradient and change nothing; a second hook sees the first's result."""
    seen = {}

    def observe(name):
        def hook(g):
            seen.setdefault(name, []).append(g.clone())
        return hook

    x = m.tensor(inp["x"], requires_grad=True)
    h = x.exp()
    h.register_hook(observe("h"))
    x.register_hook(observe("x"))
    (h * m.tensor(inp["u"])).sum().backward()
    res = {"x_grad": x.grad, "h_calls": len(seen["h"]), "x_calls": len(seen["x"]),
           "h_seen": seen["h"][0], "x_seen": seen["x"][0]}
    return res


@scenario(x=floats(3), u=floats(3))
def hook_order_and_remove(m, inp):
    """Two hooks run in registration order (each sees the previous one's result); a removed
    hook is not called; removing twice is harmless."""
    log = []

    def plus_one(g):
        log.append("plus_one")
        return g + 1

    def times_ten(g):
        log.append("times_ten")
        return g * 10

    def never(g):
        log.append("removed hook called")

    u = m.tensor(inp["u"])
    x = m.tensor(inp["x"], requires_grad=True)
    h = x * 1
    h.register_hook(plus_one)
    handle = h.register_hook(never)
    h.register_hook(times_ten)
    handle.remove()
    handle.remove()
    (h * u).sum().backward()
    res = {"log": list(log), "x_grad": x.grad}
    log.clear()
    x.grad = None
    leaf_handle = x.register_hook(times_ten)
    x.register_hook(plus_one)
    (x * u).sum().backward()
    res.update(leaf_log=list(log), leaf_x_grad=x.grad.clone())
    leaf_handle.remove()
    log.clear()
    x.grad = None
    (x * u).sum().backward()
    res.update(after_remove_log=list(log), after_remove_x_grad=x.grad)
    return res


@scenario(x=floats(3), a=floats(3), b=floats(3))
def hook_leaf_used_twice(m, inp):
    """A leaf used twice in the graph: its hook runs once, with the summed gradient."""
    seen = []
    x = m.tensor(inp["x"], requires_grad=True)
    x.register_hook(lambda g: seen.append(g.clone()))
    h = x * 2
    h_seen = []
    h.register_hook(lambda g: h_seen.append(g.clone()))
    ((x * m.tensor(inp["a"])).sum() + (h * m.tensor(inp["b"])).sum() + (h * h).sum()).backward()
    return {"calls": len(seen), "seen": seen[0], "x_grad": x.grad, "h_calls": len(h_seen), "h_seen": h_seen[0]}


@scenario(x=floats(3), u=floats(3))
def hook_and_retain_grad(m, inp):
    """retain_grad() before or after a hook that doubles the gradient: what ``.grad`` holds."""
    u = m.tensor(inp["u"])
    res = {}
    for order in ("retain_first", "hook_first"):
        x = m.tensor(inp["x"], requires_grad=True)
        h = x * 3
        if order == "retain_first":
            h.retain_grad()
            h.register_hook(lambda g: g * 2)
        else:
            h.register_hook(lambda g: g * 2)
            h.retain_grad()
        (h * u).sum().backward()
        res[f"{order}_h_grad"], res[f"{order}_x_grad"] = h.grad, x.grad
    x = m.tensor(inp["x"], requires_grad=True)
    x.register_hook(lambda g: g * 2)
    x.retain_grad()  # a no-op on a leaf
    (x * u).sum().backward()
    res["leaf_x_grad"] = x.grad
    return res


@scenario(x=floats(3), u=floats(3))
def hook_with_autograd_grad(m, inp):
    """Hooks and ``autograd.grad``: on the input tensor itself, and on a leaf that is not an input."""
    log = []
    u = m.tensor(inp["u"])
    x = m.tensor(inp["x"], requires_grad=True)
    x.register_hook(lambda g: log.append("x") or g * 2)
    g_leaf, = m.autograd.grad((x * u).sum(), x)
    res = {"leaf_input_grad": g_leaf, "leaf_input_log": list(log), "leaf_input_x_grad_is_none": x.grad is None}
    log.clear()
    h = x * 3
    h.register_hook(lambda g: log.append("h") or g * 5)
    g_h, = m.autograd.grad((h * u).sum(), h)
    res.update(nonleaf_input_grad=g_h, nonleaf_input_log=list(log))
    log.clear()
    h = x * 3
    h.register_hook(lambda g: log.append("h") or g * 5)
    k = h * 2
    g_k, = m.autograd.grad((k * u).sum(), k)
    res.update(upstream_input_grad=g_k, upstream_input_log=list(log))
    log.clear()
    h = x * 3
    h.register_hook(lambda g: log.append("h") or g * 5)
    g_x, = m.autograd.grad((h * u).sum(), x)
    res.update(through_hook_grad=g_x, through_hook_log=list(log), x_grad_is_none=x.grad is None)
    return res


@scenario(x=floats(3))
def hook_errors(m, inp):
    """register_hook on a tensor that does not require grad; retain_grad likewise."""
    x = m.tensor(inp["x"])
    res = {}
    error(res, "no_grad", lambda: x.register_hook(lambda g: g))
    error(res, "retain_no_grad", lambda: x.retain_grad())
    return res
