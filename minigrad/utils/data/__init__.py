"""``minigrad.utils.data``: torch's spelling of :mod:`minigrad.data` (datasets, samplers, DataLoader)."""
from minigrad.data import (BatchSampler, ConcatDataset, DataLoader, Dataset, IterableDataset,  # noqa: F401
                           RandomSampler, Sampler, SequentialSampler, Subset, SubsetRandomSampler, TensorDataset,
                           WeightedRandomSampler, default_collate, default_convert, get_worker_info, random_split)
