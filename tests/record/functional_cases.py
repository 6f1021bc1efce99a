"""Cases for ``autograd.functional`` and ``gradgradcheck``, shared by the recorder (torch),
the selfcheck (minigrad's code driving torch) and the tests (minigrad).

A functional case calls ``F.<api>(func, inputs, v, **kwargs)`` where ``F`` is
``torch.autograd.functional`` or ``minigrad.autograd.functional`` and ``func`` is built
by ``build(m, params)`` from the library ``m`` and constant tensors ``params``.  Only
ops minigrad has: exp, log, tanh, sigmoid, softmax, *, /, @, sum, pow.

``run(m, F, case, arrays)`` returns the result flattened (``leaves``), its nesting
(``structure``: "T" for a Tensor, lists for tuples), which leaves require grad, and,
with ``create_graph=True``, the gradients of ``Σ_k (leaf_k * w_k).sum()`` w.r.t. the
caller's inputs (``bgrad``): the results must stay connected to them.
Imports numpy only.
"""
import zlib

import numpy as np

DTYPES = ("float32", "float64")


def _seed(*names):
    return zlib.crc32("/".join(names).encode())


# ------------------------------------------------------------------ functions
def exp_reducer(m, p):
    return lambda x: x.exp().sum(dim=1)


def two_outputs(m, p):
    return lambda x, y: (x.tanh() * y.sigmoid(), (x.exp() / y).sum(dim=0))


def softmax(m, p):
    return lambda x: x.softmax(dim=0)


def linear_layer(m, p):
    return lambda x, w: (x @ w).tanh()


def exp_and_square_sum(m, p):
    return lambda x: (x.exp(), x.pow(2).sum())


def ignores_y(m, p):
    return lambda x, y: x.exp()


def adder(m, p):
    return lambda x, y: 2 * x + 3 * y


def pow_reducer(m, p):
    return lambda x: x.pow(3).sum()


def coupled(m, p):
    return lambda x, y: (x.exp().sum() * y.tanh()).sum() + (x.log() / 2).sum()


def linear_sum(m, p):
    return lambda x: (2 * x).sum()


def square_sum(m, p):
    return lambda x: (x * x).sum()


def log_exp(m, p):
    return lambda x: x.log().pow(2).sum().exp()


def mlp(m, p):
    """A 3-4-2 MLP with tanh, its sigmoid outputs summed: a scalar function of x."""
    w1, b1, w2, b2 = p
    return lambda x: ((x @ w1 + b1).tanh() @ w2 + b2).sigmoid().sum()


def mlp_softmax(m, p):
    w1, b1, w2, b2 = p
    return lambda x: ((x @ w1 + b1).tanh() @ w2 + b2).softmax(dim=0).pow(2).sum()


MLP_PARAMS = [(3, 4), (4,), (4, 2), (2,)]


# ------------------------------------------------------------------ cases
class FCase:
    """``api``: "jacobian", "hessian", "vjp", "jvp", "hvp" or "vhp".  ``inputs``/``v``:
    lists of (shape, kind) with kind "any" (uniform ±1.5) or "positive" ([0.5, 2));
    ``single``: pass inputs (and v) as one Tensor rather than a tuple; ``v=None``: no v.
    ``input_grad``: whether the caller's inputs require grad."""

    def __init__(self, name, api, build, inputs, v=None, single=False, params=(), input_grad=True, **kwargs):
        self.name, self.api, self.build, self.inputs, self.v = name, api, build, inputs, v
        self.single, self.params, self.input_grad, self.kwargs = single, list(params), input_grad, kwargs
        if single and len(inputs) != 1:
            raise ValueError(f"{name}: single needs one input")

    def keys(self):
        return [f"{self.name}/{d}" for d in DTYPES]

    def make_arrays(self, dtype):
        """Inputs ``in<i>``, params ``p<i>``, vectors ``v<i>``; weights come later, once
        the result's shapes are known (``weights``)."""
        rng = np.random.default_rng(_seed(self.name, dtype))

        def draw(shape, kind):
            low, high = (0.5, 2.0) if kind == "positive" else (-1.5, 1.5)
            return np.asarray(rng.uniform(low, high, size=shape), dtype=dtype)
        arrays = {f"in{i}": draw(s, k) for i, (s, k) in enumerate(self.inputs)}
        arrays.update({f"p{i}": draw(s, "any") for i, s in enumerate(self.params)})
        if self.v is not None:
            arrays.update({f"v{i}": draw(s, k) for i, (s, k) in enumerate(self.v)})
        return arrays

    def __repr__(self):
        return f"FCase({self.name!r})"


