"""Module and Parameter: registration, traversal, modes, dtype, state dicts and repr."""
import copy
import warnings
import importlib.util
import sys
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

import minigrad
import minigrad.nn as nn


def _recorded():
    name = "minigrad_tests_recorded_training"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "optim" / "recorded_training.py"
        spec = importlib.util.spec_from_file_location(name, path)
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.scale = nn.Parameter(minigrad.ones(4))
        self.register_buffer("running", minigrad.zeros(4))
        self.register_buffer("scratch", minigrad.zeros(2), persistent=False)

    def forward(self, x):
        return self.fc(x) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
        self.block = Block()
        self.head = nn.Linear(4, 1, bias=False)

    def forward(self, x):
        return self.head(self.block(self.encoder(x)))


def test_parameter_is_a_tensor_that_requires_grad_and_shares_memory():
    t = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64)
    p = nn.Parameter(t)
    assert isinstance(p, minigrad.Tensor) and p.requires_grad and p.is_leaf
    assert p.dtype == minigrad.float64 and p._data is t._data
    assert not nn.Parameter(t, requires_grad=False).requires_grad
    assert repr(p).startswith("Parameter containing:\ntensor([1., 2.], dtype=minigrad.float64, requires_grad=True)")
    (p * p).sum().backward()
    np.testing.assert_array_equal(p.grad.numpy(), [2.0, 4.0])
    clone = copy.deepcopy(p)
    assert type(clone) is nn.Parameter and clone._data is not p._data and clone.requires_grad


def test_registration_order_names_and_traversal():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "encoder.0.weight", "encoder.0.bias", "block.scale", "block.fc.weight", "block.fc.bias", "head.weight"]
    assert list(net.parameters())[0] is net.encoder[0].weight
    assert [n for n, _ in net.named_children()] == ["encoder", "block", "head"]
    assert [n for n, _ in net.named_modules()] == ["", "encoder", "encoder.0", "encoder.1", "block", "block.fc",
                                                    "head"]
    assert [n for n, _ in net.named_buffers()] == ["block.running", "block.scratch"]
    assert list(net.block.parameters(recurse=False)) == [net.block.scale]
    assert net.head.bias is None and "bias" in net.head._parameters


def test_state_dict_keys_follow_torch_and_skip_non_persistent_buffers():
    net = Net()
    keys = list(net.state_dict())
    assert keys == ["encoder.0.weight", "encoder.0.bias", "block.scale", "block.running", "block.fc.weight",
                    "block.fc.bias", "head.weight"]
    sd = net.state_dict()
    assert not sd["block.scale"].requires_grad and sd["block.scale"]._data is net.block.scale._data
    assert net.state_dict(keep_vars=True)["block.scale"] is net.block.scale
    assert list(Net().state_dict(prefix="model."))[0] == "model.encoder.0.weight"


def test_shared_parameters_are_listed_once():
    a = nn.Linear(3, 3)
    seq = nn.Sequential(a, nn.ReLU(), a)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4


def test_reassigning_and_deleting_attributes():
    net = Net()
    net.head = nn.Linear(4, 2)
    assert net.head.out_features == 2 and net._modules["head"] is net.head
    net.block.scale = nn.Parameter(minigrad.zeros(4))
    assert net.block._parameters["scale"] is net.block.scale
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'scale'"):
        net.block.scale = minigrad.zeros(4)
    net.block.scale = None
    assert "block.scale" not in net.state_dict()
    del net.head
    assert "head" not in net._modules and not hasattr(net, "head")
    net.note = "plain attribute"
    assert net.note == "plain attribute" and "note" not in net._modules


def test_assigning_a_layer_before_init_is_an_error():
    class Broken(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)
    with pytest.raises(AttributeError, match="before Module.__init__"):
        Broken()


