"""Small seeded data sets for classifiers, made with numpy, and ``train_test_split``.

Every ``make_*`` returns ``(X, y)`` as Tensors: X float32 of shape (n_samples, n_features)
and y int64 of shape (n_samples,) with classes 0..n_classes-1, in class order (shuffle
with ``train_test_split`` or a shuffling DataLoader).  The same seed gives the same data.
``load_digits`` reads the 8x8 digit images that scikit-learn ships inside its package
(no download), when scikit-learn is installed.
"""
import math

import numpy as np

from minigrad.tensor import Tensor


def _as_tensors(x, y):
    return Tensor._wrap(np.ascontiguousarray(x, dtype=np.float32)), Tensor._wrap(np.asarray(y, dtype=np.int64))


def make_spirals(n_per_class=200, n_classes=3, noise=0.2, turns=1.0, seed=0):
    """Interleaved spiral arms, one per class, in the unit disc.

    Point k of arm c sits at radius r = k / (n_per_class - 1) and angle
    2π·(turns·r + c / n_classes) + noise·N(0, 1)·r, so arms start together at the
    centre and wind ``turns`` times round.  Returns X (n_classes·n_per_class, 2), y."""
    rng = np.random.default_rng(seed)
    r = np.linspace(0.0, 1.0, n_per_class)
    xs, ys = [], []
    for c in range(n_classes):
        angle = 2 * np.pi * (turns * r + c / n_classes) + noise * rng.standard_normal(n_per_class) * r
        xs.append(np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1))
        ys.append(np.full(n_per_class, c))
    return _as_tensors(np.concatenate(xs), np.concatenate(ys))


def make_moons(n_samples=200, noise=0.1, seed=0):
    """Two interleaving half circles (scikit-learn's layout), plus N(0, noise²) jitter."""
    rng = np.random.default_rng(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    x = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], 1),
                        np.stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5], 1)])
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return _as_tensors(x + noise * rng.standard_normal(x.shape), y)


def make_circles(n_samples=200, noise=0.05, factor=0.5, seed=0):
    """A circle of radius 1 (class 0) around one of radius ``factor`` (class 1), plus jitter."""
    if not 0 <= factor < 1:
        raise ValueError("'factor' has to be between 0 and 1.")
    rng = np.random.default_rng(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    x = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], 1),
                        factor * np.stack([np.cos(t_in), np.sin(t_in)], 1)])
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return _as_tensors(x + noise * rng.standard_normal(x.shape), y)


def make_blobs(n_samples=300, centers=3, n_features=2, cluster_std=1.0, center_box=(-10.0, 10.0), seed=0):
    """Gaussian blobs: ``centers`` centres drawn uniformly in ``center_box`` (or given as an
    array (n_centers, n_features)), samples split as evenly as possible between them."""
    rng = np.random.default_rng(seed)
    if np.ndim(centers) == 0:
        centers = rng.uniform(center_box[0], center_box[1], size=(int(centers), n_features))
    centers = np.asarray(centers, dtype=np.float64)
    k = len(centers)
    counts = [n_samples // k + (1 if c < n_samples % k else 0) for c in range(k)]
    x = np.concatenate([c + cluster_std * rng.standard_normal((n, centers.shape[1])) for c, n in zip(centers, counts)])
    y = np.concatenate([np.full(n, c) for c, n in enumerate(counts)])
    return _as_tensors(x, y)


def train_test_split(*arrays, test_size=0.25, seed=None, shuffle=True):
    """Split arrays (Tensors or ndarrays, same first dimension) into train and test parts:
    returns ``[a_train, a_test, b_train, b_test, ...]`` with the input types kept.
    ``test_size`` is a fraction (the test part gets ceil(fraction·n) rows) or a count."""
    if not arrays:
        raise ValueError("At least one array required as input")
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        raise ValueError("Found input variables with inconsistent numbers of samples: "
                         f"{[len(a) for a in arrays]}")
    n_test = math.ceil(test_size * n) if isinstance(test_size, float) else int(test_size)
    if not 0 < n_test < n:
        raise ValueError(f"test_size={test_size} leaves an empty train or test set for n_samples={n}")
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    train_idx, test_idx = order[:n - n_test], order[n - n_test:]  # unshuffled: test is the tail
    out = []
    for a in arrays:
        data = a._data if isinstance(a, Tensor) else np.asarray(a)
        for idx in (train_idx, test_idx):
            part = data[idx]
            out.append(Tensor._wrap(part) if isinstance(a, Tensor) else part)
    return out


def load_digits():
    """The 1,797 8x8 handwritten digits scikit-learn ships in its package: X float32
    (1797, 64) scaled to [0, 1], y int64 (1797,).  Raises ImportError without scikit-learn."""
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError:
        raise ImportError("the digits data set is read from scikit-learn's package files: "
                          "pip install scikit-learn") from None
    bunch = sklearn_load_digits()
    return _as_tensors(bunch.data / 16.0, bunch.target)
