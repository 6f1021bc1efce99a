"""The math ops' backward rules against finite differences (float64), on shapes drawn by
hypothesis (broadcasting, size-1 and 0-d dims, non-contiguous leaves; see
``tests/engine/test_gradcheck.py`` for the strategies), and their second derivatives with
``gradgradcheck`` on a few fixed shapes."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.autograd import gradcheck, gradgradcheck
from tests.engine.test_gradcheck import (ANY_SHAPE, MATRIX_UP, NONSCALAR, Op, distinct_values, draw_values,
                                         fixed, leaf, one, pair, some_dim, some_dims, triple)


def extra_values(kind, shape, rng):
    if kind == "unit":  # inside (-0.9, 0.9): asin, acos, atanh
        return rng.uniform(-0.9, 0.9, shape)
    if kind == "off_integers":  # k + (0.1 .. 0.9): away from the jumps of floor, frac, round
        return rng.integers(-3, 3, shape) + rng.uniform(0.1, 0.4, shape) * rng.choice([1, 2], shape)
    if kind == "big":  # divisors with |b| > 2.1: |a / b| < 1, no jumps of fmod
        return rng.uniform(2.1, 3.0, shape) * rng.choice([-1.0, 1.0], shape)
    if kind == "with_zeros":  # products with exact zeros
        return np.where(rng.random(shape) < 0.3, 0.0, rng.uniform(-2, 2, shape))
    return draw_values(kind, shape, rng)


def values(op, shapes, rng):
    if op.kinds == "distinct":
        return distinct_values(shapes, rng)
    kinds = [op.kinds] * len(shapes) if isinstance(op.kinds, str) else op.kinds
    return [np.asarray(extra_values(k, s, rng), dtype=np.float64) for k, s in zip(kinds, shapes)]


def unary(method, kind="any"):
    return Op(one(ANY_SHAPE), fixed(lambda x: getattr(x, method)()), kind)


def dims_and_keepdim(rng, ndim):
    keepdim = bool(rng.random() < 0.5)
    if not ndim or rng.random() < 0.25:
        return None, keepdim
    return (some_dims(rng, ndim) if rng.random() < 0.5 else some_dim(rng, ndim)), keepdim


def var_op(method):
    def build(rng, shapes):
        dim, keepdim = dims_and_keepdim(rng, len(shapes[0]))
        dims = range(len(shapes[0])) if dim is None else ((dim,) if isinstance(dim, int) else dim)
        count = int(np.prod([shapes[0][d] for d in dims]))
        correction = int(rng.integers(0, 2)) if count > 1 else 0
        if count == 1 and method == "std":  # √0: an infinite slope, as torch's
            return lambda x: x.var(dim, keepdim=keepdim, correction=0)
        return lambda x: getattr(x, method)(dim, keepdim=keepdim, correction=correction)
    return build


def scan(method):
    def build(rng, shapes):
        dim = some_dim(rng, len(shapes[0]))
        return lambda x: getattr(x, method)(dim)
    return build


def prod(rng, shapes):
    if not shapes[0] or rng.random() < 0.3:
        return lambda x: x.prod()
    dim, keepdim = some_dim(rng, len(shapes[0])), bool(rng.random() < 0.5)
    return lambda x: x.prod(dim, keepdim=keepdim)


def logsumexp(rng, shapes):
    dim, keepdim = dims_and_keepdim(rng, len(shapes[0]))
    dim = tuple(range(len(shapes[0]))) if dim is None else dim
    return lambda x: x.logsumexp(dim, keepdim=keepdim)


def norm(p):
    def build(rng, shapes):
        dim, keepdim = dims_and_keepdim(rng, len(shapes[0]))
        return lambda x: minigrad.linalg.vector_norm(x, p, dim, keepdim)
    return build


def order_stat(method):
    def build(rng, shapes):
        if method == "median" and rng.random() < 0.3:
            return lambda x: x.median()
        dim, keepdim = some_dim(rng, len(shapes[0])), bool(rng.random() < 0.5)
        return lambda x: getattr(x, method)(dim, keepdim=keepdim).values
    return build


def amin(rng, shapes):
    dim, keepdim = dims_and_keepdim(rng, len(shapes[0]))
    return lambda x: x.amin(() if dim is None else dim, keepdim=keepdim)


@st.composite
def product_shapes(draw, kind):
    b, n, k, m = (draw(st.integers(1, 3)) for _ in range(4))
    return {"mm": ((n, k), (k, m)), "bmm": ((b, n, k), (b, k, m)), "mv": ((n, k), (k,)), "dot": ((k,), (k,)),
            "outer": ((n,), (m,)), "addmm": ((draw(st.sampled_from([(n, m), (m,), (1, m), ()])), (n, k), (k, m))),
            "baddbmm": ((b, n, m), (b, n, k), (b, k, m)), "tensordot": ((b, n, k), (n, k, m)),
            "einsum": ((b, n, k), (k, m), (b,))}[kind]


PRODUCTS = {
    "mm": lambda a, b: a.mm(b), "bmm": lambda a, b: minigrad.bmm(a, b), "mv": lambda a, b: a.mv(b),
    "dot": lambda a, b: minigrad.dot(a, b), "outer": lambda a, b: minigrad.outer(a, b),
    "addmm": lambda c, a, b: minigrad.addmm(c, a, b, beta=0.5, alpha=2.0),
    "baddbmm": lambda c, a, b: c.baddbmm(a, b, alpha=-1.5),
    "tensordot": lambda a, b: minigrad.tensordot(a, b, 2),
    "einsum": lambda a, b, c: minigrad.einsum("bnk,km,b->nm", a, b, c),
}

OPS = {name: unary(name) for name in ["sin", "cos", "atan", "sinh", "cosh", "asinh", "exp2", "expm1", "erf",
                                      "erfc", "square"]}
OPS.update({
    "tan": unary("tan", "unit"), "asin": unary("asin", "unit"), "acos": unary("acos", "unit"),
    "atanh": unary("atanh", "unit"), "log1p": unary("log1p", "positive"), "log2": unary("log2", "positive"),
    "log10": unary("log10", "positive"), "rsqrt": unary("rsqrt", "positive"),
    "reciprocal": unary("reciprocal", "nonzero"), "frac": unary("frac", "off_integers"),
    "rounding": Op(one(ANY_SHAPE), fixed(lambda x: x.floor() * x + x.ceil() + x.round() * x + x.trunc() * x
                                         + x.round(decimals=1) + x.sign() * x), "off_integers"),
    "nan_to_num": Op(one(ANY_SHAPE), fixed(lambda x: x.nan_to_num(posinf=1.0) * x)),
    "atan2": Op(pair, fixed(lambda a, b: minigrad.atan2(a, b)), ["any", "nonzero"]),
    "hypot": Op(pair, fixed(lambda a, b: a.hypot(b)), ["nonzero", "nonzero"]),
    "fmod": Op(pair, fixed(lambda a, b: minigrad.fmod(a, b)), ["any", "big"]),
    "remainder": Op(pair, fixed(lambda a, b: a % b), ["nonzero", "big"]),
    "fmax": Op(pair, fixed(lambda a, b: minigrad.fmax(a, b)), "distinct"),
    "fmin": Op(pair, fixed(lambda a, b: a.fmin(b)), "distinct"),
    "lerp": Op(triple, fixed(lambda a, b, w: minigrad.lerp(a, b, w))),
    "lerp_scalar": Op(pair, fixed(lambda a, b: a.lerp(b, 0.7))),
    "clamp_tensor": Op(triple, fixed(lambda x, lo, hi: minigrad.clamp(x, -0.1 - lo, hi + 0.1)),
                       ["clamp", "positive", "positive"]),
    "std": Op(one(ANY_SHAPE), var_op("std"), "positive"),
    "var": Op(one(ANY_SHAPE), var_op("var")),
    "prod": Op(one(ANY_SHAPE), prod, "nonzero"),
    "prod_zeros": Op(one(ANY_SHAPE), prod, "with_zeros"),
    "cumsum": Op(one(ANY_SHAPE), scan("cumsum")),
    "cumprod": Op(one(ANY_SHAPE), scan("cumprod"), "nonzero"),
    "cumprod_zeros": Op(one(ANY_SHAPE), scan("cumprod"), "with_zeros"),
    "logcumsumexp": Op(one(ANY_SHAPE), scan("logcumsumexp")),
    "logsumexp": Op(one(ANY_SHAPE), logsumexp),
    "norm_2": Op(one(ANY_SHAPE), norm(2), "nonzero"),
    "norm_1": Op(one(ANY_SHAPE), norm(1), "nonzero"),
    "norm_3": Op(one(ANY_SHAPE), norm(3), "nonzero"),
    "norm_half": Op(one(ANY_SHAPE), norm(0.5), "nonzero"),
    "norm_inf": Op(one(ANY_SHAPE), norm(float("inf")), "distinct"),
    "norm_neg_inf": Op(one(ANY_SHAPE), norm(-float("inf")), "distinct"),
    "matrix_norm_1": Op(one(MATRIX_UP), fixed(lambda x: minigrad.linalg.matrix_norm(x, 1)), "distinct"),
    "amin": Op(one(ANY_SHAPE), amin, "distinct"),
    "median": Op(one(NONSCALAR), order_stat("median"), "distinct"),
    "aminmax": Op(one(ANY_SHAPE), fixed(lambda x: x.aminmax().min * x.aminmax().max), "distinct"),
})
OPS.update({name: Op(product_shapes(name), fixed(fn)) for name, fn in PRODUCTS.items()})


@pytest.mark.parametrize("name", sorted(OPS))
@given(data=st.data())
def test_gradcheck(name, data):
    op = OPS[name]
    shapes = data.draw(op.shapes, label="shapes")
    layouts = data.draw(st.lists(st.sampled_from(["contiguous", "transposed", "strided"]),
                                 min_size=len(shapes), max_size=len(shapes)), label="layouts")
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1), label="seed"))
    fn = op.build(rng, shapes)
    leaves = [leaf(v, layout) for v, layout in zip(values(op, shapes, rng), layouts)]
    assert gradcheck(fn, leaves)


SECOND_ORDER = {
    "trig": (lambda x: x.sin() * x.cos() + x.tan() + x.atan() + x.sinh() + x.cosh() + x.asinh(), [(3, 2)], "unit"),
    "inverse_trig": (lambda x: x.asin() + x.acos() + x.atanh(), [(4,)], "unit"),
    "exp_log": (lambda x: x.exp2() + x.expm1() + x.log1p() + x.log2() + x.log10() + x.rsqrt() + x.reciprocal(),
                [(2, 3)], "positive"),
    "erf": (lambda x: x.erf() * x.erfc(), [(5,)], "any"),
    "two_inputs": (lambda a, b: minigrad.atan2(a, b) * a.hypot(b) + a.fmod(b) * a.lerp(b, 0.3),
                   [(2, 3), (3,)], "nonzero"),
    "std_var": (lambda x: x.std(1) + x.var(0, correction=0).sum(), [(3, 4)], "any"),
    "prod": (lambda x: x.prod(1), [(3, 4)], "nonzero"),
    "prod_zeros": (lambda x: x.prod(1), [(3, 4)], "with_zeros"),
    "cumprod_zeros": (lambda x: x.cumprod(0), [(4, 2)], "with_zeros"),
    "scans": (lambda x: x.cumsum(1) * x.logcumsumexp(0) + x.logsumexp(1, keepdim=True), [(3, 4)], "any"),
    "norms": (lambda x: x.norm() + x.norm(3, dim=1) + x.norm(0.5) + minigrad.linalg.norm(x, float("inf")),
              [(3, 4)], "nonzero"),
    "median": (lambda x: x.median(0).values * x.median(), [(3, 4)], "distinct"),
    "einsum_diagonal": (lambda a, b: minigrad.einsum("bii,i->bi", a, b), [(2, 3, 3), (3,)], "any"),
    "products": (lambda a, b: minigrad.einsum("ij,jk->ik", a, b) * a.mm(b) + minigrad.tensordot(a, b, 1),
                 [(2, 3), (3, 2)], "any"),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_gradgradcheck(name):
    fn, shapes, kind = SECOND_ORDER[name]
    rng = np.random.default_rng(abs(hash(name)) % 2 ** 32)
    op = Op(None, None, kind)
    leaves = [minigrad.from_numpy(v).requires_grad_() for v in values(op, shapes, rng)]
    assert gradgradcheck(fn, leaves)
