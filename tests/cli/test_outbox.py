"""``--out FILE`` only ever appends: the outbox cuts off only an uncommitted tail it can prove it wrote
for this state key; everything else is left untouched (and, when a tail is pending, refused: exit 3)."""
from __future__ import annotations

import json
import os

import pytest

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.outbox import JsonLinesOutbox
from soarpacks.integrations.common.state import SqliteStateStore
from soarpacks.tools.cli import main

KEY = "cisco_gta/default/fetch-incidents"
UNRELATED = '{"from": "someone else"}\nnot even json\n'


@pytest.fixture
def store(tmp_path):
    return SqliteStateStore(tmp_path / "s.db")


def _one_committed_batch(path, store, key=KEY):
    """An outbox that has written and committed ``{"id": "1"}``, as a run does before its next batch."""
    outbox = JsonLinesOutbox(path, store, state_key=key)
    outbox.recover()
    outbox.write([{"id": "1"}])
    store.save_many(outbox.state())
    return outbox


def _killed_after_append(path, store, key=KEY):
    """One committed batch, then a batch written but never committed (the run was SIGKILLed)."""
    _one_committed_batch(path, store, key).write([{"id": "2"}, {"id": "3"}])
    return path.read_bytes()


def _recover(path, store, key=KEY):
    return JsonLinesOutbox(path, store, state_key=key).recover()


def test_a_killed_runs_uncommitted_tail_is_cut_off(tmp_path, store):
    out = tmp_path / "out.jsonl"
    _killed_after_append(out, store)
    assert _recover(out, store) > 0
    assert out.read_text() == '{"id": "1"}\n'


def test_a_torn_write_of_our_own_is_cut_off(tmp_path, store):
    out = tmp_path / "out.jsonl"
    written = _killed_after_append(out, store)
    os.truncate(out, len(written) - 5)
    _recover(out, store)
    assert out.read_text() == '{"id": "1"}\n'


def test_a_torn_line_that_someone_else_finished_is_refused_and_kept(tmp_path, store):
    out = tmp_path / "out.jsonl"
    written = _killed_after_append(out, store)
    os.truncate(out, len(written) - 5)
    with open(out, "ab") as handle:
        handle.write(b"\n")
    with pytest.raises(errors.StateError):
        _recover(out, store)
    assert out.read_bytes() == written[:-5] + b"\n"


def test_the_pending_record_holds_digests_not_the_incidents(tmp_path, store):
    out = tmp_path / "out.jsonl"
    outbox = JsonLinesOutbox(out, store, state_key=KEY)
    outbox.recover()
    outbox.write([{"id": "1", "secret-ish": "x" * 1000}])
    assert "x" * 100 not in json.dumps(store.load(outbox.key))


def test_a_run_killed_before_its_append_cuts_nothing(tmp_path, store):
    out = tmp_path / "out.jsonl"
    outbox = _one_committed_batch(out, store)
    record = store.load(outbox.key)
    store.save(outbox.key, {**record, "pending": {"offset": record["length"], "lines": [[12, "0" * 32]]}})
    assert _recover(out, store) == 0 and out.read_text() == '{"id": "1"}\n'


def test_lines_someone_else_appended_after_a_killed_run_are_refused_and_kept(tmp_path, store):
    out = tmp_path / "out.jsonl"
    written = _killed_after_append(out, store)
    with open(out, "ab") as handle:
        handle.write(b'{"id": "theirs"}\n')
    with pytest.raises(errors.StateError) as failure:
        _recover(out, store)
    assert failure.value.exit_code == 3 and "did not write" in failure.value.message
    assert out.read_bytes() == written + b'{"id": "theirs"}\n'


def test_foreign_bytes_in_place_of_our_tail_are_refused_and_kept(tmp_path, store):
    out = tmp_path / "out.jsonl"
    written = _killed_after_append(out, store)
    forged = written[:-4] + b"XXX\n"
    out.write_bytes(forged)   # same inode, same length, other content
    with pytest.raises(errors.StateError):
        _recover(out, store)
    assert out.read_bytes() == forged


