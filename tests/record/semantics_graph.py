"""Scenarios: graph structure (``grad_fn.next_functions``), grad mode, anomaly detection."""
import threading

from common import FIXED, floats, positive
from semantics_common import error, node_name, scenario, warned


def _structure(fn, leaves):
    """``next_functions`` as strings: ``None/0``, ``AccumulateGrad:x/0`` (which leaf is its
    ``.variable``), ``node/1`` (any other node, with its output_nr); plus the node names."""
    entries, names = [], []
    for f, nr in fn.next_functions:
        names.append(node_name(f))
        if f is None:
            entries.append(f"None/{nr}")
        elif type(f).__name__ == "AccumulateGrad":
            which = [k for k, t in leaves.items() if f.variable is t]
            entries.append(f"AccumulateGrad:{''.join(which)}/{nr}")
        else:
            entries.append(f"node/{nr}")
    return entries, names


@scenario(dtypes=(FIXED,), x=floats(3), w=floats(3), c=floats(3))
def graph_next_functions(m, inp):
    """Mul of two leaves; one input without grad; a sum over a product; a leaf used twice;
    a two-output Function feeding a Mul (output_nr 0 and 1)."""
    class ProdDiff(m.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b, a - b

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 + g2, g1 - g2

    x, w = (m.tensor(inp[k], requires_grad=True) for k in "xw")
    c = m.tensor(inp["c"])
    leaves = {"x": x, "w": w}
    exprs = {"mul": x * w, "mul_const": x * c, "const_mul": c * x, "sum": (x * w).sum(),
             "exp_plus_x": x.exp() + x, "two_outputs": m.mul(*ProdDiff.apply(x, w))}
    res = {"leaf_grad_fn_is_none": x.grad_fn is None, "const_grad_fn_is_none": (c * 2).grad_fn is None}
    for key, y in exprs.items():
        res[f"{key}_structure"], res[f"{key}_names"] = _structure(y.grad_fn, leaves)
        res[f"{key}_root_names"] = [node_name(y.grad_fn)]
    first = exprs["exp_plus_x"].grad_fn.next_functions
    res["acc_shared"] = first[0][0].next_functions[0][0] is first[1][0]  # one AccumulateGrad per leaf
    res["two_outputs_same_node"] = (exprs["two_outputs"].grad_fn.next_functions[0][0]
                                    is exprs["two_outputs"].grad_fn.next_functions[1][0])
    return res


@scenario(dtypes=(FIXED,), x=floats(3))
def grad_mode_threads_and_forms(m, inp):
    """Grad mode is per thread; set_grad_enabled as a call and as a context manager;
    inference_mode; @no_grad() and @no_grad decorators; enable_grad inside no_grad."""
    x = m.tensor(inp["x"], requires_grad=True)
    res, seen = {}, []
    with m.no_grad():
        t = threading.Thread(target=lambda: seen.append(m.is_grad_enabled()))
        t.start()
        t.join()
        res["main_inside_no_grad"] = m.is_grad_enabled()
        with m.enable_grad():
            res["enable_grad_inside_no_grad"] = (x * 2).requires_grad
    res["thread_started_in_no_grad"] = seen[0]
    m.set_grad_enabled(False)
    res["set_call_false"] = [m.is_grad_enabled(), (x * 2).requires_grad]
    m.set_grad_enabled(True)
    res["set_call_true"] = [m.is_grad_enabled(), (x * 2).requires_grad]
    with m.set_grad_enabled(False):
        res["set_ctx_inside"] = [m.is_grad_enabled(), (x * 2).requires_grad]
    res["set_ctx_after"] = m.is_grad_enabled()
    with m.no_grad():
        with m.set_grad_enabled(True):
            res["set_true_in_no_grad"] = (x * 2).requires_grad
        res["after_set_true_in_no_grad"] = m.is_grad_enabled()
    with m.inference_mode():
        y = x * 2
        res["inference_inside"] = [m.is_grad_enabled(), y.requires_grad]
    res["inference_after"] = m.is_grad_enabled()

    @m.no_grad()
    def called(t):
        """Doc."""
        return [m.is_grad_enabled(), (t * 2).requires_grad]

    @m.no_grad
    def bare(t):
        return [m.is_grad_enabled(), (t * 2).requires_grad]

    @m.enable_grad()
    def enabled(t):
        return (t * 2).requires_grad

    res.update(decorator_called=called(x), decorator_bare=bare(x), decorator_name=called.__name__,
               decorator_doc=called.__doc__, after_decorators=m.is_grad_enabled())
    with m.no_grad():
        res["enable_grad_decorator_in_no_grad"] = enabled(x)
    return res


@scenario(x=positive(4), u=floats(4))
def anomaly_nan_in_backward(m, inp):
    """``0 * sqrt(x)`` with ``x[0] == 0``: SqrtBackward returns nan.  Without anomaly mode the
    nan reaches ``x.grad``; under ``detect_anomaly()`` backward raises, naming the node."""
    arr = inp["x"].copy()
    arr[0] = 0
    u = m.tensor(inp["u"])
    res = {}
    x = m.tensor(arr, requires_grad=True)
    (x.sqrt() * 0 * u).sum().backward()
    res["plain_x_grad"] = x.grad
    x = m.tensor(arr, requires_grad=True)

    def run():
        with m.autograd.detect_anomaly():
            res["enabled_inside"] = m.is_anomaly_enabled()
            (x.sqrt() * 0 * u).sum().backward()
    _, messages = warned(lambda: error(res, "detect", run))
    res["warnings"] = [msg.split("\n")[0] for msg in messages]
    res["enabled_after"] = m.is_anomaly_enabled()
    m.autograd.set_detect_anomaly(True)
    res["set_call"] = m.is_anomaly_enabled()
    x = m.tensor(arr, requires_grad=True)
    _, messages = warned(lambda: error(res, "set_detect", lambda: (x.sqrt() * 0 * u).sum().backward()))
    m.autograd.set_detect_anomaly(False)
    res["set_warnings"] = [msg.split("\n")[0] for msg in messages]
    res["set_after"] = m.is_anomaly_enabled()
    x = m.tensor(arr[1:], requires_grad=True)

    def finite():
        with m.autograd.detect_anomaly():
            (x.sqrt() * u[1:]).sum().backward()
    warned(finite)
    res["finite_x_grad"] = x.grad
    return res


@scenario(x=floats(3), w=floats(3), u=floats(3))
def backward_inputs_only(m, inp):
    """``backward(inputs=[...])`` accumulates into the named tensors only (a leaf and a non-leaf)."""
    x, w = (m.tensor(inp[k], requires_grad=True) for k in "xw")
    h = x * w
    y = (h.exp() * m.tensor(inp["u"])).sum()
    y.backward(inputs=[w, h], retain_graph=True)
    res = {"x_grad_is_none": x.grad is None, "w_grad": w.grad, "h_grad": h.grad}
    m.autograd.backward([y], inputs=[x])
    res["x_grad"] = x.grad
    return res


@scenario(x=floats(3), u=floats(3))
def node_hooks(m, inp):
    """``grad_fn.register_prehook`` sees (and may replace) the gradients w.r.t. a node's outputs;
    ``register_hook`` sees its input gradients after backward and may replace them."""
    x = m.tensor(inp["x"], requires_grad=True)
    y = x.exp()
    z = y * m.tensor(inp["u"])
    seen = {}
    y.grad_fn.register_prehook(lambda grad_outputs: (grad_outputs[0] * 2,))
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: seen.update(gi=grad_inputs[0] * 1, go=grad_outputs[0] * 1))
    z.sum().backward()
    return {"x_grad": x.grad, "seen_grad_input": seen["gi"], "seen_grad_output": seen["go"]}


@scenario(x=floats(4), u=floats(4))
def fn_setup_context_and_once_differentiable(m, inp):
    """torch 2's Function form: ``forward`` without ctx plus ``setup_context``; and a backward
    marked ``once_differentiable``, whose result cannot be differentiated again."""
    class Cube(m.autograd.Function):
        @staticmethod
        def forward(x):
            return x ** 3

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2

    class OnceCube(Cube):
        @staticmethod
        @m.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2

    x = m.tensor(inp["x"], requires_grad=True)
    u = m.tensor(inp["u"])
    (g,) = m.autograd.grad((Cube.apply(x) * u).sum(), x, create_graph=True)
    (g2,) = m.autograd.grad(g.sum(), x)
    (h,) = m.autograd.grad((OnceCube.apply(x) * u).sum(), x, create_graph=True)
    return {"g": g, "g2": g2, "h": h, "h_requires_grad": h.requires_grad}
