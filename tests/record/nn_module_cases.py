"""Module cases, reprs and errors for the extra layers of ``nn`` (the function cases are in
``nn_cases.py``); recorded by ``record_nn.py`` into ``tests/expected/nn.npz``.

- ``MODULE_CASES``: a module built by ``build(m)``, its initial state stored, called ``steps``
  times on stored inputs (``run_module``): outputs, input and parameter gradients, buffers
  after (running statistics), state_dict keys;
- ``REPRS``: ``repr(module)``; ``ERRORS``: code that must raise torch's error and message.

Imports numpy and ``common`` only.
"""
import numpy as np

from common import floats, given, ints


def F(m):
    return m.nn.functional


# ---------------------------------------------------------------- modules
class ModuleCase:
    """``build(m)`` -> module; ``args`` its inputs (common.Arg); called ``steps`` times (train
    mode unless ``train=False``); the last output gets the upstream gradient."""

    def __init__(self, name, build, args, steps=1, train=True):
        self.name, self.build, self.args, self.steps, self.train = name, build, list(args), steps, train

    def keys(self):
        return [f"{self.name}/{d}" for d in ("float32", "float64")]


def _to(m, module, dtype):
    return module.to(getattr(m, dtype))


MODULE_CASES = [
    ModuleCase("module_layernorm", lambda m: m.nn.LayerNorm(4), [floats(2, 3, 4)]),
    ModuleCase("module_layernorm_no_bias", lambda m: m.nn.LayerNorm((3, 4), bias=False, eps=1e-3), [floats(2, 3, 4)]),
    ModuleCase("module_layernorm_no_affine", lambda m: m.nn.LayerNorm(4, elementwise_affine=False), [floats(3, 4)]),
    ModuleCase("module_batchnorm1d", lambda m: m.nn.BatchNorm1d(3), [floats(5, 3)], steps=3),
    ModuleCase("module_batchnorm1d_3d", lambda m: m.nn.BatchNorm1d(3, momentum=0.3), [floats(4, 3, 5)], steps=2),
    ModuleCase("module_batchnorm1d_cumulative", lambda m: m.nn.BatchNorm1d(3, momentum=None), [floats(4, 3)], steps=3),
    ModuleCase("module_batchnorm1d_no_tracking", lambda m: m.nn.BatchNorm1d(3, track_running_stats=False),
               [floats(4, 3)], steps=2),
    ModuleCase("module_batchnorm1d_no_affine", lambda m: m.nn.BatchNorm1d(3, affine=False), [floats(4, 3, 2)], steps=2),
    ModuleCase("module_batchnorm1d_eval", lambda m: m.nn.BatchNorm1d(3), [floats(4, 3)], train=False),
    ModuleCase("module_batchnorm1d_eval_no_tracking", lambda m: m.nn.BatchNorm1d(3, track_running_stats=False),
               [floats(4, 3)], train=False),
    ModuleCase("module_batchnorm2d", lambda m: m.nn.BatchNorm2d(2), [floats(3, 2, 2, 3)], steps=2),
    ModuleCase("module_batchnorm3d_eval", lambda m: m.nn.BatchNorm3d(2, momentum=None), [floats(2, 2, 2, 1, 3)],
               train=False),
    ModuleCase("module_groupnorm", lambda m: m.nn.GroupNorm(2, 4), [floats(3, 4, 5)]),
    ModuleCase("module_groupnorm_no_affine", lambda m: m.nn.GroupNorm(2, 4, affine=False), [floats(3, 4, 3)]),
    ModuleCase("module_embedding", lambda m: m.nn.Embedding(5, 3), [ints(2, 4, high=5)]),
    ModuleCase("module_embedding_padding", lambda m: m.nn.Embedding(5, 3, padding_idx=1),
               [given([[1, 2, 1], [0, 1, 4]], dtype="int64")]),
    ModuleCase("module_embedding_max_norm", lambda m: m.nn.Embedding(5, 3, max_norm=0.8), [ints(2, 4, high=5)]),
    ModuleCase("module_prelu", lambda m: m.nn.PReLU(3, init=0.2), [floats(2, 3, 4)]),
    ModuleCase("module_prelu_single", lambda m: m.nn.PReLU(), [floats(2, 3)]),
    ModuleCase("module_modulelist_mlp", lambda m: _Stack(m), [floats(2, 3)]),
    ModuleCase("module_unflatten", lambda m: m.nn.Sequential(m.nn.Linear(6, 6), m.nn.Unflatten(1, (2, 3))),
               [floats(4, 6)]),
    ModuleCase("module_multi_margin_weight", lambda m: _WeightedMargin(m), [floats(3, 4), ints(3, high=4)]),
]


