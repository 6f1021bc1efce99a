"""minigrad.data: datasets, samplers, DataLoader (with worker processes) and small seeded toy data sets.
Also reachable as ``minigrad.utils.data``, torch's spelling."""
from minigrad.data._workers import get_worker_info  # noqa: F401
from minigrad.data.dataloader import DataLoader, default_collate, default_convert  # noqa: F401
from minigrad.data.dataset import (ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset,  # noqa: F401
                                   random_split)
from minigrad.data.sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,  # noqa: F401
                                   SubsetRandomSampler, WeightedRandomSampler)
from minigrad.data.toy import (load_digits, make_blobs, make_circles, make_moons, make_spirals,  # noqa: F401
                               train_test_split)
