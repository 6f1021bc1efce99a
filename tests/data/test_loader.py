"""DataLoader, samplers, random_split and Subset: torch's recorded behaviour
(tests/record/record_data.py) and the worker processes (num_workers > 0)."""
import importlib.util
import json
import multiprocessing
import os
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad
from minigrad.utils.data import (DataLoader, Dataset, RandomSampler, SubsetRandomSampler, TensorDataset,
                                 get_worker_info, random_split)

_RECORD = Path(__file__).resolve().parents[1] / "record" / "record_data.py"
spec = importlib.util.spec_from_file_location("minigrad_record_data", _RECORD)
R = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = R
spec.loader.exec_module(R)
with np.load(R.OUT, allow_pickle=False) as _data:
    meta = json.loads(str(_data["__meta__"]))


def test_recorded_torch_behaviour():
    got = R.cases(minigrad, minigrad.utils.data)
    for key, want in meta["cases"].items():
        assert got[key] == want, key


def test_random_split_is_a_seeded_partition():
    parts = random_split(range(20), [0.5, 0.3, 0.2], generator=minigrad.Generator().manual_seed(1))
    items = [list(p) for p in parts]
    assert sorted(sum(items, [])) == list(range(20)) and [len(i) for i in items] == [10, 6, 4]
    again = random_split(range(20), [0.5, 0.3, 0.2], generator=minigrad.Generator().manual_seed(1))
    assert [list(p) for p in again] == items


def test_random_samplers_cover_and_repeat_with_a_generator():
    order = list(RandomSampler(range(9), generator=minigrad.Generator().manual_seed(3)))
    assert sorted(order) == list(range(9))
    assert order == list(RandomSampler(range(9), generator=minigrad.Generator().manual_seed(3)))
    drawn = list(RandomSampler(range(4), replacement=True, num_samples=50))
    assert len(drawn) == 50 and set(drawn) <= {0, 1, 2, 3}
    longer = list(RandomSampler(range(4), num_samples=10))
    assert len(longer) == 10 and sorted(longer[:4]) == [0, 1, 2, 3]
    assert sorted(SubsetRandomSampler([5, 7, 9])) == [5, 7, 9]


def numbered(n=23):
    return TensorDataset(np.arange(n, dtype=np.float32).reshape(n, 1), np.arange(n))


class Squares(Dataset):
    def __len__(self):
        return 11

    def __getitem__(self, i):
        info = get_worker_info()
        return {"x": np.float64(i) ** 2, "worker": -1 if info is None else info.id}


def batches(loader):
    out = []
    for b in loader:
        out.append([v.tolist() if hasattr(v, "tolist") else v for v in (b.values() if isinstance(b, dict) else b)])
    return out


@pytest.mark.parametrize("make", [
    lambda w: DataLoader(numbered(), batch_size=5, num_workers=w),
    lambda w: DataLoader(numbered(), batch_size=4, shuffle=True, drop_last=True, num_workers=w,
                         generator=minigrad.Generator().manual_seed(5)),
    lambda w: DataLoader(numbered(), batch_size=3, collate_fn=lambda b: [len(b)], num_workers=w),
    lambda w: DataLoader(numbered(), batch_sampler=[[3, 1], [0], [22, 21, 20]], num_workers=w),
])
def test_workers_give_the_same_batches_in_the_same_order(make):
    assert batches(make(2)) == batches(make(0))
    assert multiprocessing.active_children() == []


def test_workers_really_run_the_dataset_and_init_fn():
    loader = DataLoader(Squares(), batch_size=2, num_workers=2, worker_init_fn=_init_marks_env)
    got = list(loader)
    assert [b["x"].tolist() for b in got] == [[float(i * i) for i in range(j, min(j + 2, 11))]
                                             for j in range(0, 11, 2)]
    assert {w for b in got for w in b["worker"].tolist()} == {0, 1}   # round-robin over both workers
    assert get_worker_info() is None


def _init_marks_env(worker_id):
    assert get_worker_info().id == worker_id and get_worker_info().num_workers == 2


class Failing(Dataset):
    def __len__(self):
        return 10

    def __getitem__(self, i):
        if i == 7:
            raise KeyError("bad sample 7")
        return i


def test_a_worker_exception_is_raised_again_in_the_main_process():
    loader = DataLoader(Failing(), batch_size=2, num_workers=2)
    with pytest.raises(KeyError) as info:
        list(loader)
    text = str(info.value)
    assert text.startswith("Caught KeyError in DataLoader worker process 1.\nOriginal Traceback")
    assert "bad sample 7" in text
    assert multiprocessing.active_children() == []


class Dying(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            os._exit(3)
        return i


def test_a_worker_that_dies_is_an_error_not_a_hang():
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly"):
        list(DataLoader(Dying(), num_workers=2))
    assert multiprocessing.active_children() == []


def test_persistent_workers_stay_across_epochs_and_survive_an_abandoned_epoch():
    loader = DataLoader(numbered(), batch_size=4, num_workers=2, persistent_workers=True)
    first = batches(loader)
    pids = [w.pid for w in loader._pool.workers]
    it = iter(loader)
    next(it)
    del it                              # abandoned mid-epoch: its results are dropped
    assert batches(loader) == first == batches(DataLoader(numbered(), batch_size=4))
    assert [w.pid for w in loader._pool.workers] == pids
    loader._pool.shutdown()


def test_an_init_fn_failure_is_reported():
    with pytest.raises(ValueError, match="Caught ValueError in DataLoader worker process"):
        list(DataLoader(numbered(), num_workers=1, worker_init_fn=_bad_init))


def _bad_init(worker_id):
    raise ValueError("cannot start")


def test_batch_size_none_yields_samples_converted():
    got = list(DataLoader([np.arange(2), np.arange(3)], batch_size=None))
    assert [t.tolist() for t in got] == [[0, 1], [0, 1, 2]] and isinstance(got[0], minigrad.Tensor)
