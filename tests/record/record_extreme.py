"""Record what PyTorch gives for extreme logits into tests/expected/extreme.npz.

Run from the repo root with an interpreter that has torch (minigrad's tests never import it)::

    /tmp/venv-torch/bin/python tests/record/record_extreme.py

Families of rows (one family per case, so the magnitudes inside an array are alike):
logits shifted by +-1e4, +-1e6, +-1e30 (and 1e15, +-1e300 in float64), rows made of
+-finfo.max, rows mixing +-inf with finite values, and rows that are all -inf.  Each
family is laid out three ways, one per kernel path: (6, 3) runs the few-classes
(transposed-block) path, (3, 40) the per-row path and (2, 5, 3) the (N, C, S) tile
path.  The tests run every case through the serial and the parallel kernels.

Functions: log_softmax, softmax, cross_entropy (index targets: mean; weight +
ignore_index, 'none'; weight + ignore_index + label_smoothing, 'mean'; label_smoothing,
'sum'; probability targets: 'mean'; weight + label_smoothing, 'none'), nll_loss and
binary_cross_entropy_with_logits; forward and the gradient of the input.

Stored per case and dtype (keys ``"<case>|<dtype>|<what>"``, packed as in losses.npz):
the inputs (``in:<name>``), torch's output and input gradient (``out``, ``grad:input``)
and the upstream gradient used.  For float32 also ``ref:out`` / ``ref:grad:input``:
torch in float64 on the same (float32) inputs, from which the tests take torch's own
float32 accuracy.  ``call|<case>`` holds the call as JSON (functional name, argument
names, options), so the tests need no case list.
"""
import json
import os
import sys
import types
import zlib

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from record_losses import pack, save_npz  # noqa: E402

OUT = os.path.join(HERE, "..", "expected", "extreme.npz")
F = torch.nn.functional

SHIFTS = {"float32": (1e4, -1e4, 1e6, -1e6, 1e30, -1e30),
          "float64": (1e4, -1e4, 1e6, -1e6, 1e15, 1e30, -1e30, 1e300, -1e300)}
#: name -> (N, C, S): (6, 3) few classes (transposed blocks), (3, 40) rows, (2, 5, 3) tiles
LAYOUTS = {"c3": (6, 3, 1), "c40": (3, 40, 1), "tiles": (2, 5, 3)}

CALLS = {
    "log_softmax": dict(name="log_softmax", args=["input"], options={"dim": 1}),
    "softmax": dict(name="softmax", args=["input"], options={"dim": 1}),
    "ce_mean": dict(name="cross_entropy", args=["input", "target"], options={}),
    "ce_w_ii_none": dict(name="cross_entropy", args=["input", "target_ii"], tensors=["weight"],
                         options={"ignore_index": -100, "reduction": "none"}),
    "ce_w_ii_ls_mean": dict(name="cross_entropy", args=["input", "target_ii"], tensors=["weight"],
                            options={"ignore_index": -100, "label_smoothing": 0.1}),
    "ce_ls_sum": dict(name="cross_entropy", args=["input", "target"],
                      options={"label_smoothing": 0.2, "reduction": "sum"}),
    "ce_prob_mean": dict(name="cross_entropy", args=["input", "probs"], options={}),
    "ce_prob_w_ls_none": dict(name="cross_entropy", args=["input", "probs"], tensors=["weight"],
                              options={"label_smoothing": 0.1, "reduction": "none"}),
    "nll_w_ii_mean": dict(name="nll_loss", args=["input", "target_ii"], tensors=["weight"],
                          options={"ignore_index": -100}),
    "nll_none": dict(name="nll_loss", args=["input", "target"], options={"reduction": "none"}),
    "bcel_mean": dict(name="binary_cross_entropy_with_logits", args=["input", "y"], options={}),
    "bcel_w_pw_none": dict(name="binary_cross_entropy_with_logits", args=["input", "y"],
                           tensors=["weight_full", "pos_weight"], options={"reduction": "none"},
                           rename={"weight_full": "weight"}),
}


def rng_for(*names):
    return np.random.default_rng(zlib.crc32("/".join(names).encode()))


def families(dtype):
    out = [f"shift{s:+.0e}" for s in SHIFTS[dtype]]
    return out + ["fmax", "inf_mix", "all_neginf"]


