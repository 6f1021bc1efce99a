"""Watch backprop run on a diamond graph: the graph, the order, the gradients, the chain rule.

    python examples/backprop_demo.py

    z = w * x                 w requires grad, x is data
    y = (z + tanh(z)).sum()   z is used twice: the graph is a diamond

Gradients reach z along two paths (through the add directly, and through the tanh), and
the chain rule says to add them: dy/dz = 1 + (1 - tanh² z).  The engine may run z's node
only once both have arrived; that is what the topological order guarantees.  A depth-first
walk from y (the first thing one writes) would visit z's node right after the add, before
the tanh has sent its share.

The example names the leaves, keeps the intermediate gradients (``retain_grad``), records
the backward pass with ``minigrad.autograd.trace()``, draws the graph with
``minigrad.viz.draw_graph`` (examples/output/backprop_graph.svg with a Graphviz renderer,
``.dot`` text otherwise) and checks every gradient against the chain rule done by hand
and against PyTorch's recorded values.
"""
import numpy as np

import minigrad
from minigrad.autograd.engine import topological_order
from minigrad.viz import draw_graph
from learn_helpers import save_graph, section, show, torch_meta


def depth_first(root):
    """The nodes in depth-first order from ``root``: NOT the order backward may use."""
    order, seen, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        order.append(node)
        stack.extend(fn for fn, _ in reversed(node.next_functions) if fn is not None and fn not in seen)
    return order


def main():
    section("forward: build the graph")
    w = minigrad.tensor([0.5, -1.0, 2.0], requires_grad=True)
    x = minigrad.tensor([2.0, 3.0, -1.0])
    z = w * x
    t = z.tanh()
    s = z + t
    y = s.sum()
    for v in (z, t, s):
        v.retain_grad()  # keep .grad of intermediates too (normally only leaves keep it)
    show("z = w * x", z, "bp/z")
    show("t = tanh z", t, "bp/t")
    show("y = (z + t).sum()", y, "bp/y")
    names = {"w": w, "z": z, "t": t, "s": s}
    print("  each tensor made by an op holds its node, grad_fn; each node lists its inputs' nodes:")
    for name, v in (("y", y), ("s", s), ("t", t), ("z", z)):
        inputs = [fn.name() if fn is not None else "None (x needs no gradient)" for fn, _ in v.grad_fn.next_functions]
        print(f"    {name}.grad_fn = {v.grad_fn.name():<13} next_functions: {', '.join(inputs)}")

    section("the order: depth-first is wrong on a diamond")
    dfs = [n.name() for n in depth_first(y.grad_fn)]
    topo = [n.name() for n in topological_order([y.grad_fn])]
    print(f"  depth-first from y:  {' -> '.join(dfs)}")
    print(f"  engine (topological): {' -> '.join(topo)}")
    torch_order = torch_meta("bp/order")
    if torch_order:
        print(f"  torch's engine ran:   {' -> '.join(torch_order)}   (recorded)")
    print("  Depth-first reaches MulBackward (z's node) before TanhBackward: z's gradient would be")
    print("  missing the tanh's share.  The engine orders every node after all the nodes it feeds.")

    section("backward, traced: every node in the order it ran, what flowed in and out")
    with minigrad.autograd.trace(params=names) as tape:
        y.backward()
    print(tape)
    print("  grad in:  dy/d(the node's output);  grad out: dy/d(each of its inputs) (None: x needs none).")

    section("the drawn graph (numbered in the order backward ran)")
    graph = draw_graph(y, params=names, show_data=True, show_grad=True, trace=tape)
    print(graph)
    save_graph(graph, "backprop_graph")

    section("the chain rule by hand, beside autograd")
    zv = z.detach().numpy()
    dy_ds = np.ones(3, dtype=np.float32)                  # y = Σ s
    dy_dt = dy_ds                                         # s = z + t: ds/dt = 1
    dy_dz = dy_ds * 1 + dy_dt * (1 - np.tanh(zv) ** 2)    # two paths: ds/dz = 1, dt/dz = 1 - tanh² z
    dy_dw = dy_dz * x.numpy()                             # z = w x: dz/dw = x
    show("dy/ds = 1", dy_ds)
    show("  autograd s.grad", s.grad, "bp/grad_s")
    show("dy/dt = dy/ds · 1", dy_dt)
    show("  autograd t.grad", t.grad, "bp/grad_t")
    show("dy/dz = dy/ds · 1 + dy/dt · (1 - tanh²z)", dy_dz, width=44)
    show("  autograd z.grad", z.grad, "bp/grad_z", width=44)
    show("dy/dw = dy/dz · x", dy_dw)
    show("  autograd w.grad", w.grad, "bp/grad_w")

    ok = minigrad.autograd.gradcheck(lambda w: (w * x.double() + (w * x.double()).tanh()).sum(),
                                     (w.detach().double().requires_grad_(),))
    print(f"\n  gradcheck against finite differences (float64): {ok}")


if __name__ == "__main__":
    main()
