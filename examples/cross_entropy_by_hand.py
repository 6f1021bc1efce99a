"""Cross-entropy, taken apart: what CrossEntropyLoss computes, why its gradient is p - y, and
the wrong numbers that circulate in articles about it.

    python examples/cross_entropy_by_hand.py

Every number printed is computed by minigrad, beside the value PyTorch gives for the same
call (recorded in tests/expected/learn.npz; the test suite checks they agree).  Articles
this project grew from print several numbers for these very examples that no library
gives.  They are marked WRONG below, each with the reason.
"""
import math
import textwrap

import numpy as np

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from learn_helpers import fmt, section, show


def wrong(printed, reason):
    print(textwrap.fill(f"WRONG: an article printed {printed}. {reason}", 96, initial_indent="  ",
                        subsequent_indent="         "))


def main():
    logits = minigrad.tensor([[3.0, 1.0, 0.2], [0.5, 2.0, 0.3]], requires_grad=True)
    labels = minigrad.tensor([0, 1])

    section("1. softmax -> log -> pick the label's entry = cross-entropy")
    p = show("softmax(logits, dim=1)", F.softmax(logits, dim=1), "ce/softmax")
    by_hand = -(F.softmax(logits, dim=1).log()[minigrad.arange(2), labels]).mean()  # -log p[label], averaged
    show("-mean(log p[label])", by_hand)
    show("nll_loss(log_softmax(logits))", F.nll_loss(F.log_softmax(logits, dim=1), labels))
    loss = nn.CrossEntropyLoss()(logits, labels)
    show("CrossEntropyLoss()(logits)", loss, "ce/logits_loss")
    wrong(0.326, f"The two losses are -log {p[0, 0]:.4f} = {-math.log(p[0, 0]):.4f} and "
          f"-log {p[1, 1]:.4f} = {-math.log(p[1, 1]):.4f}; their mean is {loss.item():.4f}.")

    section("2. the gradient is (softmax - one_hot) / N, and autograd finds it")
    loss.backward()
    one_hot = np.eye(3, dtype=np.float32)[labels.numpy()]
    show("by formula (p - one_hot) / N", (p - one_hot) / 2)
    show("autograd d loss / d logits", logits.grad, "ce/logits_grad")
    print("  (the derivation of p - y, step by step: examples/softmax_and_gradients.py)")

    section("3. probabilities where logits belong")
    probs = minigrad.tensor([[0.3, 0.3, 0.4]])
    print(f"  An article fed the probabilities {fmt(probs[0])} to CrossEntropyLoss with the label 1,")
    print("  expecting -log 0.4 = 0.9163, and said the output agreed.  Two mistakes:")
    ce1 = show("cross_entropy(probs, label 1)", F.cross_entropy(probs, minigrad.tensor([1])),
               "ce/probs_as_logits_label1")
    show("cross_entropy(probs, label 2)", F.cross_entropy(probs, minigrad.tensor([2])), "ce/probs_as_logits_label2")
    wrong(0.9163, f"CrossEntropyLoss reads its input as logits and applies softmax itself: [0.3, 0.3, 0.4] "
          f"becomes {fmt(F.softmax(probs, dim=1)[0], 4)}, nearly uniform, and the loss for label 1 is {ce1:.4f}.")
    print("  And label 1 is not the class with p = 0.4 (classes count from 0: 0.4 is class 2).")
    show("softmax([0.3, 0.3, 0.4])", F.softmax(probs, dim=1), "ce/softmax_of_probs")
    print("  With probabilities in hand, take their log and use nll_loss:")
    show("nll_loss(log probs, label 2) = -log 0.4", F.nll_loss(probs.log(), minigrad.tensor([2])),
         "ce/nll_log_probs_label2", width=42)
    show("nll_loss(log probs, label 1) = -log 0.3", F.nll_loss(probs.log(), minigrad.tensor([1])),
         "ce/nll_log_probs_label1", width=42)

    section("4. the one-hot examples of the articles (these are right)")
    show("y = [1,0,0], p = [0.8,0.1,0.1]: -log 0.8", F.nll_loss(minigrad.tensor([[0.8, 0.1, 0.1]]).log(),
                                                            minigrad.tensor([0])), "ce/onehot_08", width=42)
    show("y = [1,0,0], p = [0.1,0.8,0.1]: -log 0.1", F.nll_loss(minigrad.tensor([[0.1, 0.8, 0.1]]).log(),
                                                            minigrad.tensor([0])), "ce/onehot_01", width=42)
    show("same, one-hot as a probability target", F.cross_entropy(minigrad.tensor([[0.8, 0.1, 0.1]]).log(),
                                                                 minigrad.tensor([[1.0, 0.0, 0.0]])),
         "ce/onehot_prob_target", width=42)

    section("5. binary: BCELoss on probabilities, BCEWithLogitsLoss on logits")
    z = minigrad.tensor([[2.0], [0.5], [-1.0]], requires_grad=True)
    y = minigrad.tensor([[1.0], [1.0], [0.0]])
    with_logits = nn.BCEWithLogitsLoss()(z, y)
    show("BCEWithLogitsLoss(z, y)", with_logits, "ce/bce_logits")
    s = z.detach().sigmoid().numpy().ravel()
    wrong(0.412, f"The three losses are -log sigmoid(2) = {-math.log(s[0]):.4f}, -log sigmoid(0.5) = "
          f"{-math.log(s[1]):.4f} and -log(1 - sigmoid(-1)) = {-math.log(1 - s[2]):.4f}; their mean is "
          f"{with_logits.item():.4f}.")
    show("BCELoss(sigmoid(z), y)", nn.BCELoss()(z.sigmoid(), y), "ce/bce_sigmoid",
         note="the same; less stable for large |z|")
    with_logits.backward()
    show("d loss / d z = (sigmoid(z) - y) / N", z.grad, "ce/bce_logits_grad", width=40)
    show("BCE(p=0.9, y=1) = -log 0.9", F.binary_cross_entropy(minigrad.tensor([0.9]), minigrad.tensor([1.0])),
         "ce/bce_09_1", width=40)
    show("BCE(p=0.7, y=1) = -log 0.7", F.binary_cross_entropy(minigrad.tensor([0.7]), minigrad.tensor([1.0])),
         "ce/bce_07_1", width=40)
    bce0 = show("BCE(p=0.7, y=0) = -log(1 - 0.7)", F.binary_cross_entropy(minigrad.tensor([0.7]),
                                                                        minigrad.tensor([0.0])), "ce/bce_07_0",
                width=40)
    wrong(1.055, f"For the label 0 the loss is -log(1 - p) = -log(1 - 0.7) = -log 0.3 = {bce0:.4f}, "
          "not 1.055 (an arithmetic slip: the conclusion, that the wrong label costs more than 0.357, stands).")
    weighted = nn.BCEWithLogitsLoss(pos_weight=minigrad.tensor([3.0]))(z.detach(), y)
    show("pos_weight=3 (positives count 3x)", weighted, width=40)

    section("6. label smoothing, class weights, ignore_index")
    for eps in (0.0, 0.1, 0.3):
        show(f"label_smoothing={eps}", F.cross_entropy(logits.detach(), labels, label_smoothing=eps))
    smooth_target = 0.9 * np.eye(3, dtype=np.float32)[labels.numpy()] + 0.1 / 3
    show("probability target 0.9 one_hot + 0.1/3", F.cross_entropy(logits.detach(), minigrad.tensor(smooth_target)),
         note="= label_smoothing=0.1")
    w = minigrad.tensor([1.0, 2.0, 3.0])
    show("weight=[1, 2, 3]", F.cross_entropy(logits.detach(), labels, weight=w),
         note="'mean' divides by the weights' sum, 1 + 2 = 3, not by N")
    show("labels [0, -100] (second ignored)", F.cross_entropy(logits.detach(), minigrad.tensor([0, -100])))


if __name__ == "__main__":
    main()
