"""``minigrad.cuda``: there is no GPU in minigrad; these answer as torch does on a machine without one."""
from minigrad.device import NO_DEVICE


def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False


def manual_seed(seed):
    """Accepted (and ignored, as torch without CUDA does): seeding code runs unchanged."""


def manual_seed_all(seed):
    """Accepted (and ignored, as torch without CUDA does)."""


def synchronize(device=None):
    raise RuntimeError(NO_DEVICE)


def current_device():
    raise RuntimeError(NO_DEVICE)


def get_device_name(device=None):
    raise RuntimeError(NO_DEVICE)


def set_device(device):
    raise RuntimeError(NO_DEVICE)


def empty_cache():
    """Nothing to free."""
