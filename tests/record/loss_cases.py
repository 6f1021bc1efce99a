"""The softmax/loss cases, shared by the PyTorch recorder and minigrad's tests.

No torch and no minigrad here: a case names a function by its torch name and is run
against a namespace ``L`` with ``L.lib`` (torch or minigrad), ``L.nn`` and ``L.F``.
Inputs are numpy arrays; the recorder stores them in the npz, so the tests read the
exact arrays torch saw.

* ``Case``: run forward (and backward, for the arrays named in ``grad``) in float64 and
  float32 (floating arrays are cast; integer arrays are kept), record values and grads.
* ``ErrorCase``: arrays used exactly as given; record the exception type and message.
"""
import zlib

import numpy as np

INF, NAN = np.inf, np.nan
REDUCTIONS = ("mean", "sum", "none")


class LibAttr(str):
    """An option value looked up in the library at call time (``LibAttr('float64')``)."""


class Call:
    """``L.F.softmax(t['input'], dim=1)``, ``L.nn.NLLLoss(weight=t['weight'])(t['input'], t['target'])``, ...

    where = 'F' (functional), 'nn' (module built with the options, then called),
    'lib' (``minigrad.softmax`` / ``torch.softmax``) or 'method' (``t[args[0]].name(...)``).
    ``tensors`` names arrays passed as keyword tensors (weight, pos_weight).
    """

    def __init__(self, where, name, args=("input", "target"), tensors=(), **options):
        self.where, self.name, self.args, self.tensors, self.options = where, name, args, tensors, options

    def __call__(self, L, t):
        options = {k: getattr(L.lib, v) if isinstance(v, LibAttr) else v for k, v in self.options.items()}
        options.update({k: t[k] for k in self.tensors})
        args = [t[a] for a in self.args]
        if self.where == "F":
            return getattr(L.F, self.name)(*args, **options)
        if self.where == "nn":
            return getattr(L.nn, self.name)(**options)(*args)
        if self.where == "lib":
            return getattr(L.lib, self.name)(*args, **options)
        return getattr(args[0], self.name)(*args[1:], **options)

    def __repr__(self):
        opts = [f"{k}={v!r}" for k, v in self.options.items()] + [f"{k}=<{k}>" for k in self.tensors]
        return f"{self.where}.{self.name}({', '.join(list(self.args) + opts)})"


class Case:
    def __init__(self, name, call, arrays, grad=("input",), dtypes=("float64", "float32")):
        self.name, self.call, self.grad, self.dtypes = name, call, grad, dtypes
        self.arrays = {k: np.asarray(v) for k, v in arrays.items()}

    def arrays_for(self, dtype):
        if dtype == "given":
            return {k: v.copy() for k, v in self.arrays.items()}
        return {k: (v.astype(dtype) if v.dtype.kind == "f" else v.copy()) for k, v in self.arrays.items()}


class ErrorCase:
    def __init__(self, name, call, arrays, grad=()):
        self.name, self.call, self.grad = name, call, grad
        self.arrays = {k: np.asarray(v) for k, v in arrays.items()}


def rng_for(name):
    return np.random.default_rng(zlib.crc32(name.encode()))


def f64(x):
    return np.asarray(x, dtype=np.float64)


def i64(x):
    return np.asarray(x, dtype=np.int64)


def _softmax(z, axis):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _target_shape(shape):
    return () if len(shape) == 1 else (shape[0],) + shape[2:]


# ----------------------------------------------------------------------------- cross-entropy
CE_OPTIONS = {
    "plain": {},
    "weight": {"weight": True},
    "ignore1": {"ignore_index": 1},
    "smooth": {"label_smoothing": 0.15},
    "ignore1_smooth": {"ignore_index": 1, "label_smoothing": 0.15},
    "weight_smooth_ignore1": {"weight": True, "ignore_index": 1, "label_smoothing": 0.15},
}
CE_SHAPES = [(2, 3), (2, 3, 5), (2, 3, 5, 5), (2, 3, 5, 5, 2, 2), (3,)]
PROB_OPTIONS = {"plain": {}, "weight": {"weight": True}, "smooth": {"label_smoothing": 0.15},
                "weight_smooth": {"weight": True, "label_smoothing": 0.15}}
PROB_SHAPES = [(5, 3), (5, 3, 4), (5, 3, 4, 2), (3,)]


def _shape_name(shape):
    return "x".join(map(str, shape)) or "scalar"


def _option_call(fn, options, reduction, **extra):
    opts = {k: v for k, v in options.items() if k != "weight"}
    tensors = ("weight",) if options.get("weight") else ()
    return Call("F", fn, tensors=tensors, reduction=reduction, **opts, **extra)


def cross_entropy_cases():
    cases = []
    for shape in CE_SHAPES:
        C = shape[0] if len(shape) == 1 else shape[1]
        for oname, options in CE_OPTIONS.items():
            for r in REDUCTIONS:
                name = f"ce_{_shape_name(shape)}_{oname}_{r}"
                rng = rng_for(name)
                arrays = {"input": rng.normal(0, 2, shape),
                          "target": i64(rng.integers(0, C, _target_shape(shape)))}
                if "ignore_index" in options and arrays["target"].size > 1:
                    arrays["target"].flat[0], arrays["target"].flat[-1] = 1, 0
                if options.get("weight"):
                    arrays["weight"] = rng.uniform(0.2, 2.0, C)
                cases.append(Case(name, _option_call("cross_entropy", options, r), arrays))
    for shape in PROB_SHAPES:
        C = shape[0] if len(shape) == 1 else shape[1]
        for oname, options in PROB_OPTIONS.items():
            for r in REDUCTIONS:
                name = f"ceprob_{_shape_name(shape)}_{oname}_{r}"
                rng = rng_for(name)
                arrays = {"input": rng.normal(0, 2, shape),
                          "target": _softmax(rng.normal(0, 2, shape), 0 if len(shape) == 1 else 1)}
                if options.get("weight"):
                    arrays["weight"] = rng.uniform(0.2, 2.0, C)
                cases.append(Case(name, _option_call("cross_entropy", options, r), arrays,
                                  grad=("input", "target")))
    rng = rng_for("ce_more")
    x, t = rng.normal(0, 2, (4, 5)), i64([0, 4, 2, 4])
    w = rng.uniform(0.2, 2, 5)
    more = [
        ("ce_negative_smoothing", Call("F", "cross_entropy", label_smoothing=-0.5), {}),
        ("ce_smoothing_1", Call("F", "cross_entropy", label_smoothing=1.0), {}),
        ("ce_ignore_neg1", Call("F", "cross_entropy", ignore_index=-1), {"target": i64([0, -1, 2, -1])}),
        ("ce_ignore_4_weight_mean", Call("F", "cross_entropy", ignore_index=4, tensors=("weight",)),
         {"weight": w}),
        ("ce_uint8_target", Call("F", "cross_entropy"), {"target": np.array([0, 4, 2, 1], np.uint8)}),
        ("ceprob_ignore_neg1", Call("F", "cross_entropy", ignore_index=-1),
         {"target": _softmax(rng.normal(size=(4, 5)), 1)}),
        ("ceprob_unnormalised", Call("F", "cross_entropy", reduction="sum"),
         {"target": rng.uniform(-1, 2, (4, 5))}),
        ("ce_1d_target1_none", Call("F", "cross_entropy", reduction="none"),
         {"input": x[0], "target": i64([3])}),
        ("ce_module_all", Call("nn", "CrossEntropyLoss", tensors=("weight",), ignore_index=4,
                               label_smoothing=0.2, reduction="sum"), {"weight": w}),
        ("ce_module_plain", Call("nn", "CrossEntropyLoss"), {}),
        ("ce_module_prob_none", Call("nn", "CrossEntropyLoss", reduction="none", label_smoothing=0.1),
         {"target": _softmax(rng.normal(size=(4, 5)), 1)}),
        ("ce_legacy_size_average_false", Call("F", "cross_entropy", size_average=False), {}),
        ("ce_legacy_reduce_false", Call("nn", "CrossEntropyLoss", reduce=False), {}),
    ]
    for name, call, arrays in more:
        full = {"input": x, "target": t, **arrays}
        grad = ("input", "target") if full["target"].dtype.kind == "f" else ("input",)
        cases.append(Case(name, call, full, grad=grad))
    return cases


