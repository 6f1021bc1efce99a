"""minigrad.optim: SGD, Adam, AdamW, RMSprop, Adagrad, Adamax, NAdam, RAdam and learning-rate schedules,
with torch's update rules."""
from minigrad.optim import lr_scheduler  # noqa: F401
from minigrad.optim.adam import Adam, AdamW  # noqa: F401
from minigrad.optim.adamax import Adamax, NAdam, RAdam  # noqa: F401
from minigrad.optim.optimizer import Optimizer  # noqa: F401
from minigrad.optim.rmsprop import Adagrad, RMSprop  # noqa: F401
from minigrad.optim.sgd import SGD  # noqa: F401
