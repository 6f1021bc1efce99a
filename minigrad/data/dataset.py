"""Datasets: ``Dataset`` (what a DataLoader reads from) and ``TensorDataset`` (tensors sliced along dim 0)."""
import numpy as np

from minigrad.tensor import Tensor


class Dataset:
    """Subclass it with ``__getitem__(index)`` returning one sample and ``__len__``."""

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __len__(self):
        raise NotImplementedError("Subclasses of Dataset should implement __len__.")


class TensorDataset(Dataset):
    """Sample i is ``tuple(t[i] for t in tensors)``; every tensor has the same first dimension.
    numpy arrays are accepted and wrapped (without copying)."""

    def __init__(self, *tensors):
        tensors = tuple(t if isinstance(t, Tensor) else Tensor._wrap(np.asarray(t)) for t in tensors)
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        if any(t.ndim == 0 or t.shape[0] != tensors[0].shape[0] for t in tensors):
            raise ValueError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]