# ----------------------------------------------------------------------------- NLL
NLL_SHAPES = [(15, 4), (2, 4, 5, 5), (2, 4, 5)]
NLL_OPTIONS = {"plain": {}, "weight": {"weight": "positive"}, "weight_mixed": {"weight": "mixed"},
               "ignore2": {"ignore_index": 2}, "ignore_neg1": {"ignore_index": -1},
               "weight_ignore2": {"weight": "positive", "ignore_index": 2}}


def nll_cases():
    cases = []
    for shape in NLL_SHAPES:
        C = shape[1]
        for oname, options in NLL_OPTIONS.items():
            for r in REDUCTIONS:
                name = f"nll_{_shape_name(shape)}_{oname}_{r}"
                rng = rng_for(name)
                x = np.log(_softmax(rng.normal(0, 2, shape), 1))
                t = i64(rng.integers(0, C, _target_shape(shape)))
                if "ignore_index" in options:
                    t.flat[::3] = options["ignore_index"]
                arrays = {"input": x, "target": t}
                opts = dict(options)
                if opts.pop("weight", None):
                    lo = -1.0 if options["weight"] == "mixed" else 0.1
                    arrays["weight"] = rng.uniform(lo, 2.0, C)
                    opts["weight"] = True
                cases.append(Case(name, _option_call("nll_loss", opts, r), arrays))
        for r in REDUCTIONS:
            name = f"nll_{_shape_name(shape)}_all_ignored_{r}"
            rng = rng_for(name)
            arrays = {"input": rng.normal(size=shape), "target": np.full(_target_shape(shape), 3, np.int64)}
            cases.append(Case(name, Call("F", "nll_loss", ignore_index=3, reduction=r), arrays))
    rng = rng_for("nll_more")
    cases += [
        Case("nll_1d_scalar_target", Call("F", "nll_loss"), {"input": rng.normal(size=4), "target": i64(2)}),
        Case("nll_1d_target1_none", Call("F", "nll_loss", reduction="none"),
             {"input": rng.normal(size=4), "target": i64([1])}),
        Case("nll_module_weight_none", Call("nn", "NLLLoss", tensors=("weight",), reduction="none"),
             {"input": rng.normal(size=(3, 4)), "target": i64([0, 3, 1]), "weight": rng.uniform(0, 2, 4)}),
        Case("nll_module_plain", Call("nn", "NLLLoss", ignore_index=0),
             {"input": rng.normal(size=(3, 4, 2)), "target": i64([[0, 3], [1, 0], [2, 2]])}),
    ]
    return cases


# ----------------------------------------------------------------------------- BCE, BCE with logits
BCE_SHAPES = [(), (1,), (5,), (5, 5), (5, 5, 5)]


def bce_cases():
    cases = []
    for shape in BCE_SHAPES:
        for r in REDUCTIONS:
            for weighted in (False, True):
                name = f"bce_{_shape_name(shape)}_{'weight' if weighted else 'plain'}_{r}"
                rng = rng_for(name)
                arrays = {"input": rng.uniform(0.02, 0.98, shape), "target": rng.uniform(0, 1, shape)}
                if weighted:
                    arrays["weight"] = rng.uniform(0.1, 2, shape)
                call = Call("F", "binary_cross_entropy", tensors=("weight",) if weighted else (), reduction=r)
                cases.append(Case(name, call, arrays, grad=("input", "target")))
            for variant in ("plain", "weight", "pos_weight", "both"):
                name = f"bcel_{_shape_name(shape)}_{variant}_{r}"
                rng = rng_for(name)
                arrays = {"input": rng.normal(0, 3, shape), "target": rng.uniform(0, 1, shape)}
                tensors = ()
                if variant in ("weight", "both"):
                    arrays["weight"] = rng.uniform(0.1, 2, shape)
                    tensors += ("weight",)
                if variant in ("pos_weight", "both"):
                    arrays["pos_weight"] = rng.uniform(0.1, 4, shape[-1:])
                    tensors += ("pos_weight",)
                call = Call("F", "binary_cross_entropy_with_logits", tensors=tensors, reduction=r)
                cases.append(Case(name, call, arrays, grad=("input", "target")))
    for r in REDUCTIONS:
        name = f"bce_broadcast_weight_{r}"
        rng = rng_for(name)
        arrays = {"input": rng.uniform(0.02, 0.98, (15, 10)), "target": rng.uniform(0, 1, (15, 10)),
                  "weight": rng.uniform(0.1, 2, 10)}
        cases.append(Case(name, Call("F", "binary_cross_entropy", tensors=("weight",), reduction=r), arrays,
                          grad=("input", "target")))
        name = f"bcel_broadcast_weights_{r}"
        rng = rng_for(name)
        arrays = {"input": rng.normal(0, 3, (15, 10)), "target": rng.uniform(0, 1, (15, 10)),
                  "weight": rng.uniform(0.1, 2, 10), "pos_weight": rng.uniform(0.1, 4, 10)}
        cases.append(Case(name, Call("F", "binary_cross_entropy_with_logits", tensors=("weight", "pos_weight"),
                                     reduction=r), arrays, grad=("input", "target")))
    rng = rng_for("bce_more")
    p, y = rng.uniform(0.05, 0.95, (4, 3)), (rng.uniform(size=(4, 3)) > 0.5).astype(np.float64)
    cases += [
        Case("bce_module_weight", Call("nn", "BCELoss", tensors=("weight",), reduction="sum"),
             {"input": p, "target": y, "weight": rng.uniform(0.1, 2, (1, 3))}, grad=("input", "target")),
        Case("bcel_module_all", Call("nn", "BCEWithLogitsLoss", tensors=("weight", "pos_weight")),
             {"input": rng.normal(0, 3, (4, 3)), "target": y, "weight": rng.uniform(0.1, 2, (4, 1)),
              "pos_weight": rng.uniform(0.5, 3, 3)}, grad=("input", "target")),
        Case("bcel_stability_0_m120", Call("F", "binary_cross_entropy_with_logits", reduction="none"),
             {"input": f64([0.0, -120.0]), "target": f64([0.0, 1.0])}, grad=("input", "target")),
        Case("bcel_stability_0_m120_pos_weight", Call("F", "binary_cross_entropy_with_logits",
                                                      tensors=("pos_weight",), reduction="sum"),
             {"input": f64([0.0, -120.0]), "target": f64([0.0, 1.0]), "pos_weight": f64([2.5])},
             grad=("input", "target")),
        Case("bcel_1e4", Call("F", "binary_cross_entropy_with_logits", reduction="none"),
             {"input": f64([-1e4, 1e4, -1e4, 1e4]), "target": f64([1.0, 0.0, 0.0, 1.0])},
             grad=("input", "target")),
        Case("bcel_1e4_pos_weight", Call("F", "binary_cross_entropy_with_logits", tensors=("pos_weight",),
                                         reduction="none"),
             {"input": f64([-1e4, 1e4, -1e4, 1e4]), "target": f64([1.0, 0.0, 0.0, 0.3]),
              "pos_weight": f64([3.0])}, grad=("input", "target")),
    ]
    return cases


