"""Cases for the extra layers of ``nn`` (activations, normalisation, embedding, padding,
distances, losses, containers, nn.utils), recorded from torch by ``record_nn.py`` into
``tests/expected/nn.npz`` and replayed by ``tests/nn/test_nn_extra_vs_torch.py``.

- ``CASES``: ``Case``s of ``common.py``: functions of the library ``m`` and tensors (weights
  passed as inputs, so their gradients are recorded too), per float dtype;
- ``HIGHER``: second-order gradients (``run_higher``);
- ``clip_scenarios``: nn.utils clipping and vector conversion on stored gradients.
The module cases, reprs and errors are in ``nn_module_cases.py``.

Imports numpy and ``common`` only.
"""
import numpy as np

from common import Case, floats, given, ints, positive


def F(m):
    return m.nn.functional


_ACT = [
    ("gelu", lambda m, x: F(m).gelu(x)),
    ("gelu_tanh", lambda m, x: F(m).gelu(x, approximate="tanh")),
    ("silu", lambda m, x: F(m).silu(x)),
    ("elu", lambda m, x: F(m).elu(x, alpha=0.7)),
    ("selu", lambda m, x: F(m).selu(x)),
    ("celu", lambda m, x: F(m).celu(x, alpha=1.5)),
    ("softplus", lambda m, x: F(m).softplus(x)),
    ("softplus_beta", lambda m, x: F(m).softplus(x, beta=3.0, threshold=2.0)),
    ("softsign", lambda m, x: F(m).softsign(x)),
    ("hardtanh", lambda m, x: F(m).hardtanh(x, -0.5, 1.5)),
    ("hardsigmoid", lambda m, x: F(m).hardsigmoid(x * 3)),
    ("hardswish", lambda m, x: F(m).hardswish(x * 3)),
    ("mish", lambda m, x: F(m).mish(x)),
    ("logsigmoid", lambda m, x: F(m).logsigmoid(x * 10)),
    ("softmin", lambda m, x: F(m).softmin(x, dim=1)),
    ("relu6", lambda m, x: F(m).relu6(x * 4)),
    ("elu_module", lambda m, x: m.nn.ELU(0.3)(x)),
    ("gelu_module", lambda m, x: m.nn.GELU("tanh")(x)),
    ("silu_inplace", lambda m, x: m.nn.SiLU(inplace=True)(x * 1.0)),
    ("softmin_module", lambda m, x: m.nn.Softmin(dim=0)(x)),
]

CASES = [Case(name, fn, [floats(3, 5, low=-4, high=4)]) for name, fn in _ACT]

