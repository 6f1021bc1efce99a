"""Shared test settings: hypothesis profiles sized for CI (set HYPOTHESIS_PROFILE=thorough locally)."""
import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("thorough", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# ``from recording import load_record`` (the torch-free modules of tests/record) from any test folder
sys.path.insert(0, str(Path(__file__).resolve().parent))