# ----------------------------------------------------------------------------- KLDiv, MSE
def kl_mse_cases():
    cases = []
    for shape in ((10, 10), ()):
        for r in ("mean", "sum", "batchmean", "none"):
            for log_target in (False, True):
                name = f"kl_{_shape_name(shape)}_{r}_{'logt' if log_target else 'prob'}"
                rng = rng_for(name)
                axis = 1 if shape else None
                x = np.log(_softmax(rng.normal(size=shape), axis)) if shape else f64(rng.normal())
                t = _softmax(rng.normal(size=shape), axis) if shape else f64(rng.uniform())
                arrays = {"input": x, "target": np.log(t) if log_target else t}
                cases.append(Case(name, Call("F", "kl_div", reduction=r, log_target=log_target), arrays,
                                  grad=("input", "target")))
    for shape in ((), (5,), (4, 5), (2, 3, 4)):
        for r in REDUCTIONS:
            name = f"mse_{_shape_name(shape)}_{r}"
            rng = rng_for(name)
            arrays = {"input": rng.normal(size=shape), "target": rng.normal(size=shape)}
            cases.append(Case(name, Call("F", "mse_loss", reduction=r), arrays, grad=("input", "target")))
    for r in REDUCTIONS:
        name = f"mse_weight_{r}"
        rng = rng_for(name)
        arrays = {"input": rng.normal(size=(3, 4)), "target": rng.normal(size=(3, 4)),
                  "weight": rng.uniform(0.1, 2, (3, 4))}
        cases.append(Case(name, Call("F", "mse_loss", tensors=("weight",), reduction=r), arrays,
                          grad=("input", "target")))
    rng = rng_for("kl_mse_more")
    cases += [
        Case("kl_zero_target", Call("F", "kl_div", reduction="sum"),
             {"input": rng.normal(size=4), "target": f64([0.0, 0.5, 0.0, 0.5])}, grad=("input", "target")),
        Case("kl_module", Call("nn", "KLDivLoss", reduction="batchmean", log_target=True),
             {"input": rng.normal(size=(3, 4)), "target": rng.normal(size=(3, 4))}, grad=("input", "target")),
        Case("kl_module_default", Call("nn", "KLDivLoss"),
             {"input": rng.normal(size=(3, 4)), "target": rng.uniform(size=(3, 4))}, grad=("input", "target")),
        Case("mse_module", Call("nn", "MSELoss", reduction="sum"),
             {"input": rng.normal(size=(3, 4)), "target": rng.normal(size=(3, 4))}, grad=("input", "target")),
        Case("mse_broadcast", Call("F", "mse_loss"),
             {"input": rng.normal(size=(5, 1)), "target": rng.normal(size=5)}, grad=("input", "target")),
        Case("mse_legacy_reduce_false", Call("F", "mse_loss", reduce=False),
             {"input": rng.normal(size=3), "target": rng.normal(size=3)}, grad=("input", "target")),
    ]
    return cases


# ----------------------------------------------------------------------------- softmax family
def softmax_cases():
    cases = []
    specs = [((10, 20), 1), ((1, 3, 10, 20), 0), ((1, 3, 10, 20), 1), ((1, 3, 10, 20), -1), ((), 0), ((), -1),
             ((5, 0, 0), 0), ((5, 0, 0), 2), ((2, 3, 4), None), ((3, 4), None), ((5,), None), ((2, 3, 4, 2), None)]
    for fn in ("softmax", "log_softmax"):
        for shape, dim in specs:
            name = f"{fn}_{_shape_name(shape)}_dim{dim}"
            x = rng_for(name).normal(0, 2, shape)
            call = Call("F", fn, args=("input",)) if dim is None else Call("F", fn, args=("input",), dim=dim)
            cases.append(Case(name, call, {"input": x}))
        x = rng_for(fn + "_more").normal(0, 2, (3, 4))
        module = "Softmax" if fn == "softmax" else "LogSoftmax"
        cases += [
            Case(f"{fn}_dtype_float64", Call("F", fn, args=("input",), dim=1, dtype=LibAttr("float64")),
                 {"input": x}),
            Case(f"{fn}_method", Call("method", fn, args=("input",), dim=0), {"input": x}),
            Case(f"{fn}_lib", Call("lib", fn, args=("input",), dim=-1), {"input": x}),
            Case(f"{fn}_module", Call("nn", module, args=("input",), dim=1), {"input": x}),
            Case(f"{fn}_module_nodim", Call("nn", module, args=("input",)), {"input": x}),
        ]
    return cases


