"""Record PyTorch runs of RMSprop, Adagrad, Adamax, NAdam, RAdam and the lr schedulers
into tests/expected/optim_extra.npz.

Run from the repo root with an interpreter that has torch (minigrad's tests never import it)::

    /tmp/venv-torch/bin/python tests/record/record_optim_extra.py

It reuses record_training.py's data, MLP and cross-entropy training loop (same initial
weights and batches); the procedures take the library as an argument (``torch`` or
``minigrad``) so the same code replays in tests/optim/test_optim_extra_vs_torch.py.

Stored (``<dtype>`` is float32 or float64):

- ``train/<config>/<dtype>/loss`` (STEPS,) and ``train/<config>/<dtype>/<param>`` (STEPS, *shape);
- ``updates/<config>/<dtype>/<i>`` (UPDATE_STEPS, *shape): the optimizer alone on stored gradients
  (``update_data``), weight i after every step: compared bit for bit;
- ``rules/<dtype>/<n>/<op>``: torch's pointwise ops on ``rule_inputs`` (fused multiply-add or not;
  ``sqrt`` shows that torch's sqrt is not always correctly rounded);
- ``state/<config>/<key>/<param index>``: the optimizer's float64 state after the run;
- ``lr/<schedule>`` (EPOCHS, groups): ``get_last_lr()`` after each ``scheduler.step()``;
- ``__meta__``: JSON with the torch version and each optimizer's state_dict layout.
"""
import importlib.util
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "expected", "optim_extra.npz")


def _load_training():
    name = "minigrad_record_training"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, "record_training.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


T = _load_training()
DTYPES = T.DTYPES

# name -> (optimizer class name, keyword arguments); "groups" gives each Linear its own group
OPTIMIZERS = {
    "rmsprop": ("RMSprop", dict(lr=0.01)),
    "rmsprop_momentum": ("RMSprop", dict(lr=0.01, momentum=0.9, weight_decay=0.01)),
    "rmsprop_centered": ("RMSprop", dict(lr=0.01, alpha=0.9, centered=True, eps=1e-6)),
    "rmsprop_centered_momentum": ("RMSprop", dict(lr=0.005, centered=True, momentum=0.5, alpha=0.3)),
    "rmsprop_maximize": ("RMSprop", dict(lr=0.01, maximize=True)),
    "adagrad": ("Adagrad", dict(lr=0.1)),
    "adagrad_decay": ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.01, initial_accumulator_value=0.1,
                                      eps=1e-6)),
    "adamax": ("Adamax", dict(lr=0.02)),
    "adamax_weight_decay": ("Adamax", dict(lr=0.02, betas=(0.3, 0.9), weight_decay=0.05)),
    "nadam": ("NAdam", dict(lr=0.02)),
    "nadam_weight_decay": ("NAdam", dict(lr=0.02, weight_decay=0.05, momentum_decay=0.01)),
    "nadam_decoupled": ("NAdam", dict(lr=0.02, weight_decay=0.1, decoupled_weight_decay=True, betas=(0.2, 0.9))),
    "radam": ("RAdam", dict(lr=0.02)),
    "radam_low_beta2": ("RAdam", dict(lr=0.02, betas=(0.9, 0.8), weight_decay=0.05)),
    "radam_decoupled": ("RAdam", dict(lr=0.02, betas=(0.6, 0.7), weight_decay=0.1, decoupled_weight_decay=True)),
    "radam_groups": ("RAdam", dict(lr=0.02, betas=(0.9, 0.7), groups=[dict(lr=0.05), dict(maximize=False)])),
}

# the optimizers of record_training.py, recorded here only on stored gradients (``updates/``)
UPDATE_ONLY = {
    "sgd": ("SGD", dict(lr=0.1)),
    "sgd_momentum_decay": ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.05)),
    "sgd_dampening": ("SGD", dict(lr=0.1, momentum=0.8, dampening=0.3, weight_decay=0.01)),
    "sgd_nesterov_maximize": ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, maximize=True)),
    "adam": ("Adam", dict(lr=0.02, weight_decay=0.05)),
    "adam_amsgrad_low_beta1": ("Adam", dict(lr=0.02, betas=(0.3, 0.9), amsgrad=True)),
    "adamw": ("AdamW", dict(lr=0.02, weight_decay=0.1)),
}
ALL_CONFIGS = {**OPTIMIZERS, **UPDATE_ONLY}


