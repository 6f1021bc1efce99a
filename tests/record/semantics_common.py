"""The harness of the autograd-semantics recording (``record_semantics.py``).

A *scenario* is a function ``fn(m, inp)``: ``m`` is the library module (``torch`` or
``minigrad``), ``inp`` a dict of numpy input arrays made from a seeded generator
and stored in the recording.  It returns a dict of results: Tensors (stored as
arrays, with their dtype), bools, ints, strings, lists of those, ``None``.  The
same code is run by the recorder (torch), by ``selfcheck_semantics.py`` (torch
again, against the file) and by ``tests/autograd/test_semantics_vs_torch.py``
(minigrad).

``compare`` is the one comparison all of them use: arrays with rtol 1e-10 (float64)
or 1e-5 (float32) and the same dtype and shape; everything else exactly, except
error messages (keys ending in ``msg``), which first go through ``normalize_message``
(``TORCH_SPECIFIC`` lists what it blurs and why).

Imports numpy only.
"""
import re
import warnings

import numpy as np

from common import FIXED, FLOAT_DTYPES, dtype_name, seed_for

SCENARIOS = {}
RTOL = {"float64": 1e-10, "float32": 1e-5, FIXED: 1e-10}


class Scenario:
    def __init__(self, name, fn, args, dtypes):
        self.name, self.fn, self.args, self.dtypes = name, fn, args, dtypes

    def make_inputs(self, dtype):
        rng = np.random.default_rng(seed_for("semantics", self.name, dtype))
        return {k: a.make(rng, "float64" if dtype == FIXED else dtype) for k, a in self.args.items()}


def scenario(dtypes=FLOAT_DTYPES, **args):
    """Register ``fn(m, inp)``; ``args`` maps input names to ``common.Arg`` specs.
    ``dtypes=(FIXED,)`` for scenarios whose results do not depend on a float dtype."""
    def register(fn):
        assert fn.__name__ not in SCENARIOS, fn.__name__
        SCENARIOS[fn.__name__] = Scenario(fn.__name__, fn, args, tuple(dtypes))
        return fn
    return register


# ---------------------------------------------------------------------- helpers for scenarios
def error(res, key, fn):
    """Run ``fn()``; store the exception's type name and message under ``key/type``, ``key/msg``
    (``"none"`` and ``""`` if nothing was raised)."""
    try:
        fn()
        res[key + "/type"], res[key + "/msg"] = "none", ""
    except Exception as e:  # noqa: BLE001 - recording exactly what was raised
        res[key + "/type"], res[key + "/msg"] = type(e).__name__, str(e)


def warned(fn):
    """``(result of fn(), list of warning messages it issued)``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn()
    return out, [str(w.message) for w in caught]


def node_name(fn):
    return None if fn is None else type(fn).__name__


# ---------------------------------------------------------------------- running and storing
def _is_tensor(v):
    return hasattr(v, "detach") and hasattr(v, "requires_grad") and hasattr(v, "numpy")


def run_scenario(m, sc, inputs):
    """-> (arrays, plain): tensors as numpy arrays; everything else JSON-able."""
    out = sc.fn(m, dict(inputs))
    arrays, plain = {}, {}
    for key, v in out.items():
        if _is_tensor(v):
            arrays[key] = np.array(v.detach().numpy(), copy=True)
            plain[key + ".dtype"] = dtype_name(v.dtype)
        elif isinstance(v, np.ndarray):
            arrays[key] = v
        elif isinstance(v, (float, np.floating)):
            arrays[key] = np.array(v)
        elif isinstance(v, tuple):
            plain[key] = list(v)
        else:
            plain[key] = v
    return arrays, plain


# ---------------------------------------------------------------------- comparing
# Parts of torch's messages that name torch itself; minigrad is compared on the rest.
TORCH_SPECIFIC = [
    # "[torch.FloatTensor [3]]" in the version-counter message: the C++ tensor type.
    (r"\[(torch|minigrad)\.\w+ \[[\d, ]*\]\]", "[<tensor>]"),
    # C++ node names: "MulBackward0", "AsStridedBackward0" ... minigrad may drop the digit.
    (r"\b(\w+?)Backward\d+\b", r"\1Backward"),
    # "which is output 0 of Add,": torch names the C++ op that made the saved tensor.
    (r"which is output (\d+) of \w+,", r"which is output \1 of <op>,"),
    # "(Triggered internally at .../TensorBody.h:493.)": where in C++ a warning came from.
    (r" \(Triggered internally at [^)]*\)", ""),
    # torch's pointer to a pull request of its own at the end of the non-leaf .grad warning.
    (r" See github\.com/pytorch/pytorch/pull/\d+ for more information\.", ""),
    # "torch.Size([3])" and "torch.float32" in shape/dtype messages.
    (r"\b(torch|minigrad)\.", "<lib>."),
]


def normalize_message(msg):
    for pattern, repl in TORCH_SPECIFIC:
        msg = re.sub(pattern, repl, msg)
    return msg


def normalize_node_name(name):
    """Graph-structure names are compared loosely: torch's trailing digit is dropped."""
    return name if name is None else re.sub(r"Backward\d+$", "Backward", name)


