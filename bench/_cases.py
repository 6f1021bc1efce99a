"""The cases timed by ``bench/compare.py``, written once for either library.

Every builder takes ``lib`` (the ``minigrad`` or the ``torch`` module) and returns
``(run, reset)``: ``run()`` is the timed call, ``reset()`` (or None) runs untimed before
each call (it drops the gradients of the previous call, as ``zero_grad`` would).  The
data comes from a seeded numpy generator, so both libraries get the same numbers.

Groups (the numbers of the benchmark brief):

1. ``cross_entropy`` (mean, int64 targets), forward + backward;
2. ``log_softmax`` / ``softmax`` (dim=1) with ``y.backward(g)``, ``nll_loss`` on
   log-probabilities that require grad, forward + backward;
3. ``(log_softmax(x, 1) * 1.0).sum()`` forward + backward (an op after the softmax);
4. every loss under ``no_grad`` (evaluation, forward only; the input requires grad);
5. small graphs: six ops on 4x4 tensors, and a scalar (0-d) MLP of 50 tanh neurons;
6. training steps (zero_grad, forward, cross_entropy, backward, optimizer.step).
"""
from __future__ import annotations

import numpy as np

SIZES5 = [(64, 10), (512, 100), (4096, 1000), (32768, 10), (64, 10, 8, 8)]
SIZES3 = SIZES5[:3]
GROUP_TITLES = {1: "cross_entropy fwd+bwd", 2: "log_softmax / softmax / nll_loss fwd+bwd",
                3: "log_softmax*1.0 .sum() fwd+bwd", 4: "losses under no_grad (forward)",
                5: "small graphs", 6: "training steps", 7: "start-up (fresh process, ms)"}
EVAL_LOSSES = ["cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
               "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div"]
# name -> (layer sizes, batch, optimizer name, optimizer kwargs)
TRAINING = {
    "mlp 2-16-16-3 b32 SGD": ((2, 16, 16, 3), 32, "SGD", dict(lr=0.01)),
    "mlp 2-64-64-3 b128 SGD+mom": ((2, 64, 64, 3), 128, "SGD", dict(lr=0.01, momentum=0.9)),
    "mlp 784-256-10 b256 Adam": ((784, 256, 10), 256, "Adam", dict(lr=1e-3)),
    "mlp 64-128-128-10 b64 AdamW": ((64, 128, 128, 10), 64, "AdamW", dict(lr=1e-3)),
    "mlp 64-32-10 b64 Adam": ((64, 32, 10), 64, "Adam", dict(lr=1e-3)),
}
SCALAR_MLP = (2, 24, 25, 1)


def shape_name(shape):
    return "x".join(str(s) for s in shape)


def _rng(name):
    """A generator seeded by the case name: same data in every process and library."""
    return np.random.default_rng(sum(ord(c) * (i + 1) for i, c in enumerate(name)))


def _logits_and_targets(lib, rng, shape, requires_grad=True):
    """float32 logits of ``shape`` (N, C, d1...) and int64 class targets (N, d1...)."""
    x = rng.normal(0, 2, shape).astype(np.float32)
    t = rng.integers(0, shape[1], (shape[0],) + tuple(shape[2:])).astype(np.int64)
    return lib.tensor(x, requires_grad=requires_grad), lib.tensor(t)


def _log_probs(rng, shape):
    """float32 log-probabilities along dim 1 (a leaf, as a model's log_softmax output)."""
    x = rng.normal(0, 2, shape)
    x = x - x.max(axis=1, keepdims=True)
    return (x - np.log(np.exp(x).sum(axis=1, keepdims=True))).astype(np.float32)


def _drop_grads(*tensors):
    def reset():
        for t in tensors:
            t.grad = None
    return reset


# --------------------------------------------------------------------------- groups 1-3
def cross_entropy_case(lib, shape, name):
    F = lib.nn.functional
    x, t = _logits_and_targets(lib, _rng(name), shape)
    return (lambda: F.cross_entropy(x, t).backward()), _drop_grads(x)


