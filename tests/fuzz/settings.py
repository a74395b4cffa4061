"""Hypothesis settings shared by the fuzz tests: modest and derandomized in CI (the same examples on
every run, so CI is never flaky); ``SOARPACKS_FUZZ_EXAMPLES=500`` with ``SOARPACKS_FUZZ_RANDOM=1`` for a
deeper random hunt by hand."""
from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=int(os.environ.get("SOARPACKS_FUZZ_EXAMPLES", examples)),
        derandomize=not os.environ.get("SOARPACKS_FUZZ_RANDOM"),
        deadline=None,
        # Seeds and argument dicts do not shrink into anything more readable; the failure message
        # already names the mutations and the frame, so skip the (slow) shrink phase.
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
    )
