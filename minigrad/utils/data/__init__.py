"""``minigrad.utils.data``: torch's spelling of :mod:`minigrad.data` (datasets, samplers, DataLoader)."""
from minigrad.data import (BatchSampler, ConcatDataset, DataLoader, Dataset, RandomSampler, Sampler,  # noqa: F401
                           SequentialSampler, Subset, SubsetRandomSampler, TensorDataset, default_collate,
                           default_convert, get_worker_info, random_split)
