"""fetch-incidents: the follow bookmark, paging, filters and the alert-to-incident mapping."""
from __future__ import annotations

import json

import pytest

from soarpacks.integrations.alphasoc import fetch, mapping
from soarpacks.integrations.common import errors
from soarpacks.integrations.common.schemas import incident_validator

THREATS = {
    "c2_communication": {"title": "C2 communication attempt indicating infection", "severity": 5},
    "young_domain": {"title": "Traffic to a recently registered domain", "severity": 2},
    "tor_usage": {"title": "Tor anonymity network usage", "severity": 3, "policy": True},
}


def dns_alert(n: int, *, threats=("c2_communication",), **event) -> dict:
    return {"eventType": "dns", "threats": list(threats),
            "wisdom": {"flags": ["c2"], "labels": ["c2:TrickBot"], "domain": f"bad-{n}.example"},
            "event": {"ts": f"2024-03-01T10:{n // 60 % 60:02d}:{n % 60:02d}Z", "srcIP": "192.168.20.5",
                      "srcHost": "john-pc", "srcUser": "john", "query": f"www.bad-{n}.example.", "qtype": "A", **event}}


def page(alerts, follow, more=False, threats=THREATS) -> dict:
    return {"follow": follow, "more": more, "alerts": alerts, "threats": threats}


# --- mapping --------------------------------------------------------------------------------------

def test_an_alert_becomes_one_schema_valid_incident_named_after_its_worst_threat():
    alert = dns_alert(1, threats=["young_domain", "c2_communication"])
    incident = mapping.alert_to_incident(alert, THREATS)
    incident_validator().validate(incident)
    assert incident["name"] == ("C2 communication attempt indicating infection (+1 more): www[.]bad-1[.]example. "
                                "from john-pc")
    assert incident["severity"] == 4 and incident["labels"]["vendor_severity"] == 5
    assert incident["occurred"] == "2024-03-01T10:00:01.000Z" and incident["source"] == "alphasoc"
    assert incident["raw"] == alert


@pytest.mark.parametrize("vendor, expected", [(5, 4), (4, 3), (3, 2), (2, 1), (1, 1), (0, 0)])
def test_alphasoc_severity_1_to_5_maps_to_the_incident_scale(vendor, expected):
    assert mapping.incident_severity(vendor) == expected


def test_the_severity_mapping_is_read_from_the_manifest(monkeypatch):
    from soarpacks.integrations.common.registry import get
    table = get("alphasoc").manifest.data["severity_mapping"]
    assert {level: mapping.incident_severity(int(level)) for level in table} == table
    # Changed in the manifest, changed in the incidents: the code keeps no copy of its own.
    monkeypatch.setattr(mapping, "severity_table", lambda: {1: 0, 2: 0, 3: 1, 4: 2, 5: 3})
    assert mapping.incident_severity(5) == 3 and mapping.incident_severity(9) == 3


def test_indicators_cover_source_destination_url_and_ja3():
    alert = {"eventType": "tls", "threats": ["c2_communication"], "event": {
        "ts": "2024-03-01T10:00:00Z", "srcIP": "10.1.1.1", "srcHost": "pc", "srcUser": "ann",
        "destIP": "188.68.55.50", "ja3": "724dedf93fb5a3636a0f1ee8fcec8801", "certHash": "9fcc5c1e"}}
    http = {"eventType": "http", "threats": [], "wisdom": {"domain": "microsoft775.com"},
            "event": {"ts": "2024-03-01T10:00:00Z", "srcIP": "10.1.1.1", "url": "http://microsoft775.com/wpad.dat"}}
    found = {(i["type"], i["value"], i["role"]) for i in mapping.alert_to_incident(alert, THREATS)["indicators"]}
    assert found >= {("ip", "10.1.1.1", "source"), ("host", "pc", "source"), ("user", "ann", "source"),
                     ("ip", "188.68.55.50", "destination"), ("ja3", "724dedf93fb5a3636a0f1ee8fcec8801", "client"),
                     ("hash", "9fcc5c1e", "certificate")}
    found = {(i["type"], i["value"]) for i in mapping.alert_to_incident(http, THREATS)["indicators"]}
    assert {("url", "http://microsoft775.com/wpad.dat"), ("domain", "microsoft775.com")} <= found