# ----------------------------------------------------------------------------- extremes
def extreme_cases():
    ce = lambda **o: Call("F", "cross_entropy", **o)  # noqa: E731
    x3 = f64([[0.5, 1.0, -1.0], [2.0, 0.1, 0.3]])
    cases = []
    table = [
        ("ext_ce_1e4_target0", ce(), f64([[1e4, 0.0, -1e4]]), i64([0])),
        ("ext_ce_1e4_target2", ce(), f64([[1e4, 0.0, -1e4]]), i64([2])),
        ("ext_ce_1e4_smooth", ce(label_smoothing=0.1), f64([[1e4, 0.0, -1e4]]), i64([0])),
        ("ext_ce_neginf_nontarget", ce(), f64([[0.0, -INF, 1.0], [2.0, 1.0, -INF]]), i64([0, 1])),
        ("ext_ce_neginf_nontarget_smooth", ce(label_smoothing=0.1), f64([[0.0, -INF, 1.0], [2.0, 1.0, -INF]]),
         i64([0, 1])),
        ("ext_ce_neginf_target", ce(reduction="none"), f64([[0.0, -INF, 1.0], [2.0, 1.0, -INF]]), i64([1, 2])),
        ("ext_ce_all_neginf_row", ce(reduction="none"), f64([[-INF, -INF, -INF], [1.0, 2.0, 3.0]]), i64([0, 1])),
        ("ext_ce_posinf", ce(reduction="none"), f64([[INF, 0.0, 1.0], [1.0, 2.0, 3.0]]), i64([0, 1])),
        ("ext_ce_nan", ce(reduction="none"), f64([[NAN, 0.0, 1.0], [1.0, 2.0, 3.0]]), i64([0, 1])),
        ("ext_ce_nan_ignored_row", ce(), f64([[NAN, 0.0, 1.0], [1.0, 2.0, 3.0]]), i64([-100, 1])),
        ("ext_ce_nan_ignored_row_smooth", ce(label_smoothing=0.2), f64([[NAN, 0.0, 1.0], [1.0, 2.0, 3.0]]),
         i64([-100, 1])),
        ("ext_ce_zero_total_weight", Call("F", "cross_entropy", tensors=("weight",)), x3, i64([0, 0])),
        ("ext_ce_zero_total_weight_sum", Call("F", "cross_entropy", tensors=("weight",), reduction="sum"), x3,
         i64([0, 0])),
        ("ext_ce_cancelling_weights", Call("F", "cross_entropy", tensors=("weight",)), x3, i64([1, 2])),
        ("ext_ce_zero_total_weight_smooth", Call("F", "cross_entropy", tensors=("weight",), label_smoothing=0.1),
         x3, i64([0, 0])),
        ("ext_ceprob_neginf", ce(), f64([[0.0, -INF, 1.0], [2.0, 1.0, 0.0]]), f64([[0.5, 0.0, 0.5], [0.2, 0.3, 0.5]])),
        ("ext_ceprob_neginf_smooth", ce(label_smoothing=0.1), f64([[0.0, -INF, 1.0], [2.0, 1.0, 0.0]]),
         f64([[0.5, 0.0, 0.5], [0.2, 0.3, 0.5]])),
    ]
    for r in REDUCTIONS:
        table += [
            (f"ext_ce_all_ignored_{r}", ce(reduction=r), x3, i64([-100, -100])),
            (f"ext_ce_all_ignored_smooth_{r}", ce(reduction=r, label_smoothing=0.1), x3, i64([-100, -100])),
            (f"ext_ce_all_ignored_3d_{r}", ce(reduction=r, ignore_index=0), x3.reshape(1, 3, 2), i64([[0, 0]])),
            (f"ext_ce_scalar_target_ignored_{r}", ce(reduction=r, ignore_index=2), x3[0], i64(2)),
            (f"ext_ce_empty_{r}", ce(reduction=r), np.zeros((0, 3)), np.zeros(0, np.int64)),
            (f"ext_ce_empty_smooth_{r}", ce(reduction=r, label_smoothing=0.1), np.zeros((0, 3)),
             np.zeros(0, np.int64)),
            (f"ext_ce_empty_3d_{r}", ce(reduction=r), np.zeros((0, 3, 4)), np.zeros((0, 4), np.int64)),
            (f"ext_ce_empty_spatial_{r}", ce(reduction=r), np.zeros((2, 3, 0)), np.zeros((2, 0), np.int64)),
            (f"ext_ceprob_empty_{r}", ce(reduction=r), np.zeros((0, 3)), np.zeros((0, 3))),
            (f"ext_nll_empty_{r}", Call("F", "nll_loss", reduction=r), np.zeros((0, 3)), np.zeros(0, np.int64)),
        ]
    for name, call, x, t in table:
        arrays = {"input": x, "target": t}
        if "tensors" in repr(call) or "weight" in repr(call):
            arrays["weight"] = f64([0.0, 1.0, -1.0]) if "cancelling" in name else f64([0.0, 1.0, 2.0])
        cases.append(Case(name, call, arrays, grad=("input", "target") if t.dtype.kind == "f" else ("input",)))
    sm = lambda fn: Call("F", fn, args=("input",), dim=-1)  # noqa: E731
    for fn in ("softmax", "log_softmax"):
        cases += [
            Case(f"ext_{fn}_all_neginf_row", sm(fn), {"input": f64([[-INF, -INF, -INF], [1.0, 2.0, 3.0]])}),
            Case(f"ext_{fn}_shift", sm(fn), {"input": f64([1000.0, 1001.0, 1002.0])}),
            Case(f"ext_{fn}_neginf", sm(fn), {"input": f64([-INF, 0.0, 1.0])}),
            Case(f"ext_{fn}_posinf", sm(fn), {"input": f64([INF, 0.0, 1.0])}),
            Case(f"ext_{fn}_big", sm(fn), {"input": f64([1e4, 0.0, -1e4])}),
        ]
    bce = Call("F", "binary_cross_entropy", reduction="none")
    bcel = Call("F", "binary_cross_entropy_with_logits", reduction="none")
    cases += [
        Case("ext_bce_clamp", bce, {"input": f64([0.0, 1.0, 0.0, 1.0, 0.5]), "target": f64([1.0, 0.0, 0.0, 1.0, 0.5])},
             grad=("input", "target")),
        Case("ext_bce_clamp_mean", Call("F", "binary_cross_entropy"),
             {"input": f64([0.0, 1.0, 1e-50]), "target": f64([1.0, 0.0, 1.0])}, grad=("input",)),
        Case("ext_bce_empty", Call("F", "binary_cross_entropy"), {"input": np.zeros(0), "target": np.zeros(0)},
             grad=("input", "target")),
        Case("ext_bcel_extreme", bcel, {"input": f64([-1e4, 1e4, INF, -INF, 0.0]),
                                        "target": f64([1.0, 0.0, 1.0, 0.0, 0.5])}, grad=("input", "target")),
        Case("ext_bcel_empty", Call("F", "binary_cross_entropy_with_logits"),
             {"input": np.zeros(0), "target": np.zeros(0)}, grad=("input", "target")),
        Case("ext_kl_negative_target", Call("F", "kl_div", reduction="none"),
             {"input": f64([0.1, -0.2, 0.3]), "target": f64([-0.5, 0.0, 1.0])}, grad=("input", "target")),
        Case("ext_kl_empty_batchmean", Call("F", "kl_div", reduction="batchmean"),
             {"input": np.zeros((0, 3)), "target": np.zeros((0, 3))}, grad=("input", "target")),
        Case("ext_mse_empty_mean", Call("F", "mse_loss"), {"input": np.zeros(0), "target": np.zeros(0)},
             grad=("input", "target")),
    ]
    return cases


