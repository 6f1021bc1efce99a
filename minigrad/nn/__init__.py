"""minigrad.nn: modules, layers and losses with PyTorch's names."""
# --- modules and layers (module.py, layers.py, init.py) ---
# --- softmax family and losses (loss.py) ---
