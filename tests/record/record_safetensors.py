"""Record the PyTorch side of minigrad's safetensors round trip.

Run from the repo root with an interpreter that has torch and safetensors (minigrad's tests
never import torch)::

    /tmp/venv-torch/bin/python tests/record/record_safetensors.py

1. torch -> minigrad: a seeded torch MLP and a tensor zoo (every dtype minigrad has, 0-d,
   empty) are written with ``safetensors.torch.save_file`` to ``tests/expected/torch_mlp.safetensors``
   and ``tests/expected/torch_zoo.safetensors``; the MLP's output on ``x`` and the zoo's values
   are stored in ``tests/expected/safetensors_roundtrip.npz``.
2. minigrad -> torch: minigrad (imported from this checkout) builds record_training's MLP,
   ``minigrad.save``\\ s its state dict, and torch reads it with ``safetensors.torch.load_file`` +
   ``load_state_dict(strict=True)``: the output on ``x`` and the keys/dtypes/shapes torch saw are
   stored.  The same for an Adam state dict (torch sees the flattened tensor names).
"""
import importlib.util
import json
import os
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, "..", "expected")
OUT = os.path.join(EXPECTED, "safetensors_roundtrip.npz")
TORCH_MLP = os.path.join(EXPECTED, "torch_mlp.safetensors")
TORCH_ZOO = os.path.join(EXPECTED, "torch_zoo.safetensors")


def _load_training():
    name = "minigrad_record_training"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, "record_training.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


T = _load_training()


def inputs():
    return np.random.default_rng(7).normal(size=(5, T.SIZES[0])).astype(np.float32)


def zoo_arrays():
    """name -> numpy array: one of each dtype minigrad has, a 0-d and an empty tensor."""
    rng = np.random.default_rng(11)
    return {"f32": rng.normal(size=(2, 3)).astype(np.float32), "f64": rng.normal(size=(4,)),
            "f16": rng.normal(size=(3, 2)).astype(np.float16), "i64": rng.integers(-9, 9, size=(5,)),
            "i32": rng.integers(-9, 9, size=(2, 2)).astype(np.int32), "i16": np.array([1, -2], np.int16),
            "i8": np.array([[3], [-4]], np.int8), "u8": np.array([0, 255], np.uint8),
            "flags": np.array([True, False, True]), "scalar": np.array(2.5, np.float32),
            "empty": np.zeros((0, 3), np.float32), "nested.name.0": np.arange(3, dtype=np.float64)}


def minigrad_mlp(minigrad):
    """record_training's MLP (its stored initial weights) in float32, and a trained Adam beside it."""
    x, y, init = T.make_data()
    model = T.build_mlp(minigrad, init, "float32")
    optimizer = minigrad.optim.Adam(model.parameters(), lr=0.01)
    for step in range(2):
        optimizer.zero_grad()
        loss = minigrad.nn.functional.cross_entropy(model(minigrad.tensor(x[step]).float()),
                                                    minigrad.tensor(y[step]))
        loss.backward()
        optimizer.step()
    return model, optimizer


def spec(tensors):
    """{name: [dtype name, shape]} as torch reports it ("float32", [8, 4])."""
    return {k: [str(v.dtype).replace("torch.", ""), list(v.shape)] for k, v in tensors.items()}


def main():
    import torch
    from safetensors.torch import load_file, save_file

    sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..", "..")))
    import minigrad

    torch.manual_seed(0)
    nn = torch.nn
    x = inputs()
    arrays, meta = {"x": x}, {"torch": torch.__version__}

    # 1. torch -> minigrad
    model = nn.Sequential(nn.Linear(T.SIZES[0], T.SIZES[1]), nn.ReLU(), nn.Linear(T.SIZES[1], T.SIZES[2]))
    save_file(model.state_dict(), TORCH_MLP)
    arrays["torch_mlp/out"] = model(torch.tensor(x)).detach().numpy()
    meta["torch_mlp_spec"] = spec(model.state_dict())
    zoo = zoo_arrays()
    save_file({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in zoo.items()}, TORCH_ZOO)
    for k, v in load_file(TORCH_ZOO).items():
        arrays[f"zoo/{k}"] = v.numpy()

    # 2. minigrad -> torch
    mg_model, mg_optimizer = minigrad_mlp(minigrad)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.safetensors")
        minigrad.save(mg_model.state_dict(), path)
        state = load_file(path)
        meta["minigrad_mlp_spec_seen_by_torch"] = spec(state)
        target = nn.Sequential(nn.Linear(T.SIZES[0], T.SIZES[1]), nn.ReLU(), nn.Linear(T.SIZES[1], T.SIZES[2]))
        result = target.load_state_dict(state, strict=True)
        meta["load_state_dict"] = {"missing": list(result.missing_keys), "unexpected": list(result.unexpected_keys)}
        arrays["minigrad_mlp/out_in_torch"] = target(torch.tensor(x)).detach().numpy()
        opt_path = os.path.join(tmp, "optimizer.safetensors")
        minigrad.save(mg_optimizer.state_dict(), opt_path)
        meta["minigrad_adam_spec_seen_by_torch"] = spec(load_file(opt_path))
        from safetensors import safe_open
        with safe_open(opt_path, framework="pt") as f:
            meta["minigrad_adam_metadata_keys"] = sorted(f.metadata())
    meta["torch_model_spec"] = spec(target.state_dict())
    np.savez_compressed(OUT, __meta__=np.array(json.dumps(meta, indent=1, sort_keys=True)), **arrays)
    print(f"wrote {os.path.relpath(OUT)}, {os.path.relpath(TORCH_MLP)}, {os.path.relpath(TORCH_ZOO)} "
          f"(torch {torch.__version__})", file=sys.stderr)


if __name__ == "__main__":
    main()
