"""Random numbers: one seeded generator behind every random function in minigrad.

``minigrad.manual_seed(s)`` reseeds it, so rand/randn/randint/randperm, weight
init, dropout and DataLoader shuffling all repeat exactly.  (The streams are
numpy's PCG64, so they repeat minigrad runs, not torch's numbers.)
"""
import numpy as np

_DEFAULT_SEED = 67280421310721  # torch's initial seed, so fresh processes start the same way


class Generator:
    """Like ``torch.Generator``: ``Generator().manual_seed(0)`` gives an independent stream."""

    def __init__(self, device="cpu"):
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed):
        """Seeds are 64-bit, as torch's: any int in [-2**63, 2**64); a negative one wraps."""
        seed = int(seed)
        if not -2 ** 63 <= seed < 2 ** 64:
            raise ValueError("Overflow when unpacking long long")
        self._seed = seed % 2 ** 64
        self.numpy = np.random.Generator(np.random.PCG64(self._seed))
        return self

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