def test_train_eval_and_zero_grad():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net and not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net(minigrad.randn(5, 2)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad._data.any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_to_double_keeps_parameter_objects_and_converts_buffers():
    net = Net()
    params = list(net.parameters())
    assert net.double() is net
    assert all(p.dtype == minigrad.float64 for p in net.parameters())
    assert [id(p) for p in net.parameters()] == [id(p) for p in params]
    assert net.block.running.dtype == minigrad.float64
    assert net(minigrad.randn(2, 2, dtype=minigrad.float64)).dtype == minigrad.float64
    net.to(minigrad.float32)
    assert all(p.dtype == minigrad.float32 for p in net.parameters())
    assert net.to("cpu") is net
    with pytest.raises(TypeError, match="floating point"):
        net.to(minigrad.int64)


def test_load_state_dict_roundtrip():
    a, b = Net(), Net()
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    for (name, pa), pb in zip(a.state_dict().items(), b.state_dict().values()):
        np.testing.assert_array_equal(pa.numpy(), pb.numpy(), err_msg=name)


def test_load_state_dict_reports_every_problem_and_changes_nothing():
    net = Net()
    before = {k: v.numpy().copy() for k, v in net.state_dict().items()}
    sd = Net().state_dict()
    del sd["block.scale"], sd["head.weight"]
    sd["block.fc.weight"] = minigrad.zeros(5, 3)
    sd["extra.weight"] = minigrad.zeros(1)
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(sd)
    assert str(info.value) == (
        'Error(s) in loading state_dict for Net:\n'
        '\tMissing key(s) in state_dict: "block.scale", "head.weight". \n'
        '\tUnexpected key(s) in state_dict: "extra.weight". \n'
        '\tsize mismatch for block.fc.weight: copying a param with shape minigrad.Size([5, 3]) from checkpoint, '
        'the shape in current model is minigrad.Size([4, 3]).')
    for k, v in net.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k], err_msg=k)


def test_load_state_dict_non_strict_returns_the_key_lists():
    net = Net()
    sd = Net().state_dict()
    del sd["head.weight"]
    sd["other"] = minigrad.zeros(1)
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["head.weight"] and result.unexpected_keys == ["other"]
    np.testing.assert_array_equal(net.block.fc.weight.detach().numpy(),
                                  sd["block.fc.weight"].numpy())


def test_load_state_dict_accepts_arrays_and_casts():
    layer = nn.Linear(2, 2)
    layer.load_state_dict({"weight": np.eye(2), "bias": np.array([1, 2])})
    assert layer.weight.dtype == minigrad.float32
    np.testing.assert_array_equal(layer.bias.detach().numpy(), [1.0, 2.0])


def test_deepcopy_gives_an_independent_module():
    net = Net()
    clone = copy.deepcopy(net)
    assert clone.block.fc.weight is not net.block.fc.weight
    np.testing.assert_array_equal(clone.block.fc.weight.detach().numpy(), net.block.fc.weight.detach().numpy())
    with minigrad.no_grad():
        clone.block.fc.weight.fill_(0)
    assert net.block.fc.weight.detach().numpy().any()
    assert [n for n, _ in clone.named_parameters()] == [n for n, _ in net.named_parameters()]


def test_repr_matches_torch():
    recorded = _recorded()
    model = recorded.record_training.build_mlp(minigrad, recorded.record_training.make_data()[2], "float32")
    assert repr(model) == recorded.meta["mlp_repr"]
    assert list(model.state_dict()) == recorded.meta["mlp_state_dict_keys"]


def test_repr_of_nested_modules_and_settings():
    net = nn.Sequential(OrderedDict(body=nn.Sequential(nn.Linear(2, 3), nn.LeakyReLU(0.2)),
                                    drop=nn.Dropout(0.25), flat=nn.Flatten(), act=nn.ReLU(inplace=True)))
    assert repr(net) == (
        "Sequential(\n"
        "  (body): Sequential(\n"
        "    (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "    (1): LeakyReLU(negative_slope=0.2)\n"
        "  )\n"
        "  (drop): Dropout(p=0.25, inplace=False)\n"
        "  (flat): Flatten(start_dim=1, end_dim=-1)\n"
        "  (act): ReLU(inplace=True)\n"
        ")")
    assert repr(nn.Identity()) == "Identity()" and repr(nn.Tanh()) == "Tanh()"


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match='missing the required "forward" function'):
        nn.Module()(1)


def test_apply_and_requires_grad():
    net = Net()
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen.count("Linear") == 3
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_registries_written_directly_are_still_reachable_as_attributes():
    seq = nn.Sequential()
    seq._modules["fc"] = nn.Linear(2, 2)
    assert seq.fc is seq._modules["fc"] and seq(minigrad.randn(3, 2)).shape == (3, 2)
    with pytest.raises(AttributeError, match="'Sequential' object has no attribute 'missing'"):
        seq.missing


def test_modules_pickle_and_copy():
    import pickle
    net = Net()
    clone = pickle.loads(pickle.dumps(net))
    assert type(clone.block.scale) is nn.Parameter and clone.block.scale.requires_grad
    x = minigrad.randn(3, 2)
    np.testing.assert_array_equal(clone(x).detach().numpy(), net(x).detach().numpy())
    shallow = copy.copy(net)
    assert shallow.block is net.block


