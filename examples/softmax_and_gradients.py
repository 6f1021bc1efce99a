"""Softmax and the gradient of cross-entropy: derived, computed, checked.

    python examples/softmax_and_gradients.py

1. softmax by hand, and why log-softmax subtracts the max first;
2. the derivation of dCE/dz = p - y, step by step, checked by autograd;
3. cross-entropy against mean squared error: their gradients at the probability and at
   the logit (writes examples/output/ce_vs_mse_gradient.png when matplotlib is installed);
4. sigmoid saturation, and why BCEWithLogitsLoss exists.

Every number is minigrad's, printed beside PyTorch's recorded value for the same computation.
"""
import math

import numpy as np

import minigrad
import minigrad.nn.functional as F
from learn_helpers import fmt, pyplot, save_plot, section, show


def softmax_by_hand():
    section("1. softmax by hand; log-softmax subtracts the max")
    z = minigrad.tensor([2.0, 1.0, 0.1])
    print(f"  logits z = {fmt(z)}")
    e = show("e^z", z.exp(), "sm/exp")
    print(f"  Σ e^z = {e.sum():.6f}")
    show("softmax(z) = e^z / Σ e^z", z.exp() / z.exp().sum())
    show("F.softmax(z, dim=0)", F.softmax(z, dim=0), "sm/softmax")
    print("  softmax(z + c) = softmax(z) for any c: e^(z+c) / Σ e^(z+c) = e^c e^z / (e^c Σ e^z).")
    print("  So the library computes e^(z - max z): the largest exponent is e^0 = 1, nothing overflows.")
    big = minigrad.tensor([1000.0, 0.0, -1000.0])
    print(f"\n  z = {fmt(big)}:")
    show("e^z / Σ e^z   (no shift)", big.exp() / big.exp().sum(), "sm/big_naive",
         note="e^1000 = inf, inf / inf = nan")
    show("log(softmax(z))", F.softmax(big, dim=0).log(), "sm/big_softmax_then_log",
         note="e^-1000 rounds to 0, log 0 = -inf")
    show("log_softmax(z)", F.log_softmax(big, dim=0), "sm/big_log_softmax")
    m = big.max()
    show("(z - m) - log Σ e^(z - m)", (big - m) - (big - m).exp().sum().log())
    print("  log_softmax never takes the log of a rounded-to-zero probability: it subtracts")
    print("  log Σ e^(z - m), which is >= 0 and finite, from z - m.  This is why cross_entropy takes")
    print("  logits and runs log_softmax itself, instead of taking probabilities.")


def derivation():
    section("2. why dCE/dz = p - y")
    steps = [
        "CE(z) = -Σ_k y_k log p_k,   p_k = e^(z_k) / Σ_j e^(z_j),   y one-hot (Σ_k y_k = 1)",
        "log p_k = z_k - log Σ_j e^(z_j)                                  (log of a quotient)",
        "CE(z) = -Σ_k y_k z_k + (Σ_k y_k) log Σ_j e^(z_j) = -Σ_k y_k z_k + log Σ_j e^(z_j)",
        "d/dz_i (-Σ_k y_k z_k) = -y_i",
        "d/dz_i log Σ_j e^(z_j) = e^(z_i) / Σ_j e^(z_j) = p_i                 (chain rule through log)",
        "dCE/dz_i = p_i - y_i",
    ]
    for k, step in enumerate(steps, 1):
        print(f"  ({k}) {step}")
    print("  No division by p survives: the gradient is bounded (each entry in [-1, 1]) however wrong")
    print("  the model is.  Checked by autograd, for z = [2, 1, 0.1] and the label 0:")
    z = minigrad.tensor([2.0, 1.0, 0.1], requires_grad=True)
    loss = F.cross_entropy(z.reshape(1, 3), minigrad.tensor([0]))
    loss.backward()
    show("CE", loss, "sm/ce")
    p = F.softmax(z.detach(), dim=0)
    show("p - y by the formula", p - minigrad.tensor([1.0, 0.0, 0.0]))
    show("autograd dCE/dz", z.grad, "sm/ce_grad")
    print("  (for a batch of N with 'mean' reduction each row's gradient is divided by N)")


