"""Helpers shared across minigrad, as in ``torch.utils`` (``minigrad.utils.hooks.RemovableHandle``)."""
from minigrad.utils import hooks  # noqa: F401