def test_the_incident_id_is_stable_and_ignores_enrichment_that_alphasoc_may_amend():
    alert = dns_alert(1)
    amended = json.loads(json.dumps(alert))
    amended["wisdom"]["flags"].append("young_domain")
    assert mapping.alert_id(alert) == mapping.alert_id(amended)
    assert mapping.alert_id(alert) != mapping.alert_id(dns_alert(2))


def test_an_alert_without_a_usable_timestamp_still_maps_to_a_valid_incident():
    alert = dns_alert(1)
    del alert["event"]["ts"]
    incident_validator().validate(mapping.alert_to_incident(alert, {}))


# --- paging and the bookmark (wire level) ---------------------------------------------------------

def test_more_means_ask_again_at_once_with_the_follow_from_the_last_page(httpserver, wire):
    httpserver.expect_ordered_request("/v1/alerts", query_string="").respond_with_json(
        page([dns_alert(1), dns_alert(2)], "2-aaaa", more=True))
    httpserver.expect_ordered_request("/v1/alerts", query_string={"follow": "2-aaaa"}).respond_with_json(
        page([dns_alert(3)], "3-bbbb"))
    incidents = wire.fetch_all()
    assert [i["raw"]["event"]["query"] for i in incidents] == [f"www.bad-{n}.example." for n in (1, 2, 3)]
    assert wire.store.load(wire.state_key()) == {"follow": "3-bbbb", "done": []}
    httpserver.check_assertions()


def test_an_empty_page_keeps_the_old_bookmark(httpserver, wire):
    wire.store.save(wire.state_key(), {"follow": "3-bbbb", "done": []})
    httpserver.expect_request("/v1/alerts", query_string={"follow": "3-bbbb"}).respond_with_json(
        page([], "9-ffff", threats={}))
    assert wire.fetch_all() == []
    assert wire.store.load(wire.state_key()) == {"follow": "3-bbbb", "done": []}


def test_the_bookmark_is_saved_only_after_the_page_was_handed_over(httpserver, wire):
    httpserver.expect_ordered_request("/v1/alerts", query_string="").respond_with_json(
        page([dns_alert(1)], "1-aaaa", more=True))
    httpserver.expect_ordered_request("/v1/alerts", query_string={"follow": "1-aaaa"}).respond_with_json(
        page([dns_alert(2)], "2-bbbb"))
    handed = []

    def emit(incidents):
        if handed:
            raise KeyboardInterrupt  # the process dies while handing over the second page
        handed.extend(incidents)

    with pytest.raises(KeyboardInterrupt):
        wire.run("fetch-incidents", {}, emit=emit)
    assert wire.store.load(wire.state_key())["follow"] == "1-aaaa"


def test_the_same_follow_twice_with_more_is_a_pagination_loop_error(httpserver, wire):
    httpserver.expect_request("/v1/alerts", query_string="").respond_with_json(page([dns_alert(1)], "1-aaaa", more=True))
    httpserver.expect_request("/v1/alerts", query_string={"follow": "1-aaaa"}).respond_with_json(
        page([dns_alert(2)], "1-aaaa", more=True))
    with pytest.raises(errors.VendorError, match="same follow"):
        wire.fetch_all()


def test_a_bookmark_that_cannot_be_read_is_a_state_error_not_a_restart(wire):
    wire.store.save(wire.state_key(), {"follow": 12, "done": []})
    with pytest.raises(errors.StateError):
        wire.fetch_all()


def test_a_bookmark_alphasoc_rejects_is_a_state_error_not_a_restart(alphasoc):
    alphasoc.store.save(alphasoc.state_key(), {"follow": "3-forged00", "done": []})
    with pytest.raises(errors.StateError, match="rejected the stored follow"):
        alphasoc.fetch_all()


def test_the_threat_filter_is_sent_to_the_api(httpserver, wire):
    httpserver.expect_request("/v1/alerts", query_string={"threats": "c2_communication,tor_usage"}).respond_with_json(
        page([dns_alert(1)], "1-aaaa"))
    assert len(wire.fetch_all({"threats": "c2_communication,tor_usage"})) == 1