X23, POS23 = ((2, 3), "any"), ((2, 3), "positive")
CG = (False, True)


def _both(name, api, build, inputs, v=None, **kw):
    """The case with create_graph False and True."""
    return [FCase(f"{name}_cg{int(cg)}", api, build, inputs, v, create_graph=cg, **kw) for cg in CG]


CASES = [
    *_both("jacobian_exp_reducer", "jacobian", exp_reducer, [X23], single=True),
    *_both("jacobian_two_in_two_out", "jacobian", two_outputs, [X23, POS23]),
    FCase("jacobian_softmax", "jacobian", softmax, [((4,), "any")], single=True),
    *_both("jacobian_tuple_in_single_out", "jacobian", linear_layer, [((3,), "any"), ((3, 2), "any")]),
    FCase("jacobian_single_in_tuple_out", "jacobian", exp_and_square_sum, [((3,), "any")], single=True),
    FCase("jacobian_tuple_of_one", "jacobian", exp_reducer, [X23]),
    FCase("jacobian_unused_input", "jacobian", ignores_y, [((3,), "any"), ((2,), "any")]),
    FCase("jacobian_linear", "jacobian", adder, [((2,), "any"), ((2,), "any")]),
    FCase("jacobian_strict_ok", "jacobian", two_outputs, [X23, POS23], strict=True),
    FCase("jacobian_no_input_grad_cg1", "jacobian", exp_reducer, [X23], single=True, input_grad=False,
          create_graph=True),
    *_both("hessian_pow_reducer", "hessian", pow_reducer, [((2, 2), "positive")], single=True),
    *_both("hessian_coupled", "hessian", coupled, [((2,), "positive"), ((3,), "any")]),
    FCase("hessian_linear", "hessian", linear_sum, [((3,), "any")], single=True),
    FCase("hessian_log_exp_0d", "hessian", log_exp, [((), "positive")], single=True),
    *_both("hessian_mlp", "hessian", mlp, [((3,), "any")], single=True, params=MLP_PARAMS),
    FCase("hessian_mlp_softmax", "hessian", mlp_softmax, [((3,), "any")], single=True, params=MLP_PARAMS),
    FCase("hessian_strict_ok", "hessian", coupled, [((2,), "positive"), ((3,), "any")], strict=True),
    *_both("vjp_exp_reducer", "vjp", exp_reducer, [X23], [((2,), "any")], single=True),
    *_both("vjp_two_in_two_out", "vjp", two_outputs, [X23, POS23], [X23, ((3,), "any")]),
    FCase("vjp_v_none", "vjp", pow_reducer, [((3,), "positive")], single=True),
    FCase("vjp_unused_input", "vjp", ignores_y, [((3,), "any"), ((2,), "any")], [((3,), "any")]),
    FCase("vjp_no_input_grad_cg1", "vjp", exp_reducer, [X23], [((2,), "any")], single=True,
          input_grad=False, create_graph=True),
    *_both("jvp_exp_reducer", "jvp", exp_reducer, [X23], [X23], single=True),
    *_both("jvp_two_in_two_out", "jvp", two_outputs, [X23, POS23], [X23, X23]),
    FCase("jvp_v_none_0d", "jvp", log_exp, [((), "positive")], single=True),
    FCase("jvp_linear", "jvp", adder, [((2,), "any"), ((2,), "any")], [((2,), "any"), ((2,), "any")]),
    FCase("jvp_unused_input", "jvp", ignores_y, [((3,), "any"), ((2,), "any")], [((3,), "any"), ((2,), "any")]),
    *_both("hvp_pow_reducer", "hvp", pow_reducer, [((2, 2), "positive")], [((2, 2), "any")], single=True),
    *_both("vhp_pow_reducer", "vhp", pow_reducer, [((2, 2), "positive")], [((2, 2), "any")], single=True),
    *_both("hvp_coupled", "hvp", coupled, [((2,), "positive"), ((3,), "any")], [((2,), "any"), ((3,), "any")]),
    *_both("vhp_coupled", "vhp", coupled, [((2,), "positive"), ((3,), "any")], [((2,), "any"), ((3,), "any")]),
    FCase("hvp_mlp", "hvp", mlp, [((3,), "any")], [((3,), "any")], single=True, params=MLP_PARAMS),
    FCase("vhp_mlp", "vhp", mlp, [((3,), "any")], [((3,), "any")], single=True, params=MLP_PARAMS),
    FCase("hvp_linear", "hvp", linear_sum, [((3,), "any")], [((3,), "any")], single=True),
    FCase("vhp_v_none_0d", "vhp", log_exp, [((), "positive")], single=True),
]


