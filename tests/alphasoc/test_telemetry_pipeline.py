"""alphasoc-submit-telemetry sends a batch while it reads the next: one batch in flight at most, and a
stop leaves the batch read but not sent to the resumed upload, as if reading had stopped there."""
from __future__ import annotations

import json
import threading

import pytest

from soarpacks.integrations.alphasoc import telemetry
from soarpacks.integrations.common import errors


def records(count: int, *, invalid: tuple[int, ...] = (), yielded: list[int] | None = None):
    for index in range(count):
        if yielded is not None:
            yielded.append(index)
        if index in invalid:
            yield telemetry.Record(index, index + 1, None, "not valid JSON")
        else:
            yield telemetry.Record(index, index + 1, json.dumps({"n": index, "pad": "x" * 80}).encode())


def test_the_next_batch_is_read_while_a_batch_is_being_sent():
    yielded: list[int] = []
    seen_while_sending: list[int] = []
    next_batch_read = threading.Event()

    def post(event_type, body, *, encoding):
        if not seen_while_sending:  # the first batch: wait (a while at most) for the reader to go on
            next_batch_read.wait(timeout=5)
            seen_while_sending.append(len(yielded))
        return {"received": 0, "accepted": 0}

    def watched():
        for record in records(40, yielded=yielded):
            if record.index == 15:
                next_batch_read.set()
            yield record
    telemetry.upload(post, "dns", watched(), max_batch_bytes=1000)   # about 10 events a batch
    assert seen_while_sending[0] > 15


def test_a_stop_leaves_the_batch_read_meanwhile_and_its_rejected_lines_to_the_resumed_upload():
    def post(event_type, body, *, encoding):
        raise errors.TransientError("AlphaSOC: 503", status=503)
    result = telemetry.upload(post, "dns", records(100, invalid=(30,)), max_batch_bytes=1000)
    last = result["failed_batches"][-1]
    assert result["batches_failed"] == 3
    assert result["resume_at"] == last["offset"] + last["events"]
    assert result["events_read"] == result["resume_at"] and result["invalid"] == 0


LINES = [b'{"query": "a.example.com"}', b'{"n": NaN}', b'{"big": 123456789012345678901234567890}', b"[1, 2]",
         b'{"a": 1} {"b": 2}', b"{not json", b'{"s": "\xff"}', b'{"t": "caf\xc3\xa9"}']


def _read(path, monkeypatch, fast):
    from soarpacks.integrations.alphasoc import telemetry_source
    monkeypatch.setattr(telemetry_source, "_fast_loads", fast)
    with telemetry.FileSource(str(path), format="ndjson") as source:
        return [(r.index, r.line, r.data, r.error is None) for r in source.records()]


def test_the_optional_fast_json_reader_accepts_and_rejects_exactly_the_lines_the_standard_library_does(
        tmp_path, monkeypatch):
    orjson = pytest.importorskip("orjson")
    path = tmp_path / "events.ndjson"
    path.write_bytes(b"\n".join(LINES) + b"\n")
    standard = _read(path, monkeypatch, None)
    assert _read(path, monkeypatch, orjson.loads) == standard
    assert [ok for *_, ok in standard] == [True, True, True, False, False, False, False, True]
