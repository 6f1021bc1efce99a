"""Record PyTorch training runs, lr schedules and Linear layers into tests/expected/training.npz.

Run from the repo root with an interpreter that has torch (minigrad's tests never import it)::

    /work/venv-torch/bin/python tests/record/record_training.py

The procedures below take the library as an argument (``lib`` is ``torch`` or
``minigrad``, with ``lib.nn``, ``lib.optim`` reachable as attributes), so the very
same code records under torch and replays under minigrad in tests/optim and tests/nn.
torch is imported only by ``main()``.

What is stored (``<dtype>`` is float32 or float64):

- ``data/x`` (STEPS, BATCH, 4), ``data/y`` (STEPS, BATCH), ``data/init/<param>``: the batches and
  the MLP's initial weights (float64; cast for the float32 runs);
- ``train/<config>/<dtype>/loss`` (STEPS,) and ``train/<config>/<dtype>/<param>`` (STEPS, *shape):
  cross-entropy before each step and every weight after it, for each optimizer config;
- ``lr/<schedule>`` (EPOCHS, groups): ``get_last_lr()`` after each ``scheduler.step()``;
- ``linear/<case>/<dtype>/<x|weight|bias|upstream|out|grad_x|grad_weight|grad_bias>``;
- ``__meta__``: JSON with the torch version, each model's repr and each optimizer's state_dict layout.
"""
import json
import os
import sys
import zlib

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "expected", "training.npz")
STEPS, BATCH, SIZES = 20, 16, (4, 8, 3)
DTYPES = ("float32", "float64")

# name -> (optimizer class name, keyword arguments); "groups" gives each Linear its own group
OPTIMIZERS = {
    "sgd": ("SGD", dict(lr=0.1)),
    "sgd_momentum": ("SGD", dict(lr=0.1, momentum=0.9)),
    "sgd_nesterov": ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    "sgd_weight_decay": ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.05)),
    "sgd_dampening": ("SGD", dict(lr=0.1, momentum=0.8, dampening=0.3, weight_decay=0.01)),
    "sgd_groups": ("SGD", dict(lr=0.1, momentum=0.5, groups=[dict(lr=0.05), dict(momentum=0.9, nesterov=True)])),
    "adam": ("Adam", dict(lr=0.02)),
    "adam_weight_decay": ("Adam", dict(lr=0.02, weight_decay=0.05)),
    "adam_amsgrad": ("Adam", dict(lr=0.02, amsgrad=True)),
    "adam_low_beta1": ("Adam", dict(lr=0.02, betas=(0.3, 0.9), eps=1e-6)),
    "adamw": ("AdamW", dict(lr=0.02)),
    "adamw_amsgrad": ("AdamW", dict(lr=0.02, weight_decay=0.1, amsgrad=True)),
}

# name -> (scheduler class name, keyword arguments, epochs, initial lr of each group)
SCHEDULES = {
    "step": ("StepLR", dict(step_size=3, gamma=0.5), 20, (0.1,)),
    "step_two_groups": ("StepLR", dict(step_size=4), 15, (0.1, 0.03)),
    "cosine": ("CosineAnnealingLR", dict(T_max=10), 25, (0.1,)),
    "cosine_eta_min": ("CosineAnnealingLR", dict(T_max=7, eta_min=0.001), 40, (0.05, 0.2)),
}

# name -> (input shape, out_features, bias)
LINEAR_CASES = {
    "2d": ((5, 4), 3, True),
    "3d": ((2, 3, 4), 6, True),
    "no_bias": ((7, 4), 2, False),
    "1d": ((4,), 3, True),
}