def _linear_decay(epoch):
    return 1.0 / (epoch + 1)


def _multiplicative(epoch):
    return 0.9 if epoch % 2 else 0.97


# name -> (scheduler builder(lib, optimizer), epochs, initial lr of each group, metrics per epoch or None)
SCHEDULES = {
    "multistep": (lambda L, o: L.optim.lr_scheduler.MultiStepLR(o, milestones=[3, 7, 7, 12], gamma=0.5), 20,
                  (0.1, 0.02), None),
    "exponential": (lambda L, o: L.optim.lr_scheduler.ExponentialLR(o, gamma=0.9), 25, (0.1,), None),
    "lambda": (lambda L, o: L.optim.lr_scheduler.LambdaLR(o, lr_lambda=_linear_decay), 12, (0.1, 0.3), None),
    "lambda_list": (lambda L, o: L.optim.lr_scheduler.LambdaLR(o, lr_lambda=[_linear_decay, lambda e: 0.95 ** e]),
                    12, (0.1, 0.3), None),
    "multiplicative": (lambda L, o: L.optim.lr_scheduler.MultiplicativeLR(o, lr_lambda=_multiplicative), 15,
                       (0.1,), None),
    "linear": (lambda L, o: L.optim.lr_scheduler.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=6), 12,
               (0.1, 0.05), None),
    "linear_down": (lambda L, o: L.optim.lr_scheduler.LinearLR(o, start_factor=1.0, end_factor=0.1,
                                                               total_iters=9), 14, (0.1,), None),
    "constant": (lambda L, o: L.optim.lr_scheduler.ConstantLR(o, factor=0.3, total_iters=4), 10, (0.1,), None),
    "onecycle": (lambda L, o: L.optim.lr_scheduler.OneCycleLR(o, max_lr=0.5, total_steps=30), 29, (0.1,), None),
    "onecycle_linear": (lambda L, o: L.optim.lr_scheduler.OneCycleLR(
        o, max_lr=[0.5, 0.2], epochs=3, steps_per_epoch=7, pct_start=0.4, anneal_strategy="linear",
        three_phase=True, cycle_momentum=False), 20, (0.1, 0.1), None),
    "cyclic": (lambda L, o: L.optim.lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4,
                                                         cycle_momentum=False), 30, (0.1,), None),
    "cyclic_triangular2": (lambda L, o: L.optim.lr_scheduler.CyclicLR(
        o, base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=5, mode="triangular2", cycle_momentum=False),
        40, (0.1,), None),
    "cyclic_exp_range": (lambda L, o: L.optim.lr_scheduler.CyclicLR(
        o, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=3, mode="exp_range", gamma=0.9, cycle_momentum=False),
        30, (0.1, 0.1), None),
    "cyclic_momentum": (lambda L, o: L.optim.lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4),
                        20, (0.1,), None),
    "plateau": (lambda L, o: L.optim.lr_scheduler.ReduceLROnPlateau(o, factor=0.5, patience=2), 30, (0.1, 0.01),
                "plateau"),
    "plateau_max_abs": (lambda L, o: L.optim.lr_scheduler.ReduceLROnPlateau(
        o, mode="max", factor=0.3, patience=1, threshold=0.05, threshold_mode="abs", cooldown=2, min_lr=0.002),
        30, (0.1,), "plateau"),
    "sequential": (lambda L, o: L.optim.lr_scheduler.SequentialLR(o, schedulers=[
        L.optim.lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=4),
        L.optim.lr_scheduler.ExponentialLR(o, gamma=0.8)], milestones=[5]), 15, (0.1,), None),
    "sequential_cosine": (lambda L, o: L.optim.lr_scheduler.SequentialLR(o, schedulers=[
        L.optim.lr_scheduler.ConstantLR(o, factor=0.5, total_iters=3),
        L.optim.lr_scheduler.CosineAnnealingLR(o, T_max=6), L.optim.lr_scheduler.StepLR(o, 2)],
        milestones=[3, 8]), 20, (0.1, 0.05), None),
    "chained": (lambda L, o: L.optim.lr_scheduler.ChainedScheduler([
        L.optim.lr_scheduler.ConstantLR(o, factor=0.1, total_iters=3),
        L.optim.lr_scheduler.ExponentialLR(o, gamma=0.9)]), 12, (1.0,), None),
    "warm_restarts": (lambda L, o: L.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=5), 22, (0.1,), None),
    "warm_restarts_mult": (lambda L, o: L.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.001), 30, (0.1, 0.2), None),
}