def _flatten(result):
    """-> (structure, leaves): "T" per Tensor, nested lists for tuples."""
    if isinstance(result, tuple):
        parts = [_flatten(r) for r in result]
        return [s for s, _ in parts], [leaf for _, ls in parts for leaf in ls]
    return "T", [result]


def weights(case, dtype, leaves):
    rng = np.random.default_rng(_seed(case.name, dtype, "weights"))
    return [np.asarray(rng.standard_normal(tuple(leaf.shape)), dtype=dtype) for leaf in leaves]


def run(m, F, case, arrays, dtype, w=None):
    """Run ``case`` with library ``m`` and functional module ``F`` on the stored arrays.
    ``w``: the backward weights (None: draw them, as the recorder does)."""
    inputs = [m.tensor(arrays[f"in{i}"], requires_grad=case.input_grad) for i in range(len(case.inputs))]
    params = [m.tensor(arrays[f"p{i}"]) for i in range(len(case.params))]
    v = None if case.v is None else tuple(m.tensor(arrays[f"v{i}"]) for i in range(len(case.v)))
    func = case.build(m, params)
    args = inputs[0] if case.single else tuple(inputs)
    if v is not None and case.single:
        v = v[0] if len(v) == 1 else v
    api = getattr(F, case.api)
    result = api(func, args, v, **case.kwargs) if case.api not in ("jacobian", "hessian") \
        else api(func, args, **case.kwargs)
    structure, leaves = _flatten(result)
    record = {"structure": structure, "leaves": [_numpy(t) for t in leaves],
              "requires_grad": [bool(t.requires_grad) for t in leaves],
              "dtypes": [str(t.dtype).split(".")[-1] for t in leaves], "w": None, "bgrad": None}
    if case.kwargs.get("create_graph"):
        w = weights(case, dtype, leaves) if w is None else w
        loss = None
        for leaf, wk in zip(leaves, w):
            if leaf.requires_grad:
                term = (leaf * m.tensor(wk)).sum()
                loss = term if loss is None else loss + term
        if loss is not None and loss.requires_grad:
            loss.backward()
        record["w"] = w
        record["bgrad"] = [None if t.grad is None else _numpy(t.grad) for t in inputs]
    return record


def _numpy(t):
    return np.array(t.detach().numpy(), copy=True)


# ------------------------------------------------------------------ errors
class Tensors:
    """The tensors error cases use, float64, made from fixed seeded arrays."""

    def __init__(self, m):
        rng = np.random.default_rng(_seed("functional-errors"))
        self.x = m.tensor(rng.uniform(-1, 1, (2, 3)), requires_grad=True)
        self.y = m.tensor(rng.uniform(0.5, 2, (2, 3)), requires_grad=True)
        self.a = m.tensor(rng.uniform(-1, 1, (2,)), requires_grad=True)
        self.b = m.tensor(rng.uniform(-1, 1, (2,)), requires_grad=True)
        self.s = m.tensor(rng.uniform(0.5, 2, (2, 2)), requires_grad=True)
        self.ones2 = m.tensor(np.ones(2))
        self.ones3 = m.tensor(np.ones(3))
        self.ones5 = m.tensor(np.ones(5))


