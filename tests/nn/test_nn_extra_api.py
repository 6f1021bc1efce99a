"""Behaviour of the extra nn layers that the recording does not pin down: containers,
Embedding details, BatchNorm modes and dtypes, dropout statistics, in-place activations
and nn.utils."""
import warnings

import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
import minigrad.nn.utils  # noqa: F401 - importable as a package, as torch.nn.utils


# ---------------------------------------------------------------- containers
def test_module_list_registers_and_behaves_like_a_list():
    layers = nn.ModuleList([nn.Linear(2, 3), nn.ReLU()])
    layers.append(nn.Linear(3, 1))
    layers.extend([nn.Tanh()])
    layers.insert(1, nn.GELU())
    assert [type(m).__name__ for m in layers] == ["Linear", "GELU", "ReLU", "Linear", "Tanh"]
    assert len(layers) == 5 and isinstance(layers[-1], nn.Tanh)
    assert isinstance(layers[1:3], nn.ModuleList) and len(layers[1:3]) == 2
    assert list(layers.state_dict()) == ["0.weight", "0.bias", "3.weight", "3.bias"]
    del layers[1]
    assert list(layers.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    with pytest.raises(IndexError):
        layers[7]
    with pytest.raises(NotImplementedError):
        layers(minigrad.ones(2))


def test_module_dict_keeps_insertion_order():
    d = nn.ModuleDict({"b": nn.Linear(2, 2), "a": nn.ReLU()})
    d["c"] = nn.Linear(2, 1)
    assert list(d.keys()) == ["b", "a", "c"] and "a" in d and len(d) == 3
    assert list(d.state_dict()) == ["b.weight", "b.bias", "c.weight", "c.bias"]
    assert isinstance(d.pop("a"), nn.ReLU) and list(d) == ["b", "c"]
    d.update([("z", nn.Tanh())])
    assert list(d) == ["b", "c", "z"]


def test_parameter_containers_wrap_tensors_as_parameters():
    plist = nn.ParameterList([minigrad.ones(2), nn.Parameter(minigrad.zeros(3))])
    assert all(isinstance(p, nn.Parameter) for p in plist) and len(plist) == 2
    assert list(plist.state_dict()) == ["0", "1"] and len(list(plist.parameters())) == 2
    pdict = nn.ParameterDict({"w": minigrad.ones(2)})
    pdict["b"] = minigrad.zeros(1)
    assert isinstance(pdict["b"], nn.Parameter) and list(pdict.keys()) == ["w", "b"]
    assert list(pdict.state_dict()) == ["w", "b"]


def test_parameters_in_containers_are_trained():
    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.scales = nn.ParameterList([minigrad.ones(3)])
            self.blocks = nn.ModuleDict({"fc": nn.Linear(3, 3)})

        def forward(self, x):
            return self.blocks["fc"](x * self.scales[0])

    model = Model()
    model(minigrad.ones(2, 3)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())


# ---------------------------------------------------------------- embedding
def test_embedding_padding_row_is_zero_and_gets_no_gradient():
    emb = nn.Embedding(4, 3, padding_idx=2)
    assert np.all(emb.weight.detach().numpy()[2] == 0)
    emb(minigrad.tensor([[2, 1], [2, 3]])).sum().backward()
    grad = emb.weight.grad.numpy()
    assert np.all(grad[2] == 0) and np.all(grad[1] == 1) and np.all(grad[0] == 0)


def test_embedding_from_pretrained_shares_and_freezes():
    table = minigrad.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    emb = nn.Embedding.from_pretrained(table)
    assert not emb.weight.requires_grad and emb.num_embeddings == 3 and emb.embedding_dim == 2
    assert emb(minigrad.tensor([2])).tolist() == [[5.0, 6.0]]
    assert nn.Embedding.from_pretrained(table, freeze=False, padding_idx=0).weight.requires_grad
    with pytest.raises(AssertionError, match="2-dimensional"):
        nn.Embedding.from_pretrained(minigrad.ones(3))


def test_embedding_max_norm_renormalises_the_used_rows_in_place():
    emb = nn.Embedding(3, 2, max_norm=1.0)
    with minigrad.no_grad():
        emb.weight.copy_(minigrad.tensor([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]]))
    version = emb.weight._version
    emb(minigrad.tensor([0, 1]))
    w = emb.weight.detach().numpy()
    np.testing.assert_allclose(np.linalg.norm(w[0]), 1.0, rtol=1e-6)
    np.testing.assert_allclose(w[1], [0.3, 0.4], rtol=1e-7)
    np.testing.assert_allclose(w[2], [6.0, 8.0])  # not looked up: untouched
    assert emb.weight._version > version


# ---------------------------------------------------------------- batch norm
def test_batchnorm_eval_uses_running_stats_and_dtype_follows_module():
    bn = nn.BatchNorm1d(2).double()
    assert bn.running_mean.dtype == minigrad.float64 and bn.num_batches_tracked.dtype == minigrad.int64
    x = minigrad.tensor([[1.0, 2.0], [3.0, 6.0]], dtype=minigrad.float64)
    bn(x)
    assert int(bn.num_batches_tracked) == 1
    bn.eval()
    out = bn(x).detach().numpy()
    mean, var = bn.running_mean.numpy(), bn.running_var.numpy()
    np.testing.assert_allclose(out, (x.numpy() - mean) / np.sqrt(var + 1e-5), rtol=1e-12)
    assert int(bn.num_batches_tracked) == 1  # eval does not count


def test_batchnorm_state_dict_roundtrip():
    a, b = nn.BatchNorm1d(3), nn.BatchNorm1d(3)
    a(minigrad.randn(4, 3))
    b.load_state_dict(a.state_dict())
    assert np.array_equal(b.running_var.numpy(), a.running_var.numpy())
    assert int(b.num_batches_tracked) == 1