# ----------------------------------------------------------------------------- worked examples (seed articles)
def example_cases():
    """Every numeric example of /work/shared/seeds, as torch computes it (the articles' numbers
    are often wrong: probabilities fed where logits belong, or mis-copied outputs)."""
    ce, nll = Call("F", "cross_entropy"), Call("F", "nll_loss")
    log_probs = lambda p: np.log(f64(p))  # noqa: E731
    bcel_logits, bcel_labels = f64([[2.0], [0.5], [-1.0]]), f64([[1.0], [1.0], [0.0]])
    two_logits, two_labels = f64([[3.0, 1.0, 0.2], [0.5, 2.0, 0.3]]), i64([0, 1])
    table = [
        # 000: BCEWithLogits (article: ~0.412) and CrossEntropy (article: ~0.326)
        ("ex_bcel_mean", Call("F", "binary_cross_entropy_with_logits"), bcel_logits, bcel_labels),
        ("ex_bcel_none", Call("F", "binary_cross_entropy_with_logits", reduction="none"), bcel_logits, bcel_labels),
        ("ex_bcel_pos_weight3", Call("F", "binary_cross_entropy_with_logits", tensors=("pos_weight",)),
         bcel_logits, bcel_labels),
        ("ex_ce_two_rows", ce, two_logits, two_labels),
        ("ex_ce_two_rows_none", Call("F", "cross_entropy", reduction="none"), two_logits, two_labels),
        ("ex_ce_two_rows_weight", Call("F", "cross_entropy", tensors=("weight",)), two_logits, two_labels),
        ("ex_ce_two_rows_smooth", Call("F", "cross_entropy", label_smoothing=0.1), two_logits, two_labels),
        ("ex_ce_two_rows_smooth_weight", Call("F", "cross_entropy", tensors=("weight",), label_smoothing=0.1),
         two_logits, two_labels),
        ("ex_ce_two_rows_ignored_none", Call("F", "cross_entropy", reduction="none", label_smoothing=0.1),
         two_logits, i64([0, -100])),
        ("ex_ce_two_rows_ignored_mean", Call("F", "cross_entropy", label_smoothing=0.1), two_logits, i64([0, -100])),
        ("ex_ce_two_rows_prob", ce, two_logits, f64([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]])),
        # 000/003: binary cross-entropy on probabilities (0.105, 2.303; 0.357, 1.055 in 003)
        ("ex_bce_p09_y1", Call("F", "binary_cross_entropy"), f64([0.9]), f64([1.0])),
        ("ex_bce_p01_y1", Call("F", "binary_cross_entropy"), f64([0.1]), f64([1.0])),
        ("ex_bce_p07_y1", Call("F", "binary_cross_entropy"), f64([0.7]), f64([1.0])),
        ("ex_bce_p07_y0", Call("F", "binary_cross_entropy"), f64([0.7]), f64([0.0])),
        # 000/002/003: one-hot cross-entropy of probabilities: -log p as nll_loss of log p, and
        # what cross_entropy gives when the probabilities are (wrongly) passed as logits
        ("ex_nll_logp_08", nll, log_probs([[0.8, 0.1, 0.1]]), i64([0])),
        ("ex_nll_logp_01", nll, log_probs([[0.1, 0.8, 0.1]]), i64([0])),
        ("ex_nll_logp_07", nll, log_probs([[0.7, 0.2, 0.1]]), i64([0])),
        ("ex_nll_logp_06", nll, log_probs([[0.6, 0.3, 0.1]]), i64([0])),
        ("ex_ce_probs_as_logits_08", ce, f64([[0.8, 0.1, 0.1]]), i64([0])),
        ("ex_ce_probs_as_logits_01", ce, f64([[0.1, 0.8, 0.1]]), i64([0])),
        ("ex_ce_probs_as_logits_07", ce, f64([[0.7, 0.2, 0.1]]), i64([0])),
        ("ex_ce_probs_as_logits_06", ce, f64([[0.6, 0.3, 0.1]]), i64([0])),
        ("ex_ce_onehot_prob_target", ce, f64([[0.7, 0.2, 0.1]]), f64([[1.0, 0.0, 0.0]])),
        # 001: printed 3x3 logits, targets [1, 2, 0] (article: 0.3458)
        ("ex_ce_article001", ce, f64([[0.3321, 0.5043, -1.1833], [-2.1702, -1.8563, 1.0706],
                                      [1.7341, 0.2554, -1.3358]]), i64([1, 2, 0])),
        ("ex_nll_article001", nll, f64([[-0.8787, -0.7064, -2.3940], [-3.3295, -3.0155, -0.0886],
                                        [-0.2424, -1.7212, -3.3123]]), i64([1, 2, 0])),
        # 003: printed model outputs (article: 0.5668537 and 0.8539705)
        ("ex_bcel_article003", Call("F", "binary_cross_entropy_with_logits"),
         f64([[-0.0156], [-1.2056], [0.2619], [1.0713]]), f64([[1.0], [0.0], [1.0], [0.0]])),
        ("ex_ce_article003", ce, f64([[-0.0746, -0.7590, 0.0181], [0.4375, -0.5059, -0.0632],
                                      [-0.3629, 0.2648, -0.1849]]), i64([2, 0, 1])),
        # 004: logits [[0.3, 0.3, 0.4]] (article: 0.9163 = -log 0.4)
        ("ex_ce_article004_label1", ce, f64([[0.3, 0.3, 0.4]]), i64([1])),
        ("ex_ce_article004_label2", ce, f64([[0.3, 0.3, 0.4]]), i64([2])),
        ("ex_ce_article004_module", Call("nn", "CrossEntropyLoss"), f64([[0.3, 0.3, 0.4]]), i64([1])),
    ]
    cases = []
    for name, call, x, t in table:
        arrays = {"input": x, "target": t}
        if "pos_weight" in repr(call):
            arrays["pos_weight"] = f64([3.0])
        elif "weight" in repr(call):
            arrays["weight"] = f64([1.0, 2.0, 3.0])
        cases.append(Case(name, call, arrays, grad=("input", "target") if t.dtype.kind == "f" else ("input",)))
    return cases