def logit_rows(family, M, C, dtype, rng):
    """(M, C) logits of one family, made in float64 and rounded once to ``dtype``."""
    fi = np.finfo(dtype)
    base = rng.normal(size=(M, C)) * 2.0
    if family.startswith("shift"):
        return (float(family[5:]) + base).astype(dtype)
    if family == "fmax":
        big = fi.max
        choices = np.array([big, big, np.nextafter(big, 0, dtype=dtype), -big, big / 2, 0], dtype)
        x = choices[rng.integers(0, len(choices), (M, C))]
        x[::2, 0] = big
        x[1::2, 0] = -big          # rows of -max and a few larger entries
        x[1::2, 1:] = -big
        x[3::4, 1] = big / 2
        return x
    x = base.astype(dtype)
    if family == "inf_mix":
        for i in range(M):
            kind = i % 5
            cols = rng.permutation(C)
            if kind == 0:
                x[i, cols[0]] = -np.inf
            elif kind == 1:
                x[i, cols[0]] = np.inf
            elif kind == 2:
                x[i, cols[0]], x[i, cols[1]] = np.inf, -np.inf
            elif kind == 3:
                x[i, cols[:2]] = -np.inf
            else:
                x[i, cols[:2]] = np.inf
        return x
    assert family == "all_neginf"
    x[::2] = -np.inf
    x[1::2, rng.integers(0, C)] = -np.inf
    return x


def case_arrays(family, layout, dtype):
    N, C, S = LAYOUTS[layout]
    rng = rng_for(family, layout, dtype)
    M = N * S
    rows = logit_rows(family, M, C, dtype, rng)
    # row m = (n, s): x[n, :, s]
    x = rows.reshape(N, S, C).transpose(0, 2, 1).copy()
    tshape = (N, S)
    if S == 1:
        x = x.reshape(N, C)
        tshape = (N,)
    t = rng.integers(0, C, tshape)
    tii = t.copy()
    tii.reshape(-1)[1::3] = -100
    probs = rng.dirichlet(np.ones(C), M).reshape(N, S, C).transpose(0, 2, 1).reshape(x.shape)
    return {
        "input": x,
        "target": t.astype(np.int64),
        "target_ii": tii.astype(np.int64),
        "weight": rng.uniform(0.5, 2.0, C).astype(dtype),
        "probs": probs.astype(dtype),
        "y": rng.choice([0.0, 1.0, 0.3, 0.7], size=x.shape).astype(dtype),
        "weight_full": rng.uniform(0.5, 2.0, x.shape).astype(dtype),
        "pos_weight": rng.uniform(0.5, 3.0, x.shape[-1:]).astype(dtype),
    }


def run_torch(spec, arrays, upstream=None):
    """(out, grad of input, upstream) as numpy; float dtypes as in ``arrays``."""
    rename = spec.get("rename", {})
    t = {k: torch.from_numpy(v.copy()) for k, v in arrays.items()}
    t["input"].requires_grad_()
    kw = dict(spec["options"])
    kw.update({rename.get(k, k): t[k] for k in spec.get("tensors", [])})
    out = getattr(F, spec["name"])(*[t[a] for a in spec["args"]], **kw)
    o = out.detach().numpy().copy()
    if upstream is None:
        rng = rng_for("upstream", spec["name"], str(o.shape))
        upstream = rng.normal(size=o.shape).astype(o.dtype) if o.ndim else np.ones((), o.dtype)
    out.backward(torch.from_numpy(np.asarray(upstream, o.dtype)))
    return o, t["input"].grad.numpy().copy(), upstream


def main():
    torch.set_num_threads(1)
    store = {}
    calls = {}
    n = 0
    for dtype in ("float32", "float64"):
        for family in families(dtype):
            for layout in LAYOUTS:
                arrays = case_arrays(family, layout, dtype)
                for cname, spec in CALLS.items():
                    if cname.startswith("bcel") and layout != "c3" and family.startswith("shift"):
                        continue        # elementwise: the layout does not matter
                    case = f"{cname}/{family}/{layout}"
                    calls[case] = spec
                    used = {a: arrays[a] for a in spec["args"] + spec.get("tensors", [])}
                    out, grad, up = run_torch(spec, used)
                    key = f"{case}|{dtype}|"
                    for k, v in used.items():
                        store[key + "in:" + k] = v
                    store[key + "out"] = out
                    store[key + "grad:input"] = grad
                    store[key + "upstream"] = np.asarray(up)
                    if dtype == "float32":   # torch in float64 on the same inputs
                        wide = {k: v.astype(np.float64) if v.dtype.kind == "f" else v for k, v in used.items()}
                        rout, rgrad, _ = run_torch(spec, wide, np.asarray(up, np.float64))
                        store[key + "ref:out"] = rout
                        store[key + "ref:grad:input"] = rgrad
                    n += 1
    for case, spec in calls.items():
        store["call|" + case] = np.array(json.dumps(spec, sort_keys=True))
    store["meta|torch_version"] = np.array(torch.__version__)
    save_npz(OUT, pack(store))
    print(f"{n} recordings of {len(calls)} cases -> {os.path.relpath(OUT)} "
          f"({os.path.getsize(OUT) / 1e3:.0f} kB), torch {torch.__version__}")


if __name__ == "__main__":
    main()
