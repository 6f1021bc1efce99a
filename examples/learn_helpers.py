"""What the learners' examples share: torch's recorded numbers, headings, pictures.

Every number an example prints is computed by minigrad.  Where PyTorch 2.13 has the same
number, it was recorded once (``tests/record/record_learn.py`` -> ``tests/expected/learn.npz``)
and ``show`` prints it beside minigrad's; the test suite checks that they agree.
Pictures go to ``examples/output/`` (or ``$MINIGRAD_EXAMPLES_OUTPUT``): plots when matplotlib is installed
(``pip install -e ".[examples]"``), graphs as SVG when a Graphviz renderer is installed
(``pip install -e ".[viz]"``), else as DOT text.
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
RECORDED = os.path.join(HERE, os.pardir, "tests", "expected", "learn.npz")
OUTPUT = os.environ.get("MINIGRAD_EXAMPLES_OUTPUT") or os.path.join(HERE, "output")
COMPARED = []  # (key, minigrad's value, torch's value): checked by tests/test_learner_examples.py
_torch = None


def torch_value(key):
    """torch's recorded value for ``key`` (a numpy array), or None without the recording."""
    global _torch
    if _torch is None:
        _torch = {}
        if os.path.exists(RECORDED):
            with np.load(RECORDED) as data:
                _torch = {k: data[k] for k in data.files if k != "__meta__"}
    return _torch.get(key)


def torch_meta(key):
    """A non-array entry of the recording (e.g. ``bp/order``), or None."""
    if not os.path.exists(RECORDED):
        return None
    import json
    with np.load(RECORDED) as data:
        return json.loads(str(data["__meta__"])).get(key)


def fmt(value, digits=6):
    """A number, a small array or Tensor, on one line."""
    a = value.detach().numpy() if hasattr(value, "detach") else np.asarray(value)
    if a.ndim == 0:
        return f"{a.item():.{digits}g}"
    return " ".join(np.array2string(a, separator=", ", formatter={"float_kind": lambda v: f"{v:.{digits}g}"}).split())


def show(label, mine, key=None, width=38, note=""):
    """Print ``label  minigrad-value  (torch: recorded value)``; note the pair for the tests."""
    mine = mine.detach().numpy() if hasattr(mine, "detach") else np.asarray(mine)
    line = f"  {label:<{width}} {fmt(mine)}"
    expected = torch_value(key) if key else None
    if expected is not None:
        COMPARED.append((key, mine, expected))
        line += f"   (torch: {fmt(expected)})"
    print(line + (f"   {note}" if note else ""))
    return mine


def section(title):
    print(f"\n== {title} " + "=" * max(0, 70 - len(title)))


def output_path(name):
    os.makedirs(OUTPUT, exist_ok=True)
    return os.path.join(OUTPUT, name)


def pyplot():
    """matplotlib.pyplot drawing to files, or None (and a note) when matplotlib is missing."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("  (install matplotlib, `pip install -e \".[examples]\"`, to get this plot)")
        return None
    return plt


def save_plot(fig, name):
    path = output_path(name)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    print(f"  wrote {os.path.relpath(path)}")
    return path


def save_graph(graph, stem):
    """``graph`` (minigrad.viz.Graph) as ``stem``.svg when a renderer is installed, else ``stem``.dot."""
    from minigrad.viz import find_renderer
    if find_renderer() is not None:
        path = graph.render(output_path(stem + ".svg"))
    else:
        path = graph.render(output_path(stem + ".dot"))
        print("  (no Graphviz renderer: wrote the DOT text; `pip install -e \".[viz]\"` draws it as SVG)")
    print(f"  wrote {os.path.relpath(path)}")
    return path
