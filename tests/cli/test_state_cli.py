"""``soarpacks state show|reset``, and state files or bookmarks we cannot trust are refused (exit 3)."""
from __future__ import annotations

import json
import sqlite3

import pytest

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.state import SqliteStateStore
from soarpacks.tools.cli import main

KEY = "cisco_gta/simulate/fetch-incidents"


def _cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _fetch(capsys, state, *extra):
    code, out, err = _cli(capsys, "run", "cisco_gta", "fetch-incidents", "max_fetch=5", "--simulate", "-o", "json",
                          "--state", str(state), *extra)
    assert code == 0, err
    return [i["id"] for i in json.loads(out)]


def _corrupt(state, text):
    with sqlite3.connect(state) as db:
        db.execute("UPDATE state SET value = ? WHERE key = ?", (text, KEY))


def test_show_prints_the_stored_bookmarks_as_json(capsys, tmp_path):
    state = tmp_path / "s.db"
    _fetch(capsys, state)
    code, out, err = _cli(capsys, "state", "show", "cisco_gta", "--state", str(state))
    assert code == 0 and set(json.loads(out)) == {KEY} and "triggered" in json.loads(out)[KEY]


def test_show_is_limited_to_the_instance_asked_for(capsys, tmp_path):
    state = tmp_path / "s.db"
    _fetch(capsys, state)
    code, out, err = _cli(capsys, "state", "show", "cisco_gta", "--instance", "other", "--state", str(state))
    assert code == 0 and json.loads(out) == {}


def test_show_of_a_missing_state_file_prints_nothing_stored_and_creates_no_file(capsys, tmp_path):
    code, out, err = _cli(capsys, "state", "show", "cisco_gta", "--state", str(tmp_path / "none.db"))
    assert code == 0 and json.loads(out) == {} and not (tmp_path / "none.db").exists()


def test_reset_removes_the_bookmarks_prints_them_and_the_next_fetch_starts_over(capsys, tmp_path):
    state = tmp_path / "s.db"
    first = _fetch(capsys, state)
    assert _fetch(capsys, state) != first
    code, out, err = _cli(capsys, "state", "reset", "cisco_gta", "--state", str(state))
    assert code == 0 and KEY in json.loads(out)["removed"]
    assert json.loads(_cli(capsys, "state", "show", "cisco_gta", "--state", str(state))[1]) == {}
    assert _fetch(capsys, state) == first


def test_reset_out_forgets_only_the_out_files_record(capsys, tmp_path):
    state, out = tmp_path / "s.db", tmp_path / "out.jsonl"
    assert _cli(capsys, "run", "cisco_gta", "fetch-incidents", "max_fetch=5", "--simulate", "--state", str(state),
                "--out", str(out))[0] == 0
    code, stdout, err = _cli(capsys, "state", "reset", "cisco_gta", "--state", str(state), "--out", str(out))
    removed = json.loads(stdout)["removed"]
    assert code == 0 and len(removed) == 1 and next(iter(removed)).startswith("outbox/")
    assert set(json.loads(_cli(capsys, "state", "show", "cisco_gta", "--state", str(state))[1])) == {KEY}


@pytest.mark.parametrize("stored", ["{broken", "{}", "[1, 2]", '"text"'])
def test_a_bookmark_that_cannot_be_read_is_refused_by_show_and_fetch_and_removed_by_reset(capsys, tmp_path, stored):
    state = tmp_path / "s.db"
    _fetch(capsys, state)
    _corrupt(state, stored)
    for argv in (("state", "show", "cisco_gta"), ("run", "cisco_gta", "fetch-incidents", "--simulate")):
        code, out, err = _cli(capsys, *argv, "--state", str(state))
        assert code == 3 and "error (state)" in err and out == "", argv
    with sqlite3.connect(state) as db:
        assert db.execute("SELECT value FROM state WHERE key = ?", (KEY,)).fetchone()[0] == stored
    code, out, err = _cli(capsys, "state", "reset", "cisco_gta", "--state", str(state))
    assert code == 0 and json.loads(out)["removed"][KEY] == stored


def _foreign(path):
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        db.execute("INSERT INTO customers(name) VALUES ('acme')")
    return path.read_bytes()


@pytest.mark.parametrize("argv", [("state", "show", "cisco_gta"), ("state", "reset", "cisco_gta"),
                                  ("run", "cisco_gta", "fetch-incidents", "--simulate")])
def test_a_sqlite_file_that_is_not_ours_is_refused_and_left_unchanged(capsys, tmp_path, argv):
    path = tmp_path / "theirs.db"
    before = _foreign(path)
    code, out, err = _cli(capsys, *argv, "--state", str(path))
    assert code == 3 and "not a soarpacks state file" in err
    assert path.read_bytes() == before and not (tmp_path / "theirs.db-wal").exists()


def test_a_state_table_of_another_shape_is_not_ours(tmp_path):
    with sqlite3.connect(tmp_path / "s.db") as db:
        db.execute("CREATE TABLE state (id INTEGER, blob BLOB)")
    with pytest.raises(errors.StateError):
        SqliteStateStore(tmp_path / "s.db")


def test_a_file_that_is_not_sqlite_at_all_is_refused(capsys, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("my notes, not a database\n" * 100)
    code, out, err = _cli(capsys, "state", "show", "cisco_gta", "--state", str(path))
    assert code == 3 and path.read_text() == "my notes, not a database\n" * 100


def _fetch_json(capsys, state):
    return _cli(capsys, "run", "cisco_gta", "fetch-incidents", "max_fetch=5", "--simulate", "-o", "json",
                "--state", str(state))


def test_a_state_file_that_cannot_be_written_fails_before_any_incident_is_printed(capsys, tmp_path):
    state = tmp_path / "s.db"
    _fetch(capsys, state)
    with sqlite3.connect(state) as db:   # refuses writes whoever runs the test (root ignores file modes)
        for event in ("INSERT", "UPDATE"):
            db.execute(f"CREATE TRIGGER no_{event.lower()} BEFORE {event} ON state "
                       "BEGIN SELECT RAISE(ABORT, 'the file is read-only'); END")
    code, out, err = _fetch_json(capsys, state)
    assert code == 3 and "cannot write the state file" in err and out == ""


@pytest.mark.skipif(__import__("os").geteuid() == 0, reason="root writes read-only files")
def test_a_read_only_state_file_fails_before_any_incident_is_printed(capsys, tmp_path):
    state = tmp_path / "s.db"
    _fetch(capsys, state)
    state.chmod(0o444)
    code, out, err = _fetch_json(capsys, state)
    assert code == 3 and out == ""


def test_reset_waits_for_a_running_fetch_and_then_gives_up_naming_it(capsys, tmp_path, monkeypatch):
    from soarpacks.integrations.common.lock import state_lock
    state = tmp_path / "s.db"
    _fetch(capsys, state)
    monkeypatch.setenv("SOARPACKS_LOCK_WAIT", "0.1")
    with state_lock(state, KEY):
        code, out, err = _cli(capsys, "state", "reset", "cisco_gta", "--state", str(state))
    assert code == 3 and "in use by pid" in err
    assert set(json.loads(_cli(capsys, "state", "show", "cisco_gta", "--state", str(state))[1])) == {KEY}
