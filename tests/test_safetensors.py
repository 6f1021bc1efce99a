"""minigrad.save writes safetensors that PyTorch reads, and minigrad.load reads PyTorch's.

Replays tests/record/record_safetensors.py's recording without torch: files written by
``safetensors.torch.save_file`` load into minigrad models and give torch's outputs; files
minigrad writes have the keys, dtypes and shapes torch saw, parse with the pure
``safetensors.numpy`` reader, and gave (in torch) the outputs minigrad computes.
"""
import importlib.util
import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import safetensors.numpy

import minigrad
from minigrad import serialization

_RECORD = Path(__file__).resolve().parent / "record" / "record_safetensors.py"


def _load_recorder():
    name = "minigrad_record_safetensors"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, _RECORD)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


R = _load_recorder()
with np.load(R.OUT, allow_pickle=False) as _data:
    expected = {k: _data[k] for k in _data.files if k != "__meta__"}
    meta = json.loads(str(_data["__meta__"]))


def mlp():
    nn = minigrad.nn
    return nn.Sequential(nn.Linear(*R.T.SIZES[:2]), nn.ReLU(), nn.Linear(*R.T.SIZES[1:]))


def spec(arrays):
    return {k: [str(np.dtype(v.dtype)), list(v.shape)] for k, v in arrays.items()}


# ---------------------------------------------------------------------- torch -> minigrad
def test_a_torch_state_dict_loads_into_a_minigrad_model_and_gives_torchs_output():
    state = minigrad.load(R.TORCH_MLP)
    assert list(state) == sorted(meta["torch_mlp_spec"])
    assert {k: [str(v.dtype).replace("minigrad.", ""), list(v.shape)] for k, v in state.items()} == \
        meta["torch_mlp_spec"]
    model = mlp()
    model.load_state_dict(state)
    out = model(minigrad.tensor(expected["x"]))
    np.testing.assert_allclose(out.detach().numpy(), expected["torch_mlp/out"], rtol=1e-6, atol=1e-6)


def test_every_dtype_zero_d_and_empty_tensors_from_torch_load_exactly():
    state = minigrad.load(R.TORCH_ZOO)
    zoo = R.zoo_arrays()
    assert sorted(state) == sorted(zoo)
    for name, value in state.items():
        want = expected[f"zoo/{name}"]
        assert isinstance(value, minigrad.Tensor) and value._data.dtype == want.dtype, name
        assert value.shape == want.shape, name
        np.testing.assert_array_equal(value.numpy(), want)
        value.add_(1) if value.dtype.is_floating_point else None  # loaded tensors are writable


# ---------------------------------------------------------------------- minigrad -> torch
def test_a_minigrad_model_file_is_what_torch_read():
    model, _ = R.minigrad_mlp(minigrad)
    data = serialization.to_bytes(model.state_dict())
    arrays = safetensors.numpy.load(data)            # the pure-numpy reader accepts it
    assert spec(arrays) == meta["minigrad_mlp_spec_seen_by_torch"] == meta["torch_model_spec"]
    assert meta["load_state_dict"] == {"missing": [], "unexpected": []}
    metadata = serialization.read_header(data)["__metadata__"]
    assert metadata["format"] == "pt"
    # torch computed with the weights of this file what minigrad computes with them
    out = model(minigrad.tensor(expected["x"]))
    np.testing.assert_allclose(out.detach().numpy(), expected["minigrad_mlp/out_in_torch"], rtol=1e-6, atol=1e-6)
    for name, p in model.state_dict().items():
        np.testing.assert_array_equal(arrays[name], p.numpy())


def test_an_optimizer_state_dict_is_flattened_as_torch_read_it():
    _, optimizer = R.minigrad_mlp(minigrad)
    data = serialization.to_bytes(optimizer.state_dict())
    assert spec(safetensors.numpy.load(data)) == meta["minigrad_adam_spec_seen_by_torch"]
    metadata = serialization.read_header(data)["__metadata__"]
    assert sorted(metadata) == meta["minigrad_adam_metadata_keys"]
    structure = json.loads(metadata[serialization.STRUCTURE_KEY])
    assert structure["format"] == "minigrad.save" and structure["version"] == serialization.VERSION
    loaded = minigrad.load(io.BytesIO(data))
    assert list(loaded["state"]) == [0, 1, 2, 3]                  # integer ids stay integers
    assert loaded["param_groups"][0]["betas"] == (0.9, 0.999)     # tuples stay tuples
    assert loaded["state"][0]["step"].shape == ()                 # 0-d stays 0-d
    fresh = minigrad.optim.Adam(R.minigrad_mlp(minigrad)[0].parameters(), lr=0.01)
    fresh.load_state_dict(loaded)


# ---------------------------------------------------------------------- the format
def test_nested_names_are_dotted_paths_and_collisions_get_a_suffix():
    obj = {"model": {"w": minigrad.ones(2)}, "model.w": minigrad.zeros(2), "list": [minigrad.ones(1)],
           "array": np.arange(3), "epoch": 3}
    arrays = safetensors.numpy.load(serialization.to_bytes(obj))
    assert sorted(arrays) == ["array", "list.0", "model.w", "model.w~1"]
    back = minigrad.load(io.BytesIO(serialization.to_bytes(obj)))
    np.testing.assert_array_equal(back["model.w"].numpy(), [0, 0])
    np.testing.assert_array_equal(back["model"]["w"].numpy(), [1, 1])
    assert back["epoch"] == 3 and isinstance(back["array"], np.ndarray)


def test_damaged_tensor_bytes_are_caught_by_the_checksum(tmp_path):
    path = tmp_path / "m.safetensors"
    minigrad.save({"w": minigrad.arange(100.0)}, path)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match="checksum does not match"):
        minigrad.load(path)


def test_files_of_the_previous_npz_format_still_load(tmp_path):
    path = tmp_path / "old.mg"
    structure = {"format": "minigrad.save", "version": 1,
                 "object": {"ordered_dict": [["w", {"tensor": "a0", "requires_grad": False}]]}}
    text = json.dumps(structure).encode()
    with open(path, "wb") as f:  # what minigrad.save wrote before safetensors
        np.savez(f, __structure__=np.frombuffer(text, dtype=np.uint8), a0=np.arange(3.0))
    loaded = minigrad.load(path)
    np.testing.assert_array_equal(loaded["w"].numpy(), [0.0, 1.0, 2.0])


def test_strings_and_complex_arrays_are_refused_before_writing(tmp_path):
    for bad in (np.array(["a"]), np.array([1j])):
        with pytest.raises(TypeError, match="cannot be saved"):
            minigrad.save({"x": bad}, tmp_path / "x")
    assert list(tmp_path.iterdir()) == []


def test_map_location_may_only_name_the_cpu(tmp_path):
    path = tmp_path / "m"
    minigrad.save({"w": minigrad.ones(1)}, path)
    assert minigrad.load(path, map_location="cpu")["w"].item() == 1.0
    with pytest.raises(RuntimeError, match="minigrad runs on the CPU only"):
        minigrad.load(path, map_location="cuda:0")
