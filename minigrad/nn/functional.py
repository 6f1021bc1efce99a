"""minigrad.nn.functional: the function forms of the layers and losses (``import minigrad.nn.functional as F``)."""
# --- layers and activations ---
# --- softmax family and losses (forwards and backwards live in minigrad/ops/softmax.py, minigrad/ops/loss.py) ---
