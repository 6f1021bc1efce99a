"""Record what ``torch.autograd.functional`` computes for ``functional_cases.py`` into
``tests/expected/functional.npz``.

    /path/to/venv-with-torch/bin/python tests/record/record_functional.py

For every case and dtype, under ``<case>/<dtype>/``: the inputs, params and vectors
(``in<i>``, ``p<i>``, ``v<i>``), the result's tensors flattened (``res<k>``) and, for
``create_graph=True``, the backward weights (``w<k>``) and the gradients they give the
caller's inputs (``bgrad<i>``).  ``__meta__`` holds each result's nesting, dtypes and
requires_grad flags, and the errors (type and message) of ``ERRORS``.
"""
import sys
from pathlib import Path

import torch
import torch.autograd.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import EXPECTED_DIR, save_expected  # noqa: E402
from functional_cases import CASES, DTYPES, ERRORS, Tensors, run  # noqa: E402

OUTPUT = EXPECTED_DIR / "functional.npz"


def main():
    arrays, meta = {}, {"cases": {}, "errors": {}, "torch": torch.__version__}
    for case in CASES:
        for dtype, key in zip(DTYPES, case.keys()):
            stored = case.make_arrays(dtype)
            record = run(torch, F, case, stored, dtype)
            stored.update({f"res{k}": a for k, a in enumerate(record["leaves"])})
            if record["w"] is not None:
                stored.update({f"w{k}": a for k, a in enumerate(record["w"])})
                stored.update({f"bgrad{i}": g for i, g in enumerate(record["bgrad"]) if g is not None})
            arrays.update({f"{key}/{name}": a for name, a in stored.items()})
            meta["cases"][key] = {"structure": record["structure"], "requires_grad": record["requires_grad"],
                                  "dtypes": record["dtypes"],
                                  "bgrad": None if record["bgrad"] is None else [g is not None
                                                                                for g in record["bgrad"]]}
    for name, fn in ERRORS:
        try:
            fn(torch, F, Tensors(torch))
        except Exception as e:  # noqa: BLE001 - recording whatever torch raises
            meta["errors"][name] = {"type": type(e).__name__, "message": str(e)}
        else:
            raise AssertionError(f"error case {name!r} did not raise under torch")
    save_expected(OUTPUT, arrays, meta)
    print(f"{OUTPUT}: {len(meta['cases'])} case/dtype pairs, {len(meta['errors'])} errors")


if __name__ == "__main__":
    main()