def softmax_case(lib, shape, name, log):
    F = lib.nn.functional
    rng = _rng(name)
    x, _ = _logits_and_targets(lib, rng, shape)
    g = lib.tensor(rng.normal(size=shape).astype(np.float32))
    fn = F.log_softmax if log else F.softmax
    return (lambda: fn(x, 1).backward(g)), _drop_grads(x)


def nll_case(lib, shape, name):
    F = lib.nn.functional
    rng = _rng(name)
    lp = lib.tensor(_log_probs(rng, shape), requires_grad=True)
    t = lib.tensor(rng.integers(0, shape[1], (shape[0],) + tuple(shape[2:])).astype(np.int64))
    return (lambda: F.nll_loss(lp, t).backward()), _drop_grads(lp)


def log_softmax_sum_case(lib, shape, name):
    F = lib.nn.functional
    x, _ = _logits_and_targets(lib, _rng(name), shape)
    return (lambda: (F.log_softmax(x, 1) * 1.0).sum().backward()), _drop_grads(x)


# --------------------------------------------------------------------------- group 4
def eval_loss_case(lib, loss, shape, name):
    """``loss`` forward under ``no_grad``; the input requires grad (a model's output)."""
    F = lib.nn.functional
    rng = _rng(name)
    fn = getattr(F, loss)
    kwargs = {}
    if loss == "cross_entropy":
        x, y = _logits_and_targets(lib, rng, shape)
    elif loss == "nll_loss":
        x = lib.tensor(_log_probs(rng, shape), requires_grad=True)
        y = lib.tensor(rng.integers(0, shape[1], shape[0]).astype(np.int64))
    elif loss == "kl_div":      # input: log-probabilities; target: probabilities
        x = lib.tensor(_log_probs(rng, shape), requires_grad=True)
        y = lib.tensor(np.exp(_log_probs(rng, shape)))
        kwargs = {"reduction": "batchmean"}
    elif loss == "binary_cross_entropy":    # input: probabilities in (0, 1)
        p = 1 / (1 + np.exp(-rng.normal(size=shape)))
        x = lib.tensor(p.astype(np.float32), requires_grad=True)
        y = lib.tensor(rng.random(shape).astype(np.float32))
    elif loss == "binary_cross_entropy_with_logits":
        x = lib.tensor(rng.normal(0, 2, shape).astype(np.float32), requires_grad=True)
        y = lib.tensor(rng.random(shape).astype(np.float32))
    else:                       # regression losses: float targets
        x = lib.tensor(rng.normal(size=shape).astype(np.float32), requires_grad=True)
        y = lib.tensor(rng.normal(size=shape).astype(np.float32))
    no_grad = lib.no_grad

    def run():
        with no_grad():
            return fn(x, y, **kwargs)
    return run, None


# --------------------------------------------------------------------------- group 5
def graph6_case(lib, name):
    """``((a*b + a).exp().sum()*2.0 - 1.0).backward()`` on 4x4: mul, add, exp, sum, mul, sub."""
    rng = _rng(name)
    a = lib.tensor(rng.normal(size=(4, 4)).astype(np.float32), requires_grad=True)
    b = lib.tensor(rng.normal(size=(4, 4)).astype(np.float32), requires_grad=True)
    return (lambda: ((a * b + a).exp().sum() * 2.0 - 1.0).backward()), _drop_grads(a, b)


