"""Random numbers: one seeded generator behind every random function in minigrad.

``minigrad.manual_seed(s)`` reseeds it, so rand/randn/randint/randperm, weight
init, dropout and DataLoader shuffling all repeat exactly.  (The streams are
numpy's PCG64, so they repeat minigrad runs, not torch's numbers.)
"""
import threading

import numpy as np

_DEFAULT_SEED = 67280421310721  # torch's initial seed, so fresh processes start the same way
_create_lock = threading.Lock()  # two threads' first draws share one stream


class Generator:
    """Like ``torch.Generator``: ``Generator().manual_seed(0)`` gives an independent stream.

    The numpy generator behind it (``.numpy``) is created at the first draw, not when the
    seed is set: ``import minigrad`` does not load ``numpy.random`` (~25 ms)."""

    def __init__(self, device="cpu"):
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed):
        """Seeds are 64-bit, as torch's: any int in [-2**63, 2**64); a negative one wraps."""
        seed = int(seed)
        if not -2 ** 63 <= seed < 2 ** 64:
            raise ValueError("Overflow when unpacking long long")
        self._seed = seed % 2 ** 64
        self._numpy = None      # the stream restarts from the new seed at the next draw
        return self

    @property
    def numpy(self):
        """The ``numpy.random.Generator`` (PCG64 seeded with ``initial_seed()``) to draw from."""
        gen = self._numpy
        if gen is None:
            with _create_lock:
                gen = self._numpy
                if gen is None:
                    gen = self._numpy = np.random.Generator(np.random.PCG64(self._seed))
        return gen

    def initial_seed(self):
        return self._seed

    def get_state(self):
        return self.numpy.bit_generator.state

    def set_state(self, state):
        self.numpy.bit_generator.state = state
        return self


default_generator = Generator()


def manual_seed(seed):
    """Reseed the default generator; returns it, as torch does."""
    return default_generator.manual_seed(seed)


def seed():
    s = int(np.random.SeedSequence().entropy % (2 ** 63))
    default_generator.manual_seed(s)
    return s


def initial_seed():
    return default_generator.initial_seed()


def numpy_generator(generator=None):
    """The numpy Generator to draw from: the given minigrad Generator's, else the default."""
    return (generator or default_generator).numpy
