"""``ArrayFunction._apply_binary`` (the arithmetic operators' unrolled ``apply``) records the
very node ``apply`` records: same needs, edges, saved values and their versions, same
output, in every grad-mode and requires-grad combination, with Python numbers too."""
import itertools

import numpy as np
import pytest

import minigrad
from minigrad.autograd import set_detect_anomaly
from minigrad.autograd.node import INPUT, OUTPUT
from minigrad.ops.elementwise import Add, Div, Mul, Pow, Sub


def _operand(kind, shape, seed):
    data = np.random.default_rng(seed).uniform(0.5, 2.0, shape).astype(np.float32)
    if kind == "leaf":
        return minigrad.tensor(data, requires_grad=True)
    if kind == "nonleaf":
        return minigrad.tensor(data, requires_grad=True) * 1.0
    if kind == "float":
        return 1.5
    if kind == "int":
        return 2
    return minigrad.tensor(data)  # no gradient


def _describe(result, a, b, out_array):
    node = result.grad_fn
    if node is None:
        return result.requires_grad, None
    saved = []
    for value, entry in zip(node._saved or (), node._saved_info or ()):
        where = None
        if value is out_array:
            where = "out"
        elif value is getattr(a, "_data", a):
            where = "a"
        elif value is getattr(b, "_data", b):
            where = "b"
        saved.append((where, None if entry is None else entry[:2] + (entry[3],)))
    return (result.requires_grad, type(node).__name__, node.needs_input_grad, node.next_functions,
            node._out_meta, saved)


@pytest.mark.parametrize("op", [Add, Sub, Mul, Div, Pow])
@pytest.mark.parametrize("shapes", [((), ()), ((3,), (2, 3)), ((2, 1), ())])
def test_the_unrolled_apply_records_the_same_node(op, shapes):
    kinds = ("leaf", "nonleaf", "const", "float", "int")
    pairs = [(ka, kb) for ka in kinds for kb in kinds if ka in kinds[:3] or kb in kinds[:3]]  # one Tensor at least
    for (ka, kb), grad_on, anomaly in itertools.product(pairs, (True, False), (False, True)):
        a, b = _operand(ka, shapes[0], 1), _operand(kb, shapes[1], 2)
        set_detect_anomaly(anomaly)
        try:
            with minigrad.set_grad_enabled(grad_on):
                via_apply = op.apply(a, b)
                via_binary = op._apply_binary(a, b)
        finally:
            set_detect_anomaly(False)
        assert via_apply._data.tobytes() == via_binary._data.tobytes()
        assert via_apply.dtype == via_binary.dtype and via_apply.shape == via_binary.shape
        assert _describe(via_apply, a, b, via_apply._data) == _describe(via_binary, a, b, via_binary._data)
        if via_binary.grad_fn is not None and anomaly:
            assert via_binary.grad_fn._trace


def test_a_zero_d_product_that_saves_its_output_saves_the_output_array():
    # Pow saves its output for d/db: a 0-d result comes from numpy as a scalar, and the node
    # must hold the output Tensor's own array (so an in-place change to it is caught)
    a = minigrad.tensor(2.0, requires_grad=True)
    b = minigrad.tensor(3.0, requires_grad=True)
    y = a ** b
    (source, index, counter, version), = [e for e in y.grad_fn._saved_info if e and e[0] == OUTPUT]
    assert counter is y._version_counter and any(v is y._data for v in y.grad_fn._saved)
    assert [e[0] for e in y.grad_fn._saved_info if e] == [INPUT, INPUT, OUTPUT]
    y.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
