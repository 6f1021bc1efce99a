"""Devices and the default dtype, replayed from torch's recording (tests/record/record_devices.py),
and the CPU-only rule: using CUDA or MPS anywhere raises minigrad's RuntimeError."""
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad
import minigrad.nn as nn

_RECORD = Path(__file__).resolve().parent / "record" / "record_devices.py"
spec = importlib.util.spec_from_file_location("minigrad_record_devices", _RECORD)
R = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = R
spec.loader.exec_module(R)
with np.load(R.OUT, allow_pickle=False) as _data:
    meta = json.loads(str(_data["__meta__"]))

NO_DEVICE = "minigrad runs on the CPU only: no CUDA/MPS device"


def test_device_objects_behave_as_torchs():
    assert R.device_cases(minigrad) == meta["devices"]


def test_default_dtype_rules_are_torchs():
    assert R.dtype_cases(minigrad) == meta["dtypes"]
    assert minigrad.get_default_dtype() == minigrad.float32


@pytest.mark.parametrize("use", [
    lambda: minigrad.zeros(2, device="cuda"),
    lambda: minigrad.tensor([1.0], device=minigrad.device("cuda", 0)),
    lambda: minigrad.arange(3, device="mps"),
    lambda: minigrad.randn(2, device="cuda:1"),
    lambda: minigrad.zeros_like(minigrad.zeros(2), device="cuda"),
    lambda: minigrad.ones(2).to("cuda"),
    lambda: minigrad.ones(2).to(minigrad.device("mps")),
    lambda: minigrad.ones(2).to(device="cuda", dtype=minigrad.float64),
    lambda: minigrad.ones(2).to("cuda", minigrad.float64),
    lambda: minigrad.ones(2).cuda(),
    lambda: nn.Linear(2, 2).to("cuda"),
    lambda: nn.Linear(2, 2).to(device="mps"),
    lambda: nn.Linear(2, 2).cuda(),
    lambda: minigrad.set_default_device("cuda"),
    lambda: minigrad.cuda.current_device(),
    lambda: minigrad.device(0),
])
def test_using_cuda_or_mps_raises_a_clear_runtime_error(use):
    with pytest.raises(RuntimeError, match=NO_DEVICE):
        use()


CREATION = [
    lambda d: minigrad.tensor([1.0, 2.0], device=d), lambda d: minigrad.as_tensor([1.0], device=d),
    lambda d: minigrad.zeros(2, 3, device=d), lambda d: minigrad.ones(2, device=d),
    lambda d: minigrad.empty(2, device=d), lambda d: minigrad.full((2,), 7.0, device=d),
    lambda d: minigrad.arange(5, device=d), lambda d: minigrad.linspace(0, 1, 4, device=d),
    lambda d: minigrad.rand(2, device=d), lambda d: minigrad.randn(2, device=d),
    lambda d: minigrad.randint(0, 5, (3,), device=d), lambda d: minigrad.randperm(4, device=d),
    lambda d: minigrad.eye(3, device=d),
    lambda d: minigrad.zeros_like(minigrad.ones(2), device=d), lambda d: minigrad.ones_like(minigrad.ones(2), device=d),
    lambda d: minigrad.empty_like(minigrad.ones(2), device=d),
    lambda d: minigrad.full_like(minigrad.ones(2), 3.0, device=d),
    lambda d: minigrad.rand_like(minigrad.ones(2), device=d), lambda d: minigrad.randn_like(minigrad.ones(2), device=d),
]


@pytest.mark.parametrize("make", CREATION)
@pytest.mark.parametrize("device", ["cpu", "cpu:0", minigrad.device("cpu"), None])
def test_every_creation_function_takes_a_cpu_device(make, device):
    t = make(device)
    assert t.device == minigrad.device("cpu") and t.is_cpu and not t.is_cuda


@pytest.mark.parametrize("make", CREATION)
def test_every_creation_function_refuses_cuda(make):
    with pytest.raises(RuntimeError, match=NO_DEVICE):
        make("cuda")


def test_to_and_cpu_on_the_cpu_are_no_ops_or_casts():
    t = minigrad.ones(2)
    assert t.to("cpu") is t and t.cpu() is t and t.to(minigrad.device("cpu")) is t
    assert t.to("cpu", minigrad.float64).dtype == minigrad.float64
    assert t.to(device="cpu", dtype=minigrad.float64).dtype == minigrad.float64
    model = nn.Linear(2, 2)
    assert model.to("cpu") is model and model.to(device=minigrad.device("cpu")) is model
    assert model.to("cpu", dtype=minigrad.float64).weight.dtype == minigrad.float64


def test_cpu_default_device_and_cuda_module():
    minigrad.set_default_device("cpu")
    minigrad.set_default_device(None)
    assert minigrad.get_default_device() == minigrad.device("cpu")
    assert not minigrad.cuda.is_available() and minigrad.cuda.device_count() == 0
    minigrad.cuda.manual_seed_all(0)  # accepted, as torch without CUDA


def test_set_default_dtype_reaches_optimizer_state_and_restores():
    minigrad.set_default_dtype(minigrad.float64)
    try:
        assert minigrad.tensor([0.5]).dtype == minigrad.float64
        assert (minigrad.arange(3) * 0.5).dtype == minigrad.float64
    finally:
        minigrad.set_default_dtype(minigrad.float32)
    assert minigrad.tensor([0.5]).dtype == minigrad.float32


def test_devices_pickle_and_hash():
    import pickle
    d = minigrad.device("cpu", 0)
    assert pickle.loads(pickle.dumps(d)) == d and len({d, minigrad.device("cpu:0")}) == 1
