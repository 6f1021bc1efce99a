"""Tensor's API: creation (against torch's recorded values and dtypes), randomness, dtypes,
attributes and conversions, in-place ops, and repr (against torch's recorded strings)."""
import numpy as np
import pytest

import minigrad
from .recorded import META, assert_same, common, normalize_repr, ops_cases, stored


# ---------------------------------------------------------------- creation, against torch
@pytest.mark.parametrize("case", ops_cases.CREATION, ids=[c.name for c in ops_cases.CREATION])
def test_creation_matches_torch(case):
    (key,) = case.keys()
    got = common.run_case(minigrad, case, [], upstream=None)
    assert got["out_dtype"] == META["cases"][key]["out_dtype"]
    assert_same(got["out"][0], stored(key, "out", 0), case.name)


def test_tensor_infers_torch_dtypes():
    assert minigrad.tensor([1.0, 2.0]).dtype == minigrad.float32      # Python floats
    assert minigrad.tensor([1, 2]).dtype == minigrad.int64            # Python ints
    assert minigrad.tensor([True]).dtype == minigrad.bool
    assert minigrad.tensor(np.zeros(2, np.float64)).dtype == minigrad.float64  # ndarray keeps its dtype
    assert minigrad.tensor(np.zeros(2, np.int32)).dtype == minigrad.int32
    assert minigrad.tensor([1, 2], dtype=minigrad.float16).dtype == minigrad.half


def test_tensor_copies_but_from_numpy_shares_memory():
    a = np.array([1.0, 2.0, 3.0])
    copied, shared = minigrad.tensor(a), minigrad.from_numpy(a)
    a[0] = 10.0
    assert copied.tolist() == [1.0, 2.0, 3.0]
    assert shared.tolist() == [10.0, 2.0, 3.0] and shared.dtype == minigrad.float64
    shared[1] = 20.0  # and the other way round
    assert a[1] == 20.0
    assert np.shares_memory(shared.numpy(), a)


def test_factories_shapes_and_dtypes():
    assert minigrad.zeros(2, 3).shape == (2, 3) == minigrad.ones((2, 3)).shape
    assert minigrad.full((2,), 1.5).dtype == minigrad.float32
    x = minigrad.tensor([[1, 2]], dtype=minigrad.int32)
    assert minigrad.zeros_like(x).dtype == minigrad.int32 and minigrad.ones_like(x).shape == (1, 2)
    assert minigrad.ones(2, requires_grad=True).requires_grad
    assert minigrad.eye(3).tolist() == np.eye(3).tolist()


# ---------------------------------------------------------------- randomness
def test_random_factories_ranges_and_dtypes():
    minigrad.manual_seed(0)
    u = minigrad.rand(1000)
    assert u.dtype == minigrad.float32 and 0 <= u.min().item() and u.max().item() < 1
    n = minigrad.randn(2, 3, dtype=minigrad.float64)
    assert n.shape == (2, 3) and n.dtype == minigrad.float64
    r = minigrad.randint(-2, 3, (500,))
    assert r.dtype == minigrad.int64 and set(r.tolist()) == {-2, -1, 0, 1, 2}
    assert minigrad.randint(4, (3,)).max().item() < 4
    p = minigrad.randperm(10)
    assert p.dtype == minigrad.int64 and sorted(p.tolist()) == list(range(10))


def test_manual_seed_repeats_every_random_function():
    def draw():
        return (minigrad.rand(3).tolist(), minigrad.randn(3).tolist(),
                minigrad.randint(0, 100, (3,)).tolist(), minigrad.randperm(5).tolist())

    minigrad.manual_seed(1234)
    first = draw()
    minigrad.manual_seed(1234)
    assert draw() == first
    minigrad.manual_seed(4321)
    assert draw() != first
    assert minigrad.initial_seed() == 4321


def test_generator_is_an_independent_stream():
    g1 = minigrad.Generator().manual_seed(7)
    g2 = minigrad.Generator().manual_seed(7)
    a = minigrad.randn(4, generator=g1)
    minigrad.randn(4)  # the default stream does not disturb g2
    assert minigrad.randn(4, generator=g2).tolist() == a.tolist()


# ---------------------------------------------------------------- dtypes
def test_dtype_aliases_and_comparisons():
    assert minigrad.float == minigrad.float32 and minigrad.double == minigrad.float64
    assert minigrad.long == minigrad.int64 and minigrad.half == minigrad.float16
    assert minigrad.short == minigrad.int16
    t = minigrad.tensor([1.0])
    assert t.dtype == minigrad.float32 and t.dtype != minigrad.float64
    assert t.dtype is minigrad.float32
    assert repr(t.dtype) == "minigrad.float32"
    assert t.dtype.is_floating_point and not minigrad.int64.is_floating_point
    assert minigrad.get_default_dtype() == minigrad.float32


# ---------------------------------------------------------------- attributes and conversions
def test_shape_attributes():
    t = minigrad.zeros(2, 3, 4)
    assert t.shape == (2, 3, 4) and t.size() == (2, 3, 4)
    assert t.size(1) == 3 and t.size(-1) == 4
    assert t.ndim == 3 == t.dim() and t.numel() == 24 and len(t) == 2
    assert minigrad.tensor(5.0).shape == () and minigrad.tensor(5.0).numel() == 1


