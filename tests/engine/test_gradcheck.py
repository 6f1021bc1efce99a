"""Every op's backward against finite differences (``minigrad.autograd.gradcheck``, float64),
on shapes drawn by hypothesis: broadcasting, size-1 and 0-d dims, and leaves that are
non-contiguous numpy views (transposed or strided).

An op is ``Op(shapes, build, kinds)``: ``shapes`` a strategy for the input shapes;
``build(rng, shapes)`` returns the function to check, with any random choice (dims,
indices, masks) fixed; ``kinds`` says how to draw each input's values so that no
value sits on a kink (|x| away from 0 for abs, no ties for max, clamp bounds away
from values, positive inputs for log).
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck  # see test_autograd_gradcheck_is_the_function

SIDE = dict(min_side=1, max_side=3)
ANY_SHAPE = hnp.array_shapes(min_dims=0, max_dims=3, **SIDE)
NONSCALAR = hnp.array_shapes(min_dims=1, max_dims=3, **SIDE)
MATRIX_UP = hnp.array_shapes(min_dims=2, max_dims=3, **SIDE)
one = st.tuples
pair = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, **SIDE).map(
    lambda r: r.input_shapes)
triple = hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, **SIDE).map(
    lambda r: r.input_shapes)


# ---------------------------------------------------------------- input values
def draw_values(kind, shape, rng):
    return np.asarray(_draw_values(kind, shape, rng), dtype=np.float64)


def _draw_values(kind, shape, rng):
    if kind == "any":
        return rng.uniform(-2, 2, shape)
    if kind == "positive":
        return rng.uniform(0.5, 2, shape)
    if kind == "nonzero":  # |x| >= 0.3: away from the kinks of abs and relu and from 1/0
        return rng.uniform(0.3, 2, shape) * rng.choice([-1.0, 1.0], shape)
    if kind == "clamp":  # inside (-0.4, 0.4) or beyond ±0.6: away from the bounds ±0.5
        inside = rng.random(shape) < 0.5
        outside = rng.uniform(0.6, 2, shape) * rng.choice([-1.0, 1.0], shape)
        return np.where(inside, rng.uniform(-0.4, 0.4, shape), outside)
    raise ValueError(kind)


def distinct_values(shapes, rng):
    """All inputs from one pool of values at least 0.2 apart: no ties anywhere."""
    sizes = [int(np.prod(s)) for s in shapes]
    pool = (rng.permutation(sum(sizes)) - sum(sizes) / 2) * 0.2 + rng.uniform(-0.05, 0.05, sum(sizes))
    parts = np.split(pool, np.cumsum(sizes)[:-1])
    return [p.reshape(s) for p, s in zip(parts, shapes)]


def leaf(values, layout):
    """A float64 leaf holding ``values``, laid out contiguously, as a transposed view, or as a
    strided view (every other element of a bigger array)."""
    if layout == "transposed" and values.ndim >= 2:
        array = np.ascontiguousarray(values.T).T
    elif layout == "strided" and values.ndim >= 1:
        base = np.full(tuple(2 * n for n in values.shape), np.nan)
        array = base[tuple(slice(None, None, 2) for _ in values.shape)]
        array[...] = values
    else:
        array = values.copy()
    return minigrad.from_numpy(array).requires_grad_()


# ---------------------------------------------------------------- ops
class Op:
    def __init__(self, shapes, build, kinds="any"):
        self.shapes, self.build, self.kinds = shapes, build, kinds


def fixed(fn):
    """An op with no random choices."""
    return lambda rng, shapes: fn


def some_dim(rng, ndim):
    return int(rng.integers(-ndim, ndim)) if ndim else 0


def some_dims(rng, ndim):
    """A tuple of distinct dims, some negative."""
    chosen = [d for d in range(ndim) if rng.random() < 0.5] or [0]
    return tuple(d - ndim if rng.random() < 0.5 else d for d in chosen) if ndim else ()


def reduce_op(method):
    def build(rng, shapes):
        ndim, keepdim = len(shapes[0]), bool(rng.random() < 0.5)
        if not ndim or rng.random() < 0.25:
            return lambda x: getattr(x, method)()
        dims = some_dims(rng, ndim) if rng.random() < 0.5 else some_dim(rng, ndim)
        return lambda x: getattr(x, method)(dims, keepdim=keepdim)
    return build


def extreme_dim(method):
    def build(rng, shapes):
        dim, keepdim = some_dim(rng, len(shapes[0])), bool(rng.random() < 0.5)
        return lambda x: getattr(x, method)(dim, keepdim=keepdim).values
    return build


def amax(rng, shapes):
    dims = some_dims(rng, len(shapes[0]))
    return lambda x: x.amax(dims or None)


def permute(rng, shapes):
    order = tuple(int(d) for d in rng.permutation(len(shapes[0])))
    return lambda x: x.permute(*order) * 1.0


def transpose(rng, shapes):
    d0, d1 = some_dim(rng, len(shapes[0])), some_dim(rng, len(shapes[0]))
    return lambda x: x.transpose(d0, d1).exp()


def expand(rng, shapes):
    target = (2,) + tuple(2 if n == 1 else n for n in shapes[0])
    return lambda x: x.expand(*target) * minigrad.tensor(np.arange(1.0, 1.0 + np.prod(target)).reshape(target))


def unsqueeze(rng, shapes):
    dim = int(rng.integers(-len(shapes[0]) - 1, len(shapes[0]) + 1))
    return lambda x: x.unsqueeze(dim)


def basic_index(rng, shapes):
    index = tuple(slice(int(rng.integers(0, n)), None, int(rng.integers(1, 3))) for n in shapes[0])
    return lambda x: x[index + (None,)][..., 0]


def int_index(rng, shapes):
    picks = minigrad.tensor(rng.integers(0, shapes[0][0], size=4))  # repeats likely
    return lambda x: x[picks]


def mixed_index(rng, shapes):
    picks = rng.integers(0, shapes[0][-1], size=3).tolist()
    return lambda x: x[..., picks] if len(shapes[0]) == 1 else x[0, ..., picks]


def mask_index(rng, shapes):
    mask = minigrad.tensor(rng.random(shapes[0]) < 0.6)
    return lambda x: x[mask]


def gather(rng, shapes):
    shape = shapes[0]
    dim = some_dim(rng, len(shape))
    index_shape = tuple(int(rng.integers(1, n + 1)) if d != dim % len(shape) else int(rng.integers(1, 4))
                        for d, n in enumerate(shape))  # may be smaller than x off `dim`
    index = minigrad.tensor(rng.integers(0, shape[dim], size=index_shape))
    return lambda x: x.gather(dim, index)


def masked_fill(rng, shapes):
    mask = minigrad.tensor(rng.random(shapes[0]) < 0.5)
    return lambda x: x.masked_fill(mask, 0.5)


def where(rng, shapes):
    condition = minigrad.tensor(rng.random(shapes[2]) < 0.5)
    return lambda a, b: minigrad.where(condition, a, b)


def where_scalar(rng, shapes):
    condition = minigrad.tensor(rng.random(shapes[0]) < 0.5)
    return lambda a: minigrad.where(condition, a, 1.5) * minigrad.where(condition, -2.0, a)


@st.composite
def cat_shapes(draw, count=2):
    base = draw(NONSCALAR)
    dim = draw(st.integers(0, len(base) - 1))
    sizes = draw(st.lists(st.integers(1, 3), min_size=count, max_size=count))
    return tuple(base[:dim] + (n,) + base[dim + 1:] for n in sizes) + (dim,)


def cat(rng, shapes):
    dim = shapes[-1] - len(shapes[0]) if rng.random() < 0.5 else shapes[-1]
    return lambda *xs: minigrad.cat(xs, dim=dim)


def stack(rng, shapes):
    dim = int(rng.integers(-len(shapes[0]) - 1, len(shapes[0]) + 1))
    return lambda *xs: minigrad.stack(xs, dim=dim)


@st.composite
def matmul_shapes(draw):
    n, k, m, b = (draw(st.integers(1, 3)) for _ in range(4))
    return draw(st.sampled_from([((k,), (k,)), ((k,), (k, m)), ((n, k), (k,)), ((n, k), (k, m)),
                                 ((b, n, k), (k, m)), ((b, 1, n, k), (2, k, m)), ((k,), (b, k, m)),
                                 ((b, n, k), (k,))]))


def tensor_bounds(rng, shapes):
    return lambda x, low, high: x.clamp(-0.1 - low, high + 0.1)  # bounds beyond ±0.6, x is not near them


def two_layer(rng, shapes):
    return lambda x, w: ((x @ w).tanh() @ w.T).sigmoid().sum(-1)


OPS = {
    # elementwise, one input
    "neg": Op(one(ANY_SHAPE), fixed(lambda x: -x)),
    "exp": Op(one(ANY_SHAPE), fixed(lambda x: x.exp())),
    "log": Op(one(ANY_SHAPE), fixed(lambda x: x.log()), ["positive"]),
    "sqrt": Op(one(ANY_SHAPE), fixed(lambda x: x.sqrt()), ["positive"]),
    "abs": Op(one(ANY_SHAPE), fixed(lambda x: x.abs()), ["nonzero"]),
    "relu": Op(one(ANY_SHAPE), fixed(lambda x: x.relu()), ["nonzero"]),
    "sigmoid": Op(one(ANY_SHAPE), fixed(lambda x: x.sigmoid())),
    "tanh": Op(one(ANY_SHAPE), fixed(lambda x: x.tanh())),
    "square": Op(one(ANY_SHAPE), fixed(lambda x: x * x)),
    "pow_int": Op(one(ANY_SHAPE), fixed(lambda x: x ** 3)),
    "pow_fraction": Op(one(ANY_SHAPE), fixed(lambda x: x ** -1.5), ["positive"]),
    "rpow": Op(one(ANY_SHAPE), fixed(lambda x: 2.0 ** x)),
    "scalar_arithmetic": Op(one(ANY_SHAPE), fixed(lambda x: (3.0 - x) * 0.5 + x / 4 - 1)),
    "rdiv": Op(one(ANY_SHAPE), fixed(lambda x: 2.0 / x), ["nonzero"]),
    "clamp": Op(one(ANY_SHAPE), fixed(lambda x: x.clamp(-0.5, 0.5)), ["clamp"]),
    "clamp_min": Op(one(ANY_SHAPE), fixed(lambda x: x.clamp(min=-0.5)), ["clamp"]),
    "clamp_max": Op(one(ANY_SHAPE), fixed(lambda x: x.clamp(max=0.5)), ["clamp"]),
    "clamp_tensor_bounds": Op(triple, tensor_bounds, ["clamp", "positive", "positive"]),
    # elementwise, two inputs with broadcasting
    "add": Op(pair, fixed(lambda a, b: a + b)),
    "sub": Op(pair, fixed(lambda a, b: a - b)),
    "mul": Op(pair, fixed(lambda a, b: a * b)),
    "div": Op(pair, fixed(lambda a, b: a / b), ["any", "nonzero"]),
    "pow": Op(pair, fixed(lambda a, b: a ** b), ["positive", "any"]),
    "maximum": Op(pair, fixed(lambda a, b: minigrad.maximum(a, b)), "distinct"),
    "minimum": Op(pair, fixed(lambda a, b: minigrad.minimum(a, b)), "distinct"),
    "where": Op(triple.map(lambda s: (s[0], s[1], list(s[2]))), where),  # condition's shape as a list: not a leaf
    "where_scalar": Op(one(ANY_SHAPE), where_scalar),
    "masked_fill": Op(one(ANY_SHAPE), masked_fill),
    "matmul": Op(matmul_shapes(), fixed(lambda a, b: a @ b)),
    "two_layer": Op(st.tuples(hnp.array_shapes(min_dims=1, max_dims=3, **SIDE), st.just((3, 2))).map(
        lambda s: (s[0][:-1] + (3,), s[1])), two_layer),
    # reductions
    "sum": Op(one(ANY_SHAPE), reduce_op("sum")),
    "mean": Op(one(ANY_SHAPE), reduce_op("mean")),
    "max_all": Op(one(ANY_SHAPE), fixed(lambda x: x.max()), "distinct"),
    "min_all": Op(one(ANY_SHAPE), fixed(lambda x: x.min()), "distinct"),
    "max_dim": Op(one(NONSCALAR), extreme_dim("max"), "distinct"),
    "min_dim": Op(one(NONSCALAR), extreme_dim("min"), "distinct"),
    "amax": Op(one(NONSCALAR), amax, "distinct"),
    # shape
    "reshape": Op(one(ANY_SHAPE), fixed(lambda x: x.reshape(-1) * 2.0)),
    "flatten_unflatten": Op(one(ANY_SHAPE), fixed(lambda x: x.flatten().reshape(x.shape).exp())),
    "squeeze": Op(one(ANY_SHAPE), fixed(lambda x: x.squeeze().exp())),
    "unsqueeze": Op(one(ANY_SHAPE), unsqueeze),
    "transpose": Op(one(NONSCALAR), transpose),
    "permute": Op(one(ANY_SHAPE), permute),
    "T_contiguous": Op(one(ANY_SHAPE), fixed(lambda x: x.T.contiguous().reshape(-1) ** 2)),
    "expand": Op(one(ANY_SHAPE), expand),
    # indexing and joining
    "basic_index": Op(one(NONSCALAR), basic_index),
    "int_index_repeats": Op(one(NONSCALAR), int_index),
    "mixed_index": Op(one(NONSCALAR), mixed_index),
    "mask_index": Op(one(NONSCALAR), mask_index),
    "gather": Op(one(NONSCALAR), gather),
    "cat": Op(cat_shapes(), cat),
    "stack": Op(st.integers(1, 3).flatmap(lambda n: ANY_SHAPE.map(lambda s: (s,) * n)), stack),
}


def input_values(op, shapes, rng):
    if op.kinds == "distinct":
        return distinct_values(shapes, rng)
    kinds = [op.kinds] * len(shapes) if isinstance(op.kinds, str) else op.kinds
    return [draw_values(kind, shape, rng) for kind, shape in zip(kinds, shapes)]


@pytest.mark.parametrize("name", sorted(OPS))
@given(data=st.data())
def test_gradcheck(name, data):
    op = OPS[name]
    shapes = data.draw(op.shapes, label="shapes")
    tensor_shapes = [s for s in shapes if isinstance(s, tuple)]  # one leaf per tuple (not cat's dim, ...)
    layouts = data.draw(st.lists(st.sampled_from(["contiguous", "transposed", "strided"]),
                                 min_size=len(tensor_shapes), max_size=len(tensor_shapes)), label="layouts")
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1), label="seed"))
    fn = op.build(rng, shapes)
    leaves = [leaf(v, layout) for v, layout in zip(input_values(op, tensor_shapes, rng), layouts)]
    assert gradcheck(fn, leaves)


def test_leaf_layouts_are_really_non_contiguous():
    values = np.arange(6.0).reshape(2, 3)
    for layout in ("transposed", "strided"):
        t = leaf(values, layout)
        assert not t.is_contiguous() and t.tolist() == values.tolist()


def test_gradcheck_catches_a_wrong_backward():
    class WrongExp(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.exp()

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x.exp() * 1.01  # 1% off

    x = leaf(np.array([0.1, 0.5]), "contiguous")
    with pytest.raises(GradcheckError):
        gradcheck(WrongExp.apply, [x])
    assert gradcheck(lambda t: t.exp(), [x])


def test_autograd_gradcheck_is_the_function():
    import minigrad.autograd
    from minigrad.autograd import gradcheck as imported
    assert callable(imported) and callable(minigrad.autograd.gradcheck)


# ---------------------------------------------------------------- second derivatives
@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_gradgradcheck(name, data):
    """Every op's backward, recorded under create_graph, against finite differences of its
    first-order gradient (``minigrad.autograd.gradgradcheck``, torch's signature)."""
    op = OPS[name]
    shapes = data.draw(op.shapes, label="shapes")
    tensor_shapes = [s for s in shapes if isinstance(s, tuple)]
    layouts = data.draw(st.lists(st.sampled_from(["contiguous", "transposed", "strided"]),
                                 min_size=len(tensor_shapes), max_size=len(tensor_shapes)), label="layouts")
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1), label="seed"))
    fn = op.build(rng, shapes)
    leaves = [leaf(v, layout) for v, layout in zip(input_values(op, tensor_shapes, rng), layouts)]
    assert gradgradcheck(fn, leaves)
