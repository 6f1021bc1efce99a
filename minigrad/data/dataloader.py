"""``DataLoader``: batches from a Dataset, optionally shuffled with a seeded generator.

Each batch is a tuple of Tensors whose first dimension is the batch.  For a
``TensorDataset`` the batch is cut straight out of the underlying arrays with
the batch's indices (one fancy-index per tensor); other datasets are read item by
item and stacked by ``default_collate``.
"""
import math

import numpy as np

from minigrad.data.dataset import TensorDataset
from minigrad.random import numpy_generator
from minigrad.tensor import Tensor


def default_collate(batch):
    """A list of samples -> one batch: Tensors and arrays are stacked along a new dim 0,
    Python ints become an int64 Tensor and floats a float64 one (as torch), and tuples,
    lists and dicts are collated field by field."""
    first = batch[0]
    if isinstance(first, Tensor):
        return Tensor._wrap(np.stack([b._data for b in batch]))
    if isinstance(first, (np.ndarray, np.generic)):
        return Tensor._wrap(np.stack(batch))
    if isinstance(first, bool):
        return Tensor._wrap(np.array(batch, dtype=np.bool_))
    if isinstance(first, int):
        return Tensor._wrap(np.array(batch, dtype=np.int64))
    if isinstance(first, float):
        return Tensor._wrap(np.array(batch, dtype=np.float64))
    if isinstance(first, str):
        return list(batch)
    if isinstance(first, dict):
        return {key: default_collate([b[key] for b in batch]) for key in first}
    if isinstance(first, (tuple, list)):
        if any(len(b) != len(first) for b in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return type(first)(default_collate(list(field)) for field in zip(*batch)) if isinstance(first, tuple) \
            else [default_collate(list(field)) for field in zip(*batch)]
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                    f"found {type(first).__name__}")


class DataLoader:
    """``DataLoader(dataset, batch_size=1, shuffle=False, drop_last=False, generator=None, seed=None)``.

    Shuffling draws a fresh permutation each epoch from ``generator`` (a minigrad.Generator),
    else from a private generator seeded with ``seed``, else from minigrad's default generator
    (so ``minigrad.manual_seed`` makes it repeat).  ``num_workers`` must be 0: batches are
    made in the calling thread."""

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, generator=None, seed=None,
                 collate_fn=None, num_workers=0, pin_memory=False):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if num_workers != 0:
            raise ValueError("minigrad's DataLoader loads in the calling thread: use num_workers=0")
        if generator is not None and seed is not None:
            raise ValueError("give either generator or seed, not both")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.generator = generator
        self.collate_fn = collate_fn or default_collate
        self._fast = isinstance(dataset, TensorDataset) and collate_fn is None
        self._rng = np.random.Generator(np.random.PCG64(seed)) if seed is not None else None

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _order(self):
        n = len(self.dataset)
        if not self.shuffle:
            return None
        rng = self._rng if self._rng is not None else numpy_generator(self.generator)
        return rng.permutation(n)

    def __iter__(self):
        n = len(self.dataset)
        order = self._order()
        stop = n - n % self.batch_size if self.drop_last else n
        for start in range(0, stop, self.batch_size):
            end = min(start + self.batch_size, n)
            index = slice(start, end) if order is None else order[start:end]
            if self._fast:
                # a copy either way (fancy index, or slice + copy): batches never alias the dataset
                yield tuple(Tensor._wrap(t._data[index].copy() if order is None else t._data[index])
                            for t in self.dataset.tensors)
            else:
                indices = range(start, end) if order is None else index.tolist()
                yield self.collate_fn([self.dataset[i] for i in indices])
