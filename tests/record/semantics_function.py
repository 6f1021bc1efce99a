"""Scenarios: custom ``autograd.Function`` with torch's contract (Tensors in and out)."""
import numpy as np

from common import floats, nonzero, positive
from semantics_common import error, node_name, scenario


def _my_relu(m):
    """The PyTorch tutorial's MyReLU, written once for either library."""
    class MyReLU(m.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input
    return MyReLU


@scenario(x=floats(30), target=floats(30), a=floats(), b=floats(), c=floats(low=-0.5, high=0.5), d=nonzero(),
          e=floats(low=-0.5, high=0.5))
def fn_tutorial_relu_polynomial(m, inp):
    """y = a + b*h + e*h², h = MyReLU(c + d*x); squared error; two SGD steps by hand."""
    relu = _my_relu(m).apply
    x, target = m.tensor(inp["x"]), m.tensor(inp["target"])
    p = {k: m.tensor(inp[k], requires_grad=True) for k in "abcde"}
    res = {}
    for step in range(2):
        h = relu(p["c"] + p["d"] * x)
        y = p["a"] + p["b"] * h + p["e"] * h ** 2
        loss = ((y - target) ** 2).sum()
        loss.backward()
        res[f"loss{step}"], res[f"y{step}"] = loss, y
        res[f"grad_fn{step}"] = node_name(h.grad_fn)
        with m.no_grad():
            for k in "abcde":
                res[f"grad_{k}{step}"] = p[k].grad.clone()
                p[k] -= 1e-3 * p[k].grad
                p[k].grad = None
    return res


@scenario(x=floats(4), y=floats(4), u1=floats(4), u2=floats(4))
def fn_two_outputs(m, inp):
    """forward returns (x*y, x-y); both used, then only the first (the second's grad is zeros)."""
    class ProdDiff(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y, x - y

        @staticmethod
        def backward(ctx, g1, g2):
            x, y = ctx.saved_tensors
            seen.append(g2.clone())
            return g1 * y + g2, g1 * x - g2

    seen = []
    x, y = (m.tensor(inp[k], requires_grad=True) for k in "xy")
    p, d = ProdDiff.apply(x, y)
    res = {"p": p, "d": d, "same_node": p.grad_fn is d.grad_fn}
    ((p * m.tensor(inp["u1"])).sum() + (d * m.tensor(inp["u2"])).sum()).backward()
    res.update(x_grad=x.grad.clone(), y_grad=y.grad.clone())
    x.grad = y.grad = None
    p, d = ProdDiff.apply(x, y)
    p.sum().backward()
    res.update(x_grad_first_only=x.grad, y_grad_first_only=y.grad, g2_seen_unused=seen[-1])
    return res


@scenario(x=floats(6), u=floats(6))
def fn_mark_non_differentiable(m, inp):
    """A sort-like Function: values differentiable, the (float) order marked non-differentiable."""
    class SortLike(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            order = np.argsort(x.detach().numpy(), kind="stable")
            ctx.inverse = m.tensor(np.argsort(order))
            index = m.tensor(order)
            values = x[index]
            idx = index.to(x.dtype)
            ctx.mark_non_differentiable(idx)
            return values, idx

        @staticmethod
        def backward(ctx, g_values, g_idx):
            seen["g_idx_is_none"] = g_idx is None
            if g_idx is not None:
                seen["g_idx"] = g_idx.clone()
            return g_values[ctx.inverse]

    seen = {}
    x = m.tensor(inp["x"], requires_grad=True)
    values, idx = SortLike.apply(x)
    res = {"values": values, "idx": idx, "values_rg": values.requires_grad, "idx_rg": idx.requires_grad,
           "idx_grad_fn_is_none": idx.grad_fn is None}
    (values * m.tensor(inp["u"])).sum().backward()
    res.update(x_grad=x.grad, **seen)
    error(res, "backward_idx", lambda: idx.sum().backward())
    return res


@scenario(x=floats(5), u=floats(5))
def fn_mark_dirty(m, inp):
    """An in-place forward (``x.add_(1)``) on a non-leaf clone, then on a leaf (error)."""
    class AddOne(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    x = m.tensor(inp["x"], requires_grad=True)
    h = x.clone() * 2
    out = AddOne.apply(h)
    res = {"out": out, "out_is_h": out is h, "h": h, "h_grad_fn": node_name(h.grad_fn)}
    (out * out * m.tensor(inp["u"])).sum().backward()
    res["x_grad"] = x.grad
    error(res, "dirty_leaf", lambda: AddOne.apply(x))
    return res


@scenario(x=floats(3))
def fn_materialize_grads(m, inp):
    """With ``set_materialize_grads(False)`` the unused output's grad is None; by default zeros."""
    def make(materialize):
        class TwoScales(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(materialize)
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, g1, g2):
                seen.append((g1 is None, g2 is None))
                total = g1 * 2 if g1 is not None else None
                if g2 is not None:
                    total = g2 * 3 if total is None else total + g2 * 3
                return total
        return TwoScales

    seen, res = [], {}
    for materialize in (False, True):
        x = m.tensor(inp["x"], requires_grad=True)
        a, b = make(materialize).apply(x)
        a.sum().backward()
        res[f"x_grad_{materialize}"] = x.grad
    res["seen_none"] = [list(s) for s in seen]
    return res


@scenario(a=floats(3), b=floats(3), c=floats(3))
def fn_needs_input_grad(m, inp):
    """``ctx.needs_input_grad`` for (grad, no grad, non-Tensor, grad), in forward and backward."""
    class Combine(m.autograd.Function):
        @staticmethod
        def forward(ctx, a, b, k, c):
            seen["forward"] = list(ctx.needs_input_grad)
            return a * b * k + c

        @staticmethod
        def backward(ctx, g):
            seen["backward"] = list(ctx.needs_input_grad)
            return g * 2, None, None, g

    seen = {}
    a, c = m.tensor(inp["a"], requires_grad=True), m.tensor(inp["c"], requires_grad=True)
    b = m.tensor(inp["b"])
    out = Combine.apply(a, b, 2.0, c)
    out.sum().backward()
    res = {"out": out, "a_grad": a.grad, "c_grad": c.grad, "b_grad_is_none": b.grad is None}
    res.update({f"needs_{k}": v for k, v in seen.items()})
    return res


@scenario(x=floats(3), u=floats(3))
def fn_non_tensor_args(m, inp):
    """Non-Tensor forward arguments get None gradients; a non-None one is an error."""
    def make(bad):
        class Scale(m.autograd.Function):
            @staticmethod
            def forward(ctx, x, k, label):
                ctx.k = k
                return x * k

            @staticmethod
            def backward(ctx, g):
                return g * ctx.k, (g.sum() if bad else None), None
        return Scale

    x = m.tensor(inp["x"], requires_grad=True)
    out = make(False).apply(x, 3.0, "label")
    (out * m.tensor(inp["u"])).sum().backward()
    res = {"out": out, "x_grad": x.grad}
    error(res, "grad_for_float", lambda: make(True).apply(x, 3.0, "label").sum().backward())
    return res


@scenario(x=floats(3), y=floats(3))
def fn_backward_errors(m, inp):
    """Too few gradients, a gradient of the wrong shape."""
    class BadBackward(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    class WrongShape(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g[:2]

    class TooMany(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g, g

    x, y = (m.tensor(inp[k], requires_grad=True) for k in "xy")
    res = {}
    error(res, "too_few", lambda: BadBackward.apply(x, y).sum().backward())
    error(res, "wrong_shape", lambda: WrongShape.apply(x).sum().backward())
    error(res, "too_many", lambda: TooMany.apply(x).sum().backward())
    return res


@scenario(x=floats(3))
def fn_saved_tensor_errors(m, inp):
    """A saved tensor modified in place before backward; backward twice (saved tensors freed)."""
    class Square(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 2 * x * g

    x = m.tensor(inp["x"], requires_grad=True)
    res = {}
    h = x * 1
    out = Square.apply(h)
    h.add_(1)
    error(res, "modified", lambda: out.sum().backward())
    out = Square.apply(x * 1).sum()
    out.backward()
    res["x_grad"] = x.grad.clone()
    error(res, "twice", lambda: out.backward())
    out = Square.apply(x * 1).sum()
    out.backward(retain_graph=True)
    out.backward()
    res["x_grad_retained"] = x.grad
    return res


@scenario(x=nonzero(4), u=floats(4))
def fn_double_backward(m, inp):
    """A backward written with differentiable ops: ``create_graph=True`` gives second derivatives."""
    class Cube(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * 3 * x ** 2

    x = m.tensor(inp["x"], requires_grad=True)
    y = Cube.apply(x)
    g, = m.autograd.grad((y * m.tensor(inp["u"])).sum(), x, create_graph=True)
    res = {"y": y, "g": g, "g_requires_grad": g.requires_grad}
    (g * g).sum().backward()
    res["x_grad"] = x.grad
    return res


@scenario(x=positive(3))
def fn_saved_output(m, inp):
    """Saving an output (``exp``) and using it in backward; the output's graph is the Function's."""
    class Exp(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            y, = ctx.saved_tensors
            return g * y

    x = m.tensor(inp["x"], requires_grad=True)
    y = Exp.apply(x)
    (y * y).sum().backward()
    return {"y": y, "x_grad": x.grad, "name": node_name(y.grad_fn)}
