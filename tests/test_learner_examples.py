"""The learners' examples run, print minigrad's numbers beside torch's recorded ones, and
those agree (float32: rtol 1e-5), with the numba kernels on and off; they write their pictures.

torch's values: tests/expected/learn.npz, from tests/record/record_learn.py (whose procedures
are also replayed here under minigrad).
"""
import importlib.util
import json
import os
import runpy
import subprocess
import sys

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional  # noqa: F401
from minigrad.viz import find_renderer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
RECORDED = os.path.join(ROOT, "tests", "expected", "learn.npz")
LEARNER_EXAMPLES = {"information_theory.py": "info/", "softmax_and_gradients.py": "sm/",
                    "backprop_demo.py": "bp/", "cross_entropy_by_hand.py": "ce/"}
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
PICTURES = {"information_theory.py": ["neg_log_p.png"] if HAS_MATPLOTLIB else [],
            "softmax_and_gradients.py": ["ce_vs_mse_gradient.png"] if HAS_MATPLOTLIB else [],
            "backprop_demo.py": ["backprop_graph.svg" if find_renderer() else "backprop_graph.dot"],
            "cross_entropy_by_hand.py": []}


def recorded():
    with np.load(RECORDED) as data:
        return {k: data[k] for k in data.files if k != "__meta__"}, json.loads(str(data["__meta__"]))


def assert_close(mine, expected, what):
    mine, expected = np.asarray(mine), np.asarray(expected)
    assert mine.shape == expected.shape, what
    assert mine.dtype == expected.dtype, what
    np.testing.assert_allclose(mine, expected, rtol=1e-5, atol=1e-7, equal_nan=True, err_msg=what)


@pytest.fixture
def helpers(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(EXAMPLES)
    import learn_helpers
    monkeypatch.setattr(learn_helpers, "OUTPUT", str(tmp_path))
    learn_helpers.COMPARED.clear()
    return learn_helpers


def run_example(name, capsys):
    runpy.run_path(os.path.join(EXAMPLES, name), run_name="__main__")
    return capsys.readouterr().out


@pytest.mark.parametrize("kernels", [True, False], ids=["kernels", "plain-numpy"])
@pytest.mark.parametrize("name", sorted(LEARNER_EXAMPLES))
def test_example_prints_torchs_numbers(name, kernels, helpers, capsys, tmp_path):
    previous = minigrad.set_kernels(kernels)
    try:
        out = run_example(name, capsys)
    finally:
        minigrad.set_kernels(previous)
    arrays, _ = recorded()
    prefix = LEARNER_EXAMPLES[name]
    compared = {key for key, _, _ in helpers.COMPARED}
    assert compared == {k for k in arrays if k.startswith(prefix)}, "every recorded number is printed"
    for key, mine, expected in helpers.COMPARED:
        assert_close(mine, expected, key)
        assert "(torch: " in out
    for picture in PICTURES[name]:
        assert (tmp_path / picture).stat().st_size > 0, picture


def test_backprop_demo_order_trace_and_chain_rule(helpers, capsys):
    out = run_example("backprop_demo.py", capsys)
    _, meta = recorded()
    engine = out.split("engine (topological): ")[1].splitlines()[0].split(" -> ")
    assert engine == meta["bp/order"]  # the engine's order is torch's
    table = out.split("grad out (dL/d each input)")[1].split("grad in:  dy/d")[0].strip().splitlines()
    assert [line.split()[0] for line in table] == ["1", "2", "3", "4", "5"]
    assert [line.split()[1] if "=" not in line.split()[2] else line.split()[3] for line in table] == \
        ["SumBackward", "AddBackward", "TanhBackward", "MulBackward", "w"]
    assert "digraph minigrad {" in out
    assert "gradcheck against finite differences (float64): True" in out


def test_the_trace_of_the_diamond_runs_in_torchs_order():
    _, meta = recorded()
    w = minigrad.tensor([0.5, -1.0, 2.0], requires_grad=True)
    x = minigrad.tensor([2.0, 3.0, -1.0])
    z = w * x
    y = (z + z.tanh()).sum()
    with minigrad.autograd.trace() as t:
        y.backward()
    assert [s.name for s in t.steps] == meta["bp/order"]


def test_cross_entropy_by_hand_names_every_wrong_number(helpers, capsys):
    out = run_example("cross_entropy_by_hand.py", capsys)
    for number in ("0.326", "0.412", "0.9163", "1.055"):
        assert f"WRONG: an article printed {number}." in out
    assert "-log 0.3 = 1.2040" in out


def test_recorder_procedures_replay_under_minigrad():
    sys.path.insert(0, os.path.join(ROOT, "tests", "record"))
    try:
        import record_learn
    finally:
        sys.path.pop(0)
    arrays, meta = recorded()
    mine = record_learn.run_all(minigrad)
    assert set(mine) == set(arrays)
    for key, expected in arrays.items():
        assert_close(mine[key], expected, key)
    assert record_learn.torch_order(minigrad) == meta["bp/order"]


@pytest.mark.parametrize("name", sorted(LEARNER_EXAMPLES) + ["pytorch_style.py"])
def test_runs_as_a_learner_runs_it(name, tmp_path):
    """`python examples/<name>` from the repository root, as the README says."""
    env = dict(os.environ, MINIGRAD_EXAMPLES_OUTPUT=str(tmp_path))
    done = subprocess.run([sys.executable, os.path.join("examples", name)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