def _exp_reducer(x):
    return x.exp().sum(dim=1)


def _adder(x, y):
    return 2 * x + 3 * y


# (name, fn(m, F, t)): code that must raise the same error type and message as torch
ERRORS = [
    ("jacobian_strict_unused", lambda m, F, t: F.jacobian(lambda x, y: x.exp(), (t.a, t.b), strict=True)),
    ("vjp_strict_unused", lambda m, F, t: F.vjp(lambda x, y: x.exp().sum(), (t.a, t.b), strict=True)),
    ("jvp_strict_unused", lambda m, F, t: F.jvp(lambda x, y: x.exp(), (t.a, t.b), (t.ones2, t.ones2),
                                                strict=True)),
    ("vhp_strict_unused", lambda m, F, t: F.vhp(lambda x, y: x.exp().sum(), (t.a, t.b), (t.ones2, t.ones2),
                                                strict=True)),
    ("strict_output_without_grad", lambda m, F, t: F.jacobian(lambda x: x.detach() * 2, t.a, strict=True)),
    ("jacobian_linear_strict_create_graph", lambda m, F, t: F.jacobian(lambda x: 2 * x, t.a, strict=True,
                                                                       create_graph=True)),
    ("hessian_linear_strict", lambda m, F, t: F.hessian(lambda x: (2 * x).sum(), t.a, strict=True)),
    ("vhp_linear_strict", lambda m, F, t: F.vhp(lambda x: (2 * x).sum(), t.a, t.ones2, strict=True)),
    ("vhp_quadratic_strict_create_graph", lambda m, F, t: F.vhp(lambda x: (x * x).sum(), t.a, t.ones2,
                                                                strict=True, create_graph=True)),
    ("v_wrong_size", lambda m, F, t: F.vjp(_exp_reducer, t.x, t.ones5)),
    ("v_wrong_size_in_tuple", lambda m, F, t: F.jvp(_adder, (t.a, t.b), (t.ones2, t.ones3))),
    ("v_wrong_length", lambda m, F, t: F.jvp(_adder, (t.a, t.b), (t.ones2,))),
    ("v_tuple_for_single", lambda m, F, t: F.vjp(_exp_reducer, t.x, (t.ones2, t.ones2))),
    ("v_none_nonscalar_output", lambda m, F, t: F.vjp(_exp_reducer, t.x)),
    ("v_none_nonscalar_input", lambda m, F, t: F.jvp(_exp_reducer, t.x)),
    ("v_none_hvp", lambda m, F, t: F.hvp(lambda x: x.sum(), t.a)),
    ("v_not_tensor", lambda m, F, t: F.vjp(_exp_reducer, t.x, [1.0, 2.0])),
    ("func_returns_float", lambda m, F, t: F.jacobian(lambda x: 3.0, t.x)),
    ("func_returns_list", lambda m, F, t: F.vjp(lambda x: [x.exp()], t.x, t.ones2)),
    ("func_returns_tuple_with_float", lambda m, F, t: F.jvp(lambda x: (x.exp(), 1.0), t.a, t.ones2)),
    ("inputs_list", lambda m, F, t: F.jacobian(_adder, [t.a, t.b])),
    ("inputs_tuple_with_float", lambda m, F, t: F.hessian(lambda x, y: (x * y).sum(), (t.a, 2.0))),
    ("hessian_nonscalar", lambda m, F, t: F.hessian(lambda x: x.exp(), t.a)),
    ("hessian_tuple_output", lambda m, F, t: F.hessian(lambda x: (x.sum(), x.sum()), t.a)),
    ("hvp_tuple_output", lambda m, F, t: F.hvp(lambda x: (x.sum(),), t.a, t.ones2)),
    ("vhp_nonscalar", lambda m, F, t: F.vhp(lambda x: x.exp(), t.a, t.ones2)),
    ("jacobian_bad_strategy", lambda m, F, t: F.jacobian(_exp_reducer, t.x, strategy="sideways")),
    ("hessian_bad_strategy", lambda m, F, t: F.hessian(lambda x: x.sum(), t.a, outer_jacobian_strategy="x")),
    ("jacobian_forward_create_graph", lambda m, F, t: F.jacobian(_exp_reducer, t.x, create_graph=True,
                                                                 strategy="forward-mode")),
    ("jacobian_forward_strict", lambda m, F, t: F.jacobian(_exp_reducer, t.x, strict=True,
                                                           strategy="forward-mode")),
    ("jacobian_forward_not_vectorized", lambda m, F, t: F.jacobian(_exp_reducer, t.x, strategy="forward-mode")),
    ("hessian_forward_not_vectorized", lambda m, F, t: F.hessian(lambda x: x.pow(3).sum(), t.a,
                                                                 outer_jacobian_strategy="forward-mode")),
    ("jacobian_vectorize_strict", lambda m, F, t: F.jacobian(_exp_reducer, t.x, strict=True, vectorize=True)),
]