def ce_against_mse():
    section("3. cross-entropy against squared error: at the probability, and at the logit")
    print("  True label y = 1, the model gives p = 0.1.  A widely shared comparison says the")
    print("  squared-error gradient is -(y - p) = -0.9 and the cross-entropy gradient -y/p = -10.")
    print("  Both numbers are right, and both are dL/dp, the gradient with respect to the probability:")
    y = minigrad.tensor([1.0])
    p = minigrad.tensor([0.1], requires_grad=True)
    F.binary_cross_entropy(p, y).backward()
    show("CE:  dL/dp = -y/p", p.grad, "sm/dce_dp")
    p2 = minigrad.tensor([0.1], requires_grad=True)
    (0.5 * F.mse_loss(p2, y)).backward()
    show("½(p - y)²:  dL/dp = p - y", p2.grad, "sm/dmse_dp")
    print("  But the model's parameters reach p through a sigmoid (or softmax): p = sigmoid(z).  What")
    print("  training uses is dL/dz = dL/dp · dp/dz, and dp/dz = p(1 - p) = 0.09 here:")
    z0 = math.log(0.1 / 0.9)
    z = minigrad.tensor([z0], requires_grad=True)
    F.binary_cross_entropy_with_logits(z, y).backward()
    show("CE:  dL/dz = -10 · 0.09 = p - y", z.grad, "sm/dce_dz")
    z2 = minigrad.tensor([z0], requires_grad=True)
    (0.5 * F.mse_loss(z2.sigmoid(), y)).backward()
    show("½(p - y)²:  dL/dz = (p - y) p (1 - p)", z2.grad, "sm/dmse_dz")
    print("  At the logit, CE's -1/p cancels the sigmoid's p(1 - p) and leaves p - y: it stays near -1")
    print("  while the model is confidently wrong.  Squared error keeps the factor p(1 - p), which")
    print("  vanishes as p -> 0: the more wrong the model, the slower it learns.  Over a range of logits:")
    zs = minigrad.linspace(-6.0, 6.0, 13).requires_grad_(True)
    F.binary_cross_entropy_with_logits(zs, minigrad.ones(13), reduction="sum").backward()
    zs2 = minigrad.linspace(-6.0, 6.0, 13).requires_grad_(True)
    (0.5 * F.mse_loss(zs2.sigmoid(), minigrad.ones(13), reduction="sum")).backward()
    show("z", zs.detach(), "sm/curve_z", width=12, note="")
    show("CE dL/dz", zs.grad, "sm/curve_ce", width=12)
    show("MSE dL/dz", zs2.grad, "sm/curve_mse", width=12)
    plt = pyplot()
    if plt is not None:
        grid = minigrad.linspace(-8.0, 8.0, 161).requires_grad_(True)
        F.binary_cross_entropy_with_logits(grid, minigrad.ones(161), reduction="sum").backward()
        grid2 = minigrad.linspace(-8.0, 8.0, 161).requires_grad_(True)
        (0.5 * F.mse_loss(grid2.sigmoid(), minigrad.ones(161), reduction="sum")).backward()
        fig, ax = plt.subplots(figsize=(5.5, 3.5))
        ax.plot(grid.detach().numpy(), grid.grad.numpy(), label="cross-entropy: p - y")
        ax.plot(grid2.detach().numpy(), grid2.grad.numpy(), label="squared error: (p - y) p (1 - p)")
        ax.axvline(0, color="grey", lw=0.5)
        ax.set_xlabel("logit z (true label y = 1)")
        ax.set_ylabel("dL/dz")
        ax.legend()
        save_plot(fig, "ce_vs_mse_gradient.png")
        plt.close(fig)


def saturation():
    section("4. sigmoid saturation, and why BCEWithLogitsLoss exists")
    z = minigrad.tensor([0.0, 2.0, 5.0, 10.0, 20.0], requires_grad=True)
    s = z.sigmoid()
    s.sum().backward()
    print(f"  z = {fmt(z)}")
    show("sigmoid(z)", s, "sm/sat_sigmoid")
    show("sigmoid'(z) = s (1 - s)", z.grad, "sm/sat_grad")
    print("  Far from 0 the sigmoid is flat: in float32 sigmoid(20) rounds to 1 and its slope to 0.")
    print("  Taking sigmoid first and the log afterwards loses everything the rounding threw away:")
    zb = minigrad.tensor([-30.0, -200.0], requires_grad=True)
    bce = F.binary_cross_entropy(zb.sigmoid(), minigrad.ones(2), reduction="none")
    bce.sum().backward()
    print(f"  z = {fmt(zb)}, y = 1:")
    show("BCE(sigmoid(z), y)", bce, "sm/bce_on_sigmoid", note="log(0) clamped at -100")
    show("its gradient dL/dz", zb.grad, "sm/bce_on_sigmoid_grad", note="should be p - y = -1")
    print("  BCE's backward divides by p(1 - p), clamped at 1e-12 (p = sigmoid(-30) = 9.4e-14 is below it),")
    print("  then multiplies by sigmoid'(z) = 9.4e-14: -1/1e-12 · 9.4e-14 = -0.094.  At z = -200 p is 0: no signal.")
    zb2 = minigrad.tensor([-30.0, -200.0], requires_grad=True)
    bcel = F.binary_cross_entropy_with_logits(zb2, minigrad.ones(2), reduction="none")
    bcel.sum().backward()
    show("BCEWithLogits(z, y)", bcel, "sm/bce_with_logits", note="= -log sigmoid(z) = log(1 + e^-z)")
    show("its gradient sigmoid(z) - y", zb2.grad, "sm/bce_with_logits_grad")
    print("  BCEWithLogits computes log sigmoid(z) = -log(1 + e^-z) directly, stably, so the loss")
    print("  keeps growing and the gradient stays p - y: the logits form is the one to train with.")


def main():
    softmax_by_hand()
    derivation()
    ce_against_mse()
    saturation()


if __name__ == "__main__":
    main()
