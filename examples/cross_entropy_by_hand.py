"""Cross-entropy, taken apart: what CrossEntropyLoss computes, and why its gradient is p - y.

    python examples/cross_entropy_by_hand.py

Every number printed is computed by minigrad; the test suite checks the same cases
against values recorded from PyTorch (tests/losses), so these are the numbers torch
gives.  Where an article about cross-entropy printed something else, it is shown
beside, with the reason it differs.
"""
import numpy as np

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F

np.set_printoptions(precision=4, suppress=True)


def section(title):
    print(f"\n== {title} " + "=" * max(0, 66 - len(title)))


def main():
    logits = minigrad.tensor([[3.0, 1.0, 0.2], [0.5, 2.0, 0.3]], requires_grad=True)
    labels = minigrad.tensor([0, 1])

    section("1. softmax -> log -> pick the label's entry = cross-entropy")
    p = F.softmax(logits, dim=1)
    by_hand = -(p.log()[minigrad.arange(2), labels]).mean()  # -log p[label], averaged
    via_nll = F.nll_loss(F.log_softmax(logits, dim=1), labels)
    loss = nn.CrossEntropyLoss()(logits, labels)
    print("softmax(logits) =\n", p.detach().numpy())
    print(f"-mean(log p[label])           = {by_hand.item():.7f}")
    print(f"nll_loss(log_softmax(logits)) = {via_nll.item():.7f}")
    print(f"CrossEntropyLoss()(logits)    = {loss.item():.7f}   (an article printed 0.326)")

    section("2. the gradient is (softmax - one_hot) / N, and autograd finds it")
    loss.backward()
    one_hot = np.eye(3, dtype=np.float32)[labels.numpy()]
    print("autograd   d loss / d logits =\n", logits.grad.numpy())
    print("by formula (p - one_hot) / N =\n", (p.detach().numpy() - one_hot) / 2)

    section("3. the common mistake: probabilities where logits belong")
    x = minigrad.tensor([[0.3, 0.3, 0.4]])
    print(f"cross_entropy([[0.3, 0.3, 0.4]], label 1) = {F.cross_entropy(x, minigrad.tensor([1])).item():.7f}")
    print(f"cross_entropy([[0.3, 0.3, 0.4]], label 2) = {F.cross_entropy(x, minigrad.tensor([2])).item():.7f}")
    print(f"-log 0.4                                  = {-np.log(0.4):.7f}   (what an article expected for label 2)")
    print("CrossEntropyLoss applies softmax itself: [0.3, 0.3, 0.4] are read as logits, so the")
    print("'probabilities' are softmax([0.3, 0.3, 0.4]) = "
          f"{[round(v, 4) for v in F.softmax(x, 1).numpy()[0].tolist()]}, nearly uniform.")
    print("If you already have probabilities, take their log and use nll_loss:")
    print(f"nll_loss(log [[0.3, 0.3, 0.4]], label 2)  = "
          f"{F.nll_loss(x.log(), minigrad.tensor([2])).item():.7f}")

    section("4. binary: BCELoss on probabilities, BCEWithLogitsLoss on logits")
    z = minigrad.tensor([[2.0], [0.5], [-1.0]], requires_grad=True)
    y = minigrad.tensor([[1.0], [1.0], [0.0]])
    with_logits = nn.BCEWithLogitsLoss()(z, y)
    on_probs = nn.BCELoss()(z.sigmoid(), y)
    print(f"BCEWithLogitsLoss(z, y)      = {with_logits.item():.7f}   (an article printed 0.412)")
    print(f"BCELoss(sigmoid(z), y)       = {on_probs.item():.7f}   the same, less stable:")
    big = minigrad.tensor([-200.0])
    print(f"  with z = -200, y = 1: BCEWithLogits = {F.binary_cross_entropy_with_logits(big, minigrad.ones(1)).item()}"
          f", BCE(sigmoid) = {F.binary_cross_entropy(big.sigmoid(), minigrad.ones(1)).item()} (log clamped at -100)")
    with_logits.backward()
    print("d loss / d z =", z.grad.numpy().ravel(), "= (sigmoid(z) - y) / N")
    weighted = nn.BCEWithLogitsLoss(pos_weight=minigrad.tensor([3.0]))(z.detach(), y)
    print(f"pos_weight=3 (positives count 3x): {weighted.item():.7f}")
    for prob, label, article in ((0.7, 1.0, None), (0.7, 0.0, 1.055)):
        value = F.binary_cross_entropy(minigrad.tensor([prob]), minigrad.tensor([label])).item()
        note = f"   (an article printed {article})" if article else ""
        print(f"BCE(p={prob}, y={label:.0f}) = -log({prob if label else 1 - prob:.1f}) = {value:.7f}{note}")

    section("5. label smoothing: aim at (1-e) one_hot + e/C instead of one_hot")
    for eps in (0.0, 0.1, 0.3):
        value = F.cross_entropy(logits.detach(), labels, label_smoothing=eps).item()
        print(f"label_smoothing={eps}: {value:.7f}")
    smooth_target = 0.9 * np.eye(3, dtype=np.float32)[labels.numpy()] + 0.1 / 3
    as_probs = F.cross_entropy(logits.detach(), minigrad.tensor(smooth_target)).item()
    print(f"same as probability targets (0.9 one_hot + 0.1/3): {as_probs:.7f}")

    section("6. class weights and ignore_index")
    w = minigrad.tensor([1.0, 2.0, 3.0])
    print(f"weight=[1, 2, 3]: {F.cross_entropy(logits.detach(), labels, weight=w).item():.7f}"
          "  (mean divides by the weights' sum, 1 + 2 = 3, not by N)")
    print(f"labels [0, -100] (second ignored): {F.cross_entropy(logits.detach(), minigrad.tensor([0, -100])).item():.7f}")


if __name__ == "__main__":
    main()