# ---------------------------------------------------------------- dropout
@pytest.mark.parametrize("layer, shape", [(nn.Dropout1d, (200, 8, 5)), (nn.Dropout2d, (100, 8, 3, 4)),
                                          (nn.Dropout3d, (50, 8, 2, 2, 3)), (nn.Dropout1d, (400, 5))])
def test_channel_dropout_zeroes_whole_channels(layer, shape):
    minigrad.manual_seed(0)
    out = layer(p=0.3)(minigrad.ones(*shape)).numpy()
    lead = 2 if len(shape) in (3, 4, 5) and not (layer is nn.Dropout1d and len(shape) == 2) else 1
    per_channel = out.reshape(shape[:lead] + (-1,))
    assert np.all((per_channel == 0).all(-1) | (per_channel == 1 / 0.7).all(-1))  # all or nothing
    assert abs((per_channel[..., 0] == 0).mean() - 0.3) < 0.05


def test_dropout_eval_and_p_zero_are_identity():
    x = minigrad.randn(4, 3, 5)
    for layer in (nn.Dropout1d(0.5), nn.AlphaDropout(0.5), nn.FeatureAlphaDropout(0.5)):
        assert layer.eval()(x) is x
    assert F.dropout2d(x.reshape(4, 3, 5, 1), p=0.0).shape == (4, 3, 5, 1)


def test_alpha_dropout_keeps_mean_and_variance():
    minigrad.manual_seed(1)
    x = minigrad.randn(200000, dtype=minigrad.float64)
    out = nn.AlphaDropout(0.2)(x).numpy()
    assert abs(out.mean()) < 0.02 and abs(out.std() - 1) < 0.02
    alpha, p = 1.7580993408473766, 0.2
    a = 1 / np.sqrt((alpha ** 2 * p + 1) * (1 - p))
    dropped = out == -alpha * a * (1 - p)  # a dropped value becomes -α' and is mapped by a·x + b
    assert abs(dropped.mean() - p) < 0.01


def test_dropout_gradient_is_the_mask():
    minigrad.manual_seed(2)
    x = minigrad.ones(20, 6, 4, requires_grad=True)
    out = F.dropout1d(x, 0.5)
    out.sum().backward()
    assert np.array_equal(x.grad.numpy(), out.detach().numpy())


# ---------------------------------------------------------------- activations
@pytest.mark.parametrize("fn", [F.silu, F.elu, F.selu, F.celu, F.hardtanh, F.hardsigmoid, F.hardswish, F.mish])
def test_inplace_activations_write_into_the_input(fn):
    x = minigrad.tensor([-2.0, -0.5, 0.5, 2.0])
    expected = fn(x).numpy().copy()
    assert fn(x, inplace=True) is x and np.array_equal(x.numpy(), expected)


def test_softmin_without_dim_warns_at_the_caller_as_torch():
    for call in (lambda x: F.softmin(x), lambda x: nn.Softmin()(x)):
        with pytest.warns(UserWarning, match="Implicit dimension choice for softmin") as caught:
            call(minigrad.ones(2, 3))
        assert caught[0].filename == __file__


def test_clip_grads_with_norm_uses_the_given_norm():
    p = nn.Parameter(minigrad.ones(2))
    p.grad = minigrad.tensor([3.0, 4.0])
    total = nn.utils.get_total_norm([p.grad])
    nn.utils.clip_grads_with_norm_([p], 2.5, total)
    np.testing.assert_allclose(p.grad.numpy(), [1.5, 2.0], rtol=1e-5)


def test_prelu_weight_is_a_parameter():
    layer = nn.PReLU(3, init=0.1)
    assert list(layer.state_dict()) == ["weight"] and layer.weight.tolist() == pytest.approx([0.1] * 3)


# ---------------------------------------------------------------- nn.utils
def test_clip_grad_norm_returns_total_norm_and_scales():
    p = nn.Parameter(minigrad.ones(4))
    p.grad = minigrad.tensor([3.0, 4.0, 0.0, 0.0])
    total = nn.utils.clip_grad_norm_([p], max_norm=1.0, foreach=True)
    assert float(total) == pytest.approx(5.0)
    assert np.linalg.norm(p.grad.numpy()) == pytest.approx(1.0, rel=1e-5)
    total = nn.utils.clip_grad_norm_(iter([p]), max_norm=10.0, norm_type="inf")
    assert float(total) == pytest.approx(0.8, rel=1e-5)  # the largest |g| after the first clip


def test_clip_grad_norm_skips_missing_grads_and_warns_on_empty_generator():
    with pytest.warns(UserWarning, match="empty generator"):
        total = nn.utils.clip_grad_norm_((p for p in []), 1.0)
    assert float(total) == 0.0
    assert float(nn.utils.clip_grad_norm_([nn.Parameter(minigrad.ones(2))], 1.0)) == 0.0


def test_clip_grad_norm_deprecated_alias_warns():
    p = nn.Parameter(minigrad.ones(2))
    p.grad = minigrad.ones(2)
    with pytest.warns(FutureWarning):
        nn.utils.clip_grad_norm([p], 1.0)


def test_vector_roundtrip_keeps_parameter_objects():
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    params = list(model.parameters())
    vec = nn.utils.parameters_to_vector(model.parameters())
    assert vec.shape == (13,)
    nn.utils.vector_to_parameters(vec * 0 + 1, model.parameters())
    assert all(np.all(p.detach().numpy() == 1) for p in model.parameters())
    assert list(model.parameters())[0] is params[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vec.sum().backward()  # parameters_to_vector is differentiable
    assert params[0].grad is not None
