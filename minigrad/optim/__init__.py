"""minigrad.optim: SGD, Adam, AdamW and learning-rate schedules, with torch's update rules."""
from minigrad.optim import lr_scheduler  # noqa: F401
from minigrad.optim.adam import Adam, AdamW  # noqa: F401
from minigrad.optim.optimizer import Optimizer  # noqa: F401
from minigrad.optim.sgd import SGD  # noqa: F401
