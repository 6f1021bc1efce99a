"""minigrad.save / minigrad.load: round trips, atomic writes, and clear errors for bad files."""
import errno
import io
import os
import stat
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
import minigrad.optim as optim
from minigrad import serialization


def trained():
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2))
    opt = optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    for _ in range(2):
        opt.zero_grad()
        (model(minigrad.randn(4, 3)) ** 2).mean().backward()
        opt.step()
    return model, opt


def assert_same(a, b):
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, minigrad.Tensor):
        assert a.dtype == b.dtype and a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b)
    else:
        assert a == b


def test_model_and_optimizer_state_dicts_round_trip(tmp_path):
    model, opt = trained()
    checkpoint = {"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}
    path = tmp_path / "checkpoint.pt"
    minigrad.save(checkpoint, path)
    loaded = minigrad.load(path)
    assert_same(checkpoint, loaded)
    assert isinstance(loaded["model"], OrderedDict)
    assert list(loaded["optimizer"]["state"]) == [0, 1, 2, 3]  # integer keys stay integers
    assert loaded["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)

    fresh_model, _ = trained()
    fresh_model.load_state_dict(loaded["model"])
    fresh_opt = optim.Adam(fresh_model.parameters(), lr=0.5)
    fresh_opt.load_state_dict(loaded["optimizer"])
    assert fresh_opt.param_groups[0]["lr"] == 0.01 and fresh_opt.param_groups[0]["amsgrad"]


def test_all_supported_values_round_trip(tmp_path):
    obj = {"none": None, "flags": [True, False], "ints": (1, -2, 2 ** 40), "text": "ünïcode",
           "floats": [0.1, float("inf"), float("-inf"), float("nan")],
           "f64": minigrad.tensor([1.5, 2.5], dtype=minigrad.float64, requires_grad=True),
           "i64": minigrad.arange(6).reshape(2, 3), "bool": minigrad.tensor([True, False]),
           "f16": minigrad.zeros(2, dtype=minigrad.float16), "scalar": minigrad.tensor(3.0),
           "array": np.arange(4, dtype=np.int32), "param": nn.Parameter(minigrad.ones(2)),
           "nested": [{"a": [(), []]}], "dtype": minigrad.float64, 7: "int key", "np_scalar": np.float32(2.5)}
    path = tmp_path / "values.mg"
    minigrad.save(obj, path)
    loaded = minigrad.load(path)
    expected = dict(obj, np_scalar=2.5)
    assert_same(expected, loaded)


def test_save_to_and_load_from_a_file_object():
    model, _ = trained()
    buffer = io.BytesIO()
    minigrad.save(model.state_dict(), buffer)
    buffer.seek(0)
    assert_same(model.state_dict(), minigrad.load(buffer))


def test_unsupported_objects_are_refused_before_writing(tmp_path):
    path = tmp_path / "x.mg"
    with pytest.raises(TypeError, match="not object"):
        minigrad.save({"bad": object()}, path)
    with pytest.raises(TypeError, match="object arrays"):
        minigrad.save(np.array([1, "a"], dtype=object), path)
    assert not path.exists() and os.listdir(tmp_path) == []


def test_a_failure_mid_write_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "model.mg"
    old = {"w": minigrad.ones(3)}
    minigrad.save(old, path)
    before = path.read_bytes()

    def crash_halfway(f, obj):
        data = serialization.to_bytes(obj)
        f.write(data[: len(data) // 2])  # half the bytes are out ...
        raise OSError("disk full")       # ... when the write fails

    monkeypatch.setattr(serialization, "_write", crash_halfway)
    with pytest.raises(OSError, match="disk full"):
        minigrad.save({"w": minigrad.zeros(1000)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.mg"]  # the temporary file is gone
    assert_same(old, minigrad.load(path))


def test_a_crash_before_the_rename_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "model.mg"
    minigrad.save([1, 2], path)

    def no_rename(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(serialization.os, "replace", no_rename)
    with pytest.raises(KeyboardInterrupt):
        minigrad.save([3, 4], path)
    monkeypatch.undo()
    assert minigrad.load(path) == [1, 2] and os.listdir(tmp_path) == ["model.mg"]


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "flip_bytes"])
def test_damaged_files_give_a_clear_error_naming_the_file(tmp_path, damage):
    model, _ = trained()
    path = tmp_path / "damaged.mg"
    minigrad.save(model.state_dict(), path)
    data = path.read_bytes()
    if damage == "truncate":
        data = data[: len(data) * 2 // 3]
    elif damage == "garbage":
        data = b"this is not a checkpoint" * 10
    elif damage == "empty":
        data = b""
    else:  # corrupt tensor bytes in the middle: the SHA-256 in the metadata catches it
        middle = len(data) // 2
        data = data[:middle] + bytes(b ^ 0xFF for b in data[middle:middle + 16]) + data[middle + 16:]
    path.write_bytes(data)
    with pytest.raises(RuntimeError, match=f"minigrad.load: {path} is not a valid minigrad file"):
        minigrad.load(path)


def test_other_npz_files_and_pickles_are_refused(tmp_path):
    plain = tmp_path / "plain.npz"
    np.savez(plain, a=np.zeros(2))
    with pytest.raises(RuntimeError, match="plain.npz is not a valid minigrad file"):
        minigrad.load(plain)
    pickled = tmp_path / "pickled.npy"
    np.save(pickled, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(RuntimeError, match="not a valid minigrad file"):
        minigrad.load(pickled)
    with zipfile.ZipFile(tmp_path / "bad_structure.npz", "w") as z:
        z.writestr("__structure__.npy", b"\x93NUMPY nonsense")
    with pytest.raises(RuntimeError, match="bad_structure.npz"):
        minigrad.load(tmp_path / "bad_structure.npz")


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        minigrad.load(tmp_path / "nope.mg")


# ---------------------------------------------------------------------- permissions and symlinks
# minigrad.save creates and replaces files as open(path, "wb") / torch.save do (checked with
# torch 2.13.0: torch.save through a symlink writes the target and keeps the link, a dangling
# link gets its target created), but atomically.
@pytest.fixture(params=[0o022, 0o077], ids=["umask022", "umask077"])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_file_gets_the_mode_open_would_give(tmp_path, umask):
    minigrad.save({"w": minigrad.ones(2)}, tmp_path / "model.mg")
    with open(tmp_path / "by_open", "wb"):
        pass
    assert mode_of(tmp_path / "model.mg") == 0o666 & ~umask == mode_of(tmp_path / "by_open")


@pytest.mark.parametrize("existing", [0o644, 0o640, 0o600], ids=["0644", "0640", "0600"])
def test_replacing_a_file_keeps_its_mode(tmp_path, umask, existing):
    path = tmp_path / "model.mg"
    minigrad.save([1], path)
    os.chmod(path, existing)
    minigrad.save([2], path)
    assert mode_of(path) == existing
    assert minigrad.load(path) == [2]
    assert os.listdir(tmp_path) == ["model.mg"]


def test_saving_through_a_symlink_writes_its_target(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "model.mg"
    minigrad.save([1], target)
    os.chmod(target, 0o640)
    os.symlink("real/model.mg", tmp_path / "hop")
    os.symlink("hop", tmp_path / "latest.mg")           # a chain of two links
    minigrad.save([2], tmp_path / "latest.mg")
    assert os.readlink(tmp_path / "latest.mg") == "hop" and os.readlink(tmp_path / "hop") == "real/model.mg"
    assert minigrad.load(target) == [2] and mode_of(target) == 0o640
    assert sorted(os.listdir(tmp_path / "real")) == ["model.mg"]   # the temporary file went there, and is gone


def test_saving_through_a_dangling_symlink_creates_its_target(tmp_path, umask):
    os.symlink("model.mg", tmp_path / "latest.mg")
    minigrad.save([3], tmp_path / "latest.mg")
    assert os.path.islink(tmp_path / "latest.mg")
    assert minigrad.load(tmp_path / "model.mg") == [3] and mode_of(tmp_path / "model.mg") == 0o666 & ~umask


def test_a_symlink_loop_is_an_error_and_stays(tmp_path):
    os.symlink("loop", tmp_path / "loop")
    with pytest.raises(OSError) as info:
        minigrad.save([1], tmp_path / "loop")
    assert info.value.errno == errno.ELOOP
    assert os.readlink(tmp_path / "loop") == "loop" and os.listdir(tmp_path) == ["loop"]


def test_a_failure_mid_write_through_a_symlink_keeps_target_and_mode(tmp_path, monkeypatch):
    target = tmp_path / "model.mg"
    minigrad.save({"w": minigrad.ones(3)}, target)
    os.chmod(target, 0o640)
    os.symlink("model.mg", tmp_path / "latest.mg")
    before = target.read_bytes()

    def crash_halfway(f, obj):
        data = serialization.to_bytes(obj)
        f.write(data[: len(data) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(serialization, "_write", crash_halfway)
    with pytest.raises(OSError, match="disk full"):
        minigrad.save({"w": minigrad.zeros(1000)}, tmp_path / "latest.mg")
    assert target.read_bytes() == before and mode_of(target) == 0o640
    assert os.path.islink(tmp_path / "latest.mg")
    assert sorted(os.listdir(tmp_path)) == ["latest.mg", "model.mg"]
