"""alphasoc-submit-telemetry: streaming readers, gzip batches under the size limit, retries, failed
batches reported with offsets, totals, and the progress line."""
from __future__ import annotations

import gzip
import io
import json
import sys

import pytest
from werkzeug.wrappers import Response

from soarpacks.integrations.alphasoc import telemetry
from soarpacks.integrations.common import errors
from tests.alphasoc.support import dns_event


def write_ndjson(path, count: int, **extra):
    with open(path, "w", encoding="utf-8") as handle:
        for n in range(count):
            handle.write(json.dumps(dns_event(n, **extra)) + "\n")
    return str(path)


def submit(instance, **args):
    return instance.run("alphasoc-submit-telemetry", {"event_type": "dns", **args}).outputs


# --- batches on the wire ---------------------------------------------------------------------------

def test_a_file_goes_in_gzip_batches_under_the_size_limit_and_the_totals_match(alphasoc, sim, tmp_path):
    sim.max_body_bytes = 4096  # the simulator answers 413 to anything bigger
    path = write_ndjson(tmp_path / "events.ndjson", 1000)
    result = submit(alphasoc, file=path, max_batch_bytes=4096)
    assert result["complete"] and result["batches_failed"] == 0
    assert result["batches"] > 20 and result["bytes_uncompressed"] / result["batches"] <= 4096
    assert result["events_read"] == result["events_sent"] == result["received"] == result["accepted"] == 1000
    assert sim.telemetry["dns"]["received"] == 1000 and sim.telemetry_requests == result["batches"]


def test_each_request_is_gzip_compressed_newline_delimited_json(httpserver, wire):
    bodies = []

    def record(request):
        assert request.headers["Content-Encoding"] == "gzip"
        bodies.append(gzip.decompress(request.get_data()))
        return Response(json.dumps({"received": 3, "accepted": 3}), mimetype="application/json")

    httpserver.expect_request("/v1/events/dns", method="POST").respond_with_handler(record)
    submit(wire, events=json.dumps([dns_event(n) for n in range(3)]))
    assert [json.loads(line) for line in bodies[0].splitlines()] == [dns_event(n) for n in range(3)]
    assert bodies[0].endswith(b"\n")


def test_a_429_on_a_batch_resends_the_same_batch_and_nothing_is_counted_twice(alphasoc, sim, tmp_path):
    sim.faults.inject("429", times=3, after=1, path_contains="/v1/events/")
    result = submit(alphasoc, file=write_ndjson(tmp_path / "e.ndjson", 500), max_batch_bytes=8192)
    assert sim.faults.injected == {"429": 3}
    assert result["complete"] and result["received"] == sim.telemetry["dns"]["received"] == 500


def test_a_batch_that_finally_fails_is_reported_with_its_offset_and_can_be_resent_alone(alphasoc, sim, tmp_path):
    path = write_ndjson(tmp_path / "e.ndjson", 500)
    sim.faults.inject("500", times=1, after=2, path_contains="/v1/events/")  # a 500 is not retried
    result = submit(alphasoc, file=path, max_batch_bytes=8192)
    assert not result["complete"] and result["batches_failed"] == 1
    failed = result["failed_batches"][0]
    assert failed["batch"] == 3 and failed["status"] == 500 and failed["line"] == failed["offset"] + 1
    assert result["received"] == 500 - failed["events"]
    again = submit(alphasoc, file=path, start_at=failed["offset"], limit=failed["events"])
    assert again["complete"] and again["received"] == failed["events"]
    assert sim.telemetry["dns"]["received"] == 500


def test_three_failed_batches_in_a_row_stop_the_upload_with_a_resume_offset(alphasoc, sim, tmp_path):
    path = write_ndjson(tmp_path / "e.ndjson", 500)
    sim.faults.inject("500", times=3, after=1, path_contains="/v1/events/")
    result = submit(alphasoc, file=path, max_batch_bytes=8192)
    assert result["stopped"].startswith("stopped after 3 failed batches") and result["batches_failed"] == 3
    assert result["resume_at"] == result["failed_batches"][-1]["offset"] + result["failed_batches"][-1]["events"]
    first_failed = result["failed_batches"][0]["offset"]
    rest = submit(alphasoc, file=path, start_at=first_failed)
    assert rest["complete"] and sim.telemetry["dns"]["received"] == 500


def test_a_wrong_key_fails_the_upload_as_one_auth_error(server, tmp_path):
    from soarpacks.integrations.common.registry import get
    from soarpacks.integrations.common.retry import FAST_RETRY
    from soarpacks.integrations.common.runner import Instance
    wrong = Instance.configure(get("alphasoc"), {**server.params(), "api_key": "canary-wrong"}, retry=FAST_RETRY)
    with pytest.raises(errors.AuthError):
        submit(wrong, file=write_ndjson(tmp_path / "e.ndjson", 10))


def test_alphasocs_rejections_are_totalled_by_reason(alphasoc):
    events = [dns_event(0), {"srcIP": "10.0.0.1", "query": "x.example"}, {"ts": "yesterday", "srcIP": "10.0.0.1",
              "query": "x.example"}, {"ts": "2024-03-01T10:00:00Z", "srcIP": "10.0.0.1"}]
    result = submit(alphasoc, events=json.dumps(events))
    assert (result["received"], result["accepted"]) == (4, 1)
    assert result["rejected"] == {"invalid ts": 1, "missing query": 1, "missing ts": 1} and result["rejected_total"] == 3