# ---------------------------------------------------------------------- load_state_dict is all or nothing
class Counted(nn.Module):
    """Parameters, a float buffer and a 0-d int64 buffer (as BatchNorm's num_batches_tracked)."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 3)
        self.register_buffer("running", minigrad.zeros(3))
        self.register_buffer("steps", minigrad.tensor(0, dtype=minigrad.int64))


def snapshot(module):
    """Every entry's object, array object, bytes, dtype, shape and version counter."""
    return {k: (id(v), id(v._data), v._data.tobytes(), v._data.dtype, v._data.shape, v._version_counter[0])
            for k, v in module.state_dict(keep_vars=True).items()}


def good_state():
    source = Counted()
    with minigrad.no_grad():
        for v in source.state_dict().values():
            v._data[...] = 7
    return source.state_dict()


# The messages were checked with torch 2.13.0 (torch's own words for the same mistake, with
# "torch" turned into "minigrad" where the type is named).
_STR_MESSAGE = ("can't convert np.ndarray of type numpy.str_. The only supported types are: float64, float32, "
                "float16, complex64, complex128, int64, int32, int16, int8, uint64, uint32, uint16, uint8, and bool.")


@pytest.mark.parametrize("key, value, message", [
    ("fc.bias", np.array(["1", "2", "x"]), f'While copying the parameter named "fc.bias", {_STR_MESSAGE}'),
    ("fc.bias", np.array([1.0, "a", None], dtype=object),
     f'While copying the parameter named "fc.bias", {_STR_MESSAGE.replace("str_", "object_")}'),
    ("fc.bias", np.array(["2026-01-01"] * 3, dtype="datetime64[D]"),
     f'While copying the parameter named "fc.bias", {_STR_MESSAGE.replace("str_", "datetime64")}'),
    ("running", [1.0, 2.0, 3.0], 'While copying the parameter named "running", expected minigrad.Tensor or '
                                 "Tensor-like object from checkpoint but received <class 'list'>"),
    ("steps", minigrad.zeros(2), "size mismatch for steps: copying a param with shape minigrad.Size([2]) from "
                                 "checkpoint, the shape in current model is minigrad.Size([])."),
], ids=["string array", "object array", "datetime array", "list", "shape"])
def test_a_bad_later_entry_leaves_the_module_untouched(key, value, message):
    model = Counted()
    before = snapshot(model)
    state = good_state()          # order: running, steps, fc.weight, fc.bias; the others are fine
    state[key] = value
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(state)
    assert str(info.value) == f"Error(s) in loading state_dict for Counted:\n\t{message}"
    assert snapshot(model) == before


def test_strict_key_errors_leave_the_module_untouched():
    model = Counted()
    before = snapshot(model)
    state = good_state()
    del state["steps"]
    state["fc.extra"] = minigrad.zeros(1)
    with pytest.raises(RuntimeError, match='Missing key.*"steps". \n\tUnexpected key.*"fc.extra"'):
        model.load_state_dict(state)
    assert snapshot(model) == before


def test_a_failing_cast_happens_before_any_copy():
    # complex -> float drops the imaginary part with a warning (torch 2.13.0 warns "Casting complex
    # values to real discards the imaginary part"); turned into an error it must change nothing.
    model = Counted()
    before = snapshot(model)
    state = good_state()
    state["fc.bias"] = np.array([1 + 2j, 3j, 0])     # the last entry
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        with pytest.raises(np.exceptions.ComplexWarning):
            model.load_state_dict(state)
    assert snapshot(model) == before


def test_numbers_and_bools_are_cast_as_torch_copies_them():
    # torch 2.13.0 loads a bool tensor into a float parameter, an int into float, a float
    # into an int64 buffer (truncating), and a 1-element 1-d tensor into a 0-d buffer.
    model = Counted()
    state = good_state()
    state["fc.bias"] = np.array([True, False, True])
    state["running"] = minigrad.tensor([1, 2, 3])
    state["steps"] = np.array([2.7])
    assert model.load_state_dict(state) == ([], [])
    np.testing.assert_array_equal(model.fc.bias.detach().numpy(), [1.0, 0.0, 1.0])
    assert model.fc.bias.dtype == minigrad.float32 and model.running.dtype == minigrad.float32
    np.testing.assert_array_equal(model.running.numpy(), [1.0, 2.0, 3.0])
    assert model.steps.shape == () and model.steps.item() == 2 and model.steps.dtype == minigrad.int64
    with pytest.raises(RuntimeError, match=r"size mismatch for steps: copying a param with shape minigrad.Size\(\[2\]\)"):
        model.load_state_dict({**state, "steps": np.array([1, 2])})
