"""minigrad.data: Dataset, TensorDataset, DataLoader and small seeded toy data sets."""
from minigrad.data.dataloader import DataLoader, default_collate  # noqa: F401
from minigrad.data.dataset import Dataset, TensorDataset  # noqa: F401
from minigrad.data.toy import (load_digits, make_blobs, make_circles, make_moons, make_spirals,  # noqa: F401
                               train_test_split)