# ----------------------------------------------------------------------------- bad input
def error_cases():
    """Bad input: torch's exception type and message are recorded for each."""
    f32 = lambda a: np.asarray(a, np.float32)  # noqa: E731
    ones = lambda *shape: np.ones(shape, np.float32)  # noqa: E731
    rng = rng_for("errors")
    x2, x3, x4 = f32(rng.normal(size=(2, 3))), f32(rng.normal(size=(2, 3, 5))), f32(rng.normal(size=(2, 3, 5, 5)))
    x6, x1 = f32(rng.normal(size=(2, 3, 5, 5, 2, 2))), f32(rng.normal(size=3))
    t2, t3, t4 = i64([0, 2]), i64(rng.integers(0, 3, (2, 5))), i64(rng.integers(0, 3, (2, 5, 5)))
    t6 = i64(rng.integers(0, 3, (2, 5, 5, 2, 2)))

    def bad(t, value, at=-1):
        t = t.copy()
        t.flat[at] = value
        return t

    ce = lambda **o: Call("F", "cross_entropy", **o)  # noqa: E731
    nll = lambda **o: Call("F", "nll_loss", **o)  # noqa: E731
    ce_w = lambda **o: Call("F", "cross_entropy", tensors=("weight",), **o)  # noqa: E731
    table = []
    for rank, (x, t) in {"2d": (x2, t2), "3d": (x3, t3), "4d": (x4, t4), "6d": (x6, t6), "1d": (x1, i64(1))}.items():
        for r in REDUCTIONS:
            table += [
                (f"err_ce_{rank}_target_C_{r}", ce(reduction=r), {"input": x, "target": bad(t, 3)}),
                (f"err_ce_{rank}_target_neg1_{r}", ce(reduction=r), {"input": x, "target": bad(t, -1)}),
                (f"err_ce_{rank}_target_big_smooth_{r}", ce(reduction=r, label_smoothing=0.1),
                 {"input": x, "target": bad(t, 5)}),
                (f"err_nll_{rank}_target_C_{r}", nll(reduction=r), {"input": x, "target": bad(t, 3)}),
            ]
        table += [
            (f"err_ce_{rank}_target_neg100_ignore1", ce(ignore_index=1), {"input": x, "target": bad(t, -100)}),
            (f"err_ce_{rank}_target_C_weight", ce_w(), {"input": x, "target": bad(t, 3), "weight": f32([1, 2, 3])}),
            (f"err_ce_{rank}_float_target", ce(), {"input": x, "target": t.astype(np.float32)}),
            (f"err_ce_{rank}_int32_target", ce(), {"input": x, "target": t.astype(np.int32)}),
            (f"err_ce_{rank}_long_input", ce(), {"input": x.astype(np.int64), "target": t}),
            (f"err_ce_{rank}_long_input_bad_target", ce(), {"input": x.astype(np.int64), "target": bad(t, 7)}),
            (f"err_ce_{rank}_weight_len2", ce_w(), {"input": x, "target": t, "weight": f32([1, 2])}),
            (f"err_ce_{rank}_weight_2d", ce_w(), {"input": x, "target": t, "weight": f32([[1, 2, 3]])}),
            (f"err_ce_{rank}_weight_double", ce_w(), {"input": x, "target": t, "weight": np.ones(3)}),
            (f"err_ce_{rank}_smoothing_1.5", ce(label_smoothing=1.5), {"input": x, "target": t}),
            (f"err_ce_{rank}_smoothing_1.5_bad_target", ce(label_smoothing=1.5), {"input": x, "target": bad(t, 9)}),
            (f"err_ce_{rank}_int_prob_target", ce(), {"input": x, "target": np.zeros(x.shape, np.int64)}),
            (f"err_ce_{rank}_prob_ignore_index", ce(ignore_index=1), {"input": x, "target": np.zeros_like(x)}),
            (f"err_ce_{rank}_prob_weight_len2", ce_w(), {"input": x, "target": np.zeros_like(x),
                                                          "weight": f32([1, 2])}),
            (f"err_ce_{rank}_prob_smoothing_2", ce(label_smoothing=2.0), {"input": x, "target": np.zeros_like(x)}),
            (f"err_ce_{rank}_prob_long_input", ce(), {"input": x.astype(np.int64), "target": np.zeros_like(x)}),
            (f"err_ce_{rank}_reduction_avg", ce(reduction="avg"), {"input": x, "target": bad(t, 3)}),
            (f"err_ce_{rank}_reduction_batchmean", ce(reduction="batchmean"), {"input": x, "target": t}),
            (f"err_nll_{rank}_float_target", nll(), {"input": x, "target": t.astype(np.float32)}),
            (f"err_nll_{rank}_long_input", nll(), {"input": x.astype(np.int64), "target": t}),
            (f"err_nll_{rank}_weight_len4", Call("F", "nll_loss", tensors=("weight",)),
             {"input": x, "target": t, "weight": f32([1, 2, 3, 4])}),
            (f"err_nll_{rank}_target_neg1_ignore_neg2", nll(ignore_index=-2), {"input": x, "target": bad(t, -1)}),
        ]
    table += [
        ("err_ce_batch_mismatch", ce(), {"input": x2, "target": i64([0, 1, 2])}),
        ("err_ce_batch_mismatch_3d", ce(), {"input": x3, "target": t3[:1]}),
        ("err_ce_batch_mismatch_4d", ce(), {"input": x4, "target": np.zeros((3, 5, 5), np.int64)}),
        ("err_ce_spatial_mismatch_3d", ce(), {"input": x3, "target": t3[:, :4]}),
        ("err_ce_spatial_mismatch_4d", ce(), {"input": x4, "target": t4[:, :, :4]}),
        ("err_ce_spatial_mismatch_6d", ce(), {"input": x6, "target": t6[..., :1]}),
        ("err_ce_rank_mismatch_3d", ce(), {"input": x3, "target": t2}),
        ("err_ce_rank_mismatch_4d", ce(), {"input": x4, "target": t3}),
        ("err_ce_multi_target", ce(), {"input": x2, "target": i64([[0], [1]])}),
        ("err_ce_multi_target_smooth", ce(label_smoothing=0.1), {"input": x2, "target": i64([[0], [1]])}),
        ("err_ce_scalar_target_2d", ce(), {"input": x2, "target": i64(1)}),
        ("err_ce_scalar_input", ce(), {"input": f32(1.0), "target": i64(0)}),
        ("err_ce_1d_target_len3", ce(), {"input": f32([1, 2, 3, 4]), "target": i64([0, 1, 2])}),
        ("err_nll_1d_target_len3", nll(), {"input": x1, "target": i64([0, 1, 2])}),
        ("err_nll_scalar_input", nll(), {"input": f32(1.0), "target": i64(0)}),
        ("err_nll_batch_mismatch", nll(), {"input": x2, "target": i64([0])}),
        ("err_nll_multi_target", nll(), {"input": x2, "target": i64([[0], [1]])}),
        ("err_ce_module_bad_reduction", Call("nn", "CrossEntropyLoss", reduction="avg"), {"input": x2, "target": t2}),
        ("err_ce_module_target_C", Call("nn", "CrossEntropyLoss"), {"input": x2, "target": bad(t2, 3)}),
        ("err_nll_module_target_neg", Call("nn", "NLLLoss"), {"input": x3, "target": bad(t3, -5, 3)}),
    ]
    bce = lambda **o: Call("F", "binary_cross_entropy", **o)  # noqa: E731
    bcel = lambda **o: Call("F", "binary_cross_entropy_with_logits", **o)  # noqa: E731
    p = f32(rng.uniform(0.1, 0.9, (3, 2)))
    table += [
        ("err_bce_shape", bce(), {"input": p, "target": p[:, 0]}),
        ("err_bce_shape_2", bce(), {"input": p[:, 0], "target": p[:, :1]}),
        ("err_bce_above_1", bce(), {"input": bad(p, 1.5), "target": p}),
        ("err_bce_below_0", bce(), {"input": bad(p, -0.1), "target": p}),
        ("err_bce_nan", bce(), {"input": bad(p, np.nan), "target": p}),
        ("err_bce_nan_none", bce(reduction="none"), {"input": bad(p, np.nan), "target": p}),
        ("err_bce_weight_shape", bce(tensors=("weight",)), {"input": p, "target": p, "weight": f32([1, 2, 3])}),
        ("err_bce_long_input", bce(), {"input": np.ones((3, 2), np.int64), "target": p}),
        ("err_bce_double_target", bce(), {"input": p, "target": p.astype(np.float64)}),
        ("err_bce_reduction", bce(reduction="avg"), {"input": p, "target": p}),
        ("err_bce_module_shape", Call("nn", "BCELoss"), {"input": p, "target": p.T}),
        ("err_bcel_shape", bcel(), {"input": p, "target": p[:, 0]}),
        ("err_bcel_pos_weight_shape", bcel(tensors=("pos_weight",)),
         {"input": p, "target": p, "pos_weight": f32([1, 2, 3])}),
        ("err_bcel_weight_shape", bcel(tensors=("weight",)), {"input": p, "target": p, "weight": f32([1, 2, 3])}),
        ("err_bcel_long_input", bcel(), {"input": np.ones((3, 2), np.int64), "target": p}),
        ("err_bcel_reduction", bcel(reduction="batchmean"), {"input": p, "target": p}),
        ("err_kl_reduction", Call("F", "kl_div", reduction="avg"), {"input": p, "target": p}),
        ("err_kl_shape", Call("F", "kl_div"), {"input": p, "target": f32([1, 2, 3])}),
        ("err_mse_reduction", Call("F", "mse_loss", reduction="batchmean"), {"input": p, "target": p}),
        ("err_mse_shape", Call("F", "mse_loss"), {"input": p, "target": f32([1, 2, 3])}),
        ("err_mse_long", Call("F", "mse_loss"), {"input": np.ones(3, np.int64), "target": np.ones(3, np.int64)}),
        ("err_mse_weight_shape", Call("F", "mse_loss", tensors=("weight",)),
         {"input": p, "target": p, "weight": f32([1, 2])}),
        ("err_mse_weight_reduction", Call("F", "mse_loss", tensors=("weight",), reduction="avg"),
         {"input": p, "target": p, "weight": p}),
        ("err_mse_weight_broadcast_target", Call("F", "mse_loss", tensors=("weight",)),
         {"input": p[:, :1], "target": p, "weight": p}),
        ("err_bce_weight_bigger", bce(tensors=("weight",)), {"input": p, "target": p, "weight": ones(2, 3, 2)}),
        ("err_bce_weight_rows", bce(tensors=("weight",)), {"input": p, "target": p, "weight": ones(4, 2)}),
        ("err_bce_weight_3d", bce(tensors=("weight",)), {"input": p, "target": p, "weight": ones(2, 1, 3)}),
        ("err_bce_long_long", bce(), {"input": np.ones(3, np.int64), "target": np.ones(3, np.int64)}),
        ("err_bcel_long_target", bcel(), {"input": p, "target": np.ones((3, 2), np.int64)}),
        ("err_bcel_weight_bigger", bcel(tensors=("weight",)), {"input": p, "target": p, "weight": ones(2, 3, 2)}),
        ("err_bcel_pos_weight_bigger", bcel(tensors=("pos_weight",)),
         {"input": p, "target": p, "pos_weight": np.ones((2, 3, 2), np.float32)}),
        ("err_kl_long_input", Call("F", "kl_div", reduction="sum"), {"input": i64([1, 1]), "target": f32([1, 2])}),
        ("err_kl_long_target", Call("F", "kl_div", reduction="sum"), {"input": f32([1, 2]), "target": i64([1, 1])}),
        ("err_ce_1d_target1_smooth", ce(label_smoothing=0.1), {"input": x1, "target": i64([1])}),
        ("err_ce_1d_target1_smooth_none", ce(label_smoothing=0.1, reduction="none"), {"input": x1, "target": i64([1])}),
    ]
    for fn in ("softmax", "log_softmax"):
        table += [
            (f"err_{fn}_dim_1d", Call("F", fn, args=("input",), dim=1), {"input": x1}),
            (f"err_{fn}_dim_scalar", Call("F", fn, args=("input",), dim=2), {"input": f32(1.0)}),
            (f"err_{fn}_dim_neg", Call("F", fn, args=("input",), dim=-3), {"input": x2}),
            (f"err_{fn}_long_lastdim", Call("F", fn, args=("input",), dim=1), {"input": t3}),
            (f"err_{fn}_long_dim0", Call("F", fn, args=("input",), dim=0), {"input": t3}),
            (f"err_{fn}_long_scalar", Call("F", fn, args=("input",), dim=0), {"input": i64(3)}),
            (f"err_{fn}_int32", Call("F", fn, args=("input",), dim=-1), {"input": t3.astype(np.int32)}),
            (f"err_{fn}_bool", Call("F", fn, args=("input",), dim=-1), {"input": t3 > 0}),
            (f"err_{fn}_module_dim", Call("nn", "Softmax" if fn == "softmax" else "LogSoftmax", args=("input",),
                                          dim=3), {"input": x2}),
        ]
    quirks = {"err_ce_3d_weight_2d", "err_ce_4d_weight_2d", "err_ce_6d_weight_2d"}  # torch accepts these
    errors = [ErrorCase(name, call, arrays) for name, call, arrays in table if name not in quirks]
    # weights that require grad: torch refuses them where its kernel is not differentiable in them
    w3 = f32([0.5, 1.0, 2.0])
    for name, call, arrays in [
        ("err_nll_weight_requires_grad", Call("F", "nll_loss", tensors=("weight",)), {"input": x2, "target": t2}),
        ("err_nll_4d_weight_requires_grad", Call("F", "nll_loss", tensors=("weight",)), {"input": x4, "target": t4}),
        ("err_ce_weight_requires_grad", ce_w(), {"input": x2, "target": t2}),
        ("err_ce_3d_weight_requires_grad_smooth", ce_w(label_smoothing=0.2), {"input": x3, "target": t3}),
        ("err_bce_weight_requires_grad", bce(tensors=("weight",)), {"input": p[:, :1].T, "target": p[:, 1:].T}),
        ("err_bcel_weight_requires_grad", bcel(tensors=("weight",)), {"input": x2, "target": p[:2, :1] + x2 * 0}),
        ("err_bcel_pos_weight_requires_grad", bcel(tensors=("pos_weight",)),
         {"input": x2, "target": p[:2, :1] + x2 * 0, "pos_weight": w3}),
    ]:
        arrays.setdefault("weight", w3)
        errors.append(ErrorCase(name, call, arrays, grad=("weight", "pos_weight")))
    return errors