# --- against the simulator ------------------------------------------------------------------------

def test_max_fetch_cuts_a_page_and_the_next_run_resumes_without_loss_or_duplicates(alphasoc, sim):
    seen = []
    for _ in range(20):
        batch = alphasoc.fetch_all({"max_fetch": 7})  # pages of 25: most runs end mid-page
        if not batch:
            break
        assert len(batch) <= 7
        seen += [i["id"] for i in batch]
    assert len(seen) == len(set(seen)) == sim.expected_incident_count()


def test_min_severity_and_include_policy_filter_alerts(alphasoc, sim):
    everything = alphasoc.fetch_all({"max_fetch": 1000})
    severe = [i for i in everything if i["labels"]["vendor_severity"] >= 4]
    non_policy = [i for i in everything if not i["labels"]["policy"]]
    assert 0 < len(severe) < len(everything) and 0 < len(non_policy) < len(everything)
    alphasoc.store.values.clear()
    assert {i["id"] for i in alphasoc.fetch_all({"max_fetch": 1000, "min_severity": 4})} == {i["id"] for i in severe}
    alphasoc.store.values.clear()
    kept = alphasoc.fetch_all({"max_fetch": 1000, "include_policy": False})
    assert {i["id"] for i in kept} == {i["id"] for i in non_policy}


def test_dropping_policy_threats_rates_an_alert_by_its_other_threats_but_keeps_its_id():
    alert = dns_alert(1, threats=["tor_usage", "young_domain"])
    incident = fetch._keep(alert, THREATS, min_severity=1, include_policy=False, threats=[])
    assert incident["labels"]["threats"] == "young_domain" and incident["severity"] == 1
    assert incident["id"] == mapping.alert_id(alert) and incident["raw"] == alert


def test_the_threat_filter_keeps_only_alerts_with_those_threats(alphasoc):
    incidents = alphasoc.fetch_all({"max_fetch": 1000, "threats": "dga"})
    assert incidents and all("dga" in i["raw"]["threats"] for i in incidents)


def test_submitted_telemetry_that_touches_a_known_bad_domain_is_fetched_as_an_alert(alphasoc, sim):
    alphasoc.fetch_all({"max_fetch": 1000})
    events = [{"ts": "2024-03-01T10:00:00Z", "srcIP": "10.9.9.9", "query": "trickbot-c2.example-bad.com"},
              {"ts": "2024-03-01T10:00:01Z", "srcIP": "10.9.9.9", "query": "www.example.com"}]
    alphasoc.run("alphasoc-submit-telemetry", {"event_type": "dns", "events": json.dumps(events)})
    new = alphasoc.fetch_all({"max_fetch": 1000})
    assert [i["raw"]["event"]["srcIP"] for i in new] == ["10.9.9.9"]
    assert new[0]["severity"] == 4


def test_first_fetch_passes_over_older_alerts_on_the_first_run_and_later_runs_keep_that_limit(httpserver, wire):
    old, new = dns_alert(1), dns_alert(2, ts="2024-03-05T10:00:00Z")
    httpserver.expect_ordered_request("/v1/alerts", query_string="").respond_with_json(
        page([old, new], "2-aaaa", more=True))
    httpserver.expect_ordered_request("/v1/alerts", query_string={"follow": "2-aaaa"}).respond_with_json(
        page([dns_alert(3), dns_alert(4, ts="2024-03-06T00:00:00Z")], "4-bbbb"))
    incidents = wire.fetch_all({"first_fetch": "2024-03-03T00:00:00Z"})
    assert [i["raw"]["event"]["query"] for i in incidents] == ["www.bad-2.example.", "www.bad-4.example."]
    assert wire.store.load(wire.state_key()) == {"follow": "4-bbbb", "done": [], "since": "2024-03-03T00:00:00.000Z"}
    httpserver.check_assertions()


def test_without_first_fetch_the_first_run_takes_every_alert_the_api_holds(httpserver, wire):
    httpserver.expect_request("/v1/alerts", query_string="").respond_with_json(page([dns_alert(1)], "1-aaaa"))
    assert len(wire.fetch_all()) == 1
    assert "since" not in wire.store.load(wire.state_key())
