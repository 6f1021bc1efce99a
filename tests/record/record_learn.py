"""Record the numbers the learners' examples and docs/learn print, from PyTorch, into
tests/expected/learn.npz.

Run from the repo root with an interpreter that has torch (the tests never import it)::

    /tmp/venv-torch/bin/python tests/record/record_learn.py

Each procedure below takes the library as ``m`` (``torch`` or ``minigrad``, with
``m.nn.functional`` as ``F``) and returns {key: tensor}; the same code records under torch
and, in tests/test_learner_examples.py, replays under minigrad.  The examples and the docs
compute the same quantities in their own words and the tests compare what they print with
these keys.  Everything is float32 (torch's default dtype), as in the examples.

Keys: ``info/*`` (examples/information_theory.py), ``sm/*`` (examples/softmax_and_gradients.py),
``bp/*`` (examples/backprop_demo.py), ``ce/*`` (examples/cross_entropy_by_hand.py).
``__meta__`` holds the torch version and ``bp/order``: the names of the nodes in the order
torch's engine ran them on the diamond graph (digits stripped: ``MulBackward0`` -> ``MulBackward``).
"""
import json
import math
import os
import re

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "expected", "learn.npz")


def information_theory(m):
    F = m.nn.functional
    out = {}
    p = m.tensor([0.9, 0.5, 0.1, 0.01])
    out["info/self_nats"] = -p.log()
    out["info/self_bits"] = -p.log() / math.log(2)
    out["info/one_minus_p"] = 1 - p
    P, Q, U = m.tensor([0.7, 0.2, 0.1]), m.tensor([0.4, 0.4, 0.2]), m.full((3,), 1 / 3)
    for name, d in (("P", P), ("Q", Q), ("uniform", U)):
        out[f"info/H_{name}"] = -(d * d.log()).sum()
    out["info/KL_PQ"] = F.kl_div(Q.log(), P, reduction="sum")  # kl_div(log q, p) = Σ p (log p - log q)
    out["info/KL_QP"] = F.kl_div(P.log(), Q, reduction="sum")
    out["info/CE_PQ"] = F.cross_entropy(Q.log().reshape(1, 3), P.reshape(1, 3))  # probability target
    out["info/CE_PQ_sum"] = -(P * Q.log()).sum()
    onehot = m.tensor([1.0, 0.0, 0.0])
    out["info/KL_onehot_Q"] = F.kl_div(Q.log(), onehot, reduction="sum")
    out["info/CE_onehot_Q"] = F.cross_entropy(Q.log().reshape(1, 3), onehot.reshape(1, 3))
    out["info/CE_index_Q"] = F.cross_entropy(Q.log().reshape(1, 3), m.tensor([0]))
    q = p.clone().requires_grad_(True)  # d(-log p)/dp = -1/p against d(1 - p)/dp = -1
    (-q.log()).sum().backward()
    out["info/dlog_dp"] = q.grad
    return out


def softmax_and_gradients(m):
    F = m.nn.functional
    out = {}
    z = m.tensor([2.0, 1.0, 0.1])
    out["sm/exp"] = z.exp()
    out["sm/softmax"] = F.softmax(z, dim=0)
    big = m.tensor([1000.0, 0.0, -1000.0])
    out["sm/big_naive"] = big.exp() / big.exp().sum()
    out["sm/big_softmax_then_log"] = F.softmax(big, dim=0).log()
    out["sm/big_log_softmax"] = F.log_softmax(big, dim=0)
    zl = z.clone().requires_grad_(True)
    loss = F.cross_entropy(zl.reshape(1, 3), m.tensor([0]))
    loss.backward()
    out["sm/ce"], out["sm/ce_grad"] = loss, zl.grad
    # the article's comparison, for a true label 1 and a prediction p = 0.1
    y = m.tensor([1.0])
    p = m.tensor([0.1], requires_grad=True)
    F.binary_cross_entropy(p, y).backward()
    out["sm/dce_dp"] = p.grad
    p2 = m.tensor([0.1], requires_grad=True)
    (0.5 * F.mse_loss(p2, y)).backward()
    out["sm/dmse_dp"] = p2.grad
    z0 = m.tensor([math.log(0.1 / 0.9)], requires_grad=True)  # the logit with sigmoid(z0) = 0.1
    F.binary_cross_entropy_with_logits(z0, y).backward()
    out["sm/dce_dz"] = z0.grad
    z1 = m.tensor([math.log(0.1 / 0.9)], requires_grad=True)
    (0.5 * F.mse_loss(z1.sigmoid(), y)).backward()
    out["sm/dmse_dz"] = z1.grad
    zs = m.linspace(-6.0, 6.0, 13).requires_grad_(True)
    F.binary_cross_entropy_with_logits(zs, m.ones(13), reduction="sum").backward()
    out["sm/curve_z"], out["sm/curve_ce"] = zs.detach(), zs.grad
    zs2 = m.linspace(-6.0, 6.0, 13).requires_grad_(True)
    (0.5 * F.mse_loss(zs2.sigmoid(), m.ones(13), reduction="sum")).backward()
    out["sm/curve_mse"] = zs2.grad
    zsat = m.tensor([0.0, 2.0, 5.0, 10.0, 20.0], requires_grad=True)
    s = zsat.sigmoid()
    s.sum().backward()
    out["sm/sat_sigmoid"], out["sm/sat_grad"] = s, zsat.grad
    zb = m.tensor([-30.0, -200.0], requires_grad=True)
    bce = F.binary_cross_entropy(zb.sigmoid(), m.ones(2), reduction="none")
    bce.sum().backward()
    out["sm/bce_on_sigmoid"], out["sm/bce_on_sigmoid_grad"] = bce, zb.grad
    zb2 = m.tensor([-30.0, -200.0], requires_grad=True)
    bcel = F.binary_cross_entropy_with_logits(zb2, m.ones(2), reduction="none")
    bcel.sum().backward()
    out["sm/bce_with_logits"], out["sm/bce_with_logits_grad"] = bcel, zb2.grad
    return out