# --- reading sources ---------------------------------------------------------------------------------

def test_lines_that_are_not_json_objects_are_reported_with_their_line_and_not_sent(alphasoc, tmp_path):
    path = tmp_path / "e.ndjson"
    path.write_text("\n".join([json.dumps(dns_event(0)), "{not json", "[1, 2]", "", json.dumps(dns_event(1)),
                               json.dumps(dns_event(2)) + json.dumps(dns_event(3))]) + "\n")
    result = submit(alphasoc, file=str(path))
    assert result["received"] == 2 and result["invalid"] == 3
    assert [(s["offset"], s["line"]) for s in result["invalid_samples"]] == [(1, 2), (2, 3), (4, 6)]


def test_a_json_array_is_read_a_chunk_at_a_time_with_the_same_events_as_json_load():
    events = [dns_event(n, note="ünïcode, [brackets] and {braces}") for n in range(50)]
    text = json.dumps(events, indent=2)
    stream = io.StringIO(text)
    asked = []

    def read(size):
        asked.append(size)
        return stream.read(size)

    records = list(telemetry.iter_json_records(read, chunk=7))
    assert [json.loads(r.data) for r in records] == events
    assert [r.index for r in records] == list(range(50)) and max(asked) == 7


def test_a_stream_of_pretty_printed_objects_is_read_too():
    text = "".join(json.dumps(dns_event(n), indent=1) + "\n" for n in range(5)) + 'null\n{"a":1}{"b":2}'
    records = list(telemetry.iter_json_records(io.StringIO(text).read, chunk=5))
    assert [r.error for r in records] == [None] * 5 + ["not a JSON object (NoneType)", None, None]


def test_a_broken_json_array_sends_what_came_before_and_says_where_it_stopped(alphasoc, tmp_path):
    path = tmp_path / "events.json"
    path.write_text(json.dumps([dns_event(n) for n in range(5)])[:-40])
    result = submit(alphasoc, file=str(path))
    assert result["received"] == 4 and result["resume_at"] == 4 and "event 4" in result["stopped"]
    assert not result["complete"]


def test_a_csv_file_with_a_header_becomes_typed_events(httpserver, wire, tmp_path):
    path = tmp_path / "flows.csv"
    path.write_text("ts,srcIP,destIP,destPort,bytesIn,duration,app\n"
                    "2024-03-01T10:00:00Z,10.0.0.1,8.8.8.8,53,3911,7.2,\n"
                    "2024-03-01T10:00:01Z,10.0.0.2,1.1.1.1,x53,1,1,dns\n")
    bodies = []
    httpserver.expect_request("/v1/events/ip").respond_with_handler(
        lambda request: bodies.append(gzip.decompress(request.get_data())) or
        Response(json.dumps({"received": 1, "accepted": 1}), mimetype="application/json"))
    result = wire.run("alphasoc-submit-telemetry", {"event_type": "ip", "file": str(path)}).outputs
    assert json.loads(bodies[0]) == {"ts": "2024-03-01T10:00:00Z", "srcIP": "10.0.0.1", "destIP": "8.8.8.8",
                                     "destPort": 53, "bytesIn": 3911, "duration": 7.2}
    assert result["invalid_samples"] == [{"offset": 1, "line": 3, "error": "destPort: 'x53' is not a number"}]


def test_a_gzip_compressed_file_is_read_as_a_stream(alphasoc, tmp_path):
    path = tmp_path / "events.ndjson.gz"
    with gzip.open(path, "wt") as handle:
        for n in range(300):
            handle.write(json.dumps(dns_event(n)) + "\n")
    assert submit(alphasoc, file=str(path))["received"] == 300


def test_an_event_larger_than_a_request_is_reported_not_sent(alphasoc):
    result = submit(alphasoc, events=json.dumps([dns_event(0, pad="x" * 2000), dns_event(1)]), max_batch_bytes=1024)
    assert result["received"] == 1 and result["invalid_samples"][0]["error"].startswith("larger than the 1024-byte")


def test_give_either_a_file_or_events(alphasoc, tmp_path):
    with pytest.raises(errors.InputError, match="either file"):
        submit(alphasoc)
    with pytest.raises(errors.InputError, match="either file"):
        submit(alphasoc, file=write_ndjson(tmp_path / "e.ndjson", 1), events="{}")
    with pytest.raises(errors.InputError, match="cannot read"):
        submit(alphasoc, file=str(tmp_path / "missing.ndjson"))


# --- progress --------------------------------------------------------------------------------------

class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_goes_to_stderr_only_when_it_is_a_terminal(alphasoc, tmp_path, monkeypatch, capsys):
    path = write_ndjson(tmp_path / "e.ndjson", 200)
    submit(alphasoc, file=path)
    out, err = capsys.readouterr()
    assert out == "" and err == ""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    submit(alphasoc, file=path)
    assert "AlphaSOC dns upload: 100.0% 200 events read, 1 batches sent" in terminal.getvalue()
    assert capsys.readouterr().out == ""
