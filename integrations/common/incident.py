"""The one incident every ``fetch-incidents`` yields (``schemas/incident.schema.json``), and its one serializer.

A vendor's mapping builds an ``Incident``; the fetch helper (``fetching.py``) turns it into the plain
dict that the runner hands over, and that the platform adapters, the outbox, the OCSF output and the
tests read. The dict is the contract (the schema checks it in tests), so the type stays cheap: no
validation and no copy per incident, because a fetch drains tens of thousands of them; ``__slots__``
keeps each one small and its attributes fast. (Python 3.9 has no ``dataclass(slots=True)``, so the
slots are written out, which is why no field has a default.)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional

# The incident's keys, in the order every serialized incident has them.
FIELDS = ("id", "source", "name", "severity", "occurred", "updated", "status", "url", "indicators", "labels", "raw")


@dataclass
class Incident:
    """``severity`` is 0 unknown, 1 low, 2 medium, 3 high, 4 critical; ``occurred`` and ``updated`` are
    RFC 3339 UTC text; ``indicators`` are ``{"type", "value", "role"?}``; ``raw`` is the vendor object, untouched."""

    __slots__ = FIELDS

    id: str
    source: str
    name: str
    severity: int
    occurred: str
    updated: str
    status: str
    url: Optional[str]
    indicators: List[Dict[str, str]]
    labels: Dict[str, Any]
    raw: Dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The incident as the platforms, the outbox and OCSF read it (keys in schema order)."""
        return {"id": self.id, "source": self.source, "name": self.name, "severity": self.severity,
                "occurred": self.occurred, "updated": self.updated, "status": self.status, "url": self.url,
                "indicators": self.indicators, "labels": self.labels, "raw": self.raw}
