"""parameters_to_vector and vector_to_parameters, as torch.nn.utils."""
from minigrad.functions import cat
from minigrad.tensor import Tensor


def parameters_to_vector(parameters):
    """All parameters flattened and joined into one vector (differentiable)."""
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Give each parameter, in order, the next numel() values of ``vec`` (as ``param.data``)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected minigrad.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    for param in parameters:
        n = param.numel()
        param.data = vec[pointer:pointer + n].view_as(param).data
        pointer += n
