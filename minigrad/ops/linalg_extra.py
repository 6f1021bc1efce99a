"""``einsum``: numpy's einsum forward; each operand's gradient is another einsum.

For ``"ij,jk->ik"`` the gradient of operand 0 is ``einsum("ik,jk->ij", g, b)``: the
upstream gradient takes the output's place and the operand's subscripts become the
output.  A letter that only this operand has (summed away) is broadcast back.
"""
import string

import numpy as np

from minigrad.autograd.function import ArrayFunction
from minigrad.ops.dual import call, data, expand


def parse_einsum(equation, shapes):
    """``equation`` with ``...`` spelled out as letters -> (list of input subscripts, output).

    Implicit output (no ``->``): the letters used once, in alphabetical order, after the
    ellipsis letters, as torch does."""
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation"
                           if len(shapes) > len(inputs) else
                           "einsum(): fewer operands were provided than specified in the equation")
    free = [c for c in string.ascii_uppercase + string.ascii_lowercase if c not in equation]
    n_ellipsis = max([len(shape) - len(s.replace("...", "")) for s, shape in zip(inputs, shapes)
                      if "..." in s] or [0])
    ell = "".join(free[:n_ellipsis])
    spelled = []
    for s, shape in zip(inputs, shapes):
        if "..." in s:
            k = len(shape) - len(s.replace("...", ""))
            s = s.replace("...", ell[n_ellipsis - k:] if k else "")
        if len(s) != len(shape):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(s)}) does not "
                               f"match the number of dimensions ({len(shape)}) for operand "
                               f"{len(spelled)}{' and no ellipsis was given' if '...' not in equation else ''}")
        spelled.append(s)
    if arrow:
        out = rhs.replace("...", ell)
    else:
        letters = "".join(spelled)
        out = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ell))
    return spelled, out


class Einsum(ArrayFunction):
    """``einsum(inputs, output, *operands)`` with explicit subscripts (see ``parse_einsum``)."""

    @staticmethod
    def forward(ctx, inputs, output, *operands):
        ctx.save_for_backward(*operands)
        ctx.subscripts = (inputs, output)
        return np.asarray(np.einsum(",".join(inputs) + "->" + output, *operands))

    @staticmethod
    def backward(ctx, g):
        operands = ctx.saved_tensors
        inputs, output = ctx.subscripts
        grads = [None, None]
        for i, (subs, x) in enumerate(zip(inputs, operands)):
            if not ctx.needs_input_grad[i + 2]:
                grads.append(None)
                continue
            other_subs = [output] + [s for k, s in enumerate(inputs) if k != i]
            others = [g] + [o for k, o in enumerate(operands) if k != i]
            known = set("".join(other_subs))
            unique = "".join(dict.fromkeys(subs))  # a repeated letter (a diagonal) once
            sizes = dict(zip(subs, data(x).shape))
            target = "".join(c for c in unique if c in known)
            grad = call(Einsum, other_subs, target, *others)
            if target != unique:  # letters summed only inside this operand: broadcast back
                shape = tuple(sizes[c] for c in unique)
                grad = expand(grad.reshape(tuple(n if c in known else 1 for c, n in zip(unique, shape))), shape)
            if unique != subs:  # the diagonal gets the gradient: spread it with identity matrices
                grad = _onto_diagonals(grad, unique, subs, sizes, data(x).dtype, inputs, output)
            grads.append(grad)
        return tuple(grads)


def _onto_diagonals(grad, unique, subs, sizes, dtype, inputs, output):
    """``grad`` over the distinct letters -> the operand's layout ``subs`` (letters repeated),
    zero off the diagonals: einsum with one identity matrix per repeat."""
    used = set("".join(inputs) + output + subs)
    fresh = iter(c for c in string.ascii_letters if c not in used)
    spelled, eyes, eye_subs, seen = "", [], [], set()
    for c in subs:
        if c in seen:
            f = next(fresh)
            spelled += f
            eyes.append(np.eye(sizes[c], dtype=dtype))
            eye_subs.append(c + f)
        else:
            seen.add(c)
            spelled += c
    return call(Einsum, [unique] + eye_subs, spelled, grad, *eyes)
