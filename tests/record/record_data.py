"""Record torch.utils.data behaviour that does not depend on torch's random streams into
tests/expected/data.npz (JSON in ``__meta__``): random_split sizes, sampler and loader lengths,
sequential batches, default_collate dtypes, and argument errors.

    /tmp/venv-torch/bin/python tests/record/record_data.py

``cases(lib, data)`` runs with ``data`` = ``torch.utils.data`` or ``minigrad.utils.data``.
"""
import json
import os
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "expected", "data.npz")

SPLITS = [(10, [0.33, 0.33, 0.34]), (11, [0.5, 0.5]), (10, [3, 7]), (7, [0.1, 0.9]), (5, [1.0]), (3, [0.2, 0.2, 0.6]),
          (100, [0.7, 0.2, 0.1])]
BAD_SPLITS = [(10, [3, 3]), (10, [1.5, -0.5]), (10, [0.5, 0.6])]
LOADER_ERRORS = [dict(batch_sampler=[[0]], batch_size=2), dict(batch_sampler=[[0]], shuffle=True),
                 dict(sampler=[0], shuffle=True), dict(num_workers=-1), dict(persistent_workers=True),
                 dict(batch_size=0), dict(timeout=-1), dict(batch_size=None, drop_last=True),
                 dict(prefetch_factor=2)]


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - recorded as torch raises it
        return [type(e).__name__, str(e)]
    return None


def _stream(data):
    class Stream(data.IterableDataset):
        def __iter__(self):
            return iter(range(7))
    return Stream()


def cases(lib, data):
    out = {"splits": [[len(s) for s in data.random_split(range(n), lengths)] for n, lengths in SPLITS],
           "split_errors": [_error(lambda: data.random_split(range(n), lengths)) for n, lengths in BAD_SPLITS],
           "loader_errors": [_error(lambda: data.DataLoader(range(5), **kw)) for kw in LOADER_ERRORS]}
    seq = data.SequentialSampler(range(7))
    out["batch_sampler"] = [list(data.BatchSampler(seq, 3, False)), list(data.BatchSampler(seq, 3, True)),
                            len(data.BatchSampler(seq, 3, False)), len(data.BatchSampler(seq, 3, True))]
    out["random_sampler_len"] = [len(data.RandomSampler(range(7))),
                                 len(data.RandomSampler(range(7), replacement=True, num_samples=20))]
    out["sampler_errors"] = [_error(lambda: data.RandomSampler(range(3), num_samples=0)),
                             _error(lambda: data.BatchSampler(seq, 0, False)),
                             _error(lambda: data.RandomSampler(range(3), replacement=1))]
    out["loader_lens"] = [len(data.DataLoader(range(10), batch_size=3)),
                          len(data.DataLoader(range(10), batch_size=3, drop_last=True)),
                          len(data.DataLoader(range(10), batch_size=None))]
    out["batches"] = [[b.tolist() for b in data.DataLoader(range(7), batch_size=3)],
                      [b.tolist() for b in data.DataLoader(range(7), batch_size=3, drop_last=True)],
                      [b.tolist() for b in data.DataLoader(range(7), batch_sampler=[[6, 0], [3]])],
                      [b.tolist() for b in data.DataLoader(range(7), sampler=[5, 4, 3], batch_size=2)],
                      [int(b) for b in data.DataLoader(range(3), batch_size=None)]]
    subset = data.Subset(list(range(10, 20)), [3, 0, 9])
    out["subset"] = [len(subset), subset[0], subset[2]]
    concat = data.ConcatDataset([range(3), range(10, 12)])
    out["concat"] = [len(concat), [concat[i] for i in range(5)], concat[-1]]
    batch = data.default_collate([(1, 2.5, True, "a", {"k": [1, 2]}), (3, 4.5, False, "b", {"k": [3, 4]})])
    out["collate"] = [str(batch[0].dtype).split(".")[-1], str(batch[1].dtype).split(".")[-1],
                      str(batch[2].dtype).split(".")[-1], batch[3], [t.tolist() for t in batch[4]["k"]]]
    out["iterable"] = [[b.tolist() for b in data.DataLoader(_stream(data), batch_size=3)],
                       [b.tolist() for b in data.DataLoader(_stream(data), batch_size=3, drop_last=True)],
                       [int(b) for b in data.DataLoader(_stream(data), batch_size=None)],
                       _error(lambda: data.DataLoader(_stream(data), shuffle=True)),
                       _error(lambda: data.DataLoader(_stream(data), sampler=[0])),
                       _error(lambda: data.DataLoader(_stream(data), batch_sampler=[[0]]))]
    out["weighted_sampler_errors"] = [_error(lambda: data.WeightedRandomSampler([1.0, 2.0], 0)),
                                      _error(lambda: data.WeightedRandomSampler([[1.0]], 2))]
    return out


def main():
    import torch
    import torch.utils.data
    meta = {"torch": torch.__version__, "cases": cases(torch, torch.utils.data)}
    np.savez_compressed(OUT, __meta__=np.array(json.dumps(meta, indent=1, sort_keys=True)))
    print(f"wrote {os.path.relpath(OUT)} (torch {torch.__version__})", file=sys.stderr)


if __name__ == "__main__":
    main()
