"""Fetch state: where each incremental fetch resumes.

The runner saves a bookmark only after the incidents it covers were handed over, so a run killed at
any point resumes without loss. The bookmarks themselves (what a state value means) are in
``bookmarks.py``; this module only stores them.
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any, Protocol

from . import errors


class StateStore(Protocol):
    def load(self, key: str) -> dict[str, Any] | None: ...
    def save(self, key: str, value: dict[str, Any]) -> None: ...
    def save_many(self, values: dict[str, dict[str, Any]]) -> None:
        """Several keys in one transaction: all are saved or none."""


def default_state_path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "soarpacks" / "state.sqlite3"


COLUMNS = ("key", "value", "updated_at")


class SqliteStateStore:
    """The embedded default: one SQLite file; each save is one transaction, so a SIGKILL leaves
    either the old bookmark or the new one, never half of either."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._check_ours()   # before anything below changes the file
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
                             "updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)")
        except (sqlite3.Error, OSError) as exc:
            raise errors.StateError(f"cannot open the state file {self.path}: {exc}") from None
        self._lock = threading.Lock()

    def _check_ours(self) -> None:
        """A SQLite file with tables we did not create is someone else's: never add ours to it."""
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                  if not row[0].startswith("sqlite_")}
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(state)")} if "state" in tables else set()
        if tables - {"state"} or (tables and columns != set(COLUMNS)):
            self._db.close()
            raise errors.StateError(f"{self.path} is not a soarpacks state file (it holds tables soarpacks did not "
                                    "create); refusing to change it: name another file with --state")

    def check_writable(self) -> None:
        """Fails now, before a fetch hands anything over, if its bookmark could not be saved afterwards
        (a read-only file or folder): handing incidents over without saving would repeat them."""
        try:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.execute("INSERT OR REPLACE INTO state(key, value) VALUES ('soarpacks/probe', '0')")
                finally:
                    self._db.execute("ROLLBACK")
        except sqlite3.Error as exc:
            raise errors.StateError(f"cannot write the state file {self.path}: {exc}") from None

    def keys(self, prefix: str = "") -> list[str]:
        """The stored keys that start with ``prefix``, sorted."""
        try:
            with self._lock:
                rows = self._db.execute("SELECT key FROM state ORDER BY key").fetchall()
        except sqlite3.Error as exc:
            raise errors.StateError(f"cannot read the state file {self.path}: {exc}") from None
        return [row[0] for row in rows if row[0].startswith(prefix)]

    def delete(self, keys: list[str]) -> None:
        """Remove ``keys``, all in one transaction."""
        try:
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    self._db.executemany("DELETE FROM state WHERE key = ?", [(key,) for key in keys])
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise errors.StateError(f"cannot write the state file {self.path}: {exc}") from None

    def load_text(self, key: str) -> str | None:
        """The stored text of ``key`` as it is, readable or not (``state reset`` shows what it removes)."""
        try:
            with self._lock:
                row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            raise errors.StateError(f"cannot read the state file {self.path}: {exc}") from None
        return None if row is None else str(row[0])

    def load(self, key: str) -> dict[str, Any] | None:
        text = self.load_text(key)
        if text is None:
            return None
        try:
            value = json.loads(text)
        except ValueError:
            raise errors.StateError(f"the stored state for {key} in {self.path} is not valid JSON; refusing to "
                                    "restart from scratch (soarpacks state reset starts over)") from None
        if not isinstance(value, dict) or not value:
            raise errors.StateError(f"the stored state for {key} in {self.path} is not a bookmark "
                                    f"({text[:40]!r}); refusing to restart from scratch (soarpacks state reset "
                                    "starts over)")
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
