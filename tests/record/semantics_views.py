"""Scenarios: in-place operations through views of tensors with history (torch's CopySlices).

Keys ending in ``torch_name`` hold the name torch gives a *view's* node after the
in-place op (e.g. ``AsStridedBackward0``): recorded for the reader, not compared."""
import numpy as np

from common import floats, ints, mask
from semantics_common import error, node_name, scenario


@scenario(x=floats(5), u=floats(5))
def view_slice_mul_(m, inp):
    """``h = x * 2; h[:2].mul_(3)``: the gradient through the modified slice is scaled."""
    x = m.tensor(inp["x"], requires_grad=True)
    h = x * 2
    h[:2].mul_(3)
    (h * m.tensor(inp["u"])).sum().backward()
    return {"h": h, "x_grad": x.grad, "h_names": [node_name(h.grad_fn)]}


@scenario(x=floats(5), w=floats(4), u=floats(5))
def view_add_tensor_with_grad(m, inp):
    """``v = h[1:]; v.add_(w)`` with w requiring grad: both x and w get gradients."""
    x, w = m.tensor(inp["x"], requires_grad=True), m.tensor(inp["w"], requires_grad=True)
    h = x * 2
    v = h[1:]
    v.add_(w * w)
    (h * m.tensor(inp["u"])).sum().backward()
    return {"h": h, "x_grad": x.grad, "w_grad": w.grad, "h_names": [node_name(h.grad_fn)],
            "v_torch_name": node_name(v.grad_fn)}


@scenario(c=floats(5, 3), v=floats(4, 2, 3), ix=ints(4, 2, low=0, high=5), u=floats(5, 3))
def view_index_accumulate_loop(m, inp):
    """Karpathy's ``dC[ix[k, j]] += demb[k, j]`` loop, here on tensors with history."""
    c, v = m.tensor(inp["c"], requires_grad=True), m.tensor(inp["v"], requires_grad=True)
    ix = m.tensor(inp["ix"])
    h = c * 1
    for k in range(ix.shape[0]):
        for j in range(ix.shape[1]):
            h[ix[k, j]] += v[k, j]
    (h * m.tensor(inp["u"])).sum().backward()
    return {"h": h, "c_grad": c.grad, "v_grad": v.grad, "h_names": [node_name(h.grad_fn)]}


@scenario(c=floats(5, 3), v=floats(6, 3), u=floats(5, 3))
def view_advanced_index_iadd(m, inp):
    """``h[idx] += v`` with a repeated index: read, add, write back (the last write wins)."""
    idx_np = np.array([0, 2, 2, 4, 0, 1])
    c, v = m.tensor(inp["c"], requires_grad=True), m.tensor(inp["v"], requires_grad=True)
    h = c * 1
    h[m.tensor(idx_np)] += v
    (h * m.tensor(inp["u"])).sum().backward()
    return {"h": h, "c_grad": c.grad, "v_grad": v.grad, "h_names": [node_name(h.grad_fn)]}


@scenario(x=floats(6), w=floats(), mk=mask(6), u=floats(6))
def view_mask_assign(m, inp):
    """``h[mask] = w`` (w 0-d, requiring grad): w's gradient sums the masked upstream."""
    x, w = m.tensor(inp["x"], requires_grad=True), m.tensor(inp["w"], requires_grad=True)
    h = x * 2
    h[m.tensor(inp["mk"])] = w
    (h * m.tensor(inp["u"])).sum().backward()
    return {"h": h, "x_grad": x.grad, "w_grad": w.grad, "h_names": [node_name(h.grad_fn)]}


@scenario(x=floats(6), w=floats(3), u=floats(6))
def view_reshape_then_inplace(m, inp):
    """``h.view(2, 3).mul_(w)``: the base sees the product."""
    x, w = m.tensor(inp["x"], requires_grad=True), m.tensor(inp["w"], requires_grad=True)
    h = x * 2
    hv = h.view(2, 3)
    hv.mul_(w)
    (h * m.tensor(inp["u"])).sum().backward()
    return {"h": h, "x_grad": x.grad, "w_grad": w.grad, "h_names": [node_name(h.grad_fn)],
            "hv_torch_name": node_name(hv.grad_fn)}


@scenario(x=floats(4, 3), u=floats(4, 3))
def view_of_view(m, inp):
    """``h[1:][0].mul_(2)``: a view of a view, modified in place."""
    x = m.tensor(inp["x"], requires_grad=True)
    h = x * 1
    h[1:][0].mul_(2)
    (h * m.tensor(inp["u"])).sum().backward()
    return {"h": h, "x_grad": x.grad, "h_names": [node_name(h.grad_fn)]}


@scenario(x=floats(5), w=floats(2), u=floats(5), u2=floats(2))
def view_base_and_view_used(m, inp):
    """After ``v = h[1:3]; v.mul_(w)`` both the base and the view feed the loss."""
    x, w = m.tensor(inp["x"], requires_grad=True), m.tensor(inp["w"], requires_grad=True)
    h = x * x
    v = h[1:3]
    v.mul_(w)
    loss = (h * m.tensor(inp["u"])).sum() + (v * v * m.tensor(inp["u2"])).sum()
    loss.backward()
    return {"h": h, "v": v, "x_grad": x.grad, "w_grad": w.grad, "h_names": [node_name(h.grad_fn)],
            "v_torch_name": node_name(v.grad_fn)}


@scenario(x=floats(4))
def view_inplace_errors(m, inp):
    """In place on a leaf requiring grad, on a view of one; modifying a base after a view of it
    was saved for backward."""
    x = m.tensor(inp["x"], requires_grad=True)
    res = {}
    error(res, "leaf", lambda: x.mul_(2))
    error(res, "leaf_view", lambda: x[:2].mul_(2))
    with m.no_grad():
        x[:1].mul_(1)  # allowed under no_grad
    h = x * 2
    v = h[:2]
    y = v * v  # saves v
    h.add_(1)
    error(res, "saved_view_base_modified", lambda: y.sum().backward())
    h = x * 2
    y = h.exp()  # saves its output
    y[0].mul_(2)
    error(res, "saved_output_view_modified", lambda: y.sum().backward())
    return res
