"""RMSprop, Adagrad, Adamax, NAdam and RAdam beyond the recorded runs: argument errors,
state layout and dtypes, resuming from state dicts, maximize, float16, the fma helper."""
import copy

import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
import minigrad.optim as optim
from minigrad.optim._fma import fma

CONFIGS = [(optim.RMSprop, dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.01)),
           (optim.Adagrad, dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
           (optim.Adamax, dict(lr=0.02, weight_decay=0.01)),
           (optim.NAdam, dict(lr=0.02, weight_decay=0.01, decoupled_weight_decay=True)),
           (optim.RAdam, dict(lr=0.02, weight_decay=0.01))]


def model_of(dtype=minigrad.float64, seed=0):
    minigrad.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).to(dtype)


def train(model, optimizer, steps, first_seed=0):
    for s in range(steps):
        rng = np.random.default_rng(first_seed + s)
        x = minigrad.tensor(rng.normal(size=(5, 3)).astype(next(model.parameters())._data.dtype))
        optimizer.zero_grad()
        loss = (model(x) ** 2).mean()
        loss.backward()
        optimizer.step()


def weights(model):
    return [p.detach().numpy().copy() for p in model.parameters()]


@pytest.mark.parametrize("make, message", [
    (lambda ps: optim.RMSprop(ps, alpha=-0.1), "Invalid alpha value: -0.1"),
    (lambda ps: optim.RMSprop(ps, momentum=-1), "Invalid momentum value: -1"),
    (lambda ps: optim.Adagrad(ps, lr_decay=-1), "Invalid lr_decay value: -1"),
    (lambda ps: optim.Adagrad(ps, initial_accumulator_value=-1), "Invalid initial_accumulator_value value: -1"),
    (lambda ps: optim.Adamax(ps, betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
    (lambda ps: optim.NAdam(ps, momentum_decay=-1), "Invalid momentum_decay value: -1"),
    (lambda ps: optim.RAdam(ps, eps=-1), "Invalid epsilon value: -1"),
    (lambda ps: optim.RAdam(ps, lr=-1), "Invalid learning rate: -1"),
])
def test_invalid_hyper_parameters_raise_torchs_errors(make, message):
    with pytest.raises(ValueError) as info:
        make(list(model_of().parameters()))
    assert str(info.value) == message


def test_adagrad_makes_its_state_at_construction_as_torch():
    model = model_of()
    opt = optim.Adagrad(model.parameters(), initial_accumulator_value=0.5)
    state = opt.state_dict()["state"]
    assert sorted(state) == [0, 1, 2, 3]
    assert float(state[0]["step"]) == 0.0 and np.all(state[0]["sum"]._data == 0.5)


def test_scalar_state_follows_the_default_dtype():
    model = model_of(minigrad.float32)
    opt = optim.NAdam(model.parameters())
    train(model, opt, 1)
    st = opt.state[model[0].weight]
    assert st["step"].dtype == minigrad.float32 and st["mu_product"].dtype == minigrad.float32
    assert st["exp_avg"].dtype == minigrad.float32
    minigrad.set_default_dtype(minigrad.float64)
    try:
        opt = optim.RAdam(model.parameters())
        train(model, opt, 1)
        assert opt.state[model[0].weight]["step"].dtype == minigrad.float64
    finally:
        minigrad.set_default_dtype(minigrad.float32)


@pytest.mark.parametrize("cls, kwargs", CONFIGS)
def test_resuming_from_state_dicts_continues_exactly(cls, kwargs):
    reference = model_of()
    train(reference, cls(reference.parameters(), **kwargs), 6)
    first = model_of()
    opt1 = cls(first.parameters(), **kwargs)
    train(first, opt1, 3)
    model_state, opt_state = copy.deepcopy(first.state_dict()), copy.deepcopy(opt1.state_dict())
    resumed = model_of(seed=99)
    resumed.load_state_dict(model_state)
    opt2 = cls(resumed.parameters(), lr=123.0)
    opt2.load_state_dict(opt_state)
    assert opt2.param_groups[0]["lr"] == kwargs["lr"]
    train(resumed, opt2, 3, first_seed=3)
    for a, b in zip(weights(reference), weights(resumed)):
        if cls is optim.NAdam:
            # as torch, loading casts mu_product (float32) to the parameter's dtype, so the
            # resumed run multiplies in float64 from there: close, not bit-identical
            np.testing.assert_allclose(a, b, rtol=1e-8)
        else:
            np.testing.assert_array_equal(a, b)
    if cls is optim.NAdam:
        assert opt2.state[resumed[0].weight]["mu_product"].dtype == minigrad.float64


@pytest.mark.parametrize("cls, kwargs", CONFIGS)
def test_maximize_ascends_what_minimizing_the_negation_descends(cls, kwargs):
    up, down = model_of(), model_of()
    opt_up, opt_down = cls(up.parameters(), maximize=True, **kwargs), cls(down.parameters(), **kwargs)
    for s in range(3):
        x = minigrad.tensor(np.random.default_rng(s).normal(size=(5, 3)))
        for model, opt, sign in ((up, opt_up, 1), (down, opt_down, -1)):
            opt.zero_grad()
            (sign * (model(x) ** 2).mean()).backward()
            opt.step()
    for a, b in zip(weights(up), weights(down)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("cls, kwargs", CONFIGS)
def test_float16_parameters_train_close_to_float32(cls, kwargs):
    half, single = model_of(minigrad.float16), model_of(minigrad.float32)
    kwargs = dict(kwargs, eps=1e-3)  # the default eps rounds to 0 in float16 (as in torch: 0/0 where v = 0)
    train(half, cls(half.parameters(), **kwargs), 3)
    train(single, cls(single.parameters(), **kwargs), 3)
    for a, b in zip(weights(half), weights(single)):
        assert a.dtype == np.float16
        np.testing.assert_allclose(a, b, rtol=0.1, atol=0.1)  # g² underflows in float16: a rough check


@pytest.mark.parametrize("cls, kwargs", CONFIGS)
def test_step_bumps_versions_and_skips_parameters_without_grad(cls, kwargs):
    model = model_of()
    opt = cls(model.parameters(), **kwargs)
    x = minigrad.tensor(np.ones((2, 3)))
    model[2](model[1](model[0](x))).sum().backward()
    model[0].bias.grad = None
    before = model[0].bias.detach().numpy().copy()
    version = model[0].weight._version
    opt.step()
    np.testing.assert_array_equal(model[0].bias.detach().numpy(), before)
    assert model[0].weight._version == version + 1


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_fma_rounds_once(dtype):
    # (1 + 2^-k)(1 - 2^-k) - 1 = -2^-2k: lost entirely when the product is rounded first
    k = {np.float16: 6, np.float32: 13, np.float64: 27}[dtype]
    a = np.array([1 + 2.0 ** -k], dtype)
    b = np.array([1 - 2.0 ** -k], dtype)
    assert a * b - dtype(1) == 0
    assert fma(a, b, np.array([-1], dtype))[0] == dtype(-(2.0 ** (-2 * k)))
    out = np.zeros((2, 3), dtype)
    fma(dtype(2), np.ones((2, 3), dtype), np.arange(3, dtype=dtype), out=out)
    np.testing.assert_array_equal(out, [[2, 3, 4], [2, 3, 4]])


# ---------------------------------------------------------------------- schedulers
def sgd():
    return optim.SGD([nn.Parameter(minigrad.zeros(1))], lr=0.1, momentum=0.9)


def test_scheduler_step_before_optimizer_step_warns_as_torch():
    opt = sgd()
    scheduler = optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before `optimizer.step\\(\\)`"):
        scheduler.step()
    opt2 = sgd()
    scheduler2 = optim.lr_scheduler.ExponentialLR(opt2, gamma=0.5)
    opt2.step()
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scheduler2.step()
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        scheduler2.get_lr()


def test_step_with_an_epoch_uses_the_closed_form_and_warns():
    opt = sgd()
    scheduler = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    opt.step()
    with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary"):
        scheduler.step(5)
    assert scheduler.get_last_lr() == [0.1 * 0.5 ** 2]


@pytest.mark.parametrize("make, error, message", [
    (lambda o: optim.lr_scheduler.ConstantLR(o, factor=1.5), ValueError,
     "Constant multiplicative factor expected to be between 0 and 1."),
    (lambda o: optim.lr_scheduler.LinearLR(o, start_factor=0), ValueError,
     "Starting multiplicative factor expected to be greater than 0 and less or equal to 1."),
    (lambda o: optim.lr_scheduler.LambdaLR(o, [lambda e: 1, lambda e: 2]), ValueError, "Expected 1 lr_lambdas, but got 2"),
    (lambda o: optim.lr_scheduler.MultiplicativeLR(o, 0.5), TypeError, "lr_lambda should be a function, but got float"),
    (lambda o: optim.lr_scheduler.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0."),
    (lambda o: optim.lr_scheduler.ReduceLROnPlateau(o, mode="up"), ValueError, "mode up is unknown!"),
    (lambda o: optim.lr_scheduler.CyclicLR(o, 0.01, 0.1, mode="square"), ValueError,
     "mode is invalid and scale_fn is None"),
    (lambda o: optim.lr_scheduler.OneCycleLR(o, max_lr=0.1), ValueError,
     "You must define either total_steps OR (epochs AND steps_per_epoch)"),
    (lambda o: optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1), ValueError,
     "Expected float between 0 and 1 pct_start, but got 1"),
    (lambda o: optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=0), ValueError,
     "Expected positive integer T_0, but got 0"),
    (lambda o: optim.lr_scheduler.SequentialLR(o, [optim.lr_scheduler.ExponentialLR(o, 0.9)], milestones=[2]),
     ValueError, "Sequential Schedulers expects number of schedulers provided to be one more than the number of "
                 "milestone points, but got number of schedulers 1 and the number of milestones to be equal to 1"),
    (lambda o: optim.lr_scheduler.ChainedScheduler([optim.lr_scheduler.ReduceLROnPlateau(o)]), ValueError,
     "ChainedScheduler does not support `ReduceLROnPlateau`"),
    (lambda o: optim.lr_scheduler.StepLR("not an optimizer", 2), TypeError, "str is not an Optimizer"),
])
def test_scheduler_argument_errors(make, error, message):
    with pytest.raises(error) as info:
        make(sgd())
    assert str(info.value).startswith(message)


def test_one_cycle_refuses_steps_past_the_end():
    opt = sgd()
    scheduler = optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=3)
    for _ in range(3):
        opt.step()
        scheduler.step()
    opt.step()
    with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total steps is 3"):
        scheduler.step()
