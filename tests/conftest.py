"""Shared test configuration: Hypothesis profiles chosen by HYPOTHESIS_PROFILE (default `quick`).

Hypothesis ships a built-in `ci` profile (100 examples, derandomized); ours replaces it and keeps its
CI behaviour (derandomize, no example database) with more examples. Suites with expensive examples
(stateful contract machines) bound their own counts.
"""

import os

from hypothesis import HealthCheck, settings

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
_BUILTIN_CI = settings.get_profile("ci") if "ci" in settings._profiles else settings()
settings.register_profile("quick", settings(max_examples=40, **_COMMON))
settings.register_profile("ci", settings(_BUILTIN_CI, max_examples=200, **_COMMON))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))