def diamond(m):
    """z = w * x;  y = (z + tanh z).sum(): z feeds two nodes, so the gradients meet at z."""
    w = m.tensor([0.5, -1.0, 2.0], requires_grad=True)
    x = m.tensor([2.0, 3.0, -1.0])
    z = w * x
    t = z.tanh()
    s = z + t
    y = s.sum()
    for v in (z, t, s):
        v.retain_grad()
    return w, x, z, t, s, y


def backprop(m):
    w, x, z, t, s, y = diamond(m)
    y.backward()
    return {"bp/y": y, "bp/z": z, "bp/t": t, "bp/grad_s": s.grad, "bp/grad_t": t.grad, "bp/grad_z": z.grad,
            "bp/grad_w": w.grad}


def torch_order(m):
    """The nodes' names in the order torch's engine runs them on the diamond (node pre-hooks)."""
    w, x, z, t, s, y = diamond(m)
    order, nodes, stack = [], set(), [y.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in nodes:
            continue
        nodes.add(node)
        name = re.sub(r"\d+$", "", node.name()).split("::")[-1]  # torch::autograd::AccumulateGrad
        node.register_prehook(lambda grads, name=name: order.append(name))
        stack.extend(fn for fn, _ in node.next_functions)
    y.backward()
    return order


def cross_entropy_by_hand(m):
    F = m.nn.functional
    out = {}
    logits = m.tensor([[3.0, 1.0, 0.2], [0.5, 2.0, 0.3]], requires_grad=True)
    labels = m.tensor([0, 1])
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    out["ce/logits_loss"], out["ce/logits_grad"] = loss, logits.grad  # an article printed 0.326
    out["ce/softmax"] = F.softmax(logits.detach(), dim=1)
    z = m.tensor([[2.0], [0.5], [-1.0]], requires_grad=True)
    yb = m.tensor([[1.0], [1.0], [0.0]])
    bcel = F.binary_cross_entropy_with_logits(z, yb)
    bcel.backward()
    out["ce/bce_logits"], out["ce/bce_logits_grad"] = bcel, z.grad  # an article printed 0.412
    out["ce/bce_sigmoid"] = F.binary_cross_entropy(z.detach().sigmoid(), yb)
    probs = m.tensor([[0.3, 0.3, 0.4]])
    out["ce/probs_as_logits_label1"] = F.cross_entropy(probs, m.tensor([1]))  # an article printed 0.9163
    out["ce/probs_as_logits_label2"] = F.cross_entropy(probs, m.tensor([2]))
    out["ce/nll_log_probs_label2"] = F.nll_loss(probs.log(), m.tensor([2]))  # = -log 0.4
    out["ce/nll_log_probs_label1"] = F.nll_loss(probs.log(), m.tensor([1]))  # = -log 0.3
    out["ce/softmax_of_probs"] = F.softmax(probs, dim=1)
    out["ce/bce_07_1"] = F.binary_cross_entropy(m.tensor([0.7]), m.tensor([1.0]))  # -log 0.7
    out["ce/bce_07_0"] = F.binary_cross_entropy(m.tensor([0.7]), m.tensor([0.0]))  # an article printed 1.055
    out["ce/bce_09_1"] = F.binary_cross_entropy(m.tensor([0.9]), m.tensor([1.0]))
    onehot = m.tensor([[1.0, 0.0, 0.0]])
    out["ce/onehot_08"] = F.nll_loss(m.tensor([[0.8, 0.1, 0.1]]).log(), m.tensor([0]))
    out["ce/onehot_01"] = F.nll_loss(m.tensor([[0.1, 0.8, 0.1]]).log(), m.tensor([0]))
    out["ce/onehot_prob_target"] = F.cross_entropy(m.tensor([[0.8, 0.1, 0.1]]).log(), onehot)
    return out


PROCEDURES = (information_theory, softmax_and_gradients, backprop, cross_entropy_by_hand)


def run_all(m):
    """{key: numpy array} for every procedure, under library ``m``."""
    arrays = {}
    for procedure in PROCEDURES:
        for key, value in procedure(m).items():
            arrays[key] = value.detach().numpy().copy()
    return arrays


def main():
    import torch
    import torch.nn.functional  # noqa: F401  (m.nn.functional)
    torch.manual_seed(0)
    arrays = run_all(torch)
    meta = {"torch": torch.__version__, "bp/order": torch_order(torch)}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    np.savez_compressed(OUT, __meta__=np.array(json.dumps(meta, indent=1, sort_keys=True)), **arrays)
    print(f"wrote {len(arrays)} arrays to {os.path.normpath(OUT)}; torch order on the diamond: {meta['bp/order']}")


if __name__ == "__main__":
    main()
