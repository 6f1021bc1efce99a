"""Switch the numba kernels off, to read and step through the plain-numpy math.

    minigrad.set_kernels(False)      # or run with the environment variable MINIGRAD_KERNELS=0

With kernels off, softmax, log-softmax, cross-entropy, NLL and BCE-with-logits run
through their plain-numpy forms (``minigrad/ops/softmax.py``, ``minigrad/ops/loss.py``,
``minigrad/ops/loss_elementwise.py``): a few lines of array code each, which a debugger
steps through line by line.  The numbers are the same as with kernels on (both match
torch's to float32 rtol 1e-5 and float64 rtol 1e-10); only the speed differs.  Nothing is
compiled while kernels are off, so there is no first-run compile pause either.
The switch is process-wide (not per thread).
"""
import os


class _Switch:
    enabled = os.environ.get("MINIGRAD_KERNELS", "1").strip().lower() not in ("0", "false", "no", "off")


switch = _Switch()


def set_kernels(enabled):
    """Run the softmax family and the losses in numba kernels (True, the default) or in
    plain numpy (False).  Returns the previous setting."""
    previous, switch.enabled = switch.enabled, bool(enabled)
    return previous


def kernels_enabled():
    """True if the softmax family and the losses run in numba kernels."""
    return switch.enabled
