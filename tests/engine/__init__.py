"""Tests of the Tensor and the reverse-mode engine (a package, so its module names do not clash
with same-named test files in other folders, e.g. tests/losses/test_gradcheck.py)."""