CASES += [
    Case("softplus_large", lambda m, x: F(m).softplus(x), [given([-40.0, -5.0, 0.0, 19.0, 21.0, 50.0])]),
    Case("logsigmoid_large", lambda m, x: F(m).logsigmoid(x), [given([-800.0, -30.0, 0.0, 30.0, 800.0])]),
    Case("elu_large", lambda m, x: F(m).elu(x), [given([-100.0, -1e-8, 1e-8, 100.0, 1000.0])]),
    Case("hard_kinks", lambda m, x: (F(m).hardswish(x), F(m).hardsigmoid(x), F(m).hardtanh(x, -3.0, 3.0),
                                     F(m).relu6(x + 3), F(m).elu(x + 3), F(m).selu(x - 3), F(m).celu(x + 3)),
         [given([-4.0, -3.0, -1.0, 0.0, 3.0, 4.0])]),
    Case("prelu_channels", lambda m, x, w: F(m).prelu(x, w), [floats(2, 3, 4), floats(3, low=0.1, high=0.5)]),
    Case("prelu_single", lambda m, x, w: F(m).prelu(x, w), [floats(4, 3), floats(1, low=0.1, high=0.5)]),
    # normalisation, weights as inputs
    Case("layer_norm", lambda m, x, w, b: F(m).layer_norm(x, (4,), w, b), [floats(3, 4), floats(4), floats(4)]),
    Case("layer_norm_2d_shape", lambda m, x, w, b: F(m).layer_norm(x, (3, 4), w, b, eps=1e-3),
         [floats(2, 3, 4), floats(3, 4), floats(3, 4)]),
    Case("layer_norm_no_affine", lambda m, x: F(m).layer_norm(x, [5]), [floats(2, 3, 5)]),
    Case("group_norm", lambda m, x, w, b: F(m).group_norm(x, 2, w, b), [floats(3, 4, 5), floats(4), floats(4)]),
    Case("group_norm_4d", lambda m, x, w, b: F(m).group_norm(x, 3, w, b, eps=1e-2),
         [floats(2, 6, 2, 3), floats(6), floats(6)]),
    Case("batch_norm_train", lambda m, x, w, b: F(m).batch_norm(x, None, None, w, b, training=True),
         [floats(5, 3), floats(3), floats(3)]),
    Case("batch_norm_train_3d", lambda m, x, w, b: F(m).batch_norm(x, None, None, w, b, training=True, eps=1e-3),
         [floats(4, 3, 6), floats(3), floats(3)]),
    Case("batch_norm_eval", lambda m, x, rm, rv, w, b: F(m).batch_norm(x, rm, rv, w, b),
         [floats(4, 3, 2), floats(3, grad=False), floats(3, low=0.5, high=2.0, grad=False), floats(3), floats(3)]),
    # embedding
    Case("embedding", lambda m, w, i: F(m).embedding(i, w), [floats(6, 3), ints(4, 5, high=6)]),
    Case("embedding_padding", lambda m, w, i: F(m).embedding(i, w, padding_idx=2),
         [floats(6, 3), given([[2, 0, 2], [1, 5, 2]], dtype="int64")]),
    Case("embedding_padding_negative", lambda m, w, i: F(m).embedding(i, w, padding_idx=-1),
         [floats(6, 3), given([[5, 0, 5], [1, 5, 2]], dtype="int64")]),
    Case("embedding_freq", lambda m, w, i: F(m).embedding(i, w, scale_grad_by_freq=True),
         [floats(6, 3), given([[2, 0, 2], [1, 2, 0]], dtype="int64")]),
    Case("embedding_freq_padding", lambda m, w, i: F(m).embedding(i, w, padding_idx=0, scale_grad_by_freq=True),
         [floats(6, 3), given([[2, 0, 2], [1, 2, 0]], dtype="int64")]),
    Case("embedding_int32", lambda m, w, i: F(m).embedding(i, w), [floats(6, 3), ints(5, high=6, dtype="int32")]),
    Case("embedding_max_norm", lambda m, w, i: _renormed(m, w, i, 1.0, 2.0), [floats(6, 3), ints(7, high=6)]),
    Case("embedding_max_norm_l1", lambda m, w, i: _renormed(m, w, i, 1.5, 1.0), [floats(6, 3), ints(7, high=6)]),
    # padding
    Case("pad_constant", lambda m, x: F(m).pad(x, (1, 2)), [floats(2, 3)]),
    Case("pad_constant_value", lambda m, x: F(m).pad(x, (1, 0, 2, 1), value=-1.5), [floats(2, 3, 2)]),
    Case("pad_constant_crop", lambda m, x: F(m).pad(x, (-1, 2, 0, -1)), [floats(3, 4)]),
    Case("pad_reflect", lambda m, x: F(m).pad(x, (2, 1), mode="reflect"), [floats(2, 3, 4)]),
    Case("pad_reflect_2d", lambda m, x: F(m).pad(x, (1, 2, 2, 1), mode="reflect"), [floats(1, 2, 3, 4)]),
    Case("pad_replicate", lambda m, x: F(m).pad(x, (2, 3), mode="replicate"), [floats(2, 3)]),
    Case("pad_replicate_2d", lambda m, x: F(m).pad(x, (1, 2, 3, 0), mode="replicate"), [floats(2, 3, 4)]),
    Case("pad_circular", lambda m, x: F(m).pad(x, (1, 2), mode="circular"), [floats(2, 3, 4)]),
    # norms and distances
    Case("normalize", lambda m, x: F(m).normalize(x), [floats(3, 4)]),
    Case("normalize_p1_dim0", lambda m, x: F(m).normalize(x, p=1, dim=0), [floats(3, 4)]),
    Case("normalize_zero_row", lambda m, x: F(m).normalize(x, dim=1),
         [given([[0.0, 0.0, 0.0], [1.0, -2.0, 0.5]])]),
    Case("cosine_similarity", lambda m, a, b: F(m).cosine_similarity(a, b), [floats(3, 4), floats(3, 4)]),
    Case("cosine_similarity_broadcast", lambda m, a, b: F(m).cosine_similarity(a, b, dim=-1),
         [floats(2, 3, 4), floats(3, 4)]),
    Case("cosine_similarity_tiny", lambda m, a, b: F(m).cosine_similarity(a, b, dim=0, eps=0.5),
         [given([[1e-3, 0.2], [2e-3, -0.1]]), floats(2, 2)]),
    Case("cosine_similarity_module", lambda m, a, b: m.nn.CosineSimilarity(dim=0)(a, b),
         [floats(3, 4), floats(3, 4)]),
    Case("pairwise_distance", lambda m, a, b: F(m).pairwise_distance(a, b), [floats(3, 4), floats(3, 4)]),
    Case("pairwise_distance_p1", lambda m, a, b: F(m).pairwise_distance(a, b, p=1.0, keepdim=True),
         [floats(3, 4), floats(3, 4)]),
    Case("pairwise_distance_p3", lambda m, a, b: F(m).pairwise_distance(a, b, p=3.0), [floats(3, 4), floats(4)]),
    Case("pairwise_distance_inf", lambda m, a, b: m.nn.PairwiseDistance(p=float("inf"))(a, b),
         [floats(3, 4), floats(3, 4)]),
    Case("one_hot", lambda m, t: F(m).one_hot(t, 5), [ints(2, 3, high=5)]),
    Case("one_hot_inferred", lambda m, t: F(m).one_hot(t), [given([[0, 3], [1, 1]], dtype="int64")]),
    Case("one_hot_0d", lambda m, t: F(m).one_hot(t, 3), [given(2, dtype="int64")]),
    Case("linear_functional_no_bias", lambda m, x, w: F(m).linear(x, w), [floats(2, 5, 3), floats(4, 3)]),
    Case("linear_functional", lambda m, x, w, b: F(m).linear(x, w, b), [floats(2, 3), floats(4, 3), floats(4)]),
]


