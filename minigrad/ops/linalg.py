"""Matrix products."""
import numpy as np

from minigrad.autograd.function import ArrayFunction
from minigrad.ops.dual import data


class MatMul(ArrayFunction):
    """``a @ b`` for 1-D, 2-D and batched (broadcast) operands, like ``np.matmul``."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        # treat 1-D operands as a row (a) / column (b) so both rules are plain matrix products
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = g
        if b.ndim == 1:  # first: g is 0-d for 1-D @ 1-D
            g2 = g2[..., None]
        if a.ndim == 1:
            g2 = g2[..., None, :]
        grad_a = grad_b = None
        if need_a:  # d(AB)/dA: G Bᵀ
            grad_a = g2 @ b2.swapaxes(-1, -2)
            if a.ndim == 1:
                grad_a = grad_a.reshape(tuple(grad_a.shape[:-2]) + tuple(a.shape))
        if need_b:  # d(AB)/dB: Aᵀ G
            grad_b = a2.swapaxes(-1, -2) @ g2
            if b.ndim == 1:
                grad_b = grad_b.reshape(tuple(grad_b.shape[:-2]) + tuple(b.shape))
        return grad_a, grad_b


class Linear(ArrayFunction):
    """``x @ weightᵀ + bias`` as one node (weight is (out_features, in_features), as torch)."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        out = np.matmul(x, weight.T)
        if bias is not None:
            out += bias
        return out

    @staticmethod
    def backward(ctx, g):
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        grad_x = g @ weight if need_x else None                       # dy/dx = W
        g2 = g if g.ndim == 2 else g.reshape(-1, g.shape[-1])  # (*, out) as rows
        x2 = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
        grad_w = g2.T @ x2 if need_w else None  # dy/dW = x (outer product)
        # dy/db = 1, summed over rows (as a BLAS product with ones: 2-5x faster than .sum(0))
        grad_b = _ones(g2.shape[0], data(g2).dtype) @ g2 if need_b else None
        return grad_x, grad_w, grad_b


_ONES = {}  # dtype -> a read-only vector of ones, as long as the longest asked for so far


def _ones(n, dtype):
    """``np.ones(n, dtype)``, shared and read-only (np.ones costs more than the product it feeds)."""
    ones = _ONES.get(dtype)
    if ones is None or ones.shape[0] < n:
        ones = np.ones(max(n, 256), dtype)
        ones.flags.writeable = False
        _ONES[dtype] = ones
    return ones[:n]