def scalar_mlp_case(lib, name, sizes=SCALAR_MLP):
    """micrograd's MLP on 0-d tensors: each neuron ``tanh(w_1*x_1 + ... + w_n*x_n + b)``
    (the output neuron without tanh), built from scalar ops; forward + backward of the
    output for one sample."""
    rng = _rng(name)
    scalar = lambda v, grad: lib.tensor(float(v), requires_grad=grad)  # noqa: E731
    layers = [[([scalar(w, True) for w in rng.uniform(-1, 1, n_in)], scalar(rng.uniform(-1, 1), True))
               for _ in range(n_out)] for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    xs = [scalar(v, False) for v in rng.uniform(-1, 1, sizes[0])]
    params = [p for layer in layers for ws, b in layer for p in ws + [b]]

    def run():
        h = xs
        for i, layer in enumerate(layers):
            out = []
            for ws, b in layer:
                act = ws[0] * h[0]
                for w, v in zip(ws[1:], h[1:]):
                    act = act + w * v
                act = act + b
                out.append(act.tanh() if i < len(layers) - 1 else act)
            h = out
        h[0].backward()
    return run, _drop_grads(*params)


# --------------------------------------------------------------------------- group 6
def build(lib, sizes, batch, optimizer_name, kwargs, seed=0):
    """An MLP (Linear layers, ReLU between), its optimizer and one fixed batch, with
    identical numbers in either library.  Returns (model, optimizer, x, y)."""
    rng = np.random.default_rng(seed)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = lib.nn.Linear(n_in, n_out)
        bound = 1 / np.sqrt(n_in)
        linear.load_state_dict({"weight": lib.tensor(rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32)),
                                "bias": lib.tensor(rng.uniform(-bound, bound, n_out).astype(np.float32))})
        layers.append(linear)
        if i < len(sizes) - 2:
            layers.append(lib.nn.ReLU())
    model = lib.nn.Sequential(*layers)
    optimizer = getattr(lib.optim, optimizer_name)(model.parameters(), **kwargs)
    x = lib.tensor(rng.normal(size=(batch, sizes[0])).astype(np.float32))
    y = lib.tensor(rng.integers(0, sizes[-1], size=batch))
    return model, optimizer, x, y


def step_function(lib, model, optimizer, x, y):
    """One training step: zero_grad, forward, cross-entropy, backward, optimizer step."""
    cross_entropy = lib.nn.functional.cross_entropy

    def step():
        optimizer.zero_grad()
        loss = cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
    return step


def training_case(lib, config):
    return step_function(lib, *build(lib, *TRAINING[config])), None


# --------------------------------------------------------------------------- the list
def all_cases():
    """[(name, group, builder(lib) -> (run, reset))] in table order."""
    cases = []
    for shape in SIZES5:
        n = f"cross_entropy {shape_name(shape)}"
        cases.append((n, 1, lambda lib, s=shape, n=n: cross_entropy_case(lib, s, n)))
    for op in ("log_softmax", "softmax", "nll_loss"):
        for shape in SIZES5:
            n = f"{op} {shape_name(shape)}"
            if op == "nll_loss":
                cases.append((n, 2, lambda lib, s=shape, n=n: nll_case(lib, s, n)))
            else:
                cases.append((n, 2, lambda lib, s=shape, n=n, log=op == "log_softmax":
                              softmax_case(lib, s, n, log)))
    for shape in SIZES3:
        n = f"log_softmax*1.0.sum {shape_name(shape)}"
        cases.append((n, 3, lambda lib, s=shape, n=n: log_softmax_sum_case(lib, s, n)))
    for loss in EVAL_LOSSES:
        for shape in SIZES3:
            n = f"no_grad {loss} {shape_name(shape)}"
            cases.append((n, 4, lambda lib, loss=loss, s=shape, n=n: eval_loss_case(lib, loss, s, n)))
    cases.append(("graph 6 ops 4x4", 5, lambda lib: graph6_case(lib, "graph 6 ops 4x4")))
    n = "scalar mlp " + "-".join(map(str, SCALAR_MLP))
    cases.append((n, 5, lambda lib, n=n: scalar_mlp_case(lib, n)))
    for config in TRAINING:
        cases.append(("train " + config, 6, lambda lib, c=config: training_case(lib, c)))
    return cases
