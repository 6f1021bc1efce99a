"""Datasets, the DataLoader, the toy data sets and train_test_split."""
import numpy as np
import pytest

import minigrad
from minigrad.data import (DataLoader, Dataset, TensorDataset, load_digits, make_blobs, make_circles, make_moons,
                           make_spirals, train_test_split)


def numbered(n=10):
    x = minigrad.tensor(np.arange(n * 2, dtype=np.float32).reshape(n, 2))
    y = minigrad.arange(n)
    return TensorDataset(x, y)


# ---------------------------------------------------------------------- datasets and loading
def test_tensor_dataset_items_and_errors():
    ds = numbered()
    assert len(ds) == 10
    x, y = ds[3]
    assert x.tolist() == [6.0, 7.0] and y.item() == 3
    with pytest.raises(ValueError, match="Size mismatch between tensors"):
        TensorDataset(minigrad.zeros(3, 2), minigrad.zeros(4))
    assert TensorDataset(np.zeros((3, 2)))[0][0].shape == (2,)


@pytest.mark.parametrize("batch_size, drop_last, sizes", [(4, False, [4, 4, 2]), (4, True, [4, 4]),
                                                          (5, True, [5, 5]), (20, False, [10])])
def test_batches_in_order(batch_size, drop_last, sizes):
    loader = DataLoader(numbered(), batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(batches) and [len(y) for _, y in batches] == sizes
    assert np.concatenate([y.numpy() for _, y in batches]).tolist() == list(range(sum(sizes)))
    xb, yb = batches[0]
    assert xb.dtype == minigrad.float32 and yb.dtype == minigrad.int64 and xb.shape == (sizes[0], 2)


def test_batches_never_alias_the_dataset():
    ds = numbered()
    xb, _ = next(iter(DataLoader(ds, batch_size=4)))
    xb._data[...] = -1
    assert ds.tensors[0]._data.min() == 0


def test_shuffle_is_a_fresh_permutation_each_epoch_and_seeded():
    loader = DataLoader(numbered(50), batch_size=7, shuffle=True, seed=3)
    epoch1 = np.concatenate([y.numpy() for _, y in loader])
    epoch2 = np.concatenate([y.numpy() for _, y in loader])
    assert sorted(epoch1) == list(range(50)) and sorted(epoch2) == list(range(50))
    assert not np.array_equal(epoch1, epoch2)
    again = DataLoader(numbered(50), batch_size=7, shuffle=True, seed=3)
    np.testing.assert_array_equal(np.concatenate([y.numpy() for _, y in again]), epoch1)
    for xb, yb in loader:  # rows stay paired with their labels
        np.testing.assert_array_equal(xb.numpy()[:, 0], 2 * yb.numpy())


def test_shuffle_follows_manual_seed_and_generators():
    def order(**kwargs):
        return np.concatenate([y.numpy() for _, y in DataLoader(numbered(30), batch_size=30, shuffle=True, **kwargs)])
    minigrad.manual_seed(0)
    a = order()
    minigrad.manual_seed(0)
    np.testing.assert_array_equal(order(), a)
    np.testing.assert_array_equal(order(generator=minigrad.Generator().manual_seed(9)),
                                  order(generator=minigrad.Generator().manual_seed(9)))


def test_generic_dataset_is_collated_item_by_item():
    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"x": minigrad.tensor([float(i), float(i * i)]), "label": i, "weight": 0.5}

    batch = next(iter(DataLoader(Squares(), batch_size=3)))
    assert batch["x"].tolist() == [[0.0, 0.0], [1.0, 1.0], [2.0, 4.0]]
    assert batch["label"].dtype == minigrad.int64 and batch["label"].tolist() == [0, 1, 2]
    assert batch["weight"].dtype == minigrad.float64


def test_loader_argument_errors():
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        DataLoader(numbered(), batch_size=0)
    with pytest.raises(ValueError, match="num_workers=0"):
        DataLoader(numbered(), num_workers=-1)
    with pytest.raises(NotImplementedError):
        Dataset()[0]


# ---------------------------------------------------------------------- toy data sets
@pytest.mark.parametrize("make, n, n_classes", [
    (lambda s: make_spirals(40, n_classes=4, seed=s), 160, 4),
    (lambda s: make_moons(101, seed=s), 101, 2),
    (lambda s: make_circles(60, seed=s), 60, 2),
    (lambda s: make_blobs(90, centers=3, n_features=5, seed=s), 90, 3),
])
def test_toy_sets_shapes_types_balance_and_seeds(make, n, n_classes):
    X, y = make(0)
    assert X.dtype == minigrad.float32 and y.dtype == minigrad.int64
    assert X.shape[0] == n and y.shape == (n,) and X.numpy().flags.c_contiguous
    counts = np.bincount(y.numpy())
    assert len(counts) == n_classes and counts.max() - counts.min() <= 1
    X2, y2 = make(0)
    np.testing.assert_array_equal(X.numpy(), X2.numpy())
    assert not np.array_equal(make(1)[0].numpy(), X.numpy())


def test_spiral_arms_start_at_the_centre_and_stay_in_the_unit_disc():
    X, y = make_spirals(100, noise=0.0)
    radius = np.linalg.norm(X.numpy(), axis=1)
    assert radius.max() <= 1 + 1e-6 and radius.min() == 0
    np.testing.assert_allclose(radius[:100], np.linspace(0, 1, 100), atol=1e-6)


def test_blobs_with_given_centers():
    X, y = make_blobs(300, centers=[[0, 0], [10, 10]], cluster_std=0.1)
    np.testing.assert_allclose(X.numpy()[y.numpy() == 1].mean(0), [10, 10], atol=0.05)


def test_train_test_split_keeps_types_and_pairs():
    X = minigrad.tensor(np.arange(20, dtype=np.float32).reshape(10, 2))
    y = np.arange(10)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, seed=0)
    assert isinstance(X_tr, minigrad.Tensor) and isinstance(y_tr, np.ndarray)
    assert len(X_te) == 3 and len(X_tr) == 7
    np.testing.assert_array_equal(X_te.numpy()[:, 0], 2 * y_te)
    assert sorted(np.concatenate([y_tr, y_te])) == list(range(10))
    assert len(train_test_split(y, test_size=4)[1]) == 4
    first, _ = train_test_split(y, shuffle=False)
    np.testing.assert_array_equal(first, np.arange(7))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        train_test_split(y, y[:5])


def test_load_digits_reads_the_packaged_images_or_says_how_to_get_them():
    try:
        import sklearn  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install scikit-learn"):
            load_digits()
        return
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == minigrad.float32 and 0 <= X.numpy().min() <= X.numpy().max() <= 1
    assert sorted(np.unique(y.numpy())) == list(range(10))
