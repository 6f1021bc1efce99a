"""What the recorders (run under torch) and the tests (run under minigrad) share.

A recorded case is code that runs unchanged under either library, because
minigrad uses torch's names: ``fn(m, *tensors)`` where ``m`` is the module
(``torch`` or ``minigrad``).  This file holds

- ``Arg``: how to make one input array from a seeded numpy generator,
- ``Case``: a named ``fn`` with its inputs and the float dtypes to run it in,
- ``run_case``: build the tensors, run ``fn``, backward ``Σ (out * upstream)``,
  and hand back plain numpy arrays (the same code records and checks),
- ``save_expected`` / ``load_expected``: one ``.npz`` of arrays plus a JSON ``__meta__``.

It imports numpy only: the tests import it without torch.
"""
import json
import zlib
from pathlib import Path

import numpy as np

EXPECTED_DIR = Path(__file__).resolve().parents[1] / "expected"
FLOAT_DTYPES = ("float32", "float64")
FIXED = "fixed"  # the dtype key of a case whose inputs all have their own dtype


def seed_for(*names):
    """A stable seed from names (Python's hash() changes between runs)."""
    return zlib.crc32("/".join(names).encode())


def dtype_name(dtype):
    """``torch.float32`` / ``minigrad.float32`` -> ``"float32"``."""
    return str(dtype).split(".")[-1]


# ---------------------------------------------------------------------- inputs
class Arg:
    """One input of a case.  ``dtype=None`` means "the case's float dtype" (the case runs
    once per entry of FLOAT_DTYPES); float inputs require grad unless ``grad=False``."""

    def __init__(self, shape=(), kind="uniform", low=-2.0, high=2.0, dtype=None, grad=True, values=None):
        self.shape, self.kind, self.low, self.high = tuple(shape), kind, low, high
        self.dtype, self.grad, self.values = dtype, grad, values

    def make(self, rng, float_dtype):
        dtype = np.dtype(self.dtype or float_dtype)
        if self.kind == "given":
            return np.array(self.values, dtype=dtype)
        if self.kind == "int":
            return rng.integers(int(self.low), int(self.high), size=self.shape).astype(dtype)
        if self.kind == "bool":
            return rng.random(self.shape) < 0.5
        values = rng.uniform(self.low, self.high, size=self.shape)
        if self.kind == "nonzero":  # |x| in [low, high] with a random sign: away from 0
            values *= np.where(rng.random(self.shape) < 0.5, -1.0, 1.0)
        return np.asarray(values, dtype=dtype)

    def requires_grad(self, array):
        return self.grad and array.dtype.kind == "f"


def floats(*shape, low=-2.0, high=2.0, dtype=None, grad=True):
    """Uniform values in [low, high)."""
    return Arg(shape, "uniform", low, high, dtype, grad)


def positive(*shape, low=0.5, high=2.0):
    """Values in [0.5, 2): safe for log, sqrt and fractional powers."""
    return Arg(shape, "uniform", low, high)


def nonzero(*shape, low=0.5, high=2.0):
    """±[0.5, 2): away from the kinks of abs and relu, and from division by zero."""
    return Arg(shape, "nonzero", low, high)


def ints(*shape, low=0, high=5, dtype="int64"):
    """Integers in [low, high): indices, or integer operands."""
    return Arg(shape, "int", low, high, dtype)


def mask(*shape):
    return Arg(shape, "bool", dtype="bool")


def given(values, dtype=None, grad=True):
    """Exact values (ties, huge magnitudes, ...); dtype None follows the case."""
    return Arg(np.shape(values), "given", dtype=dtype, grad=grad, values=values)


# ---------------------------------------------------------------------- cases
class Case:
    """``fn(m, *tensors)`` on ``args``, run under every float dtype the args follow."""

    def __init__(self, name, fn, args=(), dtypes=None):
        self.name, self.fn, self.args = name, fn, list(args)
        follows_case = any(a.dtype is None for a in self.args)
        self.dtypes = dtypes or (FLOAT_DTYPES if follows_case else (FIXED,))

    def keys(self):
        return [f"{self.name}/{d}" for d in self.dtypes]

    def make_inputs(self, float_dtype):
        rng = np.random.default_rng(seed_for(self.name, float_dtype))
        return [a.make(rng, None if float_dtype == FIXED else float_dtype) for a in self.args]

    def __repr__(self):
        return f"Case({self.name!r})"


def run_case(m, case, inputs, upstream):
    """Run ``case`` under module ``m`` on numpy ``inputs``; then backward the sum of
    ``(out_j * upstream(j, out_j)).sum()`` over the outputs that require grad.

    Returns numpy copies: ``out`` (list), ``out_dtype`` (names), ``out_requires_grad``,
    ``up`` (the upstream arrays, None where not used) and ``grad`` (per input, None
    where the input does not require grad or got no gradient)."""
    tensors = [m.tensor(a, requires_grad=arg.requires_grad(a)) for a, arg in zip(inputs, case.args)]
    result = case.fn(m, *tensors)
    outs = list(result) if isinstance(result, (tuple, list)) else [result]
    record = {"out": [_numpy(o) for o in outs], "out_dtype": [dtype_name(o.dtype) for o in outs],
              "out_requires_grad": [bool(o.requires_grad) for o in outs], "up": [], "grad": []}
    loss = None
    for j, o in enumerate(outs):
        up = upstream(j, record["out"][j]) if o.requires_grad else None
        record["up"].append(up)
        if up is not None:
            term = (o * m.tensor(up)).sum()
            loss = term if loss is None else loss + term
    if loss is not None:
        loss.backward()
    record["grad"] = [_numpy(t.grad) if t.requires_grad and t.grad is not None else None for t in tensors]
    return record


def _numpy(t):
    return np.array(t.detach().numpy(), copy=True)


# ---------------------------------------------------------------------- storage
def save_expected(path, arrays, meta):
    """Arrays under ``name/...`` keys, and ``meta`` (JSON-able) under ``__meta__``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, __meta__=np.array(json.dumps(meta, indent=1, sort_keys=True)), **arrays)


def load_expected(path):
    """-> (dict of arrays, meta)."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files if k != "__meta__"}
        meta = json.loads(str(data["__meta__"]))
    return arrays, meta