def make_data():
    """Seeded batches and initial weights (float64 numpy), the same for every config."""
    rng = np.random.default_rng(20240611)
    centers = rng.normal(size=(SIZES[-1], SIZES[0])) * 1.5
    y = rng.integers(0, SIZES[-1], size=(STEPS, BATCH))
    x = centers[y] + rng.normal(size=(STEPS, BATCH, SIZES[0]))
    init = {}
    for i, (n_in, n_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        bound = 1 / np.sqrt(n_in)
        init[f"{2 * i}.weight"] = rng.uniform(-bound, bound, size=(n_out, n_in))
        init[f"{2 * i}.bias"] = rng.uniform(-bound, bound, size=(n_out,))
    return x, y.astype(np.int64), init


def build_mlp(lib, init, dtype):
    """Linear(4, 8) → ReLU → Linear(8, 3) holding ``init`` (float64 arrays) in ``dtype``."""
    nn = lib.nn
    model = nn.Sequential(nn.Linear(SIZES[0], SIZES[1]), nn.ReLU(), nn.Linear(SIZES[1], SIZES[2]))
    model.to(getattr(lib, dtype))
    model.load_state_dict({k: lib.tensor(v) for k, v in init.items()})
    return model


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
    """Run STEPS optimizer steps; returns ({"loss": (STEPS,), "<param>": (STEPS, *shape)}, model, optimizer)."""
    x, y, init = data if data is not None else make_data()
    model = build_mlp(lib, init, dtype)
    optimizer = make_optimizer(lib, model, config)
    record = {"loss": []}
    record.update({name: [] for name, _ in model.named_parameters()})
    for step in range(STEPS):
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


def lr_sequence(lib, schedule):
    """``get_last_lr()`` after each epoch's ``scheduler.step()``: array (epochs, groups)."""
    class_name, kwargs, epochs, lrs = SCHEDULES[schedule]
    params = [lib.nn.Parameter(lib.zeros(1)) for _ in lrs]
    optimizer = lib.optim.SGD([dict(params=[p], lr=lr) for p, lr in zip(params, lrs)], lr=lrs[0])
    scheduler = getattr(lib.optim.lr_scheduler, class_name)(optimizer, **kwargs)
    out = []
    for _ in range(epochs):
        optimizer.step()
        scheduler.step()
        out.append(list(scheduler.get_last_lr()))
    return np.array(out, dtype=np.float64)


def linear_inputs(case, dtype):
    shape, out_features, bias = LINEAR_CASES[case]
    rng = np.random.default_rng(zlib.crc32(f"linear/{case}".encode()))
    arrays = {"x": rng.normal(size=shape), "weight": rng.normal(size=(out_features, shape[-1])),
              "upstream": rng.normal(size=shape[:-1] + (out_features,))}
    if bias:
        arrays["bias"] = rng.normal(size=(out_features,))
    return {k: v.astype(dtype) for k, v in arrays.items()}


def run_linear(lib, case, dtype):
    """nn.Linear forward and backward of Σ(out · upstream): out and the three gradients."""
    shape, out_features, bias = LINEAR_CASES[case]
    arrays = linear_inputs(case, dtype)
    layer = lib.nn.Linear(shape[-1], out_features, bias=bias).to(getattr(lib, dtype))
    layer.load_state_dict({k: lib.tensor(arrays[k]) for k in ("weight", "bias") if k in arrays})
    x = lib.tensor(arrays["x"], requires_grad=True)
    out = layer(x)
    (out * lib.tensor(arrays["upstream"])).sum().backward()
    result = {"out": out.detach().numpy().copy(), "grad_x": x.grad.numpy().copy(),
              "grad_weight": layer.weight.grad.numpy().copy()}
    if bias:
        result["grad_bias"] = layer.bias.grad.numpy().copy()
    return arrays, result


def state_layout(optimizer):
    """The shape of an optimizer's state_dict, without tensors: what tests compare with torch's."""
    sd = optimizer.state_dict()
    groups = [{"keys": sorted(g.keys()), "params": list(g["params"])} for g in sd["param_groups"]]
    state = {str(i): sorted(s.keys()) for i, s in sd["state"].items()}
    return {"state": state, "param_groups": groups}


def main():
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(1)
    x, y, init = make_data()
    arrays = {"data/x": x, "data/y": y}
    arrays.update({f"data/init/{k}": v for k, v in init.items()})
    meta = {"torch": torch.__version__, "steps": STEPS, "batch": BATCH, "layouts": {}}
    for config in OPTIMIZERS:
        for dtype in DTYPES:
            record, model, optimizer = train(torch, F.cross_entropy, config, dtype, (x, y, init))
            for k, v in record.items():
                arrays[f"train/{config}/{dtype}/{k}"] = v
        meta["layouts"][config] = state_layout(optimizer)
    meta["mlp_repr"] = repr(model)
    meta["mlp_state_dict_keys"] = list(model.state_dict().keys())
    for schedule in SCHEDULES:
        arrays[f"lr/{schedule}"] = lr_sequence(torch, schedule)
    for case in LINEAR_CASES:
        for dtype in DTYPES:
            inputs, result = run_linear(torch, case, dtype)
            for k, v in {**inputs, **result}.items():
                arrays[f"linear/{case}/{dtype}/{k}"] = v
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    np.savez_compressed(OUT, __meta__=np.array(json.dumps(meta, indent=1, sort_keys=True)), **arrays)
    print(f"wrote {len(arrays)} arrays to {os.path.relpath(OUT)} (torch {torch.__version__})", file=sys.stderr)


if __name__ == "__main__":
    main()