def _Stack(m):
    """A model holding a ModuleList, a ModuleDict, a ParameterList and a ParameterDict."""

    class Stack(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = m.nn.ModuleList([m.nn.Linear(3, 4), m.nn.Linear(4, 4)])
            self.acts = m.nn.ModuleDict({"first": m.nn.GELU(), "second": m.nn.Mish()})
            self.scales = m.nn.ParameterList([m.nn.Parameter(m.ones(4) * 0.5), m.nn.Parameter(m.ones(4))])
            self.shift = m.nn.ParameterDict({"b": m.nn.Parameter(m.zeros(4)), "a": m.nn.Parameter(m.ones(1))})

        def forward(self, x):
            x = self.acts["first"](self.layers[0](x)) * self.scales[0] + self.shift["a"]
            return self.acts["second"](self.layers[1](x)) * self.scales[1] + self.shift["b"]

    return Stack()


def _WeightedMargin(m):
    class Model(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = m.nn.Linear(4, 4)
            self.loss = m.nn.MultiMarginLoss(weight=m.tensor([1.0, 2.0, 0.5, 1.5]))

        def forward(self, x, t):
            return self.loss(self.fc(x), t)

    return Model()


# ---------------------------------------------------------------- reprs and errors
REPRS = [
    ("activations", lambda m: m.nn.Sequential(
        m.nn.GELU(), m.nn.GELU("tanh"), m.nn.SiLU(), m.nn.ELU(), m.nn.SELU(), m.nn.CELU(2.0), m.nn.Softplus(),
        m.nn.Softplus(2, 10), m.nn.Softsign(), m.nn.Hardtanh(), m.nn.Hardtanh(-2, 3), m.nn.Hardsigmoid(),
        m.nn.Hardswish(), m.nn.Mish(), m.nn.LogSigmoid(), m.nn.Softmin(1), m.nn.Softmin(), m.nn.PReLU(),
        m.nn.PReLU(3, 0.1), m.nn.ELU(0.5, True), m.nn.SiLU(True), m.nn.SELU(True), m.nn.ReLU6())),
    ("dropouts", lambda m: m.nn.Sequential(m.nn.Dropout1d(), m.nn.Dropout2d(0.3), m.nn.Dropout3d(),
                                           m.nn.AlphaDropout(0.2), m.nn.FeatureAlphaDropout())),
    ("norms", lambda m: m.nn.Sequential(
        m.nn.LayerNorm((3, 4), elementwise_affine=False), m.nn.LayerNorm(3, bias=False), m.nn.LayerNorm(5),
        m.nn.BatchNorm1d(3), m.nn.BatchNorm1d(3, momentum=None, affine=False, track_running_stats=False),
        m.nn.BatchNorm2d(4, eps=1e-3), m.nn.BatchNorm3d(2), m.nn.GroupNorm(2, 4), m.nn.GroupNorm(2, 4, affine=False))),
    ("embeddings", lambda m: m.nn.Sequential(
        m.nn.Embedding(3, 2), m.nn.Embedding(3, 2, padding_idx=-1, max_norm=1.0, scale_grad_by_freq=True,
                                             sparse=True), m.nn.Embedding(3, 2, norm_type=1.0))),
    ("misc", lambda m: m.nn.Sequential(m.nn.Unflatten(1, (2, 3)), m.nn.CosineSimilarity(), m.nn.PairwiseDistance())),
    ("losses", lambda m: m.nn.Sequential(
        m.nn.L1Loss(), m.nn.SmoothL1Loss(), m.nn.HuberLoss(), m.nn.CosineEmbeddingLoss(), m.nn.MarginRankingLoss(),
        m.nn.HingeEmbeddingLoss(), m.nn.MultiMarginLoss(), m.nn.PoissonNLLLoss(), m.nn.GaussianNLLLoss())),
    ("modulelist", lambda m: m.nn.ModuleList([m.nn.ReLU(), m.nn.Linear(2, 3)])),
    ("moduledict", lambda m: m.nn.ModuleDict({"b": m.nn.ReLU(), "a": m.nn.GELU()})),
    ("empty_containers", lambda m: m.nn.Sequential(m.nn.ModuleList(), m.nn.ModuleDict())),
    ("parameterlist", lambda m: m.nn.ParameterList([m.nn.Parameter(m.ones(2)),
                                                    m.nn.Parameter(m.ones(2, 3, dtype=m.float64))])),
    ("parameterlist_one", lambda m: m.nn.ParameterList([m.ones(2)])),
    ("parameterdict", lambda m: m.nn.ParameterDict({"b": m.ones(2), "a": m.nn.Parameter(m.ones(2, 3))})),
]


def _t(m, *shape, dtype=None):
    return m.ones(*shape) if dtype is None else m.ones(*shape, dtype=dtype)


ERRORS = [
    ("one_hot_float", lambda m: F(m).one_hot(m.tensor([1.0, 2.0]))),
    ("one_hot_int32", lambda m: F(m).one_hot(m.tensor([1, 2], dtype=m.int32), 3)),
    ("one_hot_negative", lambda m: F(m).one_hot(m.tensor([1, -2]))),
    ("one_hot_too_large", lambda m: F(m).one_hot(m.tensor([1, 5]), 3)),
    ("one_hot_empty", lambda m: F(m).one_hot(m.tensor([], dtype=m.int64))),
    ("embedding_out_of_range", lambda m: m.nn.Embedding(3, 2)(m.tensor([3]))),
    ("embedding_negative", lambda m: m.nn.Embedding(3, 2)(m.tensor([-1]))),
    ("embedding_float_index", lambda m: m.nn.Embedding(3, 2)(m.tensor([1.0]))),
    ("embedding_padding_too_large", lambda m: m.nn.Embedding(3, 2, padding_idx=3)),
    ("embedding_padding_too_small", lambda m: m.nn.Embedding(3, 2, padding_idx=-4)),
    ("layer_norm_shape", lambda m: m.nn.LayerNorm(4)(_t(m, 2, 3))),
    ("layer_norm_weight_shape", lambda m: F(m).layer_norm(_t(m, 2, 3), (3,), _t(m, 2))),
    ("batch_norm_one_value", lambda m: m.nn.BatchNorm1d(3)(_t(m, 1, 3))),
    ("batch_norm_channels", lambda m: m.nn.BatchNorm1d(3)(_t(m, 2, 4))),
    ("batch_norm_4d", lambda m: m.nn.BatchNorm1d(3)(_t(m, 2, 3, 4, 5))),
    ("batch_norm2d_3d", lambda m: m.nn.BatchNorm2d(3)(_t(m, 2, 3, 4))),
    ("batch_norm3d_4d", lambda m: m.nn.BatchNorm3d(3)(_t(m, 2, 3, 4, 1))),
    ("group_norm_groups", lambda m: m.nn.GroupNorm(2, 3)),
    ("group_norm_input", lambda m: m.nn.GroupNorm(2, 4)(_t(m, 2, 3))),
    ("gelu_approximate", lambda m: F(m).gelu(_t(m, 2), approximate="foo")),
    ("gelu_module_approximate", lambda m: m.nn.GELU("foo")(_t(m, 2))),
    ("hardtanh_bounds", lambda m: F(m).hardtanh(_t(m, 2), 2, 1)),
    ("hardtanh_module_bounds", lambda m: m.nn.Hardtanh(2, 1)),
    ("hardtanh_equal_bounds", lambda m: m.nn.Hardtanh(1, 1)),
    ("prelu_channels", lambda m: m.nn.PReLU(3)(_t(m, 2, 4))),
    ("unflatten_sizes", lambda m: m.nn.Unflatten(1, (2, 4))(_t(m, 2, 6))),
    ("dropout1d_4d", lambda m: m.nn.Dropout1d(0.5)(_t(m, 2, 3, 4, 5))),
    ("dropout2d_p", lambda m: m.nn.Dropout2d(1.5)),
    ("pad_odd", lambda m: F(m).pad(_t(m, 2, 3), (1,))),
    ("pad_too_long", lambda m: F(m).pad(_t(m, 2, 3), (1, 1, 1, 1, 1, 1))),
    ("pad_reflect_too_wide", lambda m: F(m).pad(_t(m, 2, 3), (3, 2), mode="reflect")),
    ("pad_reflect_1d", lambda m: F(m).pad(_t(m, 3), (1, 2), mode="reflect")),
    ("pad_mode", lambda m: F(m).pad(_t(m, 2, 3), (1, 2), mode="foo")),
    ("cosine_similarity_shapes", lambda m: F(m).cosine_similarity(_t(m, 2, 3), _t(m, 2, 4))),
    ("pairwise_distance_shapes", lambda m: F(m).pairwise_distance(_t(m, 2, 3), _t(m, 2, 4))),
    ("normalize_dim", lambda m: F(m).normalize(_t(m, 2, 3), dim=2)),
    ("l1_shapes", lambda m: F(m).l1_loss(_t(m, 2, 3), _t(m, 2, 4))),
    ("l1_reduction", lambda m: F(m).l1_loss(_t(m, 2, 3), _t(m, 2, 3), reduction="foo")),
    ("smooth_l1_beta", lambda m: F(m).smooth_l1_loss(_t(m, 2, 3), _t(m, 2, 3), beta=-1)),
    ("huber_delta", lambda m: F(m).huber_loss(_t(m, 2, 3), _t(m, 2, 3), delta=0)),
    ("multi_margin_target", lambda m: F(m).multi_margin_loss(_t(m, 2, 3), m.tensor([0, 3]))),
    ("multi_margin_p", lambda m: F(m).multi_margin_loss(_t(m, 2, 3), m.tensor([0, 1]), p=3)),
    ("multi_margin_weight_dim", lambda m: F(m).multi_margin_loss(_t(m, 2, 3), m.tensor([0, 1]),
                                                                 weight=_t(m, 2, 3))),
    ("multi_margin_target_size", lambda m: F(m).multi_margin_loss(_t(m, 2, 3), m.tensor([0, 1, 1]))),
    ("multi_margin_3d", lambda m: F(m).multi_margin_loss(_t(m, 2, 3, 4), m.tensor([0, 1]))),
    ("gaussian_var_shape", lambda m: F(m).gaussian_nll_loss(_t(m, 2, 3), _t(m, 2, 3), _t(m, 2, 2))),
    ("gaussian_var_negative", lambda m: F(m).gaussian_nll_loss(_t(m, 2, 3), _t(m, 2, 3), -_t(m, 2, 3))),
    ("gaussian_reduction", lambda m: F(m).gaussian_nll_loss(_t(m, 2, 3), _t(m, 2, 3), _t(m, 2, 3), reduction="x")),
    ("cosine_embedding_target_2d", lambda m: F(m).cosine_embedding_loss(_t(m, 2, 3), _t(m, 2, 3), _t(m, 2, 1))),
    ("cosine_embedding_input_3d", lambda m: F(m).cosine_embedding_loss(_t(m, 2, 3, 4), _t(m, 2, 3, 4), _t(m, 2))),
    ("cosine_embedding_target_size", lambda m: F(m).cosine_embedding_loss(_t(m, 2, 3), _t(m, 2, 3), _t(m, 3))),
    ("margin_ranking_shapes", lambda m: F(m).margin_ranking_loss(_t(m, 2), _t(m, 3), _t(m, 2))),
    ("poisson_reduction", lambda m: F(m).poisson_nll_loss(_t(m, 2, 3), _t(m, 2, 3), reduction="bad")),
    ("vector_to_parameters_list", lambda m: m.nn.utils.vector_to_parameters([1.0], [])),
    ("multi_margin_weight_grad", lambda m: F(m).multi_margin_loss(_t(m, 2, 3), m.tensor([0, 1]),
                                                                  weight=m.ones(3, requires_grad=True))),
    ("batch_norm_running_var_grad", lambda m: F(m).batch_norm(_t(m, 2, 3), m.zeros(3), m.ones(3, requires_grad=True))),
    ("clip_nonfinite", lambda m: _clip_nonfinite(m)),
]


def _clip_nonfinite(m):
    p = m.nn.Parameter(m.ones(3))
    p.grad = m.tensor([1.0, float("inf"), 2.0])
    m.nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


def run_module(m, case, dtype, inputs, state=None, upstream=None):
    """Build the module (in ``dtype``), load ``state`` (the recorded initial state_dict) if given,
    call it ``case.steps`` times in train mode, or for ``train=False`` twice in train mode without
    grad (to move the running statistics) and then once in eval mode; backward the last output
    against ``upstream(out)``.  Returns numpy copies of everything compared."""
    m.manual_seed(0)
    module = case.build(m).to(getattr(m, dtype))
    if state is not None:
        module.load_state_dict({k: m.tensor(v) for k, v in state.items()})
    record = {"initial": {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}}
    tensors = [m.tensor(a, requires_grad=arg.requires_grad(a)) for a, arg in zip(inputs, case.args)]
    outs = []
    if case.train:
        for _ in range(case.steps):
            outs.append(module(*tensors))
    else:
        with m.no_grad():
            module(*[t * 2 + 1 if t.is_floating_point() else t for t in tensors])
            module(*[t * 0.5 - 1 if t.is_floating_point() else t for t in tensors])
        module.eval()
        outs.append(module(*tensors))
    last = outs[-1]
    record["out"] = [o.detach().numpy().copy() for o in outs]
    record["out_dtype"] = [str(o.dtype).split(".")[-1] for o in outs]
    record["up"] = upstream(record["out"][-1]) if last.requires_grad else None
    if record["up"] is not None:
        (last * m.tensor(record["up"])).sum().backward()
    record["grad"] = {f"in{i}": t.grad.numpy().copy() for i, t in enumerate(tensors)
                      if t.requires_grad and t.grad is not None}
    record["grad"].update({name: p.grad.numpy().copy() for name, p in module.named_parameters()
                           if p.grad is not None})
    record["after"] = {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}
    record["keys"] = list(module.state_dict().keys())
    record["params"] = [name for name, _ in module.named_parameters()]
    return record


_INTEGER_INPUT = {
    "gelu": lambda F, t: F.gelu(t), "silu": lambda F, t: F.silu(t), "elu": lambda F, t: F.elu(t),
    "selu": lambda F, t: F.selu(t), "celu": lambda F, t: F.celu(t), "softplus": lambda F, t: F.softplus(t),
    "hardsigmoid": lambda F, t: F.hardsigmoid(t), "hardswish": lambda F, t: F.hardswish(t),
    "mish": lambda F, t: F.mish(t), "logsigmoid": lambda F, t: F.logsigmoid(t),
    "layer_norm": lambda F, t: F.layer_norm(t, (3,)), "normalize": lambda F, t: F.normalize(t, dim=0),
    "smooth_l1": lambda F, t: F.smooth_l1_loss(t, t), "huber": lambda F, t: F.huber_loss(t, t),
    "cosine_similarity": lambda F, t: F.cosine_similarity(t, t, dim=0),
}
ERRORS += [(f"integer_input_{name}", lambda m, fn=fn: fn(F(m), m.tensor([1, -2, 3])))
           for name, fn in _INTEGER_INPUT.items()]


# ---------------------------------------------------------------- a short training run
def _tiny_model(m):
    class Net(m.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = m.nn.Embedding(10, 6, padding_idx=0)
            self.norm = m.nn.LayerNorm(6)
            self.fc = m.nn.Linear(6, 8)
            self.bn = m.nn.BatchNorm1d(8)
            self.act = m.nn.GELU()
            self.head = m.nn.Linear(8, 3)

        def forward(self, idx):
            h = self.norm(self.emb(idx)).mean(1)
            return self.head(self.act(self.bn(self.fc(h))))

    return Net()


TRAIN_INDICES = [[1, 2, 0, 4], [5, 0, 0, 9], [3, 3, 7, 1], [8, 6, 2, 0], [4, 4, 4, 4]]
TRAIN_TARGETS = [0, 2, 1, 1, 0]


def train_run(m, dtype, state=None, steps=3):
    """Embedding + LayerNorm + Linear + BatchNorm1d + GELU trained with SGD (momentum) and
    clip_grad_norm_: the losses, the gradient norms and the state after ``steps`` steps."""
    m.manual_seed(0)
    model = _tiny_model(m).to(getattr(m, dtype))
    if state is not None:
        model.load_state_dict({k: m.tensor(v) for k, v in state.items()})
    initial = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    opt = m.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    idx, targets = m.tensor(TRAIN_INDICES), m.tensor(TRAIN_TARGETS)
    losses, norms = [], []
    for _ in range(steps):
        opt.zero_grad()
        loss = m.nn.functional.cross_entropy(model(idx), targets)
        loss.backward()
        norms.append(m.nn.utils.clip_grad_norm_(model.parameters(), 0.5).numpy().copy())
        opt.step()
        losses.append(loss.detach().numpy().copy())
    final = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    return initial, np.stack(losses), np.stack(norms), final
