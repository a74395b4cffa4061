"""fetch-incidents: every alarm handed over exactly once across runs, whatever the page size, run size,
shared timestamps, late arrivals or failures; filters reach the API; a bad bookmark stops the fetch."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
import requests

from soarpacks.integrations.alienvault_usm.simulator import API, Simulator
from soarpacks.integrations.common import errors
from soarpacks.integrations.common.simkit import serve
from soarpacks.integrations.common.state import MemoryStateStore
from tests.support import drain

from .conftest import make_instance

NOW_MS = int(datetime.now(timezone.utc).timestamp() * 1000)
T = NOW_MS - int(timedelta(days=1).total_seconds() * 1000)  # inside the default first fetch (3 days)
MINUTE = 60_000


@pytest.fixture
def empty_sim():
    return Simulator(seed=11, alarms=0, shared_timestamp_group=0, retry_after=0)


@pytest.fixture
def empty_served(empty_sim):
    with serve(empty_sim) as running:
        yield running


def xsoar_style_fetch(base_url, sim, last_ms, limit):
    """What the XSOAR integration did: first page only, ascending, from the last time + 1 s, no ids."""
    token = requests.post(f"{base_url}{API}/oauth/token", data={"grant_type": "client_credentials"},
                          auth=(sim.client_id, sim.client_secret)).json()["access_token"]
    body = requests.get(f"{base_url}{API}/alarms", headers={"Authorization": f"Bearer {token}"},
                        params={"page": 0, "size": limit, "sort": "timestamp_occured,asc",
                                "timestamp_occured_gte": last_ms}).json()
    alarms = body["_embedded"]["alarms"]
    return alarms, (int(alarms[-1]["timestamp_occured"]) + 1000 if alarms else last_ms)


def test_the_xsoar_bookmark_loses_alarms_that_share_a_timestamp_across_a_page(empty_served, empty_sim):
    """The failure case, reproduced against the simulator, so the next test is known to exercise it."""
    for _ in range(25):
        empty_sim.add_alarm(occurred_ms=T)
    got, last = [], T - 1
    for _ in range(5):
        alarms, last = xsoar_style_fetch(empty_served.url, empty_sim, last, limit=10)
        got += [a["uuid"] for a in alarms]
    assert len(got) == 10  # 15 of the 25 are never fetched


@pytest.mark.parametrize("page_size, max_fetch", [(10, 7), (10, 10), (7, 10), (1000, 3), (4, 1000)])
def test_many_alarms_sharing_one_timestamp_across_page_boundaries_are_fetched_exactly_once_over_runs(
        empty_served, empty_sim, page_size, max_fetch):
    before = [empty_sim.add_alarm(occurred_ms=T - 5 * MINUTE - i)["uuid"] for i in range(6)]
    shared = [empty_sim.add_alarm(occurred_ms=T)["uuid"] for _ in range(57)]
    after = [empty_sim.add_alarm(occurred_ms=T + 1 + i)["uuid"] for i in range(5)]
    instance = make_instance(empty_served, page_size=page_size)
    args = {"max_fetch": max_fetch, "suppressed": "any"}
    handed = drain(instance, args)
    ids = [i["id"] for i in handed]
    assert Counter(ids).most_common(1)[0][1] == 1, "an alarm was handed over twice"
    assert set(ids) == set(before + shared + after), "an alarm was lost"
    # Oldest first, whole runs at a time.
    occurred = [i["occurred"] for i in handed]
    assert occurred == sorted(occurred)


def test_an_alarm_arriving_later_with_the_bookmarks_exact_timestamp_is_still_fetched(empty_served, empty_sim):
    first = [empty_sim.add_alarm(occurred_ms=T)["uuid"] for _ in range(3)]
    instance = make_instance(empty_served, page_size=2)
    args = {"look_back": 0, "suppressed": "any"}
    assert {i["id"] for i in instance.fetch_all(args)} == set(first)
    late = empty_sim.add_alarm(occurred_ms=T)["uuid"]
    assert [i["id"] for i in instance.fetch_all(args)] == [late]
    assert instance.fetch_all(args) == []


def test_an_alarm_that_becomes_searchable_late_is_fetched_within_the_lookback(empty_served, empty_sim):
    empty_sim.add_alarm(occurred_ms=T)
    instance = make_instance(empty_served)
    args = {"look_back": 10, "suppressed": "any"}
    assert len(instance.fetch_all(args)) == 1
    late = empty_sim.add_alarm(occurred_ms=T - 7 * MINUTE)["uuid"]
    assert [i["id"] for i in instance.fetch_all(args)] == [late]
    assert instance.fetch_all(args) == []


def test_raising_the_lookback_between_runs_brings_nothing_back(empty_served, empty_sim):
    for i in range(20):
        empty_sim.add_alarm(occurred_ms=T - i * MINUTE)
    instance = make_instance(empty_served)
    assert len(instance.fetch_all({"look_back": 0, "suppressed": "any"})) == 20
    assert instance.fetch_all({"look_back": 1440, "suppressed": "any"}) == []
    newer = empty_sim.add_alarm(occurred_ms=T + MINUTE)["uuid"]
    assert [i["id"] for i in instance.fetch_all({"look_back": 1440, "suppressed": "any"})] == [newer]


def test_the_bookmark_remembers_only_ids_inside_the_lookback(empty_served, empty_sim):
    for i in range(30):
        empty_sim.add_alarm(occurred_ms=T - i * MINUTE)
    instance = make_instance(empty_served)
    instance.fetch_all({"look_back": 5, "suppressed": "any"})
    state = instance.store.load(instance.state_key())
    assert len(state["seen"]) == 6  # T, T-1 min .. T-5 min


def test_max_fetch_hands_over_exactly_that_many_and_the_next_run_continues(served, sim):
    instance = make_instance(served)
    args = {**sim.drain_args(), "max_fetch": 13}
    assert len(instance.fetch_all(args)) == 13
    assert len(instance.fetch_all(args)) == 13


def test_a_fetch_that_fails_mid_way_resumes_without_loss_or_duplicates(served, sim):
    instance = make_instance(served, page_size=20)
    args = sim.drain_args()
    sim.faults.inject("500", times=1, after=3, path_contains="/alarms")
    handed: list[dict] = []
    with pytest.raises(errors.VendorError):
        instance.run("fetch-incidents", args, emit=handed.extend)
    assert 0 < len(handed) < sim.expected_incident_count()
    handed += drain(instance, args)
    ids = [i["id"] for i in handed]
    assert len(ids) == len(set(ids)) == sim.expected_incident_count()


def test_an_alarm_that_shifts_pages_mid_run_is_handed_over_once(served, sim):
    instance = make_instance(served, page_size=10)
    original = sim.list_alarms
    calls = []

    def list_alarms(request):
        calls.append(request.args.get("page"))
        if len(calls) == 2:  # between page 0 and page 1, an older alarm shows up: everything shifts by one
            sim.add_alarm(occurred_ms=int(sim.anchor.timestamp() * 1000) - 2 * 86_400_000 + 1, suppressed=False)
        return original(request)

    sim.list_alarms = list_alarms
    ids = [i["id"] for i in instance.fetch_all(sim.drain_args())]
    assert len(ids) == len(set(ids))


def test_filters_reach_the_api_and_only_matching_alarms_come_back(served, sim):
    instance = make_instance(served)
    args = {**sim.drain_args(), "status": "open,in_review", "priority_label": "high", "suppressed": "false",
            "rule_intent": "System Compromise"}
    got = instance.fetch_all(args)
    expected = {a["uuid"] for a in sim.alarms.values() if a["status"] in ("open", "in_review")
                and a["priority_label"] == "high" and not a["suppressed"] and a["rule_intent"] == "System Compromise"}
    assert got and {i["id"] for i in got} == expected


def test_by_default_suppressed_alarms_are_not_fetched(served, sim):
    got = make_instance(served).fetch_all({"first_fetch": "7 days", "max_fetch": 100000})
    assert got and not any(i["raw"]["suppressed"] for i in got)
    assert len(got) == sum(1 for a in sim.alarms.values() if not a["suppressed"])


def test_the_first_run_starts_at_first_fetch(served, sim):
    cutoff = sim.anchor - timedelta(hours=12)
    got = make_instance(served).fetch_all({"first_fetch": cutoff.isoformat(), "max_fetch": 100000,
                                           "suppressed": "any"})
    expected = [a for a in sim.alarms.values() if int(a["timestamp_occured"]) >= cutoff.timestamp() * 1000]
    assert len(got) == len(expected) > 0


@pytest.mark.parametrize("state", [{"time": "not a time"}, {"time": None}, {"seen": {}},
                                   {"time": "2024-01-01T00:00:00Z", "seen": ["a", "b"]},
                                   {"time": "2024-01-01T00:00:00Z", "seen": {"a": "yesterday"}}])
def test_a_bookmark_that_cannot_be_read_stops_the_fetch_instead_of_restarting(served, state):
    store = MemoryStateStore()
    instance = make_instance(served, store=store)
    store.save(instance.state_key(), state)
    with pytest.raises(errors.StateError, match="refusing to restart"):
        instance.fetch_all({})
    assert store.load(instance.state_key()) == state