def test_a_different_file_at_the_path_is_refused_when_a_tail_is_pending(tmp_path, store):
    out = tmp_path / "out.jsonl"
    written = _killed_after_append(out, store)
    os.rename(out, tmp_path / "rotated.jsonl")
    out.write_bytes(written)   # same bytes, another file
    with pytest.raises(errors.StateError) as failure:
        _recover(out, store)
    assert "not the file" in failure.value.message and out.read_bytes() == written


def test_a_file_shorter_than_what_was_committed_is_refused_when_a_tail_is_pending(tmp_path, store):
    out = tmp_path / "out.jsonl"
    _killed_after_append(out, store)
    os.truncate(out, 3)
    with pytest.raises(errors.StateError):
        _recover(out, store)
    assert out.stat().st_size == 3


def test_rewritten_committed_bytes_are_refused_when_a_tail_is_pending(tmp_path, store):
    out = tmp_path / "out.jsonl"
    written = _killed_after_append(out, store)
    changed = b'{"id": "9"}\n' + written[len(b'{"id": "1"}\n'):]
    out.write_bytes(changed)
    with pytest.raises(errors.StateError):
        _recover(out, store)
    assert out.read_bytes() == changed


def test_another_state_keys_pending_tail_is_not_ours_to_cut(tmp_path, store):
    out = tmp_path / "out.jsonl"
    written = _killed_after_append(out, store, key="cisco_gta/a/fetch-incidents")
    assert _recover(out, store, key="cisco_gta/b/fetch-incidents") == 0
    assert out.read_bytes() == written


def test_a_replaced_file_with_nothing_pending_is_appended_to(tmp_path, store):
    out = tmp_path / "out.jsonl"
    _one_committed_batch(out, store)
    os.remove(out)
    out.write_text(UNRELATED)
    again = JsonLinesOutbox(out, store, state_key=KEY)
    assert again.recover() == 0
    again.write([{"id": "2"}])
    store.save_many(again.state())
    assert out.read_text() == UNRELATED + '{"id": "2"}\n'


def _cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _fetch_to(capsys, state, out, *extra):
    return _cli(capsys, "run", "cisco_gta", "fetch-incidents", "max_fetch=5", "--simulate", "--state", str(state),
                "--out", str(out), *extra)


def test_a_file_with_unrelated_lines_is_appended_to_never_truncated(capsys, tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text(UNRELATED)
    code, stdout, err = _fetch_to(capsys, tmp_path / "a.db", out)
    assert code == 0, err
    text = out.read_text()
    assert text.startswith(UNRELATED) and len(text.splitlines()) > 2


def test_a_second_state_file_on_the_same_out_file_keeps_the_first_runs_incidents(capsys, tmp_path):
    out = tmp_path / "out.jsonl"
    assert _fetch_to(capsys, tmp_path / "a.db", out)[0] == 0
    first = out.read_bytes()
    code, stdout, err = _fetch_to(capsys, tmp_path / "b.db", out)
    assert code == 0 and "dropped" not in err, err
    assert out.read_bytes().startswith(first) and len(out.read_bytes()) > len(first)


def test_a_refused_out_file_exits_3_with_one_line_and_is_left_untouched(capsys, tmp_path):
    state, out = tmp_path / "a.db", tmp_path / "out.jsonl"
    assert _fetch_to(capsys, state, out)[0] == 0
    store = SqliteStateStore(state)
    key = JsonLinesOutbox(out, store, state_key="cisco_gta/simulate/fetch-incidents").key
    record = store.load(key)
    store.save(key, {**record, "pending": {"offset": record["length"], "lines": [[12, "0" * 32]]}})
    with open(out, "ab") as handle:
        handle.write(b'{"id": "theirs"}\n')
    before = out.read_bytes()
    code, stdout, err = _fetch_to(capsys, state, out)
    assert code == 3 and len(err.strip().splitlines()) == 1 and "refusing to touch it" in err
    assert out.read_bytes() == before