def plateau_metric(epoch):
    """A loss that falls, stalls, falls a little and rises (same for every run)."""
    return [1.0, 0.8, 0.7, 0.7, 0.71, 0.69, 0.69, 0.69, 0.69, 0.5, 0.49, 0.495, 0.5][epoch % 13] + 0.01 * (epoch // 13)


def lr_sequence(lib, schedule):
    """``get_last_lr()`` after each epoch's ``scheduler.step()``: array (epochs, groups), and the scheduler."""
    build, epochs, lrs, metric = SCHEDULES[schedule]
    params = [lib.nn.Parameter(lib.zeros(1)) for _ in lrs]
    optimizer = lib.optim.SGD([dict(params=[p], lr=lr) for p, lr in zip(params, lrs)], lr=lrs[0], momentum=0.9)
    scheduler = build(lib, optimizer)
    out = []
    for epoch in range(epochs):
        optimizer.step()
        if metric:
            scheduler.step(plateau_metric(epoch))
            out.append([g["lr"] for g in optimizer.param_groups])
        else:
            scheduler.step()
            out.append(list(scheduler.get_last_lr()))
    momenta = [g.get("momentum", 0.0) for g in optimizer.param_groups]
    return np.array(out, dtype=np.float64), np.array(momenta, dtype=np.float64), scheduler


def make_optimizer(lib, model, config):
    class_name, kwargs = OPTIMIZERS[config]
    kwargs = dict(kwargs)
    groups = kwargs.pop("groups", None)
    if lib.__name__ == "torch":
        kwargs["foreach"] = False  # torch's single-tensor path, the one minigrad follows
    params = model.parameters()
    if groups is not None:
        linears = [m for m in model if isinstance(m, lib.nn.Linear)]
        params = [dict(params=list(m.parameters()), **g) for m, g in zip(linears, groups)]
    return getattr(lib.optim, class_name)(params, **kwargs)


def train(lib, cross_entropy, config, dtype, data=None):
    """record_training's loop with this file's optimizers: (record, model, optimizer)."""
    x, y, init = data if data is not None else T.make_data()
    model = T.build_mlp(lib, init, dtype)
    optimizer = make_optimizer(lib, model, config)
    record = {"loss": []}
    record.update({name: [] for name, _ in model.named_parameters()})
    for step in range(T.STEPS):
        inputs = lib.tensor(x[step]).to(getattr(lib, dtype))
        targets = lib.tensor(y[step])
        optimizer.zero_grad()
        loss = cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()
        record["loss"].append(loss.item())
        for name, p in model.named_parameters():
            record[name].append(p.detach().numpy().copy())
    return {k: np.array(v) for k, v in record.items()}, model, optimizer


UPDATE_STEPS, UPDATE_SHAPES = 12, ((3, 4), (5,))


def update_data(config):
    """Initial weights and one gradient per step for each weight (float64), seeded by the config's name."""
    import zlib
    rng = np.random.default_rng(zlib.crc32(f"updates/{config}".encode()))
    init = [rng.normal(size=shape) for shape in UPDATE_SHAPES]
    grads = [rng.normal(size=(UPDATE_STEPS,) + shape) for shape in UPDATE_SHAPES]
    return init, grads


def optimizer_updates(lib, config, dtype):
    """The optimizer alone, on given gradients: every weight after every step, (STEPS, *shape) each.
    No model in between, so the update rules are compared to the last bit."""
    init, grads = update_data(config)
    params = [lib.nn.Parameter(lib.tensor(a).to(getattr(lib, dtype))) for a in init]
    class_name, kwargs = ALL_CONFIGS[config]
    kwargs = dict(kwargs)
    groups = kwargs.pop("groups", None)
    if lib.__name__ == "torch":
        kwargs["foreach"] = False
    arg = params if groups is None else [dict(params=[p], **g) for p, g in zip(params, groups)]
    optimizer = getattr(lib.optim, class_name)(arg, **kwargs)
    out = [[] for _ in params]
    for step in range(UPDATE_STEPS):
        for p, g in zip(params, grads):
            p.grad = lib.tensor(g[step]).to(getattr(lib, dtype))
        optimizer.step()
        for record, p in zip(out, params):
            record.append(p.detach().numpy().copy())
    return [np.array(r) for r in out], optimizer


RULE_SIZES = (1, 5, 12, 1000)


def rule_inputs(dtype, n):
    """s, a, b (b > 0.1) for the pointwise-rule checks, seeded by dtype and size."""
    import zlib
    rng = np.random.default_rng(zlib.crc32(f"rules/{dtype}/{n}".encode()))
    s, a, b = (rng.normal(size=n).astype(dtype) for _ in range(3))
    return s, a, np.abs(b) + np.asarray(0.1, dtype)


def torch_rules(torch, dtype, n):
    """torch's pointwise results the optimizers are built from (see minigrad/optim/_rules.py)."""
    s, a, b = (torch.tensor(x) for x in rule_inputs(dtype, n))
    return {"add_alpha": s.add(a, alpha=0.37), "addcmul": s.addcmul(a, b, value=0.37),
            "addcmul_neg": s.addcmul(a, a, value=-1), "addcdiv": s.addcdiv(a, b, value=-0.37),
            "lerp_small": s.lerp(a, 0.1), "lerp_large": s.lerp(a, 0.9), "div_scalar": s / 0.37,
            "mul_scalar": s.mul(0.37), "rdiv": 0.37 / b, "sqrt": b.sqrt()}


def main():
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(1)
    data = T.make_data()
    arrays, meta = {}, {"torch": torch.__version__, "layouts": {}, "schedules": {}}
    for config in OPTIMIZERS:
        for dtype in DTYPES:
            record, model, optimizer = train(torch, F.cross_entropy, config, dtype, data)
            for k, v in record.items():
                arrays[f"train/{config}/{dtype}/{k}"] = v
        meta["layouts"][config] = T.state_layout(optimizer)
        for dtype in DTYPES:
            weights, _ = optimizer_updates(torch, config, dtype)
            for i, w in enumerate(weights):
                arrays[f"updates/{config}/{dtype}/{i}"] = w
        for index, state in optimizer.state_dict()["state"].items():
            for key, value in state.items():
                arrays[f"state/{config}/{key}/{index}"] = value.numpy().copy()
    for config in UPDATE_ONLY:
        for dtype in DTYPES:
            weights, _ = optimizer_updates(torch, config, dtype)
            for i, w in enumerate(weights):
                arrays[f"updates/{config}/{dtype}/{i}"] = w
    for dtype in DTYPES:
        for n in RULE_SIZES:
            for name, value in torch_rules(torch, dtype, n).items():
                arrays[f"rules/{dtype}/{n}/{name}"] = value.numpy().copy()
    for schedule in SCHEDULES:
        lrs, momenta, scheduler = lr_sequence(torch, schedule)
        arrays[f"lr/{schedule}"] = lrs
        arrays[f"momentum/{schedule}"] = momenta
        meta["schedules"][schedule] = sorted(scheduler.state_dict().keys())
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    np.savez_compressed(OUT, __meta__=np.array(json.dumps(meta, indent=1, sort_keys=True)), **arrays)
    print(f"wrote {len(arrays)} arrays to {os.path.relpath(OUT)} (torch {torch.__version__})", file=sys.stderr)


if __name__ == "__main__":
    main()
