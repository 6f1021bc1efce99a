"""Train a small MLP classifier with minigrad, end to end.

    python examples/train_classifier.py                      # 3-class spirals, Adam
    python examples/train_classifier.py --dataset moons --optimizer sgd --lr 0.1
    python examples/train_classifier.py --dataset digits     # needs scikit-learn (ships the images)

Prints one line per epoch (loss, train and test accuracy, seconds), then the final
accuracies, and writes a decision-boundary plot (2-D data sets) and a loss curve to
``--out`` when matplotlib is installed.
"""
import argparse
import os
import sys
import time

import numpy as np

import minigrad
import minigrad.nn as nn
import minigrad.optim as optim
from minigrad.data import (DataLoader, TensorDataset, load_digits, make_blobs, make_circles, make_moons,
                           make_spirals, train_test_split)

DATASETS = {
    "spirals": lambda seed: make_spirals(300, n_classes=3, seed=seed),
    "moons": lambda seed: make_moons(600, noise=0.15, seed=seed),
    "circles": lambda seed: make_circles(600, noise=0.08, factor=0.5, seed=seed),
    "blobs": lambda seed: make_blobs(600, centers=4, cluster_std=1.5, seed=seed),
    "digits": lambda seed: load_digits(),
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dataset", choices=sorted(DATASETS), default="spirals")
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--hidden", type=int, default=64, help="units in each of the two hidden layers")
    p.add_argument("--lr", type=float, default=None, help="default: 0.01 for adam/adamw, 0.1 for sgd")
    p.add_argument("--optimizer", choices=["sgd", "adam", "adamw"], default="adam")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=os.path.join("examples", "output"), help="directory for the plots")
    return p.parse_args(argv)


def load_data(name, seed):
    try:
        X, y = DATASETS[name](seed)
    except ImportError as e:
        sys.exit(f"--dataset {name}: {e}")
    return train_test_split(X, y, test_size=0.25, seed=seed)


def make_model(n_features, hidden, n_classes):
    return nn.Sequential(
        nn.Linear(n_features, hidden), nn.ReLU(),
        nn.Linear(hidden, hidden), nn.ReLU(),
        nn.Linear(hidden, n_classes),
    )


def make_optimizer(name, params, lr):
    if name == "sgd":
        return optim.SGD(params, lr=lr or 0.1, momentum=0.9)
    if name == "adamw":
        return optim.AdamW(params, lr=lr or 0.01)
    return optim.Adam(params, lr=lr or 0.01)


@minigrad.no_grad()
def accuracy(model, X, y):
    model.eval()
    correct = (model(X).argmax(1) == y).sum().item()
    model.train()
    return correct / len(y)


def train(args):
    minigrad.manual_seed(args.seed)
    X_train, X_test, y_train, y_test = load_data(args.dataset, args.seed)
    n_classes = int(max(y_train.max().item(), y_test.max().item())) + 1
    model = make_model(X_train.shape[1], args.hidden, n_classes)
    optimizer = make_optimizer(args.optimizer, model.parameters(), args.lr)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=args.batch_size, shuffle=True, seed=args.seed)
    print(f"{args.dataset}: {len(X_train)} train / {len(X_test)} test samples, {n_classes} classes; "
          f"MLP {X_train.shape[1]}-{args.hidden}-{args.hidden}-{n_classes}, {args.optimizer}")
    history = []
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        total, count = 0.0, 0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
            count += len(yb)
        scheduler.step()
        train_acc, test_acc = accuracy(model, X_train, y_train), accuracy(model, X_test, y_test)
        history.append((total / count, train_acc, test_acc))
        print(f"epoch {epoch:3d}/{args.epochs}  loss {total / count:.4f}  train acc {100 * train_acc:5.1f}%  "
              f"test acc {100 * test_acc:5.1f}%  {time.perf_counter() - t0:.3f}s")
    print(f"final: train accuracy {100 * history[-1][1]:.1f}%, test accuracy {100 * history[-1][2]:.1f}% "
          f"({time.perf_counter() - start:.1f}s)")
    return model, (X_train, X_test, y_train, y_test), history


def plot(model, data, history, args):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(install matplotlib to get the decision-boundary and loss-curve plots)")
        return
    os.makedirs(args.out, exist_ok=True)
    losses, train_acc, test_acc = zip(*history)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(range(1, len(losses) + 1), losses, color="tab:blue", label="train loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy", color="tab:blue")
    ax.set_yscale("log")
    acc_ax = ax.twinx()
    acc_ax.plot(range(1, len(losses) + 1), np.array(test_acc) * 100, color="tab:orange", label="test accuracy")
    acc_ax.set_ylabel("test accuracy (%)", color="tab:orange")
    ax.set_title(f"{args.dataset}: {args.optimizer}, lr cosine-annealed over {args.epochs} epochs")
    fig.tight_layout()
    path = os.path.join(args.out, f"loss_curve_{args.dataset}.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"wrote {path}")

    X_train, X_test, y_train, y_test = (t.numpy() for t in data)
    if X_train.shape[1] != 2:
        print(f"(no decision-boundary plot: the {args.dataset} inputs have {X_train.shape[1]} features, not 2)")
        return
    points = np.concatenate([X_train, X_test])
    low, high = points.min(0) - 0.25, points.max(0) + 0.25
    gx, gy = np.meshgrid(np.linspace(low[0], high[0], 300), np.linspace(low[1], high[1], 300))
    grid = minigrad.tensor(np.stack([gx.ravel(), gy.ravel()], 1).astype(np.float32))
    model.eval()
    with minigrad.no_grad():
        regions = model(grid).argmax(1).numpy().reshape(gx.shape)
    palette = np.array(plt.cm.tab10.colors)
    n_classes = int(max(y_train.max(), y_test.max())) + 1
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.contourf(gx, gy, regions, levels=np.arange(n_classes + 1) - 0.5,
                colors=[tuple(c) for c in palette[:n_classes]], alpha=0.25)
    ax.scatter(X_train[:, 0], X_train[:, 1], c=palette[y_train], s=10, edgecolors="none")
    ax.scatter(X_test[:, 0], X_test[:, 1], c=palette[y_test], s=22, marker="x")
    ax.scatter([], [], c="k", s=10, label="train")  # legend entries in neutral colour
    ax.scatter([], [], c="k", s=22, marker="x", label="test")
    ax.set_title(f"{args.dataset}: decision regions (test accuracy {100 * test_acc[-1]:.1f}%)")
    ax.legend(loc="upper right")
    ax.set_aspect("equal")
    fig.tight_layout()
    path = os.path.join(args.out, f"decision_boundary_{args.dataset}.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"wrote {path}")


def main(argv=None):
    args = parse_args(argv)
    model, data, history = train(args)
    plot(model, data, history, args)


if __name__ == "__main__":
    main()