def _renormed(m, w, i, max_norm, norm_type):
    """embedding with max_norm: renormalises the picked rows of w in place (on a copy here, since w
    is a leaf), then picks them; returns the output and the renormalised weight."""
    with m.no_grad():
        table = w * 1.0
    out = F(m).embedding(i, table, max_norm=max_norm, norm_type=norm_type)
    return out, table


# ---------------------------------------------------------------- losses
def _loss_cases():
    cases = []
    for reduction in ("mean", "sum", "none"):
        r = dict(reduction=reduction)
        cases += [
            Case(f"l1_{reduction}", lambda m, x, y, r=r: F(m).l1_loss(x, y, **r), [floats(3, 4), floats(3, 4)]),
            Case(f"smooth_l1_{reduction}", lambda m, x, y, r=r: F(m).smooth_l1_loss(x, y, beta=0.7, **r),
                 [floats(3, 4), floats(3, 4)]),
            Case(f"huber_{reduction}", lambda m, x, y, r=r: F(m).huber_loss(x, y, delta=0.8, **r),
                 [floats(3, 4), floats(3, 4)]),
            Case(f"margin_ranking_{reduction}", lambda m, a, b, y, r=r: F(m).margin_ranking_loss(a, b, y, 0.3, **r),
                 [floats(5), floats(5), given([1.0, -1.0, 1.0, -1.0, 1.0], grad=False)]),
            Case(f"hinge_embedding_{reduction}", lambda m, x, y, r=r: F(m).hinge_embedding_loss(x, y, 0.8, **r),
                 [floats(2, 3), given([[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]], grad=False)]),
            Case(f"cosine_embedding_{reduction}",
                 lambda m, a, b, y, r=r: F(m).cosine_embedding_loss(a, b, y, margin=0.1, **r),
                 [floats(4, 3), floats(4, 3), given([1.0, -1.0, -1.0, 1.0], grad=False)]),
            Case(f"multi_margin_{reduction}", lambda m, x, t, r=r: F(m).multi_margin_loss(x, t, **r),
                 [floats(4, 5), ints(4, high=5)]),
            Case(f"poisson_nll_{reduction}", lambda m, x, y, r=r: F(m).poisson_nll_loss(x, y, **r),
                 [floats(3, 4), positive(3, 4)]),
            Case(f"gaussian_nll_{reduction}", lambda m, x, y, v, r=r: F(m).gaussian_nll_loss(x, y, v, **r),
                 [floats(3, 4), floats(3, 4), positive(3, 4)]),
        ]
    cases += [
        Case("smooth_l1_beta0", lambda m, x, y: F(m).smooth_l1_loss(x, y, beta=0.0), [floats(3, 4), floats(3, 4)]),
        Case("l1_broadcast", lambda m, x, y: F(m).l1_loss(x, y.expand(3, 4)), [floats(3, 4), floats(4)]),
        Case("multi_margin_p2_weight", lambda m, x, t, w: F(m).multi_margin_loss(x, t, p=2, margin=0.5, weight=w),
             [floats(4, 5), ints(4, high=5), floats(5, low=0.5, high=2.0, grad=False)]),
        Case("multi_margin_1d", lambda m, x, t: F(m).multi_margin_loss(x, t), [floats(5), given([3], dtype="int64")]),
        Case("cosine_embedding_0d", lambda m, a, b, y: F(m).cosine_embedding_loss(a, b, y),
             [floats(3), floats(3), given(-1.0, grad=False)]),
        Case("poisson_nll_not_log", lambda m, x, y: F(m).poisson_nll_loss(x, y, log_input=False),
             [positive(3, 4), positive(3, 4)]),
        Case("poisson_nll_full", lambda m, x, y: F(m).poisson_nll_loss(x, y, full=True),
             [floats(3, 4), Arg4(3, 4)]),
        Case("gaussian_nll_full", lambda m, x, y, v: F(m).gaussian_nll_loss(x, y, v, full=True, eps=0.3),
             [floats(3, 4), floats(3, 4), positive(3, 4, low=0.1, high=1.0)]),
        Case("gaussian_nll_homoscedastic", lambda m, x, y, v: F(m).gaussian_nll_loss(x, y, v),
             [floats(3, 4), floats(3, 4), positive(3)]),
        Case("gaussian_nll_heteroscedastic", lambda m, x, y, v: F(m).gaussian_nll_loss(x, y, v),
             [floats(3, 4), floats(3, 4), positive(3, 1)]),
        Case("loss_modules", lambda m, x, y: (m.nn.L1Loss()(x, y), m.nn.SmoothL1Loss(beta=0.5)(x, y),
                                              m.nn.HuberLoss(delta=0.5)(x, y), m.nn.PoissonNLLLoss()(x, y)),
             [floats(3, 4), floats(3, 4)]),
    ]
    return cases


