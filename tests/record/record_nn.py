"""Record what torch computes for ``nn_cases.py`` and ``nn_module_cases.py`` into ``tests/expected/nn.npz``.

    /tmp/venv-torch/bin/python tests/record/record_nn.py

Keys: ``<case>/<dtype>/in<i> out<j> up<j> grad<i>`` for the function cases (as ops.npz);
``<module case>/<dtype>/in<i>``, ``initial/<state key>``, ``out<step>``, ``up``,
``grad/<in i | parameter name>``, ``after/<state key>`` for the module cases;
``utils/<dtype>/<name>`` for the clipping scenarios; ``higher/<name>/<dtype>/x u v g1 g2``
for the second-order cases; ``train/<dtype>/...`` for the training run.  ``__meta__``: dtypes, which
gradients exist, state_dict keys, reprs and errors (type and message).
"""
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import EXPECTED_DIR, run_case, save_expected, seed_for  # noqa: E402
from nn_cases import CASES, CLIP_ARRAYS, HIGHER, clip_scenarios, run_higher  # noqa: E402
from nn_module_cases import ERRORS, MODULE_CASES, REPRS, run_module, train_run  # noqa: E402

OUTPUT = EXPECTED_DIR / "nn.npz"


def upstream_for(key):
    rng = np.random.default_rng(seed_for(key, "upstream"))
    return lambda j, out: rng.standard_normal(out.shape).astype(out.dtype)


def record_cases(arrays, meta):
    for case in CASES:
        for dtype, key in zip(case.dtypes, case.keys()):
            inputs = case.make_inputs(dtype)
            record = run_case(torch, case, inputs, upstream_for(key))
            for i, a in enumerate(inputs):
                arrays[f"{key}/in{i}"] = a
            for name in ("out", "up", "grad"):
                for i, a in enumerate(record[name]):
                    if a is not None:
                        arrays[f"{key}/{name}{i}"] = a
            meta["cases"][key] = {"out_dtype": record["out_dtype"], "out_requires_grad": record["out_requires_grad"],
                                  "grad": [g is not None for g in record["grad"]]}


def record_modules(arrays, meta):
    for case in MODULE_CASES:
        for dtype, key in zip(("float32", "float64"), case.keys()):
            rng = np.random.default_rng(seed_for(key))
            inputs = [a.make(rng, dtype) for a in case.args]
            up = upstream_for(key)
            record = run_module(torch, case, dtype, inputs, upstream=lambda out: up(0, out))
            arrays.update({f"{key}/in{i}": a for i, a in enumerate(inputs)})
            arrays.update({f"{key}/initial/{k}": v for k, v in record["initial"].items()})
            arrays.update({f"{key}/after/{k}": v for k, v in record["after"].items()})
            arrays.update({f"{key}/out{j}": o for j, o in enumerate(record["out"])})
            arrays.update({f"{key}/grad/{k}": g for k, g in record["grad"].items()})
            if record["up"] is not None:
                arrays[f"{key}/up"] = record["up"]
            meta["modules"][key] = {"out_dtype": record["out_dtype"], "grads": sorted(record["grad"]),
                                    "keys": record["keys"], "params": record["params"],
                                    "initial": list(record["initial"])}


def record_higher(arrays, meta):
    for name, fn in HIGHER:
        for dtype in ("float32", "float64"):
            key = f"higher/{name}/{dtype}"
            rng = np.random.default_rng(seed_for(key))
            x = rng.uniform(-2, 2, (3, 4)).astype(dtype)
            with torch.no_grad():
                out = fn(torch, torch.tensor(x))
            u = rng.standard_normal(tuple(out.shape)).astype(dtype)
            v = rng.standard_normal(x.shape).astype(dtype)
            g1, g2 = run_higher(torch, fn, x, u, v)
            arrays.update({f"{key}/x": x, f"{key}/u": u, f"{key}/v": v, f"{key}/g1": g1})
            if g2 is not None:
                arrays[f"{key}/g2"] = g2
            meta["higher"][key] = g2 is not None


def record_errors():
    errors = {}
    for name, fn in ERRORS:
        try:
            fn(torch)
        except Exception as e:  # noqa: BLE001 - recording whatever torch raises
            errors[name] = {"type": type(e).__name__, "message": str(e)}
        else:
            raise AssertionError(f"error case {name!r} did not raise under torch")
    return errors


def main():
    arrays = {}
    meta = {"torch_version": torch.__version__, "cases": {}, "modules": {}, "higher": {}}
    record_cases(arrays, meta)
    record_modules(arrays, meta)
    record_higher(arrays, meta)
    for dtype in ("float32", "float64"):
        result = clip_scenarios(torch, [a.astype(dtype) for a in CLIP_ARRAYS])
        arrays.update({f"utils/{dtype}/{k}": v for k, v in result.items()})
        meta.setdefault("utils", {})[dtype] = sorted(result)
    for dtype in ("float32", "float64"):
        initial, losses, norms, final = train_run(torch, dtype)
        arrays.update({f"train/{dtype}/initial/{k}": v for k, v in initial.items()})
        arrays.update({f"train/{dtype}/final/{k}": v for k, v in final.items()})
        arrays.update({f"train/{dtype}/losses": losses, f"train/{dtype}/norms": norms})
        meta.setdefault("train", {})[dtype] = list(initial)
    meta["reprs"] = {name: repr(fn(torch)) for name, fn in REPRS}
    meta["errors"] = record_errors()
    save_expected(OUTPUT, arrays, meta)
    print(f"wrote {OUTPUT}: {len(meta['cases'])} case variants, {len(meta['modules'])} module variants, "
          f"{len(meta['errors'])} errors, {len(meta['reprs'])} reprs, torch {torch.__version__}")


if __name__ == "__main__":
    main()
