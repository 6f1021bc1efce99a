"""minigrad.nn.utils: gradient clipping and parameter/vector conversion, as torch.nn.utils."""
from minigrad.nn.utils.clip_grad import (clip_grad_norm, clip_grad_norm_, clip_grad_value_,  # noqa: F401
                                        clip_grads_with_norm_, get_total_norm)
from minigrad.nn.utils.convert_parameters import parameters_to_vector, vector_to_parameters  # noqa: F401
