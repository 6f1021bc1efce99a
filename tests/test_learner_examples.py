"""The learners' examples run, and what they print agrees with itself (autograd = formula)."""
import os
import re
import runpy

import pytest

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


def run_example(name, capsys):
    runpy.run_path(os.path.join(EXAMPLES, name), run_name="__main__")
    return capsys.readouterr().out


def test_backprop_demo_matches_the_chain_rule(capsys):
    out = run_example("backprop_demo.py", capsys)
    autograd = re.search(r"dy/dw = tensor\(\[(.*?)\]\)", out).group(1)
    by_hand = re.search(r"dy/dw = dy/dz \* x = \[(.*?)\]", out).group(1)
    assert [float(v) for v in autograd.split(",")] == pytest.approx([float(v) for v in by_hand.split()], abs=1e-4)
    assert "gradcheck against finite differences: True" in out


def test_cross_entropy_by_hand_identities(capsys):
    out = run_example("cross_entropy_by_hand.py", capsys)
    value = lambda label: float(re.search(re.escape(label) + r"\s*=\s*([-\d.]+)", out).group(1))  # noqa: E731
    assert value("nll_loss(log_softmax(logits))") == pytest.approx(value("CrossEntropyLoss()(logits)"), abs=1e-7)
    assert value("BCEWithLogitsLoss(z, y)") == pytest.approx(value("BCELoss(sigmoid(z), y)"), abs=1e-6)
    grads = re.search(r"autograd   d loss / d logits =\n(.*?)\nby formula", out, re.S).group(1)
    formula = re.search(r"by formula \(p - one_hot\) / N =\n(.*?)\n\n", out, re.S).group(1)
    assert grads == formula