def Arg4(*shape):
    """Counts in [0, 4): the Stirling term of the full Poisson loss applies where y > 1."""
    return floats(*shape, low=0.0, high=4.0, grad=False)


CASES += _loss_cases()


# ---------------------------------------------------------------- nn.utils scenarios (numbers only)
def clip_scenarios(m, arrays):
    """Gradient clipping and vector conversion on stored gradients: returns {name: array}."""
    out = {}
    for norm_type in (2.0, 1.0, float("inf"), 3.0):
        for max_norm in (0.5, 100.0):
            params = [m.nn.Parameter(m.tensor(a)) for a in arrays]
            for p, a in zip(params, arrays):
                p.grad = m.tensor(a * 1.5)
            total = m.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type, foreach=False)
            key = f"clip_norm_{norm_type}_{max_norm}"
            out[key + "/total"] = total.numpy().copy()
            for i, p in enumerate(params):
                out[f"{key}/grad{i}"] = p.grad.numpy().copy()
    params = [m.nn.Parameter(m.tensor(a)) for a in arrays]
    for p, a in zip(params, arrays):
        p.grad = m.tensor(a * 2.0)
    m.nn.utils.clip_grad_value_(params, 0.7)
    for i, p in enumerate(params):
        out[f"clip_value/grad{i}"] = p.grad.numpy().copy()
    single = m.nn.Parameter(m.tensor(arrays[0]))
    single.grad = m.tensor(arrays[0] * 3.0)
    out["clip_single/total"] = m.nn.utils.clip_grad_norm_(single, 0.1).numpy().copy()
    out["clip_single/grad"] = single.grad.numpy().copy()
    out["clip_empty/total"] = m.nn.utils.clip_grad_norm_([], 1.0).numpy().copy()
    vec = m.nn.utils.parameters_to_vector(params)
    out["to_vector"] = vec.detach().numpy().copy()
    m.nn.utils.vector_to_parameters(vec * 2, params)
    for i, p in enumerate(params):
        out[f"from_vector/param{i}"] = p.detach().numpy().copy()
    return out


