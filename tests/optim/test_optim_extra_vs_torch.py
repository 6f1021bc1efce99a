"""RMSprop, Adagrad, Adamax, NAdam and RAdam against PyTorch's recording.

- the pointwise rules (fused multiply-add in add/addcmul/lerp) are bit-identical to torch's;
- the optimizers alone (these five, and SGD, Adam, AdamW), on stored gradients: every weight
  after every step.  Bit-identical wherever no square root is taken (SGD, Adamax); torch's CPU sqrt is not
  always correctly rounded (1 ulp off for ~1.5% of float64 values on its MKL build) while
  numpy's is, so runs with a sqrt agree to a few ulps, not to the bit;
- training the MLP of tests/optim/recorded_training.py: same tolerance as SGD/Adam there.
"""
import numpy as np
import pytest

import minigrad
from minigrad.optim import _rules
from recorded_optim_extra import expected, meta, record_optim_extra as R
from recorded_training import cross_entropy

TRAIN_TOLERANCE = {"float64": 1e-9, "float32": 1e-4}
UPDATE_TOLERANCE = {"float64": 1e-13, "float32": 1e-5}
NO_SQRT = ("adamax", "adamax_weight_decay", "sgd", "sgd_momentum_decay", "sgd_dampening", "sgd_nesterov_maximize")
_DATA = R.T.make_data()


@pytest.mark.parametrize("n", R.RULE_SIZES)
@pytest.mark.parametrize("dtype", R.DTYPES)
def test_pointwise_rules_are_torchs_to_the_bit(dtype, n):
    s, a, b = R.rule_inputs(dtype, n)
    t = np.dtype(dtype).type
    lerp_small, lerp_large = s.copy(), s.copy()
    _rules.lerp_(lerp_small, a, 0.1, t)
    _rules.lerp_(lerp_large, a, 0.9, t)
    ours = {"add_alpha": _rules.add_scaled(s, a, 0.37, t), "addcmul": _rules.addcmul(s, a, b, 0.37, t),
            "addcmul_neg": _rules.addcmul(s, a, a, -1, t), "addcdiv": _rules.addcdiv(s, a, b, -0.37, t),
            "lerp_small": lerp_small, "lerp_large": lerp_large, "div_scalar": s / t(0.37),
            "mul_scalar": s * t(0.37), "rdiv": np.reciprocal(b) * t(0.37)}
    for name, value in ours.items():
        want = expected[f"rules/{dtype}/{n}/{name}"]
        assert value.dtype == want.dtype, name
        np.testing.assert_array_equal(value, want, err_msg=name)
    # torch's sqrt: within one ulp of the correctly rounded one (numpy's)
    np.testing.assert_array_max_ulp(np.sqrt(b), expected[f"rules/{dtype}/{n}/sqrt"], maxulp=1)


@pytest.mark.parametrize("dtype", R.DTYPES)
@pytest.mark.parametrize("config", list(R.ALL_CONFIGS))
def test_updates_match_torch(config, dtype):
    weights, optimizer = R.optimizer_updates(minigrad, config, dtype)
    for i, got in enumerate(weights):
        want = expected[f"updates/{config}/{dtype}/{i}"]
        assert got.dtype == want.dtype
        if config in NO_SQRT:
            np.testing.assert_array_equal(got, want, err_msg=f"{config} weight {i}")
        else:
            tol = UPDATE_TOLERANCE[dtype]
            np.testing.assert_allclose(got, want, rtol=tol, atol=tol, err_msg=f"{config} weight {i}")


@pytest.mark.parametrize("dtype", R.DTYPES)
@pytest.mark.parametrize("config", list(R.OPTIMIZERS))
def test_training_matches_torch(config, dtype):
    record, model, optimizer = R.train(minigrad, cross_entropy, config, dtype, _DATA)
    tol = TRAIN_TOLERANCE[dtype]
    for name, values in record.items():
        want = expected[f"train/{config}/{dtype}/{name}"]
        np.testing.assert_allclose(values, want, rtol=tol, atol=tol, err_msg=f"{config} {dtype} {name}")
    assert R.T.state_layout(optimizer) == meta["layouts"][config]
    if dtype == "float64":
        for index, state in optimizer.state_dict()["state"].items():
            for key, value in state.items():
                want = expected[f"state/{config}/{key}/{index}"]
                assert value._data.dtype == want.dtype and value.shape == want.shape, key
                np.testing.assert_allclose(value._data, want, rtol=1e-8, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("schedule", list(R.SCHEDULES))
def test_lr_schedules_match_torch_to_the_bit(schedule):
    lrs, momenta, scheduler = R.lr_sequence(minigrad, schedule)
    np.testing.assert_array_equal(lrs, expected[f"lr/{schedule}"])
    np.testing.assert_array_equal(momenta, expected[f"momentum/{schedule}"])
    assert sorted(scheduler.state_dict()) == meta["schedules"][schedule]


@pytest.mark.parametrize("schedule", [s for s in R.SCHEDULES if R.SCHEDULES[s][3] is None])
def test_lr_schedules_resume_from_state_dicts(schedule):
    """Stop halfway, save both state dicts, rebuild everything, load, and finish: same lrs as torch."""
    build, epochs, lrs, _ = R.SCHEDULES[schedule]
    half = epochs // 2
    params = [minigrad.nn.Parameter(minigrad.zeros(1)) for _ in lrs]
    optimizer = minigrad.optim.SGD([dict(params=[p], lr=lr) for p, lr in zip(params, lrs)], lr=lrs[0], momentum=0.9)
    scheduler = build(minigrad, optimizer)
    for _ in range(half):
        optimizer.step()
        scheduler.step()
    saved_opt, saved_sched = optimizer.state_dict(), scheduler.state_dict()
    params = [minigrad.nn.Parameter(minigrad.zeros(1)) for _ in lrs]
    optimizer = minigrad.optim.SGD([dict(params=[p], lr=lr) for p, lr in zip(params, lrs)], lr=lrs[0], momentum=0.9)
    scheduler = build(minigrad, optimizer)
    optimizer.load_state_dict(saved_opt)
    scheduler.load_state_dict(saved_sched)
    rest = []
    for _ in range(half, epochs):
        optimizer.step()
        scheduler.step()
        rest.append(list(scheduler.get_last_lr()))
    np.testing.assert_array_equal(np.array(rest), expected[f"lr/{schedule}"][half:])
