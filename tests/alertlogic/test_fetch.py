"""fetch-incidents: every incident once across runs, whatever max_fetch, the API's order or shared
creation seconds; the bookmark (the incident mapping is in test_mapping.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from soarpacks.integrations.alertlogic import fetch
from soarpacks.integrations.common import errors
from soarpacks.integrations.common.timeutil import parse_time
from tests.support import drain


def test_a_full_drain_returns_every_incident_once_and_the_next_run_nothing(al, sim):
    incidents = al.fetch_all({"first_fetch": "30 days", "max_fetch": 1000})
    assert sorted(i["id"] for i in incidents) == sorted(sim.incidents)
    assert al.fetch_all({"first_fetch": "30 days"}) == []


def test_incidents_come_oldest_first_although_the_api_answers_in_id_order(al):
    incidents = al.fetch_all({"first_fetch": "30 days", "max_fetch": 1000})
    keys = [(i["occurred"], i["id"]) for i in incidents]
    assert keys == sorted(keys)


def test_small_max_fetch_loses_and_repeats_nothing_when_incidents_share_a_second(al, sim):
    seconds = [inc["createTime"] for inc in sim.incidents.values()]
    assert len(seconds) > len(set(seconds)), "the seeded world must have incidents sharing a second"
    handed = drain(al, {"first_fetch": "30 days", "max_fetch": 2})
    assert len(handed) == len(set(i["id"] for i in handed)) == len(sim.incidents)


def test_the_bookmark_remembers_the_ids_handed_over_at_its_time(al, sim):
    ordered = sorted(sim.incidents.values(), key=lambda i: (i["createTime"], i["incidentId"]))
    # Cut the run inside a group of incidents that share a second (a cut after a window's last
    # incident moves the bookmark to the window's end instead, which depends on the clock).
    cut = next(k for k in range(1, len(ordered)) if ordered[k - 1]["createTime"] == ordered[k]["createTime"])
    al.fetch_all({"first_fetch": "30 days", "max_fetch": cut})
    state = al.store.load(al.state_key())
    last = ordered[cut - 1]
    assert parse_time(state["time"]) == datetime.fromtimestamp(last["createTime"], timezone.utc)
    at_the_boundary = {i["incidentId"] for i in ordered[:cut] if i["createTime"] == last["createTime"]}
    assert at_the_boundary <= set(state["seen"])


def test_an_incident_created_in_the_bookmarks_second_after_a_drain_arrives_in_the_next_run(al, sim):
    drain(al, {"first_fetch": "30 days"})
    mark = parse_time(al.store.load(al.state_key())["time"])
    new_id = sim.add_incident(created=mark)
    assert [i["id"] for i in al.fetch_all({"first_fetch": "30 days"})] == [new_id]


def test_an_unreadable_bookmark_is_an_error_not_a_restart(al):
    al.store.save(al.state_key(), {"time": "not a time", "seen": {}})
    with pytest.raises(errors.StateError):
        al.fetch_all({"first_fetch": "30 days"})


def test_a_crowded_window_is_halved_until_it_fits(al, sim, monkeypatch):
    monkeypatch.setattr(fetch, "WINDOW_MAX_ITEMS", 3)
    monkeypatch.setattr(fetch, "WINDOW", timedelta(days=5))
    incidents = al.fetch_all({"first_fetch": "30 days", "max_fetch": 1000})
    assert sorted(i["id"] for i in incidents) == sorted(sim.incidents)


def test_a_first_fetch_from_years_back_crosses_the_empty_years_in_few_requests(al, sim):
    incidents = al.fetch_all({"first_fetch": "2023-11-14T00:00:00Z", "max_fetch": 1000})
    assert sorted(i["id"] for i in incidents) == sorted(sim.incidents)
    # Three empty years in six-hour windows would be over 4000 requests; doubling windows need dozens,
    # then six-hour windows again over the month that holds the incidents.
    assert sim.count("incidents_by_time") < 400


def test_an_incident_indexed_late_is_fetched_within_the_look_back(al, sim):
    drain(al, {"first_fetch": "30 days", "look_back": 10})
    mark = parse_time(al.store.load(al.state_key())["time"])
    late = sim.add_incident(created=mark - timedelta(minutes=3), indexed=False)
    assert al.fetch_all({"look_back": 10}) == []
    sim.index(late)
    assert [i["id"] for i in al.fetch_all({"look_back": 10})] == [late]
    assert al.fetch_all({"look_back": 10}) == []


def test_an_incident_indexed_later_than_the_look_back_is_not_fetched(al, sim):
    drain(al, {"first_fetch": "30 days", "look_back": 2})
    mark = parse_time(al.store.load(al.state_key())["time"])
    late = sim.add_incident(created=mark - timedelta(minutes=3), indexed=False)
    sim.index(late)
    assert al.fetch_all({"look_back": 2}) == []


def test_a_changing_order_between_pages_loses_and_repeats_nothing(make_instance):
    from soarpacks.integrations.alertlogic.simulator import Simulator
    from soarpacks.integrations.common.simkit import serve
    shuffling = Simulator(seed=5, incidents=40, retry_after=0, incident_page_cap=4, unstable_order=True)
    with serve(shuffling) as running:
        instance = make_instance(**running.params())
        handed = drain(instance, {"first_fetch": "30 days", "max_fetch": 9})
    assert sorted(i["id"] for i in handed) == sorted(shuffling.incidents)


def test_a_window_that_never_reads_whole_fails_and_keeps_the_bookmark(al, sim, monkeypatch):
    real = al.client.incidents_page

    def short_of_the_total(start, end, **options):
        page = real(start, end, **options)
        page["metadata"]["total_count"] += 1  # one incident the service counts but never returns
        return page

    monkeypatch.setattr(al.client, "incidents_page", short_of_the_total)
    with pytest.raises(errors.VendorError) as failure:
        al.fetch_all({"first_fetch": "30 days"})
    assert failure.value.exit_code == 4 and "bookmark stays" in str(failure.value)
    assert al.store.load(al.state_key()) is None


def test_fetch_survives_random_faults_without_loss_or_duplicates(al, sim):
    sim.faults.rates.update({"429": 0.1, "503": 0.1, "drop": 0.05})
    handed = drain(al, {"first_fetch": "30 days", "max_fetch": 7})
    assert sorted(i["id"] for i in handed) == sorted(sim.incidents)
