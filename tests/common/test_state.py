"""The state store (the bookmarks it stores are tested in test_bookmarks.py)."""
from __future__ import annotations

import sqlite3

import pytest

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.state import SqliteStateStore
from soarpacks.integrations.common.timeutil import parse_time

def test_the_sqlite_store_keeps_state_across_instances(tmp_path):
    SqliteStateStore(tmp_path / "s.db").save("k", {"a": 1})
    assert SqliteStateStore(tmp_path / "s.db").load("k") == {"a": 1}


def test_corrupt_stored_state_is_an_error_with_exit_code_3(tmp_path):
    store = SqliteStateStore(tmp_path / "s.db")
    store.save("k", {"a": 1})
    sqlite3.connect(tmp_path / "s.db").execute("UPDATE state SET value = '{broken'").connection.commit()
    with pytest.raises(errors.StateError) as failure:
        store.load("k")
    assert failure.value.exit_code == 3


def test_save_many_is_one_transaction(tmp_path):
    store = SqliteStateStore(tmp_path / "s.db")
    store.save("a", {"v": 1})
    with pytest.raises(errors.StateError):
        store.save_many({"a": {"v": 2}, "b": {"v": object()}})  # the second value cannot be stored
    assert store.load("a") == {"v": 1} and store.load("b") is None


def test_times_parse_and_format_as_rfc3339_utc_whatever_the_vendor_sent():
    from soarpacks.integrations.common.timeutil import as_rfc3339, rfc3339
    assert rfc3339(parse_time("2026-01-01T10:00:00.123Z")) == "2026-01-01T10:00:00.123Z"
    assert rfc3339(parse_time("2026-01-01T12:00:00+02:00")) == "2026-01-01T10:00:00.000Z"
    assert rfc3339(parse_time("2026-01-01T10:00:00.123456789Z")) == "2026-01-01T10:00:00.123Z"
    assert rfc3339(parse_time("2026-01-01 10:00:00")) == "2026-01-01T10:00:00.000Z"
    assert rfc3339(parse_time(1767261600000)) == "2026-01-01T10:00:00.000Z"
    assert as_rfc3339("2026-01-01T10:00:00Z") == "2026-01-01T10:00:00.000Z"
    assert as_rfc3339("2026-01-01T10:00:00.500Z") == "2026-01-01T10:00:00.500Z"
