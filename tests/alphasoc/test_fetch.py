"""fetch-incidents: the follow bookmark, paging to the end, max_fetch, filters and first_fetch."""
from __future__ import annotations

import pytest

from soarpacks.integrations.alphasoc import fetch, mapping
from soarpacks.integrations.common import errors
from tests.alphasoc.support import THREATS, dns_alert, page


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


def test_an_empty_page_with_more_is_followed_on_with_its_new_follow(httpserver, wire):
    httpserver.expect_ordered_request("/v1/alerts", query_string="").respond_with_json(page([], "1-aaaa", more=True))
    httpserver.expect_ordered_request("/v1/alerts", query_string={"follow": "1-aaaa"}).respond_with_json(
        page([dns_alert(1)], "2-bbbb"))
    assert len(wire.fetch_all()) == 1
    httpserver.check_assertions()


def test_more_with_a_follow_that_is_not_a_string_is_a_pagination_error(httpserver, wire):
    httpserver.expect_request("/v1/alerts").respond_with_json(page([], 12, more=True))
    with pytest.raises(errors.VendorError, match="no follow bookmark"):
        wire.fetch_all()


def test_an_alerts_page_without_an_alerts_list_is_a_vendor_error(httpserver, wire):
    httpserver.expect_request("/v1/alerts").respond_with_json({"follow": "1-aaaa", "more": False, "alerts": "none"})
    with pytest.raises(errors.VendorError, match="no alerts list"):
        wire.fetch_all()


def test_a_400_on_a_later_page_is_not_blamed_on_the_stored_bookmark(httpserver, wire):
    wire.store.save(wire.state_key(), {"follow": "1-aaaa", "done": []})
    httpserver.expect_ordered_request("/v1/alerts", query_string={"follow": "1-aaaa"}).respond_with_json(
        page([dns_alert(1)], "2-bbbb", more=True))
    httpserver.expect_ordered_request("/v1/alerts", query_string={"follow": "2-bbbb"}).respond_with_json(
        {"error": "bad follow"}, status=400)
    with pytest.raises(errors.InputError) as failure:
        wire.fetch_all()
    assert not isinstance(failure.value, errors.StateError)


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
    assert incident.labels["threats"] == "young_domain" and incident.severity == 1
    assert incident.id == mapping.alert_id(alert) and incident.raw == alert


def test_the_threat_filter_keeps_only_alerts_with_those_threats(alphasoc):
    incidents = alphasoc.fetch_all({"max_fetch": 1000, "threats": "dga"})
    assert incidents and all("dga" in i["raw"]["threats"] for i in incidents)