def compare(expected_arrays, expected_plain, arrays, plain, dtype):
    """-> list of differences (empty when they agree)."""
    problems = []
    if set(expected_arrays) != set(arrays):
        problems.append(f"array keys differ: expected {sorted(expected_arrays)}, got {sorted(arrays)}")
    if set(expected_plain) != set(plain):
        problems.append(f"result keys differ: expected {sorted(expected_plain)}, got {sorted(plain)}")
    for key in sorted(set(expected_arrays) & set(arrays)):
        want, got = expected_arrays[key], np.asarray(arrays[key])
        if want.shape != got.shape or want.dtype != got.dtype:
            problems.append(f"{key}: expected {want.dtype}{want.shape}, got {got.dtype}{got.shape}")
            continue
        if want.dtype.kind in "fc":
            scale = float(np.max(np.abs(want[np.isfinite(want)]), initial=1.0))
            if not np.allclose(got, want, rtol=RTOL[dtype], atol=RTOL[dtype] * scale, equal_nan=True):
                problems.append(f"{key}: expected {want!r}, got {got!r}")
        elif not np.array_equal(got, want):
            problems.append(f"{key}: expected {want!r}, got {got!r}")
    for key in sorted(set(expected_plain) & set(plain)):
        if key.endswith("torch_name"):  # recorded for the reader, not compared (see semantics_views.py)
            continue
        want, got = expected_plain[key], plain[key]
        if isinstance(got, tuple):
            got = list(got)
        if key.endswith("msg") or key.endswith("warnings"):
            want, got = _map_strings(normalize_message, want), _map_strings(normalize_message, got)
        if key.endswith("names"):
            want, got = _map_strings(normalize_node_name, want), _map_strings(normalize_node_name, got)
        if want != got:
            problems.append(f"{key}: expected {want!r}, got {got!r}")
    return problems


def _map_strings(f, v):
    if isinstance(v, str):
        return f(v)
    if isinstance(v, list):
        return [_map_strings(f, x) for x in v]
    return v


# ---------------------------------------------------------------------- the scenario files
SCENARIO_FILES = ("semantics_function", "semantics_hooks", "semantics_modules", "semantics_graph",
                  "semantics_views")
OUTPUT_NAME = "semantics.npz"


def to_storage(name, dtype, inputs, arrays, plain, store_arrays, meta):
    """Put one run into the ``.npz`` layout: ``<name>/<dtype>/in/<k>``, ``.../out/<k>`` and
    ``meta["results"]["<name>/<dtype>"]``."""
    key = f"{name}/{dtype}"
    for k, a in inputs.items():
        store_arrays[f"{key}/in/{k}"] = a
    for k, a in arrays.items():
        store_arrays[f"{key}/out/{k}"] = a
    meta["results"][key] = plain


def from_storage(key, store_arrays, meta):
    """-> (inputs, arrays, plain) of one recorded run ``<name>/<dtype>``."""
    inputs = {k[len(key) + 4:]: v for k, v in store_arrays.items() if k.startswith(key + "/in/")}
    arrays = {k[len(key) + 5:]: v for k, v in store_arrays.items() if k.startswith(key + "/out/")}
    return inputs, arrays, meta["results"][key]
