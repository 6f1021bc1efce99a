"""The shape, indexing and sorting methods against finite differences (float64
``gradcheck``), on shapes drawn by hypothesis (size-1 and 0-d dims, non-contiguous leaves),
and their second derivatives (``gradgradcheck``) on a few shapes each.

An op is ``Op(shapes, build, kinds)`` as in ``tests/engine/test_gradcheck.py``, whose input
helpers are reused: ``build(rng, shapes)`` fixes every random choice (dims, indices, masks)
and returns the function to check.
"""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.autograd import gradcheck, gradgradcheck
from engine.test_gradcheck import ANY_SHAPE, NONSCALAR, Op, distinct_values, draw_values, leaf, one, some_dim

MATRIX = st.tuples(st.integers(1, 3), st.integers(1, 3))
MATRIX_UP = st.lists(st.integers(1, 3), min_size=2, max_size=3).map(tuple)


def fixed(fn):
    return lambda rng, shapes: fn


def weights(shape):
    """Distinct weights, so that a wrong permutation of the gradient shows."""
    return minigrad.tensor(np.arange(1.0, 1.0 + int(np.prod(shape))).reshape(shape), dtype=minigrad.float64)


def split(rng, shapes):
    dim = some_dim(rng, len(shapes[0]))
    size = int(rng.integers(1, 3))
    as_list = rng.random() < 0.5

    def fn(x):
        n = x.shape[dim]
        sizes = [size] * (n // size) + ([n % size] if n % size else []) if as_list else size
        return minigrad.cat([p * (i + 1) for i, p in enumerate(x.split(sizes, dim))], dim)
    return fn


def chunk_unbind(rng, shapes):
    dim, chunks = some_dim(rng, len(shapes[0])), int(rng.integers(1, 4))
    return lambda x: minigrad.cat([p * (i + 1) for i, p in enumerate(x.chunk(chunks, dim))], dim) + \
        minigrad.stack(x.unbind(dim), dim).tanh()


def narrow(rng, shapes):
    dim = some_dim(rng, len(shapes[0]))
    n = shapes[0][dim]
    start = int(rng.integers(-n, n))
    length = int(rng.integers(0, n - (start % n) + 1))
    return lambda x: x.narrow(dim, start, length) * 2.0


def flip(rng, shapes):
    ndim = len(shapes[0])
    dims = [d for d in range(ndim) if rng.random() < 0.5]
    return lambda x: x.flip(dims) * weights(x.shape)


def roll(rng, shapes):
    ndim = len(shapes[0])
    if rng.random() < 0.3:
        shift = int(rng.integers(-4, 5))
        return lambda x: x.roll(shift) * weights(x.shape)
    dims = tuple(d for d in range(ndim) if rng.random() < 0.6) or (0,)
    shifts = tuple(int(rng.integers(-4, 5)) for _ in dims)
    return lambda x: x.roll(shifts, dims) * weights(x.shape)


def repeat(rng, shapes):
    extra = int(rng.integers(0, 2))
    sizes = tuple(int(rng.integers(1, 3)) for _ in range(len(shapes[0]) + extra))
    use_tile = rng.random() < 0.5
    return lambda x: (x.tile(sizes) if use_tile else x.repeat(sizes)) * weights(
        x.repeat(sizes).shape)


def repeat_interleave(rng, shapes):
    ndim = len(shapes[0])
    if not ndim or rng.random() < 0.3:
        return lambda x: x.repeat_interleave(2) * weights((2 * max(x.numel(), 1),))
    dim = some_dim(rng, ndim)
    counts = minigrad.tensor(rng.integers(0, 3, shapes[0][dim]))
    return lambda x: x.repeat_interleave(counts, dim).tanh()


def triangle(rng, shapes):
    k, lower = int(rng.integers(-2, 3)), rng.random() < 0.5
    return lambda x: (x.tril(k) if lower else x.triu(k)).tanh()


def diag(rng, shapes):
    k = int(rng.integers(-2, 3))
    return lambda x: x.diag(k).tanh()


def diagonal(rng, shapes):
    ndim = len(shapes[0])
    d1 = int(rng.integers(0, ndim))
    d2 = int(rng.choice([d for d in range(ndim) if d != d1]))
    offset = int(rng.integers(-2, 3))
    return lambda x: x.diagonal(offset, d1, d2).tanh()


def movedim(rng, shapes):
    ndim = len(shapes[0])
    order = [int(d) for d in rng.permutation(ndim)]
    count = int(rng.integers(1, ndim + 1))
    return lambda x: x.movedim(order[:count], list(range(count))).tanh()


def index_op(rng, shapes, method):
    shape = shapes[0]
    dim = some_dim(rng, len(shape))
    n = shape[dim]
    if method == "index_select":
        idx = minigrad.tensor(rng.integers(0, n, 4))
        return lambda x: x.index_select(dim, idx)
    if method == "index_fill":
        idx = minigrad.tensor(rng.integers(0, n, 2))
        return lambda x: x.index_fill(dim, idx, 0.5).tanh()
    count = n if method == "index_copy" else 3
    idx = rng.permutation(n)[:count] if method == "index_copy" else rng.integers(0, n, count)
    idx = minigrad.tensor(idx)
    source_shape = list(shape)
    source_shape[dim] = count
    source = minigrad.tensor(rng.uniform(-1, 1, source_shape), requires_grad=True)
    if method == "index_add":
        return lambda x: x.index_add(dim, idx, source * x.sum(), alpha=1.5).tanh()
    return lambda x: x.index_copy(dim, idx, source * x.mean()).tanh()


def scatter_index(rng, shape, dim, unique=False):
    """An index no larger than ``shape``; along ``dim`` values in range (unique per slice for scatter)."""
    index_shape = tuple(int(rng.integers(1, n + 1)) for n in shape)
    if unique:
        index_shape = tuple(min(m, shape[dim]) if d == dim else m for d, m in enumerate(index_shape))
        values = np.argsort(rng.random(index_shape[:dim] + (shape[dim],) + index_shape[dim + 1:]), axis=dim)
        values = np.take(values, np.arange(index_shape[dim]), axis=dim)
    else:
        values = rng.integers(0, shape[dim], index_shape)
    return minigrad.tensor(values.astype(np.int64)), index_shape


def scatter(rng, shapes):
    shape = shapes[0]
    dim = some_dim(rng, len(shape))
    index, index_shape = scatter_index(rng, shape, dim % len(shape), unique=True)
    src = minigrad.tensor(rng.uniform(-1, 1, index_shape), requires_grad=True)
    return lambda x: x.scatter(dim, index, src * x.sum()).tanh()


def scatter_add(rng, shapes):
    shape = shapes[0]
    dim = some_dim(rng, len(shape))
    index, index_shape = scatter_index(rng, shape, dim % len(shape))
    src = minigrad.tensor(rng.uniform(-1, 1, index_shape), requires_grad=True)
    return lambda x: x.scatter_add(dim, index, src * x.sum()).tanh()


def scatter_reduce(reduce):
    def build(rng, shapes):
        shape = shapes[0]
        dim = some_dim(rng, len(shape))
        index, index_shape = scatter_index(rng, shape, dim % len(shape))
        include_self = bool(rng.random() < 0.5)
        size = int(np.prod(index_shape))
        src = minigrad.tensor(((rng.permutation(size) + 0.5) * 0.37 * rng.choice([-1, 1], size))
                              .reshape(index_shape), requires_grad=True)
        return lambda x: x.scatter_reduce(dim, index, src, reduce, include_self=include_self)
    return build


def masked_select(rng, shapes):
    m = minigrad.tensor(rng.random(shapes[0]) < 0.6)
    return lambda x: x.masked_select(m).tanh()


def masked_scatter(rng, shapes):
    m = minigrad.tensor(rng.random(shapes[0]) < 0.6)
    source = minigrad.tensor(rng.uniform(-1, 1, int(np.prod(shapes[0])) + 1), requires_grad=True)
    return lambda x: x.masked_scatter(m, source * x.sum()).tanh()


def take(rng, shapes):
    n = int(np.prod(shapes[0]))
    idx = minigrad.tensor(rng.integers(-n, n, (2, 2)))
    return lambda x: x.take(idx).tanh()


def take_along_dim(rng, shapes):
    shape = shapes[0]
    if rng.random() < 0.3:
        idx = minigrad.tensor(rng.integers(0, int(np.prod(shape)), 3))
        return lambda x: x.take_along_dim(idx)
    dim = some_dim(rng, len(shape))
    idx_shape = tuple(1 if rng.random() < 0.3 else n for n in shape)
    idx_shape = tuple(3 if d == dim % len(shape) else m for d, m in enumerate(idx_shape))
    idx = minigrad.tensor(rng.integers(0, shape[dim], idx_shape))
    return lambda x: x.take_along_dim(idx, dim).tanh()


def sort_op(method):
    def build(rng, shapes):
        ndim = len(shapes[0])
        dim = some_dim(rng, ndim)
        flag = bool(rng.random() < 0.5)
        n = shapes[0][dim] if ndim else 1
        k = int(rng.integers(1, n + 1))
        if method == "sort":
            return lambda x: x.sort(dim, descending=flag).values * weights(x.shape)
        if method == "topk":
            return lambda x: x.topk(k, dim, largest=flag).values.tanh()
        return lambda x: x.kthvalue(k, dim, keepdim=flag).values.tanh()
    return build


def where_method(rng, shapes):
    condition = minigrad.tensor(rng.random(shapes[0]) < 0.5)
    return lambda x: x.where(condition, x * x)


def gather_0d(rng, shapes):
    return lambda x: x.gather(0, minigrad.tensor(0)).tanh() if x.dim() == 0 else x.reshape(-1).gather(
        0, minigrad.tensor(x.numel() - 1)).tanh()


OPS = {
    "split": Op(one(NONSCALAR), split),
    "chunk_unbind": Op(one(NONSCALAR), chunk_unbind),
    "narrow": Op(one(NONSCALAR), narrow),
    "flip": Op(one(ANY_SHAPE), flip),
    "roll": Op(one(NONSCALAR), roll),
    "repeat_tile": Op(one(ANY_SHAPE), repeat),
    "repeat_interleave": Op(one(ANY_SHAPE), repeat_interleave),
    "tril_triu": Op(one(MATRIX_UP), triangle),
    "diag_vector": Op(one(st.tuples(st.integers(1, 3))), diag),
    "diag_matrix": Op(one(MATRIX), diag),
    "diagonal": Op(one(MATRIX_UP), diagonal),
    "movedim": Op(one(NONSCALAR), movedim),
    "index_select": Op(one(NONSCALAR), lambda rng, s: index_op(rng, s, "index_select")),
    "index_add": Op(one(NONSCALAR), lambda rng, s: index_op(rng, s, "index_add")),
    "index_copy": Op(one(NONSCALAR), lambda rng, s: index_op(rng, s, "index_copy")),
    "index_fill": Op(one(NONSCALAR), lambda rng, s: index_op(rng, s, "index_fill")),
    "scatter": Op(one(NONSCALAR), scatter),
    "scatter_add": Op(one(NONSCALAR), scatter_add),
    "scatter_reduce_sum": Op(one(NONSCALAR), scatter_reduce("sum")),
    "scatter_reduce_prod": Op(one(NONSCALAR), scatter_reduce("prod")),
    "scatter_reduce_mean": Op(one(NONSCALAR), scatter_reduce("mean")),
    "scatter_reduce_amax": Op(one(NONSCALAR), scatter_reduce("amax"), "distinct"),
    "scatter_reduce_amin": Op(one(NONSCALAR), scatter_reduce("amin"), "distinct"),
    "masked_select": Op(one(ANY_SHAPE), masked_select),
    "masked_scatter": Op(one(ANY_SHAPE), masked_scatter),
    "take": Op(one(NONSCALAR), take),
    "take_along_dim": Op(one(NONSCALAR), take_along_dim),
    "sort": Op(one(ANY_SHAPE), sort_op("sort"), "distinct"),
    "topk": Op(one(ANY_SHAPE), sort_op("topk"), "distinct"),
    "kthvalue": Op(one(ANY_SHAPE), sort_op("kthvalue"), "distinct"),
    "where_method": Op(one(ANY_SHAPE), where_method),
    "gather_0d_index": Op(one(ANY_SHAPE), gather_0d),
}


def input_values(op, shapes, rng):
    if op.kinds == "distinct":
        return distinct_values(shapes, rng)
    return [draw_values(op.kinds, shape, rng) for shape in shapes]


def make(op, data):
    shapes = data.draw(op.shapes, label="shapes")
    layout = data.draw(st.sampled_from(["contiguous", "transposed", "strided"]), label="layout")
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1), label="seed"))
    fn = op.build(rng, shapes)
    return fn, [leaf(v, layout) for v in input_values(op, shapes, rng)]


@pytest.mark.parametrize("name", sorted(OPS))
@given(data=st.data())
def test_gradcheck(name, data):
    fn, leaves = make(OPS[name], data)
    assert gradcheck(fn, leaves)


@pytest.mark.parametrize("name", sorted(set(OPS) - {"gather_0d_index"}))  # its output is always 0-d
@settings(max_examples=5)
@given(data=st.data())
def test_gradgradcheck(name, data):
    """Second derivatives through each op's backward (squared, so they are not all zero), on
    tensors of at least one dim in and out (0-d ones are covered by the first-order check)."""
    fn, leaves = make(OPS[name], data)
    assume(all(t.dim() for t in leaves) and fn(*leaves).dim())
    assert gradgradcheck(lambda *xs: fn(*xs) ** 2, leaves)