def test_grad_attributes():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    assert x.requires_grad and x.is_leaf and x.grad is None and x.grad_fn is None
    y = x * 2
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None
    c = minigrad.tensor([1.0])
    assert not c.requires_grad and c.is_leaf
    assert c.requires_grad_() is c and c.requires_grad
    c.requires_grad_(False)
    assert not c.requires_grad


def test_data_is_detached_and_shares_memory():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    d = x.data
    assert not d.requires_grad and d.grad_fn is None
    d[0] = 5.0
    assert x.tolist() == [5.0, 2.0]


def test_numpy_and_array_protocol():
    t = minigrad.tensor([[1.5, 2.0]])
    a = t.numpy()
    assert isinstance(a, np.ndarray) and a.dtype == np.float32 and np.shares_memory(a, np.asarray(t))
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert np.asarray(minigrad.tensor([1.0], requires_grad=True).detach()).tolist() == [1.0]


def test_item_and_tolist_give_python_types():
    assert type(minigrad.tensor(2.5).item()) is float and minigrad.tensor(2.5).item() == 2.5
    assert type(minigrad.tensor([7]).item()) is int
    assert type(minigrad.tensor(True).item()) is bool
    nested = minigrad.tensor([[1, 2], [3, 4]]).tolist()
    assert nested == [[1, 2], [3, 4]] and type(nested[0][0]) is int
    assert float(minigrad.tensor(1.5)) == 1.5 and int(minigrad.tensor(3)) == 3


def test_dtype_conversions():
    t = minigrad.tensor([1.7, -2.2])
    assert t.double().dtype == minigrad.float64 and t.double().float().dtype == minigrad.float32
    assert t.long().tolist() == [1, -2]  # truncates toward zero, as torch
    assert t.bool().tolist() == [True, True] and minigrad.tensor([0.0]).bool().tolist() == [False]
    assert t.to(minigrad.float64).dtype == minigrad.float64
    assert t.to("cpu") is t and t.to(minigrad.float32) is t
    assert t.to(minigrad.tensor([1])).dtype == minigrad.int64


def test_conversion_keeps_graph_and_casts_gradient_back():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    (x.double() * 3).sum().backward()
    assert x.grad.dtype == minigrad.float32 and x.grad.tolist() == [3.0, 3.0]


# ---------------------------------------------------------------- in-place ops
def test_inplace_arithmetic_on_plain_tensors():
    t = minigrad.tensor([1.0, 2.0, 3.0])
    version = t._version
    assert t.add_(1) is t and t.tolist() == [2.0, 3.0, 4.0]
    t.sub_(minigrad.tensor([1.0, 1.0, 1.0]))
    t.mul_(2)
    t += 1
    t -= 0.5
    t *= 2
    assert t.tolist() == [5.0, 9.0, 13.0]
    t.add_(1, alpha=2)
    assert t.tolist() == [7.0, 11.0, 15.0]
    assert t._version > version
    assert t.fill_(4.0).tolist() == [4.0, 4.0, 4.0] and t.zero_().tolist() == [0.0, 0.0, 0.0]
    t.copy_(minigrad.tensor([1, 2, 3]))  # copy_ casts, and keeps t's dtype
    assert t.tolist() == [1.0, 2.0, 3.0] and t.dtype == minigrad.float32


def test_iadd_keeps_identity():
    t = minigrad.tensor([1.0])
    alias = t
    t += 1
    assert t is alias and alias.tolist() == [2.0]


def test_setitem_without_grad():
    t = minigrad.zeros(3, 4)
    t[0] = 1.0
    t[1, 1:3] = minigrad.tensor([2.0, 3.0])
    t[:, -1] = minigrad.tensor([7.0, 8.0, 9.0])
    t[t == 0] = -1.0
    assert t.tolist() == [[1, 1, 1, 7], [-1, 2, 3, 8], [-1, -1, -1, 9]]


def test_setitem_under_no_grad_on_leaf():
    w = minigrad.zeros(3, requires_grad=True)
    with minigrad.no_grad():
        w[1] = 5.0
    assert w.tolist() == [0.0, 5.0, 0.0] and w.is_leaf and w.requires_grad


def test_setitem_on_non_leaf_routes_gradients():
    x = minigrad.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    v = minigrad.tensor([10.0, 20.0], requires_grad=True)
    w = minigrad.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    h = x * 1
    h[1] = v
    assert not h.is_leaf and h.grad_fn is not None
    (h * w).sum().backward()
    assert x.grad.tolist() == [[1.0, 2.0], [0.0, 0.0], [5.0, 6.0]]  # overwritten row gets nothing
    assert v.grad.tolist() == [3.0, 4.0]


def test_inplace_add_on_non_leaf_keeps_graph():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h += x
    h.mul_(x)
    h.sum().backward()  # h = 3x², dh/dx = 6x
    assert x.grad.tolist() == [6.0, 12.0]


# ---------------------------------------------------------------- repr, against torch
@pytest.mark.parametrize("name", [name for name, _ in ops_cases.REPRS])
def test_repr_matches_torch(name):
    """torch's string with ``torch.`` read as ``minigrad.`` and its node names' version suffix
    dropped (``MulBackward0`` -> ``MulBackward``): minigrad's nodes are named ``<Op>Backward``."""
    fn = dict(ops_cases.REPRS)[name]
    assert repr(fn(minigrad)) == normalize_repr(META["reprs"][name])


def test_repr_list_matches_recording():
    assert {name for name, _ in ops_cases.REPRS} == set(META["reprs"])
