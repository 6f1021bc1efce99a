"""Run a tutorial-style script of ``examples/`` under minigrad or under torch, and read its results.

The examples are plain top-level scripts, as tutorials are: they import ``minigrad as torch``
and keep their results in module globals (``losses``, ``model``, ``parameters``). To run one
under torch, its import lines are rewritten (``minigrad`` -> ``torch``, ``minigrad.data`` ->
``torch.utils.data``) and the source is executed with ``sys.argv`` set to the given arguments;
the tests run the unmodified source the same way under minigrad. Both sides therefore run
exactly the same body. The default dtype (which ``--dtype`` changes) and ``sys.argv`` are
restored afterwards. Imports numpy only: the tests import it without torch.
"""
import contextlib
import io
import re
import sys
from pathlib import Path

import numpy as np

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"
IMPORT_LINE = re.compile(r"^(import|from) minigrad\b.*$", re.MULTILINE)

# What the recorder and the test run: example -> list of (run name, command-line arguments).
RUNS = {
    "polynomial_fit": [("float64", ["--steps", "300", "--dtype", "float64"]),
                       ("float32", ["--steps", "300", "--dtype", "float32"])],
    "makemore_mlp": [("float64", ["--steps", "300", "--dtype", "float64"]),
                     ("float32", ["--steps", "20", "--dtype", "float32"])],
}
# How close minigrad must come, per dtype: ``rtol`` on every number, and an absolute tolerance of
# ``rtol * max|expected|`` per array (parameters near zero). float64: one rounding difference
# (a different summation order in a matrix product) grows over hundreds of steps to ~1e-12 of the
# parameters' scale; float32: the same mechanism at 6e-8 per rounding gives ~2e-6 on the polynomial
# after 300 steps and ~4e-6 on the MLP after 20 (its unscaled initialisation and lr 0.1 make the
# float32 trajectories drift apart by 1e-4 after ~20 steps, so the float32 run is short).
TOLERANCE = {"float64": 1e-10, "float32": 1e-5}


def to_torch_imports(source):
    """The script with its minigrad import lines turned into torch's."""
    def swap(match):
        return match.group(0).replace("minigrad.data", "torch.utils.data").replace("minigrad", "torch")
    return IMPORT_LINE.sub(swap, source)


def run_example(name, argv, library):
    """Execute ``examples/<name>.py`` as ``__main__`` with ``argv`` under ``library`` (the module,
    ``torch`` or ``minigrad``) -> (the script's globals, what it printed)."""
    path = EXAMPLES_DIR / f"{name}.py"
    source = path.read_text()
    if library.__name__ == "torch":
        source = to_torch_imports(source)
    namespace = {"__name__": "__main__", "__file__": str(path)}
    saved_argv, saved_dtype = sys.argv, library.get_default_dtype()
    sys.argv = [str(path), *argv]
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(source, str(path), "exec"), namespace)
    finally:
        sys.argv = saved_argv
        library.set_default_dtype(saved_dtype)
    return namespace, out.getvalue()


def results(name, namespace):
    """The numbers compared: the loss of every step and the final parameters, as numpy arrays."""
    if name == "polynomial_fit":
        params = [p.detach() for p in namespace["model"].parameters()]
    else:
        params = [p.detach() for p in namespace["parameters"]]
    arrays = {"losses": np.array(namespace["losses"], dtype=np.float64)}
    for i, p in enumerate(params):
        arrays[f"param{i}"] = np.array(p.tolist(), dtype=str(p.dtype).split(".")[-1])
    return arrays