def mixed_dtype_cases():
    """Arrays used exactly as given (dtype 'given'): mixed float32/float64 and torch's quirks."""
    rng = rng_for("mixed")
    x2, x4 = rng.normal(size=(2, 3)).astype(np.float32), rng.normal(size=(2, 3, 2, 2)).astype(np.float32)
    cases = [
        Case("mixed_ceprob_double_target", Call("F", "cross_entropy"),
             {"input": x2, "target": _softmax(rng.normal(size=(2, 3)), 1)}, grad=("input", "target")),
        Case("mixed_ceprob_double_target_none", Call("F", "cross_entropy", reduction="none", label_smoothing=0.1),
             {"input": x2, "target": _softmax(rng.normal(size=(2, 3)), 1)}, grad=("input", "target")),
        Case("mixed_ce_4d_weight_2d", Call("F", "cross_entropy", tensors=("weight",)),
             {"input": x4, "target": i64([[[0, 1], [2, 0]], [[1, 1], [2, 2]]]),
              "weight": np.float32([[1, 2, 3]])}),
        Case("mixed_softmax_dtype64_of_int", Call("F", "softmax", args=("input",), dim=1, dtype=LibAttr("float64")),
             {"input": i64([[1, 2, 3], [0, 0, 5]])}, grad=()),
        Case("mixed_log_softmax_dtype32_of_64", Call("F", "log_softmax", args=("input",), dim=0,
                                                     dtype=LibAttr("float32")),
             {"input": rng.normal(size=(3, 2))}),
    ]
    p, y = rng.uniform(0.1, 0.9, (3, 2)).astype(np.float32), rng.uniform(0, 1, (3, 2)).astype(np.float32)
    both = ("input", "target")
    cases += [
        Case("mixed_bce_double_weight", Call("F", "binary_cross_entropy", tensors=("weight",)),
             {"input": p, "target": y, "weight": rng.uniform(size=2)}, grad=both),
        Case("mixed_bce_column_weight", Call("F", "binary_cross_entropy", tensors=("weight",), reduction="none"),
             {"input": p, "target": y, "weight": rng.uniform(size=(3, 1)).astype(np.float32)}, grad=both),
        Case("mixed_bcel_double_target", Call("F", "binary_cross_entropy_with_logits", tensors=("pos_weight",)),
             {"input": p, "target": y.astype(np.float64), "pos_weight": np.float32([2, 3])}, grad=both),
        Case("mixed_bcel_double_weight", Call("F", "binary_cross_entropy_with_logits", tensors=("weight",)),
             {"input": p, "target": y, "weight": rng.uniform(size=2)}, grad=both),
        Case("mixed_mse_double_target", Call("F", "mse_loss"), {"input": p, "target": y.astype(np.float64)}, grad=both),
        Case("mixed_mse_long_target", Call("F", "mse_loss", reduction="none"),
             {"input": p, "target": np.int64([[1, 0], [0, 2], [3, 1]])}),
        Case("mixed_mse_long_input", Call("F", "mse_loss"), {"input": np.int64([1, 1, 1]), "target": y[:, 0]},
             grad=("target",)),
        Case("mixed_kl_double_target", Call("F", "kl_div", reduction="sum"),
             {"input": p, "target": y.astype(np.float64)}, grad=both),
        Case("mixed_ceprob_double_weight", Call("F", "cross_entropy", tensors=("weight",)),
             {"input": p, "target": y, "weight": rng.uniform(size=2)}, grad=both),
        Case("mixed_ce_1d_target1_mean", Call("F", "cross_entropy"), {"input": p[0], "target": i64([1])}),
        Case("mixed_nll_1d_target1_ignored", Call("F", "nll_loss", ignore_index=1),
             {"input": p[0], "target": i64([1])}),
    ]
    q = _softmax(rng.normal(size=(2, 3, 2)), 1).astype(np.float32)
    cases += [  # weights that torch differentiates (its composite forms)
        Case("mixed_ceprob_weight_grad_mean", Call("F", "cross_entropy", tensors=("weight",), label_smoothing=0.1),
             {"input": x4[:, :, 0], "target": q, "weight": np.float32([0.5, 1, 2])},
             grad=("input", "target", "weight")),
        Case("mixed_ceprob_weight_grad_none", Call("F", "cross_entropy", tensors=("weight",), reduction="none"),
             {"input": x4[:, :, 0], "target": q, "weight": np.float32([0.5, 1, 2])},
             grad=("input", "target", "weight")),
    ] + [
        Case(f"mixed_mse_weight_grad_{r}", Call("F", "mse_loss", tensors=("weight",), reduction=r),
             {"input": p, "target": y, "weight": y + 0.5}, grad=("input", "target", "weight"))
        for r in REDUCTIONS
    ]
    for c in cases:
        c.dtypes = ("given",)
    return cases


# ----------------------------------------------------------------------------- signatures
SIGNATURES = {
    "F": ["softmax", "log_softmax", "cross_entropy", "nll_loss", "binary_cross_entropy",
          "binary_cross_entropy_with_logits", "kl_div", "mse_loss"],
    "nn": ["Softmax", "LogSoftmax", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "KLDivLoss",
           "MSELoss"],
}


def signature_of(fn):
    """["name=default", ...] of a function (or a class's __init__, without self): names, order, defaults."""
    import inspect
    params = inspect.signature(fn.__init__ if isinstance(fn, type) else fn).parameters.values()
    return [p.name + ("" if p.default is inspect.Parameter.empty else f"={p.default!r}")
            for p in params if p.name != "self"]


def all_cases():
    cases = (cross_entropy_cases() + nll_cases() + bce_cases() + kl_mse_cases() + softmax_cases()
             + extreme_cases() + example_cases() + mixed_dtype_cases())
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    return cases
