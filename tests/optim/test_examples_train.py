"""The examples end to end: the default classifier reaches 97% test accuracy on spirals, and the
PyTorch-style script runs as written."""
import contextlib
import importlib.util
import io
import runpy
from pathlib import Path

import pytest

import minigrad.nn as nn

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
pytestmark = pytest.mark.skipif(not hasattr(nn, "CrossEntropyLoss"), reason="needs nn.CrossEntropyLoss")


def load_example(name):
    spec = importlib.util.spec_from_file_location(f"minigrad_example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_default_classifier_reaches_97_percent_on_spirals(tmp_path):
    example = load_example("train_classifier")
    args = example.parse_args(["--out", str(tmp_path)])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model, data, history = example.train(args)
        example.plot(model, data, history, args)
    lines = out.getvalue().splitlines()
    assert len([line for line in lines if line.startswith("epoch")]) == args.epochs
    assert history[-1][2] >= 0.97, lines[-3:]
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "install matplotlib" in lines[-1]
    else:
        assert sorted(p.name for p in tmp_path.iterdir()) == ["decision_boundary_spirals.png",
                                                              "loss_curve_spirals.png"]


def test_pytorch_style_script_runs():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(str(EXAMPLES / "pytorch_style.py"), run_name="__main__")
    text = out.getvalue()
    assert text.startswith("Net(\n  (fc1): Linear(in_features=2, out_features=32, bias=True)")
    assert "epoch 20" in text and text.rstrip().endswith("the reloaded model gives identical outputs: True")
