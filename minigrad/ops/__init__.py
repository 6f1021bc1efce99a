"""Every differentiable operation, as a ``Function`` subclass, grouped by family."""
from minigrad.ops import activation, elementwise, linalg, reduce, shape  # noqa: F401
from minigrad.ops import loss, loss_checks, loss_elementwise, softmax  # noqa: F401
from minigrad.ops import elementwise_extra, linalg_extra, reduce_extra  # noqa: F401
from minigrad.ops import index_extra, shape_extra  # noqa: F401
