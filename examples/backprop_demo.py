"""Backprop on one neuron, step by step: build a small graph, walk it, print the gradients.

    python examples/backprop_demo.py

y = tanh(w · x + b) for one input vector x.  minigrad records each operation as a
node; ``y.backward()`` walks the nodes from y back to the leaves w and b.  We
check the result against the chain rule written out by hand.
"""
import numpy as np

import minigrad


def show_graph(t, indent=0):
    """Print the nodes that produced ``t``, output first, each with the nodes it reads
    (``next_functions``; a leaf appears as the AccumulateGrad node that feeds its .grad)."""
    seen = set()
    stack = [(t.grad_fn, 0)]
    while stack:
        node, depth = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        parents = [fn for fn, _ in node.next_functions if fn is not None]
        names = ", ".join("leaf" + str(tuple(fn.variable.shape)) if fn.name() == "AccumulateGrad" else fn.name()
                          for fn in parents)
        print("  " * (indent + depth) + f"{node.name()}  <- {names}")
        for fn in reversed(parents):
            stack.append((fn, depth + 1))


def main():
    x = minigrad.tensor([0.5, -1.0, 2.0])
    w = minigrad.tensor([0.3, 0.8, -0.2], requires_grad=True)
    b = minigrad.tensor(0.1, requires_grad=True)

    z = (w * x).sum() + b
    y = z.tanh()
    print("forward:  z =", z, "\n          y =", y)
    print("\nthe graph (each node lists the nodes it reads):")
    show_graph(y, indent=1)

    y.backward()
    print("\nbackward (autograd):")
    print("  dy/dw =", w.grad)
    print("  dy/db =", b.grad)

    # the chain rule by hand: dy/dz = 1 - tanh(z)^2, dz/dw = x, dz/db = 1
    dy_dz = 1 - np.tanh(z.item()) ** 2
    print("\nby hand:  dy/dz = 1 - tanh(z)^2 =", round(dy_dz, 6))
    print("  dy/dw = dy/dz * x =", np.round(dy_dz * x.numpy(), 4))
    print("  dy/db = dy/dz     =", round(dy_dz, 4))

    ok = minigrad.autograd.gradcheck(
        lambda w, b: ((w * x.double()).sum() + b).tanh(),
        (w.detach().double().requires_grad_(), b.detach().double().requires_grad_()))
    print("\ngradcheck against finite differences:", ok)


if __name__ == "__main__":
    main()
