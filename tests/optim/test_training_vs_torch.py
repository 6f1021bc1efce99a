"""Training runs replayed against PyTorch's recording: same initial weights, same batches,
every weight after every step.  float64 must agree to 1e-9, float32 to 1e-4."""
import numpy as np
import pytest

import minigrad
from recorded_training import cross_entropy, expected, meta, record_training as R

TOLERANCE = {"float64": 1e-9, "float32": 1e-4}
_DATA = R.make_data()


@pytest.fixture(scope="module")
def runs():
    cache = {}

    def run(config, dtype):
        if (config, dtype) not in cache:
            cache[config, dtype] = R.train(minigrad, cross_entropy, config, dtype, _DATA)
        return cache[config, dtype]
    return run


def test_recorded_data_is_what_the_procedure_makes():
    x, y, init = _DATA
    np.testing.assert_array_equal(expected["data/x"], x)
    np.testing.assert_array_equal(expected["data/y"], y)
    for k, v in init.items():
        np.testing.assert_array_equal(expected[f"data/init/{k}"], v)


@pytest.mark.parametrize("dtype", R.DTYPES)
@pytest.mark.parametrize("config", list(R.OPTIMIZERS))
def test_weights_and_losses_match_torch(runs, config, dtype):
    record, model, _ = runs(config, dtype)
    tol = TOLERANCE[dtype]
    for name, values in record.items():
        want = expected[f"train/{config}/{dtype}/{name}"]
        assert values.dtype == (np.float64 if name == "loss" else np.dtype(dtype))
        np.testing.assert_allclose(values, want, rtol=tol, atol=tol, err_msg=f"{config} {dtype} {name}")
    # the run really trained: the loss went down
    assert record["loss"][-5:].mean() < record["loss"][:5].mean()


@pytest.mark.parametrize("config", list(R.OPTIMIZERS))
def test_state_dict_layout_matches_torch(runs, config):
    _, _, optimizer = runs(config, "float64")
    assert R.state_layout(optimizer) == meta["layouts"][config]


@pytest.mark.parametrize("schedule", list(R.SCHEDULES))
def test_lr_schedule_matches_torch(schedule):
    got = R.lr_sequence(minigrad, schedule)
    np.testing.assert_allclose(got, expected[f"lr/{schedule}"], rtol=1e-12, atol=1e-15)
