"""Information theory behind cross-entropy: self-information, entropy, KL divergence, cross-entropy.

    python examples/information_theory.py

Every number is computed with minigrad ops (``log``, ``sum``, ``F.kl_div``,
``F.cross_entropy`` with probability targets) and printed beside the value PyTorch gives
for the same computation (recorded in tests/expected/learn.npz).  Writes
examples/output/neg_log_p.png when matplotlib is installed.

The story in one line: cross-entropy H(p, q) = H(p) + KL(p‖q).  The data's entropy H(p)
does not depend on the model, so minimising cross-entropy minimises the KL divergence,
the "distance" from the model's q to the data's p; and with one-hot labels H(p) = 0, so
cross-entropy *is* the KL divergence.
"""
import math

import numpy as np

import minigrad
import minigrad.nn.functional as F
from learn_helpers import fmt, pyplot, save_plot, section, show


def entropy(d):
    """H(d) = -Σ d log d (nats), for a distribution with no zero entries."""
    return -(d * d.log()).sum()


def main():
    section("1. self-information: a surprising event carries more information")
    print("  I(x) = -log p(x).  In nats with the natural log, in bits with log2 (divide by ln 2).")
    p = minigrad.tensor([0.9, 0.5, 0.1, 0.01])
    print(f"  p = {fmt(p)}")
    show("-log p       (nats)", -p.log(), "info/self_nats")
    show("-log2 p      (bits)", -p.log() / math.log(2), "info/self_bits")
    print("  A fair coin (p = 0.5) is exactly 1 bit; a 1-in-100 event is 6.6 bits.")

    section("2. entropy: the average surprise of a distribution")
    P = minigrad.tensor([0.7, 0.2, 0.1])          # the data's distribution
    Q = minigrad.tensor([0.4, 0.4, 0.2])          # a model's guess
    uniform = minigrad.full((3,), 1 / 3)
    print(f"  P = {fmt(P)} (the data),  Q = {fmt(Q)} (a model)")
    show("H(P) = -Σ P log P", entropy(P), "info/H_P")
    show("H(Q)", entropy(Q), "info/H_Q")
    show("H(uniform over 3) = log 3", entropy(uniform), "info/H_uniform", note=f"log 3 = {math.log(3):.6f}")
    print("  The uniform distribution is the most uncertain: its entropy is the largest possible.")

    section("3. KL divergence, and why it is not a distance")
    print("  KL(P‖Q) = Σ P (log P - log Q).  F.kl_div(input, target) takes input = log Q, target = P.")
    kl_pq = show("KL(P‖Q) = kl_div(log Q, P)", F.kl_div(Q.log(), P, reduction="sum"), "info/KL_PQ")
    kl_qp = show("KL(Q‖P) = kl_div(log P, Q)", F.kl_div(P.log(), Q, reduction="sum"), "info/KL_QP")
    print(f"  {kl_pq:.6f} != {kl_qp:.6f}: KL is asymmetric.  KL(P‖Q) weighs the mismatch by P, the data,")
    print("  so it punishes a model that puts little mass where the data has much.")

    section("4. cross-entropy = entropy + KL")
    ce = show("H(P, Q) = cross_entropy(log Q, P)", F.cross_entropy(Q.log().reshape(1, 3), P.reshape(1, 3)),
              "info/CE_PQ")
    show("-Σ P log Q", -(P * Q.log()).sum(), "info/CE_PQ_sum")
    show("H(P) + KL(P‖Q)", entropy(P) + F.kl_div(Q.log(), P, reduction="sum"))
    print("  cross_entropy applies log_softmax to its input; softmax(log Q) = Q because Q sums to 1,")
    print(f"  so the probability-target form computes -Σ P log Q exactly.  ({ce:.6f})")
    onehot = minigrad.tensor([1.0, 0.0, 0.0])
    print("  With a one-hot label H(P) = 0 (0 log 0 counts as 0), so cross-entropy is the KL divergence:")
    show("KL(onehot‖Q)", F.kl_div(Q.log(), onehot, reduction="sum"), "info/KL_onehot_Q")
    show("H(onehot, Q), probability target", F.cross_entropy(Q.log().reshape(1, 3), onehot.reshape(1, 3)),
         "info/CE_onehot_Q")
    show("H(onehot, Q), class index 0", F.cross_entropy(Q.log().reshape(1, 3), minigrad.tensor([0])),
         "info/CE_index_Q", note=f"= -log 0.4 = {-math.log(0.4):.6f}")

    section("5. -log p against 1 - p: confident mistakes must cost more")
    print("  Both losses are 0 at p = 1 (the right class certain).  For a wrong, confident model")
    print("  (p of the true class near 0) 1 - p never exceeds 1, while -log p grows without bound:")
    show("1 - p", 1 - p, "info/one_minus_p")
    show("-log p", -p.log(), "info/self_nats")
    q = p.clone().requires_grad_(True)
    (-q.log()).sum().backward()
    show("d(-log p)/dp = -1/p", q.grad, "info/dlog_dp")
    print("  and d(1 - p)/dp = -1 everywhere: it pushes a hopeless prediction no harder than a close one.")
    plt = pyplot()
    if plt is not None:
        grid = np.linspace(0.005, 1, 200)
        fig, ax = plt.subplots(figsize=(5, 3.5))
        ax.plot(grid, -np.log(grid), label="-log p (cross-entropy)")
        ax.plot(grid, 1 - grid, label="1 - p")
        ax.set_xlabel("p given to the true class")
        ax.set_ylabel("loss")
        ax.set_ylim(0, 5)
        ax.legend()
        save_plot(fig, "neg_log_p.png")
        plt.close(fig)


if __name__ == "__main__":
    main()
