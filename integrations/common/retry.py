"""When and how long to wait before another attempt: exponential backoff with full jitter,
and the vendor's own ``Retry-After`` (seconds or HTTP date) when it sends one."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import timezone
from email.utils import parsedate_to_datetime
from typing import Callable


def parse_retry_after(value: str | None, *, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait, from a ``Retry-After`` header; ``None`` when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - now())


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    # A vendor asking us to wait longer than this gets a clear error instead of a hung playbook.
    max_retry_after: float = 120.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def backoff(self, attempt: int) -> float:
        """Full jitter (AWS architecture blog): spreads clients that failed together."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** attempt))
        return self.rng.uniform(0, ceiling)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        return self.backoff(attempt)


DEFAULT_RETRY = RetryPolicy()
# For tests and simulators: same logic, no real waiting worth the name.
FAST_RETRY = RetryPolicy(base_delay=0.001, max_delay=0.01, max_retry_after=2.0, max_attempts=8)