# torch computes these; minigrad has no vmap / forward-mode AD and raises NotImplementedError
UNSUPPORTED = [
    ("jacobian_vectorize", lambda m, F, t: F.jacobian(_exp_reducer, t.x, vectorize=True)),
    ("jacobian_forward_vectorized", lambda m, F, t: F.jacobian(_exp_reducer, t.x, vectorize=True,
                                                               strategy="forward-mode")),
    ("hessian_vectorize", lambda m, F, t: F.hessian(lambda x: x.pow(3).sum(), t.a, vectorize=True)),
    ("hessian_forward_vectorized", lambda m, F, t: F.hessian(lambda x: x.pow(3).sum(), t.a, vectorize=True,
                                                             outer_jacobian_strategy="forward-mode")),
]


# ------------------------------------------------------------------ gradgradcheck
def _cube_functions(m):
    """x ** 3 as custom Functions: one whose backward is differentiable (correct second
    derivative 6x·g), one whose backward treats 3x² as a constant (second derivative 0)."""
    class Cube(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * 3 * x ** 2

    class CubeWrongSecond(Cube):
        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * (3 * x ** 2).detach()

    return Cube, CubeWrongSecond


def frozen_slope_cube(x):
    """x³ in value, 3x² in first derivative, but the slope is detached: the second
    derivative backward sees is 0 instead of 6x (no custom Function needed)."""
    x0 = x.detach()
    return x0 ** 3 + 3 * x0 ** 2 * (x - x0)


# (name, build(m) -> func, input specs ((shape, kind)...), second derivatives correct?)
GRADGRAD = [
    ("exp", lambda m: (lambda x: x.exp()), [((2, 3), "any")], True),
    ("tanh_times", lambda m: (lambda x, y: (x * y).tanh()), [((3,), "any"), ((2, 3), "any")], True),
    ("sigmoid_matmul", lambda m: (lambda x, w: (x @ w).sigmoid()), [((2, 3), "any"), ((3, 2), "any")], True),
    ("log_div_pow", lambda m: (lambda x, y: (x / y).log() * x.pow(2)), [((3,), "positive"), ((3,), "positive")],
     True),
    ("softmax", lambda m: (lambda x: x.softmax(dim=-1)), [((2, 3), "any")], True),
    ("two_outputs", lambda m: (lambda x: (x.exp().sum(), x.tanh())), [((3,), "any")], True),
    ("custom_cube", lambda m: _cube_functions(m)[0].apply, [((3,), "any")], True),
    ("custom_cube_wrong_second", lambda m: _cube_functions(m)[1].apply, [((3,), "any")], False),
    ("frozen_slope_cube", lambda m: frozen_slope_cube, [((3,), "any")], False),
]


def gradgrad_inputs(m, name, specs):
    rng = np.random.default_rng(_seed("gradgrad", name))
    return tuple(m.tensor(rng.uniform(*((0.5, 2.0) if kind == "positive" else (-1.5, 1.5)), size=shape),
                          requires_grad=True) for shape, kind in specs)
