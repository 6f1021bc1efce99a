"""``DataLoader``: batches from a Dataset, with torch's samplers, collation and worker processes.

The sampler gives indices (``SequentialSampler``, or ``RandomSampler`` with ``shuffle``),
a ``BatchSampler`` groups them, and each batch is ``collate_fn([dataset[i] for i in batch])``.
For a ``TensorDataset`` with the default collation the batch is cut straight out of the
underlying arrays with the batch's indices (one fancy-index per tensor).  With
``num_workers > 0`` the batches are made in worker processes (see ``_workers``), in order.
"""
import numpy as np

from minigrad.data._workers import WorkerPool
from minigrad.data.dataset import IterableDataset, TensorDataset
from minigrad.data.sampler import BatchSampler, RandomSampler, SequentialSampler
from minigrad.random import Generator, numpy_generator
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


def default_convert(data):
    """Without batching (``batch_size=None``): arrays become Tensors, containers are converted inside."""
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf":
        return Tensor._wrap(data)
    if isinstance(data, dict):
        return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple):
        return tuple(default_convert(v) for v in data)
    if isinstance(data, list):
        return [default_convert(v) for v in data]
    return data


class _Fetch:
    """indices -> batch (a picklable callable, so it can run in a worker)."""

    def __init__(self, dataset, collate_fn, batched, fast):
        self.dataset, self.collate_fn, self.batched, self.fast = dataset, collate_fn, batched, fast

    def __call__(self, indices):
        if not self.batched:
            return self.collate_fn(self.dataset[indices])
        if self.fast:  # a copy (fancy index): batches never alias the dataset
            index = np.asarray(indices, dtype=np.int64)
            return tuple(Tensor._wrap(t._data[index]) for t in self.dataset.tensors)
        return self.collate_fn([self.dataset[i] for i in indices])


class DataLoader:
    """``DataLoader(dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None, num_workers=0,
    collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
    multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False, seed=None)``.

    Shuffling draws a fresh permutation each epoch from ``generator`` (a minigrad.Generator),
    else from a private generator seeded with ``seed`` (minigrad's own argument), else from
    minigrad's default generator (so ``minigrad.manual_seed`` makes it repeat)."""

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True, seed=None):
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 "
                             "to enable multiprocessing, otherwise set prefetch_factor to None.")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with "
                             "drop_last")
        elif batch_size is not None and (not isinstance(batch_size, int) or isinstance(batch_size, bool)
                                         or batch_size <= 0):
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if generator is not None and seed is not None:
            raise ValueError("give either generator or seed, not both")
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in (None, False):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, but got "
                                 f"shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, but got "
                                 f"sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified batch_sampler option, but "
                                 f"got batch_sampler={batch_sampler}")
            if num_workers:
                raise NotImplementedError("minigrad's DataLoader reads an IterableDataset in the main process: "
                                          "use num_workers=0")
        if seed is not None:
            generator = Generator().manual_seed(seed)
        if self._iterable:
            sampler = dataset  # only its length is ever asked for
        elif sampler is None:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset, self.batch_size, self.drop_last = dataset, batch_size, drop_last
        self.sampler, self.batch_sampler, self.generator = sampler, batch_sampler, generator
        self.num_workers, self.timeout, self.worker_init_fn = num_workers, timeout, worker_init_fn
        self.prefetch_factor = 2 if prefetch_factor is None and num_workers else prefetch_factor
        self.persistent_workers, self.multiprocessing_context = persistent_workers, multiprocessing_context
        self.pin_memory = pin_memory
        self.collate_fn = collate_fn or (default_collate if batch_sampler is not None else default_convert)
        fast = isinstance(dataset, TensorDataset) and collate_fn is None
        self._fetch = _Fetch(dataset, self.collate_fn, batch_sampler is not None, fast)
        self._pool = None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self.batch_sampler is not None else self.sampler

    def __len__(self):
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self._index_sampler)

    def _iterate_stream(self):
        """An IterableDataset: the stream cut into batches (or converted sample by sample)."""
        if self.batch_size is None:
            yield from map(self.collate_fn, self.dataset)
            return
        batch = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __iter__(self):
        # as torch, every epoch draws the workers' base seed first (with or without workers), so
        # the shuffled order does not depend on num_workers
        base_seed = int(numpy_generator(self.generator).integers(0, 2 ** 62))
        if self._iterable:
            return self._iterate_stream()
        if self.num_workers == 0:
            return map(self._fetch, self._index_sampler)
        if self._pool is None or not self._pool.alive:
            self._pool = WorkerPool(self.dataset, self._fetch, self.num_workers, base_seed, self.worker_init_fn,
                                    self.prefetch_factor, self.timeout, self.multiprocessing_context)
        return self._epoch(self._pool)

    def _epoch(self, pool):
        try:
            yield from pool.run(iter(self._index_sampler))
        finally:
            if not self.persistent_workers:
                pool.shutdown()
                if self._pool is pool:
                    self._pool = None

    def __del__(self):
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown()
