"""minigrad.nn: modules, layers and losses with PyTorch's names."""
# --- modules and layers (module.py, layers.py, init.py) ---
from minigrad.nn import init  # noqa: F401
from minigrad.nn.module import Module, Parameter  # noqa: F401
from minigrad.nn.layers import (Dropout, Flatten, Identity, LeakyReLU, Linear, ReLU, Sequential,  # noqa: F401
                                Sigmoid, Tanh)
# --- softmax family and losses (loss.py) ---
from minigrad.nn.loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, KLDivLoss, LogSoftmax,  # noqa: F401
                              MSELoss, NLLLoss, Softmax)
