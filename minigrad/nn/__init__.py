"""minigrad.nn: modules, layers and losses with PyTorch's names."""
# --- modules and layers (module.py, layers.py, init.py) ---
from minigrad.nn import init  # noqa: F401
from minigrad.nn.module import Module, Parameter  # noqa: F401
from minigrad.nn.layers import (Dropout, Flatten, Identity, LeakyReLU, Linear, ReLU, Sequential,  # noqa: F401
                                Sigmoid, Tanh)
# --- softmax family and losses (loss.py) ---
from minigrad.nn.loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, KLDivLoss, LogSoftmax,  # noqa: F401
                              MSELoss, NLLLoss, Softmax)
# --- more layers, normalisation, embedding, containers, losses, distances; nn.utils ---
from minigrad.nn.activation_extra import (CELU, ELU, GELU, SELU, AlphaDropout, Dropout1d, Dropout2d,  # noqa: F401
                                          Dropout3d, FeatureAlphaDropout, Hardsigmoid, Hardswish, Hardtanh,
                                          LogSigmoid, Mish, PReLU, ReLU6, SiLU, Softmin, Softplus, Softsign)
from minigrad.nn.containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Unflatten  # noqa: F401
from minigrad.nn.distance import CosineSimilarity, PairwiseDistance  # noqa: F401
from minigrad.nn.loss_extra import (CosineEmbeddingLoss, GaussianNLLLoss, HingeEmbeddingLoss, HuberLoss,  # noqa: F401
                                    L1Loss, MarginRankingLoss, MultiMarginLoss, PoissonNLLLoss, SmoothL1Loss)
from minigrad.nn.normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm, LayerNorm  # noqa: F401
from minigrad.nn.sparse import Embedding  # noqa: F401


def __getattr__(name):
    """``minigrad.nn.functional`` and ``minigrad.nn.utils`` are imported on first use."""
    if name in ("functional", "utils"):
        import importlib
        try:
            return importlib.import_module(f"minigrad.nn.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"minigrad.nn.{name}":
                raise
    raise AttributeError(f"module 'minigrad.nn' has no attribute {name!r}")
