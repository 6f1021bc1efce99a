"""Optimizer behaviour beyond the recorded runs: groups, errors, zero_grad, state dicts,
the fused kernels against their numpy references, and the schedulers' state."""
import copy

import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
import minigrad.optim as optim
from minigrad.optim import _fused
from minigrad.optim.adam import _kernel_scalars, adam_reference
from minigrad.optim.sgd import sgd_reference


def quadratic_model(dtype=minigrad.float64, seed=0):
    minigrad.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).to(dtype)


def loss_of(model, seed=1):
    rng = np.random.default_rng(seed)
    dtype = next(model.parameters())._data.dtype
    x = minigrad.tensor(rng.normal(size=(5, 3)).astype(dtype))
    return (model(x) ** 2).mean()


def train(model, optimizer, steps, first_seed=0):
    for s in range(steps):
        optimizer.zero_grad()
        loss_of(model, first_seed + s).backward()
        optimizer.step()


def weights(model):
    return [p.detach().numpy().copy() for p in model.parameters()]


# ---------------------------------------------------------------------- construction and groups
@pytest.mark.parametrize("make, message", [
    (lambda ps: optim.SGD(ps, lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    (lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
     "Nesterov momentum requires a momentum and zero dampening"),
    (lambda ps: optim.SGD(ps, lr=-1), "Invalid learning rate: -1"),
    (lambda ps: optim.SGD(ps, lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    (lambda ps: optim.Adam(ps, betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    (lambda ps: optim.Adam(ps, eps=-1e-8), "Invalid epsilon value: -1e-08"),
    (lambda ps: optim.AdamW(ps, weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
    (lambda ps: optim.SGD(ps), "required optimization parameter lr"),
])
def test_invalid_hyper_parameters_raise_torchs_errors(make, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        make(list(quadratic_model().parameters()))


def test_bad_params_arguments():
    model = quadratic_model()
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts"):
        optim.SGD(model[0].weight, lr=0.1)
    with pytest.raises(TypeError, match="ordering of tensors in sets"):
        optim.SGD([{"params": set(model.parameters())}], lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([model[0].weight * 2], lr=0.1)
    opt = optim.SGD(model[0].parameters(), lr=0.1)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [model[0].weight]})


def test_param_groups_take_defaults_and_overrides():
    model = quadratic_model()
    opt = optim.SGD([{"params": model[0].parameters()}, {"params": model[2].parameters(), "lr": 0.5}],
                    lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert all(g["momentum"] == 0.9 for g in opt.param_groups)
    opt.add_param_group({"params": [nn.Parameter(minigrad.zeros(2))], "momentum": 0.0})
    assert len(opt.param_groups) == 3 and opt.param_groups[2]["lr"] == 0.1
    assert "Parameter Group 1" in repr(opt) and "lr: 0.5" in repr(opt)


def test_named_parameters_are_accepted():
    model = quadratic_model()
    opt = optim.Adam(model.named_parameters(), lr=0.01)
    assert opt.param_groups[0]["param_names"] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    train(model, opt, 2)


def test_each_group_uses_its_own_lr():
    model = quadratic_model()
    before = weights(model)
    opt = optim.SGD([{"params": model[0].parameters(), "lr": 0.0}, {"params": model[2].parameters()}], lr=0.1)
    train(model, opt, 1)
    after = weights(model)
    np.testing.assert_array_equal(after[0], before[0])
    assert not np.array_equal(after[2], before[2])


# ---------------------------------------------------------------------- stepping
def test_zero_grad_sets_to_none_by_default_or_zeros():
    model = quadratic_model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    loss_of(model).backward()
    opt.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad._data.any() for p in model.parameters())
    opt.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_parameters_without_grad_are_skipped_and_versions_bump():
    model = quadratic_model()
    opt = optim.Adam(model.parameters(), lr=0.1)
    model[2].bias.requires_grad_(False)
    before = model[2].bias.detach().numpy().copy()
    versions = [p._version for p in model.parameters()]
    train(model, opt, 1)
    np.testing.assert_array_equal(model[2].bias.detach().numpy(), before)
    assert model[2].bias not in opt.state
    bumped = [p._version > v for p, v in zip(model.parameters(), versions)]
    assert bumped == [True, True, True, False]


def test_step_after_a_graph_saved_the_weight_is_caught():
    model = quadratic_model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    loss = loss_of(model)
    loss.backward(retain_graph=True)
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_closure_is_evaluated_with_grad_enabled():
    model = quadratic_model()
    opt = optim.SGD(model.parameters(), lr=0.1)

    def closure():
        opt.zero_grad()
        loss = loss_of(model)
        loss.backward()
        return loss
    with minigrad.no_grad():
        loss = opt.step(closure)
    assert loss.requires_grad


@pytest.mark.parametrize("cls, kwargs", [(optim.SGD, dict(lr=0.1, momentum=0.9)), (optim.Adam, dict(lr=0.01))])
def test_maximize_ascends_the_negated_loss_like_descending_the_loss(cls, kwargs):
    a, b = quadratic_model(), quadratic_model()
    opt_a, opt_b = cls(a.parameters(), **kwargs), cls(b.parameters(), maximize=True, **kwargs)
    for s in range(3):
        opt_a.zero_grad(), opt_b.zero_grad()
        loss_of(a, s).backward()
        (-loss_of(b, s)).backward()
        opt_a.step(), opt_b.step()
    for wa, wb in zip(weights(a), weights(b)):
        np.testing.assert_allclose(wa, wb, rtol=1e-12, atol=1e-14)


def test_non_contiguous_parameters_use_the_numpy_path_and_agree():
    base = np.random.default_rng(0).normal(size=(4, 3))
    contiguous = nn.Parameter(minigrad.tensor(base.T.copy()))
    strided = nn.Parameter(minigrad.Tensor._wrap(base.copy().T))  # a transposed view: not C-contiguous
    assert not strided._data.flags.c_contiguous
    for p in (contiguous, strided):
        opt = optim.Adam([p], lr=0.1, weight_decay=0.01)
        for _ in range(3):
            opt.zero_grad()
            (p * p * p).sum().backward()
            opt.step()
    np.testing.assert_array_equal(contiguous.detach().numpy(), strided.detach().numpy())


# ---------------------------------------------------------------------- fused kernels = references, bit for bit
SGD_CASES = [dict(momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False),
             dict(momentum=0.9, dampening=0, weight_decay=0.01, nesterov=True, maximize=False),
             dict(momentum=0.8, dampening=0.3, weight_decay=0.05, nesterov=False, maximize=True)]
ADAM_CASES = [dict(beta1=0.9, beta2=0.999, weight_decay=0, decoupled=False, amsgrad=False, maximize=False),
              dict(beta1=0.9, beta2=0.99, weight_decay=0.1, decoupled=False, amsgrad=True, maximize=False),
              dict(beta1=0.3, beta2=0.9, weight_decay=0.1, decoupled=True, amsgrad=True, maximize=True)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", SGD_CASES)
def test_fused_sgd_equals_numpy_reference_bitwise(case, dtype):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(7, 5)).astype(dtype)
    buf = np.zeros_like(x)
    x_ref, buf_ref = x.copy(), buf.copy()
    for step in range(4):
        g = rng.normal(size=x.shape).astype(dtype)
        first = step == 0
        sgd_reference(x_ref, g, buf_ref, lr=0.05, first_step=first, **case)
        t = x.dtype.type
        _fused.sgd_update(x, g, buf, t(case["weight_decay"]), t(case["momentum"]), t(1 - case["dampening"]),
                          t(-0.05), case["momentum"] != 0, first, case["nesterov"], case["maximize"])
        np.testing.assert_array_equal(x, x_ref)
        np.testing.assert_array_equal(buf, buf_ref)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", ADAM_CASES)
def test_fused_adam_equals_numpy_reference_bitwise(case, dtype):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(6, 4)).astype(dtype)
    m, v, vmax = (np.zeros_like(x) for _ in range(3))
    ref = [a.copy() for a in (x, m, v, vmax)]
    for step in range(1, 5):
        g = rng.normal(size=x.shape).astype(dtype) * (0.1 if step == 3 else 1.0)
        adam_reference(*ref[:1], g, *ref[1:], step=float(step), lr=0.01, beta1=case["beta1"], beta2=case["beta2"],
                       eps=1e-8, weight_decay=case["weight_decay"], decoupled=case["decoupled"],
                       amsgrad=case["amsgrad"], maximize=case["maximize"])
        c = _kernel_scalars(x.dtype.type, float(step), 0.01, case["beta1"], case["beta2"], 1e-8, case["weight_decay"],
                            case["decoupled"], case["amsgrad"], case["maximize"])
        _fused.adam_update(x, g, m, v, vmax, *c)
        for got, want in zip((x, m, v, vmax), ref):
            np.testing.assert_array_equal(got, want)


# ---------------------------------------------------------------------- state dicts
@pytest.mark.parametrize("cls, kwargs", [(optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
                                         (optim.Adam, dict(lr=0.01, amsgrad=True)),
                                         (optim.AdamW, dict(lr=0.01))])
def test_resuming_from_state_dicts_continues_exactly(cls, kwargs):
    reference = quadratic_model()
    opt = cls(reference.parameters(), **kwargs)
    train(reference, opt, 6)

    first = quadratic_model()
    opt1 = cls(first.parameters(), **kwargs)
    train(first, opt1, 3)
    model_state, opt_state = copy.deepcopy(first.state_dict()), copy.deepcopy(opt1.state_dict())
    resumed = quadratic_model(seed=99)
    resumed.load_state_dict(model_state)
    opt2 = cls(resumed.parameters(), lr=123.0)
    opt2.load_state_dict(opt_state)
    assert opt2.param_groups[0]["lr"] == kwargs["lr"]
    assert opt2.param_groups[0]["params"][0] is resumed[0].weight
    train(resumed, opt2, 3, first_seed=3)
    for a, b in zip(weights(reference), weights(resumed)):
        np.testing.assert_array_equal(a, b)


def test_state_dict_numbers_params_in_group_order():
    model = quadratic_model()
    opt = optim.Adam([{"params": [model[2].weight, model[2].bias]}, {"params": [model[0].weight]}], lr=0.1)
    train(model, opt, 1)
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sorted(sd["state"]) == [0, 1, 2]
    assert sd["state"][2]["exp_avg"].shape == model[0].weight.shape
    assert sd["state"][0]["step"].item() == 1.0 and sd["state"][0]["step"].dtype == minigrad.float32


def test_load_state_dict_refuses_mismatches_and_changes_nothing():
    model = quadratic_model()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    train(model, opt, 1)
    sd = copy.deepcopy(opt.state_dict())
    other = optim.SGD([{"params": model[0].parameters()}, {"params": model[2].parameters()}], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        other.load_state_dict(sd)
    shorter = optim.SGD(list(model.parameters())[:3], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        shorter.load_state_dict(sd)
    bad = copy.deepcopy(sd)
    bad["state"][1]["momentum_buffer"] = minigrad.zeros(7)
    bad["param_groups"][0]["lr"] = 5.0
    fresh = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="has shape"):
        fresh.load_state_dict(bad)
    assert fresh.param_groups[0]["lr"] == 0.1 and not fresh.state


def test_loaded_state_is_cast_to_the_parameter_dtype_and_copied():
    model = quadratic_model(minigrad.float32)
    opt = optim.Adam(model.parameters(), lr=0.1)
    train(model, opt, 1)
    sd = opt.state_dict()
    sd64 = {"state": {i: {k: (v if k == "step" else v.double()) for k, v in s.items()} for i, s in sd["state"].items()},
            "param_groups": sd["param_groups"]}
    opt.load_state_dict(sd64)
    state = opt.state[model[0].weight]
    assert state["exp_avg"].dtype == minigrad.float32 and state["step"].dtype == minigrad.float32
    assert state["exp_avg"]._data is not sd["state"][0]["exp_avg"]._data


# ---------------------------------------------------------------------- schedulers
def test_scheduler_state_dict_roundtrip_and_initial_lr():
    p = nn.Parameter(minigrad.zeros(1))
    opt = optim.SGD([p], lr=0.1)
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=5)
    assert opt.param_groups[0]["initial_lr"] == 0.1 and sched.get_last_lr() == [0.1]
    for _ in range(2):
        opt.step(), sched.step()
    saved = sched.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 2
    lr_after = [(opt.step(), sched.step(), sched.get_last_lr()[0])[2] for _ in range(3)]

    opt2 = optim.SGD([p], lr=0.1)
    sched2 = optim.lr_scheduler.CosineAnnealingLR(opt2, T_max=5)
    sched2.load_state_dict(saved)
    opt2.param_groups[0]["lr"] = saved["_last_lr"][0]
    assert [(opt2.step(), sched2.step(), sched2.get_last_lr()[0])[2] for _ in range(3)] == lr_after


def test_scheduler_needs_an_optimizer():
    with pytest.raises(TypeError, match="is not an Optimizer"):
        optim.lr_scheduler.StepLR(object(), step_size=2)


@pytest.mark.parametrize("cls, kwargs", [(optim.SGD, dict(lr=0.1, momentum=0.9)), (optim.Adam, dict(lr=0.01))])
def test_float16_parameters_take_the_numpy_path(cls, kwargs):
    p = nn.Parameter(minigrad.tensor([1.0, -2.0], dtype=minigrad.float16))
    opt = cls([p], **kwargs)
    for _ in range(2):
        opt.zero_grad()
        (p * p).sum().backward()
        opt.step()
    assert p.dtype == minigrad.float16 and (np.abs(p.detach().numpy()) < [1.0, 2.0]).all()


def _optimizer_snapshot(opt):
    """param_groups (params by identity) and every state array's bytes, dtype and shape."""
    groups = [{k: ([id(p) for p in v] if k == "params" else v) for k, v in g.items()} for g in opt.param_groups]
    state = {id(p): {k: (v._data.tobytes(), v._data.dtype, v._data.shape) if isinstance(v, minigrad.Tensor) else v
                     for k, v in s.items()} for p, s in opt.state.items()}
    return copy.deepcopy(groups), state


@pytest.mark.parametrize("bad_value, message", [
    (np.array(["a", "b"]), "state 'exp_avg_sq' of parameter 3: can't convert np.ndarray of type numpy.str_"),
    (np.array([None, 1.0], dtype=object), "state 'exp_avg_sq' of parameter 3: can't convert np.ndarray of type "
                                          "numpy.object_"),
    (minigrad.zeros(5), "state 'exp_avg_sq' of parameter 3 has shape (5,), but the parameter has shape (2,)"),
], ids=["string array", "object array", "shape"])
def test_optimizer_load_state_dict_with_a_bad_late_entry_changes_nothing(bad_value, message):
    # (torch 2.13.0 checks no shapes and fails on a string array with an unrelated TypeError from
    # inside its cast; minigrad names the entry instead)
    model = quadratic_model()
    opt = optim.Adam(model.parameters(), lr=0.1)
    train(model, opt, 2)
    before = _optimizer_snapshot(opt)
    other_model = quadratic_model()
    other = optim.Adam(other_model.parameters(), lr=0.5)
    train(other_model, other, 3)
    sd = copy.deepcopy(other.state_dict())
    assert model[2].bias.shape == (2,) and list(sd["state"])[-1] == 3
    sd["state"][3]["exp_avg_sq"] = bad_value       # the last parameter's last buffer
    with pytest.raises(ValueError) as info:
        opt.load_state_dict(sd)
    assert message in str(info.value)
    assert _optimizer_snapshot(opt) == before


def test_optimizer_load_state_dict_refuses_a_non_dict():
    opt = optim.SGD([nn.Parameter(minigrad.zeros(1))], lr=0.1)
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like, got <class 'list'>."):
        opt.load_state_dict([1])
