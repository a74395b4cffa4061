"""Fetch state: where each incremental fetch resumes.

The runner saves a bookmark only after the incidents it covers were handed over, so a run killed at
any point resumes without loss; incidents that share the boundary time are remembered by id, so a
resumed run does not hand them over twice.
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Protocol

from . import errors
from .timeutil import parse_time, rfc3339


class StateStore(Protocol):
    def load(self, key: str) -> dict[str, Any] | None: ...
    def save(self, key: str, value: dict[str, Any]) -> None: ...
    def save_many(self, values: dict[str, dict[str, Any]]) -> None:
        """Several keys in one transaction: all are saved or none."""


def default_state_path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "soarpacks" / "state.sqlite3"


class SqliteStateStore:
    """The embedded default: one SQLite file; each save is one transaction, so a SIGKILL leaves
    either the old bookmark or the new one, never half of either."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
                             "updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)")
        except (sqlite3.Error, OSError) as exc:
            raise errors.StateError(f"cannot open the state file {self.path}: {exc}") from None
        self._lock = threading.Lock()

    def load(self, key: str) -> dict[str, Any] | None:
        try:
            with self._lock:
                row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            raise errors.StateError(f"cannot read the state file {self.path}: {exc}") from None
        if row is None:
            return None
        try:
            value = json.loads(row[0])
        except ValueError:
            raise errors.StateError(f"the stored state for {key} in {self.path} is not valid JSON; "
                                    "refusing to restart from scratch (delete it to start over)") from None
        if not isinstance(value, dict):
            raise errors.StateError(f"the stored state for {key} in {self.path} is not an object")
        return value

    def save(self, key: str, value: dict[str, Any]) -> None:
        self.save_many({key: value})

    def save_many(self, values: dict[str, dict[str, Any]]) -> None:
        # Encoded lazily, inside the transaction: a value that cannot be stored rolls back the others.
        rows = ((key, json.dumps(value, sort_keys=True)) for key, value in values.items())
        try:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.executemany(
                        "INSERT INTO state(key, value, updated_at) VALUES (?, ?, CURRENT_TIMESTAMP) ON CONFLICT(key) "
                        "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at", rows)
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
        except (sqlite3.Error, TypeError, ValueError) as exc:
            raise errors.StateError(f"cannot write the state file {self.path}: {exc}") from None

    def close(self) -> None:
        self._db.close()


class MemoryStateStore:
    def __init__(self) -> None:
        self.values: dict[str, dict[str, Any]] = {}

    def load(self, key: str) -> dict[str, Any] | None:
        value = self.values.get(key)
        return json.loads(json.dumps(value)) if value is not None else None

    def save(self, key: str, value: dict[str, Any]) -> None:
        self.save_many({key: value})

    def save_many(self, values: dict[str, dict[str, Any]]) -> None:
        self.values.update(json.loads(json.dumps(values)))


@dataclass(frozen=True)
class TimeBookmark:
    """A time plus the ids already handed over *at* that time.

    Fetching resumes at ``time`` inclusive (the vendor's ``>=``), and drops the ids remembered
    for that exact time: items that share the boundary are neither lost nor duplicated.
    """

    time: datetime
    ids: frozenset[str] = frozenset()

    @classmethod
    def from_state(cls, state: dict[str, Any] | None, *, default: datetime, field: str = "time") -> "TimeBookmark":
        if not state or field not in state:
            return cls(default)
        try:
            return cls(parse_time(state[field]), frozenset(map(str, state.get(f"{field}_ids", []))))
        except (errors.InputError, TypeError) as exc:
            raise errors.StateError(f"the stored bookmark {state[field]!r} cannot be read ({exc}); "
                                    "refusing to restart from scratch") from None

    def is_new(self, moment: datetime, item_id: str) -> bool:
        return moment > self.time or (moment == self.time and item_id not in self.ids)

    def advance(self, moment: datetime, item_id: str) -> "TimeBookmark":
        if moment > self.time:
            return TimeBookmark(moment, frozenset({item_id}))
        if moment == self.time:
            return TimeBookmark(self.time, self.ids | {item_id})
        return self

    def advance_all(self, items: Iterable[tuple[datetime, str]]) -> "TimeBookmark":
        mark = self
        for moment, item_id in items:
            mark = mark.advance(moment, item_id)
        return mark

    def to_state(self, field: str = "time") -> dict[str, Any]:
        return {field: rfc3339(self.time) if self.time.microsecond % 1000 == 0 else self.time.isoformat(),
                f"{field}_ids": sorted(self.ids)}