CLIP_ARRAYS = [np.linspace(-1.0, 2.0, 6).reshape(2, 3), np.array([0.5, -3.0, 0.25]), np.array(1.75)]


# ---------------------------------------------------------------- second order
HIGHER = [
    ("gelu", lambda m, x: F(m).gelu(x)),
    ("gelu_tanh", lambda m, x: F(m).gelu(x, approximate="tanh")),
    ("silu", lambda m, x: F(m).silu(x)),
    ("elu", lambda m, x: F(m).elu(x, 0.7)),
    ("selu", lambda m, x: F(m).selu(x)),
    ("softplus", lambda m, x: F(m).softplus(x, 2.0, 3.0)),
    ("mish", lambda m, x: F(m).mish(x)),
    ("logsigmoid", lambda m, x: F(m).logsigmoid(x)),
    ("softsign", lambda m, x: F(m).softsign(x)),
    ("hardswish", lambda m, x: F(m).hardswish(x * 2)),
    ("softmin", lambda m, x: F(m).softmin(x, dim=1)),
    ("layer_norm", lambda m, x: F(m).layer_norm(x, (4,), x[0] * 0 + 1.5, None)),
    ("group_norm", lambda m, x: F(m).group_norm(x.reshape(1, 4, 3), 2)),
    ("batch_norm", lambda m, x: F(m).batch_norm(x, None, None, training=True)),
    ("normalize", lambda m, x: F(m).normalize(x)),
    ("cosine_similarity", lambda m, x: F(m).cosine_similarity(x, x[[2, 1, 0]])),
    ("pairwise_distance", lambda m, x: F(m).pairwise_distance(x, x[[2, 0, 1]])),
    ("smooth_l1", lambda m, x: F(m).smooth_l1_loss(x, x[[2, 0, 1]] * 0.5, reduction="none")),
    ("huber", lambda m, x: F(m).huber_loss(x, x[[2, 0, 1]] * 0.5, reduction="none", delta=0.7)),
    ("gaussian_nll", lambda m, x: F(m).gaussian_nll_loss(x, x[[2, 0, 1]], x * x + 0.1, reduction="none")),
    ("poisson_nll", lambda m, x: F(m).poisson_nll_loss(x, x * x, reduction="none")),
    ("cosine_embedding", lambda m, x: F(m).cosine_embedding_loss(x, x[[2, 0, 1]], m.tensor([1.0, -1.0, 1.0],
                                                                                         dtype=x.dtype), -0.5)),
    ("pad_reflect", lambda m, x: F(m).pad(x.reshape(1, 3, 4), (2, 1), mode="reflect") ** 2),
]


def run_higher(m, fn, x_array, u, v):
    """g1 = d Σ(out·u) / dx with create_graph, then g2 = d Σ(g1·v) / dx."""
    x = m.tensor(x_array, requires_grad=True)
    out = fn(m, x)
    (g1,) = m.autograd.grad((out * m.tensor(u)).sum(), x, create_graph=True)
    (g2,) = m.autograd.grad((g1 * m.tensor(v)).sum(), x, allow_unused=True)
    return g1.detach().numpy().copy(), None if g2 is None else g2.numpy().copy()
