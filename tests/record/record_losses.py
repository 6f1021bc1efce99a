"""Record what PyTorch gives for every case in ``loss_cases.py`` into tests/expected/losses.npz.

Run from the repo root with an interpreter that has torch (minigrad's tests never import it)::

    /work/venv-torch/bin/python tests/record/record_losses.py

For each ``Case`` and dtype it stores the inputs, the output, the upstream gradient used
(a seeded random array for non-scalar outputs, 1 for scalars), the gradient of every
input that torch differentiates, and the warnings raised.  For each ``ErrorCase`` it
stores the exception's type and message.  Keys: ``"<case>|<dtype>|<what>"``.
"""
import io
import json
import os
import sys
import types
import warnings
import zipfile
import zlib

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import loss_cases  # noqa: E402

OUT = os.path.join(HERE, "..", "expected", "losses.npz")
L = types.SimpleNamespace(lib=torch, nn=torch.nn, F=torch.nn.functional)


def upstream_for(name, out):
    rng = np.random.default_rng(zlib.crc32(("upstream/" + name).encode()))
    return rng.normal(size=out.shape).astype(out.detach().numpy().dtype)


def record_case(case, dtype, store):
    arrays = case.arrays_for(dtype)
    tensors = {k: torch.from_numpy(v.copy()) for k, v in arrays.items()}
    for k in case.grad:
        if tensors[k].is_floating_point():
            tensors[k].requires_grad_()
    key = f"{case.name}|{dtype}|"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = case.call(L, tensors)
    for k, v in arrays.items():
        store[key + "in:" + k] = v
    store[key + "out"] = out.detach().numpy()
    store[key + "warnings"] = np.array([f"{w.category.__name__}: {w.message}" for w in caught], dtype=str)
    if not out.requires_grad:
        return
    upstream = upstream_for(f"{case.name}|{dtype}", out) if out.dim() else np.ones((), out.detach().numpy().dtype)
    store[key + "upstream"] = upstream
    try:
        out.backward(torch.from_numpy(upstream))
    except Exception as e:  # noqa: BLE001 - a few torch backwards refuse what their forward took
        store[key + "backward_error"] = np.array([type(e).__name__, str(e)], dtype=str)
        return
    for k in case.grad:
        t = tensors[k]
        if t.requires_grad and t.grad is not None:
            store[key + "grad:" + k] = t.grad.numpy()


def record_error(case, store):
    tensors = {k: torch.from_numpy(np.array(v)) for k, v in case.arrays.items()}
    for k in case.grad:
        if k in tensors:
            tensors[k].requires_grad_()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = case.call(L, tensors)
    except Exception as e:  # noqa: BLE001 - recording whatever torch raises
        store[f"{case.name}|error"] = np.array([type(e).__name__, str(e)], dtype=str)
        return
    raise AssertionError(f"{case.name}: torch raised nothing (gave {out!r}); make it a value case")


def pack(store):
    """Thousands of small arrays cost ~300 bytes each as npz members, so they are packed:
    one flat buffer per dtype plus a JSON index {key: [dtype, offset, shape]}; string
    entries (errors, warnings) live in the index as lists.  tests/losses/expected.py unpacks."""
    buffers, index = {}, {}
    for key, value in store.items():
        if value.dtype.kind == "U":
            index[key] = ["str", value.tolist()]
            continue
        chunks = buffers.setdefault(value.dtype.str, [])
        offset = sum(c.size for c in chunks)
        chunks.append(value.reshape(-1))
        index[key] = [value.dtype.str, offset, list(value.shape)]
    packed = {"buffer" + dt: np.concatenate(chunks) for dt, chunks in buffers.items()}
    packed["index"] = np.frombuffer(json.dumps(index).encode(), dtype=np.uint8)
    return packed


def save_npz(path, arrays):
    """np.savez_compressed with fixed timestamps, so re-recording unchanged data gives identical bytes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
            zf.writestr(info, buffer.getvalue())


def main():
    torch.set_num_threads(1)  # the first bad target torch reports must not depend on threads
    store = {}
    cases = loss_cases.all_cases()
    for case in cases:
        for dtype in case.dtypes:
            record_case(case, dtype, store)
    errors = loss_cases.error_cases()
    failed = []
    for case in errors:
        try:
            record_error(case, store)
        except AssertionError as e:
            failed.append(str(e))
    if failed:
        raise SystemExit("\n".join(failed))
    for where, names in loss_cases.SIGNATURES.items():
        for name in names:
            store[f"signature|{where}.{name}"] = np.array(loss_cases.signature_of(getattr(getattr(L, where), name)),
                                                          dtype=str)
    store["meta|torch_version"] = np.array(torch.__version__)
    save_npz(OUT, pack(store))
    print(f"{len(cases)} cases, {len(errors)} error cases, {len(store)} entries -> {os.path.relpath(OUT)} "
          f"({os.path.getsize(OUT) / 1e6:.2f} MB), torch {torch.__version__}")


if __name__ == "__main__":
    main()
