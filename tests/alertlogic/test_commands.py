"""The commands end to end against the simulator: alertlogic-get-incident and its roll-ups,
get-event, update-status, alertlogic-add-feedback, alertlogic-get-legacy-incident."""
from __future__ import annotations

import gzip

import pytest

from soarpacks.integrations.alertlogic.simulator import build_payload
from soarpacks.integrations.common import errors
from soarpacks.integrations.common.registry import get
from soarpacks.integrations.common.schemas import validate_output

JOOMLA, WORDPRESS, SMB = 0, 1, 4
JOOMLA_NAME = "AL Joomla Component SQL Injection Attempt"
WORDPRESS_NAME = "AL WordPress xmlrpc.php Brute Force"
SMB_NAME = "AL SMB Suspicious Binary Transfer"


def get_exchange(host: str, path: str, code: int, reason: str, *, gzipped: bool = False) -> bytes:
    body = b"<html>page</html>"
    extra = b""
    if gzipped:
        body, extra = gzip.compress(body), b"Content-Encoding: gzip\r\n"
    return (f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
            + b"HTTP/1.1 %d %s\r\nContent-Length: %d\r\n%s\r\n" % (code, reason.encode(), len(body), extra) + body)


def post_with_status_line_body(host: str, *, answered: bool) -> bytes:
    body = b"HTTP/1.1 200 OK\r\nuser=admin&pass=x"
    wire = f"POST /xmlrpc.php HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
    return wire + (b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n" if answered else b"")


@pytest.fixture
def hand_made(sim):
    """Six events whose roll-ups are worked out by hand below."""
    incident_id = sim.add_incident(events=[
        {"sig": JOOMLA, "payload": get_exchange("www.example.net", "/a", 200, "OK")},
        {"sig": JOOMLA, "payload": get_exchange("www.example.net", "/b", 404, "Not Found")},
        {"sig": WORDPRESS, "payload": post_with_status_line_body("shop.example.com", answered=True)},
        {"sig": WORDPRESS, "payload": post_with_status_line_body("shop.example.com", answered=False)},
        {"sig": SMB, "payload": b"\x00\x00\x00\x85\xffSMBr\x00\x00"},
        {"sig": JOOMLA, "payload": get_exchange("www.example.net", "/c", 200, "OK", gzipped=True)},
    ], threat_rating="High")
    ids = [event["id"]["event_id"] for event in sim.events[incident_id]]
    return incident_id, ids


def test_get_incident_roll_ups_match_a_hand_computed_expectation(al, hand_made):
    incident_id, (e1, e2, e3, e4, e5, e6) = hand_made
    result = al.run("alertlogic-get-incident", {"incident_id": incident_id})
    out = result.outputs
    assert out["response_code_tally"] == {"200": [e1, e6], "404": [e2], "403": [e3], "unknown": [e4, e5]}
    assert out["unique_hosts"] == {"www.example.net": [e1, e2, e6], "shop.example.com": [e3, e4], "unknown": [e5]}
    assert out["unique_signatures"] == {JOOMLA_NAME: [e1, e2, e6], WORDPRESS_NAME: [e3, e4], SMB_NAME: [e5]}
    assert out["summary_breakdown"] == {
        JOOMLA_NAME: {"www.example.net": {"200": [e1, e6], "404": [e2]}},
        WORDPRESS_NAME: {"shop.example.com": {"403": [e3], "unknown": [e4]}},
        SMB_NAME: {"unknown": {"unknown": [e5]}},
    }
    assert out["event_count"] == out["event_total"] == 6 and out["events_truncated"] is False
    assert out["severity"] == 3 and out["id"] == incident_id
    validate_output(get("alertlogic").manifest, get("alertlogic").manifest.command("alertlogic-get-incident"), out)


def test_get_incident_events_carry_the_seed_fields(al, hand_made):
    incident_id, ids = hand_made
    events = {e["id"]: e for e in al.run("alertlogic-get-incident", {"incident_id": incident_id}).outputs["events"]}
    first = events[ids[0]]
    assert (first["restful_call"], first["resource"], first["http_protocol"]) == ("GET", "/a", "HTTP/1.1")
    assert (first["host"], first["full_url"]) == ("www.example.net", "http://www.example.net/a")
    assert (first["response_code"], first["response_message"]) == ("200", "OK")
    assert first["sig_id"] == "100211" and first["sig_rule"].startswith("alert tcp")
    assert first["classification"] == "web-application-attack" and first["protocol"] == "tcp"
    assert first["sensor"] and first["source_addr"] and first["dest_port"] == 80
    assert events[ids[5]]["decompressed"] == "<html>page</html>"
    assert events[ids[2]]["response_code"] == "403"  # not the 200 inside the POST body


def test_get_incident_by_friendly_id_reads_the_same_incident(al, sim, hand_made):
    incident_id, _ = hand_made
    friendly = sim.incidents[incident_id]["humanFriendlyId"]
    assert al.run("alertlogic-get-incident", {"incident_id": friendly}).outputs["id"] == incident_id


def test_get_incident_markdown_defangs_hosts_and_urls(al, hand_made):
    incident_id, _ = hand_made
    text = al.run("alertlogic-get-incident", {"incident_id": incident_id}).markdown()
    assert "www[.]example[.]net" in text and "hxxp://www[.]example[.]net/a" in text
    assert "http://www.example.net" not in text and "| www.example.net" not in text


def test_concurrent_and_sequential_event_fetching_give_the_same_incident(make_instance, sim):
    incident_id = sim.add_incident(events=57)
    one = make_instance(event_workers=1).run("alertlogic-get-incident", {"incident_id": incident_id}).outputs
    many = make_instance(event_workers=8).run("alertlogic-get-incident", {"incident_id": incident_id}).outputs
    assert one == many and one["event_count"] == 57


def test_max_events_bounds_the_read_and_says_so(al, sim):
    incident_id = sim.add_incident(events=30)
    out = al.run("alertlogic-get-incident", {"incident_id": incident_id, "max_events": 12}).outputs
    assert out["event_count"] == 12 and out["event_total"] == 30 and out["events_truncated"] is True


def test_payloads_can_be_left_out_of_the_outputs(al, hand_made):
    incident_id, _ = hand_made
    events = al.run("alertlogic-get-incident", {"incident_id": incident_id, "include_payloads": False}).outputs["events"]
    assert all(e["full_payload"] is None and e["decompressed"] is None for e in events)
    assert events[0]["response_code"] == "200"


def test_get_event_analyses_one_event_raw_in_outputs_defanged_in_markdown(al, hand_made):
    incident_id, ids = hand_made
    result = al.run("get-event", {"incident_id": incident_id, "event_id": ids[0]})
    assert result.outputs["full_url"] == "http://www.example.net/a"
    assert result.raw["id"]["event_id"] == ids[0]
    text = result.markdown()
    assert "hxxp://www[.]example[.]net/a" in text and "http://www.example.net" not in text
    assert "Signature rule:" in text


def test_get_event_for_an_event_not_in_the_incident_is_not_found(al, hand_made):
    incident_id, _ = hand_made
    with pytest.raises(errors.NotFoundError):
        al.run("get-event", {"incident_id": incident_id, "event_id": "1"})


def test_a_malformed_incident_id_is_rejected_before_any_request(al, sim):
    with pytest.raises(errors.InputError):
        al.run("alertlogic-get-incident", {"incident_id": "../../aims"})
    assert sim.requests == []


def test_complete_then_reopen_an_incident(al, sim):
    incident_id = next(i for i, inc in sim.incidents.items() if inc["customer_status"]["status"] == "open")
    done = al.run("update-status", {"incident_id": incident_id, "status": "completed",
                                    "reason_code": "acceptable_risk", "notes": "known scanner"}).outputs
    assert (done["status"], done["previous_status"], done["changed"]) == ("completed", "open", True)
    assert sim.incidents[incident_id]["customer_status"]["reason_code"] == "acceptable_risk"
    reopened = al.run("update-status", {"incident_id": incident_id, "status": "open", "notes": "seen again"}).outputs
    assert (reopened["status"], reopened["previous_status"]) == ("open", "completed")


def test_completing_a_completed_incident_is_reported_as_unchanged(al, sim):
    incident_id = next(iter(sim.incidents))
    args = {"incident_id": incident_id, "status": "completed", "reason_code": "other", "notes": "n"}
    al.run("update-status", args)
    again = al.run("update-status", args)
    assert again.outputs["changed"] is False and again.outputs["status"] == "completed"
    assert sim.count(f"/{incident_id}/complete") == 2  # the API was asked and said "the same"


def test_other_update_errors_still_fail(al, sim):
    with pytest.raises(errors.NotFoundError):
        al.run("update-status", {"incident_id": "0000000000000000", "status": "open", "notes": "n"})


def test_completing_needs_a_reason_code_and_reopening_takes_none(al, sim):
    incident_id = next(iter(sim.incidents))
    with pytest.raises(errors.InputError, match="reason_code"):
        al.run("update-status", {"incident_id": incident_id, "status": "completed", "notes": "n"})
    with pytest.raises(errors.InputError, match="reason_code"):
        al.run("update-status", {"incident_id": incident_id, "status": "open", "notes": "n", "reason_code": "other"})
    with pytest.raises(errors.InputError):
        al.run("update-status", {"incident_id": incident_id, "status": "completed", "notes": "n", "reason_code": "bored"})
    assert sim.count("/complete") == sim.count("/reopen") == 0


def test_add_feedback_sends_the_feedback_and_its_reason(al, sim):
    incident_id = next(iter(sim.incidents))
    out = al.run("alertlogic-add-feedback", {"incident_id": incident_id, "feedback": "Blocked at WAF",
                                             "reason": "compensating_control"}).outputs
    assert sim.feedback_given[incident_id][0]["feedback"] == "Blocked at WAF"
    assert out["feedback_reason"] == "compensating_control" and out["feedback_user"]


def test_the_legacy_incident_is_mapped_with_its_event_ids(al, sim):
    number = min(sim.legacy)
    out = al.run("alertlogic-get-legacy-incident", {"incident_id": number}).outputs
    legacy = sim.legacy[number]
    assert out["id"] == str(number) and out["status"] == "open"
    assert out["event_ids"] == [str(e) for e in legacy["event_ids"]]
    assert {"type": "ip", "value": legacy["attackers"][0], "role": "attacker"} in out["indicators"]


def test_test_module_logs_in_and_reads_incidents(al, sim):
    out = al.run("test-module").outputs
    assert out["ok"] is True and out["account_id"] == sim.account_id


def test_simulated_payloads_cover_every_case_the_issue_lists():
    import random
    rng = random.Random(0)
    kinds = {"html", "gzip", "chunked_gzip", "truncated_gzip", "post_status_line", "truncated_request",
             "request_only", "binary", "redirect", "not_found"}
    assert all(build_payload(kind, "h.example", "/", rng) for kind in kinds)


def test_get_incident_with_a_vanished_event_page_returns_the_other_events_and_says_which_are_missing(make_instance, sim):
    # One worker: with several, which page is the third request is a race, and the short last page
    # could be the one that vanishes.
    al = make_instance(event_workers=1)
    incident_id = sim.add_incident(events=35)
    al.run("test-module")   # logged in: the next elaborations requests are the events' pages
    sim.faults.inject("404", after=2, path_contains="elaborations")
    result = al.run("alertlogic-get-incident", {"incident_id": incident_id})
    assert result.outputs["event_total"] == 35
    assert result.outputs["event_count"] == 35 - sim.event_page_cap
    assert "answered 404" in result.outputs["events_warning"]
    assert result.markdown().startswith("**Warning:**")


def test_get_incident_without_trouble_has_no_warning(al, sim):
    result = al.run("alertlogic-get-incident", sim.command_examples()["alertlogic-get-incident"])
    assert result.outputs["events_warning"] is None
