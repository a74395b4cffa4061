"""Exactly-once hand-over to a file, across SIGKILLs.

Incidents are appended to a JSON Lines file and fsynced; the file's length is then saved in the same
transaction as the bookmark that covers them. A run killed between the two leaves a tail past the
committed length: the next run cuts it off and fetches those incidents again, so the file ends up
holding every incident exactly once. A file that is gone or shorter was consumed (rotated) by its reader.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .state import StateStore


class JsonLinesOutbox:
    def __init__(self, path: str | os.PathLike[str], store: StateStore) -> None:
        self.path = Path(path).resolve()
        self.store = store
        self.key = f"outbox/{self.path}"
        self.length = 0

    def recover(self) -> int:
        """Cut off what a killed run wrote but never committed; return how many bytes were dropped."""
        committed = int((self.store.load(self.key) or {}).get("length", 0))
        size = self.path.stat().st_size if self.path.exists() else 0
        if size > committed:
            with open(self.path, "r+b") as handle:
                handle.truncate(committed)
                os.fsync(handle.fileno())
        self.length = min(size, committed)
        return max(0, size - committed)

    def write(self, incidents: list[dict[str, Any]]) -> None:
        data = "".join(json.dumps(i, sort_keys=True, default=str) + "\n" for i in incidents).encode()
        with open(self.path, "ab") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            self.length = handle.tell()

    def state(self) -> dict[str, dict[str, Any]]:
        return {self.key: {"length": self.length}}
