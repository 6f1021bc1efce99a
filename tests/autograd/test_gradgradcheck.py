"""``minigrad.autograd.gradgradcheck``: second derivatives against finite differences of the
first, on functions of minigrad's ops (passes) and on functions whose backward gives the
right first derivative but a wrong second one (fails: False, or GradcheckError)."""

import pytest

from recording import load_record  # noqa: E402

cases = load_record("functional_cases.py")
CORRECT = [c for c in cases.GRADGRAD if c[3]]
WRONG = [c for c in cases.GRADGRAD if not c[3]]


def _setup(name, build, specs):
    import minigrad

    minigrad.manual_seed(0)
    return build(minigrad), cases.gradgrad_inputs(minigrad, name, specs)


@pytest.mark.parametrize("name,build,specs,_", CORRECT, ids=[c[0] for c in CORRECT])
@pytest.mark.parametrize("non_contig", [False, True])
def test_passes_on_correct_second_derivatives(name, build, specs, _, non_contig):
    from minigrad.autograd import gradgradcheck

    func, inputs = _setup(name, build, specs)
    assert gradgradcheck(func, inputs, gen_non_contig_grad_outputs=non_contig) is True


@pytest.mark.parametrize("name,build,specs,_", WRONG, ids=[c[0] for c in WRONG])
def test_fails_on_wrong_second_derivative(name, build, specs, _):
    from minigrad.autograd import GradcheckError, gradcheck, gradgradcheck

    func, inputs = _setup(name, build, specs)
    assert gradcheck(func, inputs) is True  # the first derivative is right
    assert gradgradcheck(func, inputs, raise_exception=False) is False
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradgradcheck(func, inputs)


def test_given_grad_outputs_and_tuple_outputs():
    import minigrad
    from minigrad.autograd import gradgradcheck

    x = minigrad.tensor([0.3, -0.7, 1.1], dtype=minigrad.float64, requires_grad=True)
    fixed = (minigrad.tensor(0.5, dtype=minigrad.float64), minigrad.ones(3, dtype=minigrad.float64))
    assert gradgradcheck(lambda a: (a.exp().sum(), a.tanh()), x, fixed) is True
    checked = (minigrad.tensor(0.5, dtype=minigrad.float64, requires_grad=True),
               minigrad.ones(3, dtype=minigrad.float64, requires_grad=True))
    assert gradgradcheck(lambda a: (a.exp().sum(), a.tanh()), (x,), checked) is True


@pytest.mark.parametrize("option", ["check_batched_grad", "check_fwd_over_rev", "check_grad_dtypes"])
def test_unsupported_checks_raise(option):
    import minigrad
    from minigrad.autograd import gradgradcheck

    x = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    with pytest.raises(NotImplementedError, match=option):
        gradgradcheck(lambda a: a.exp(), x, **{option: True})


def test_torch_argument_checks():
    import minigrad
    from minigrad.autograd import gradgradcheck

    x = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    with pytest.raises(AssertionError, match="at least one of check_fwd_over_rev or check_rev_over_rev"):
        gradgradcheck(lambda a: a.exp(), x, check_rev_over_rev=False, check_undefined_grad=False)
    with pytest.raises(AssertionError, match="check_undefined_grad=True requires check_rev_over_rev"):
        gradgradcheck(lambda a: a.exp(), x, check_rev_over_rev=False, check_fwd_over_rev=True)


def test_exported_beside_gradcheck():
    import minigrad
    from minigrad.autograd.gradcheck import gradgradcheck

    assert minigrad.autograd.gradgradcheck is gradgradcheck
