"""Shared assertions for the kernel tests."""
import numpy as np


def tol(dtype):
    return (1e-12, 1e-13) if np.dtype(dtype) == np.float64 else (1e-6, 1e-6)


def assert_close(actual, desired, dtype, scale=1.0):
    rtol, atol = tol(dtype)
    actual = np.asarray(actual)
    assert actual.dtype == np.dtype(dtype), (actual.dtype, dtype)
    np.testing.assert_allclose(actual, desired, rtol=rtol, atol=atol * scale, equal_nan=True)
