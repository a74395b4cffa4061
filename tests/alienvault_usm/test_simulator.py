"""The simulator is deterministic, seeds the failure cases the integration must survive, and keeps the
vendor's quirks (one-r spelling, silent size cap, errors as {result, location, error})."""
from __future__ import annotations

import requests

from soarpacks.integrations.alienvault_usm.simulator import API, MAX_PAGE_SIZE, Simulator


def bearer(served, sim, session=None):
    answer = (session or requests).post(f"{served.url}{API}/oauth/token?grant_type=client_credentials",
                                        auth=(sim.client_id, sim.client_secret))
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_the_same_seed_builds_the_same_world_and_another_seed_a_different_one():
    a, b, c = Simulator(seed=1), Simulator(seed=1), Simulator(seed=2)
    assert list(a.alarms) == list(b.alarms) and list(a.events) == list(b.events)
    assert list(a.alarms) != list(c.alarms)
    assert a.client_secret.startswith("canary-") and a.client_secret == b.client_secret


def test_a_size_knob_scales_the_world():
    assert len(Simulator(alarms=600).alarms) == 600


def test_a_group_sharing_one_timestamp_straddles_a_page_boundary_at_the_default_page_size():
    sim = Simulator()
    ordered = sorted(sim.alarms.values(), key=lambda a: (int(a["timestamp_occured"]), a["_order"]))
    positions = [i for i, a in enumerate(ordered) if int(a["timestamp_occured"]) == sim.shared_timestamp_ms]
    assert len(positions) == 45
    for size in (20, 50, 100):
        assert positions[0] // size != positions[-1] // size


def test_the_token_endpoint_takes_the_grant_in_the_query_string_too_and_refuses_other_grants(served, sim):
    assert bearer(served, sim)
    wrong = requests.post(f"{served.url}{API}/oauth/token", data={"grant_type": "password"},
                          auth=(sim.client_id, sim.client_secret))
    assert wrong.status_code == 400


def test_api_calls_without_a_valid_token_are_401(served, sim):
    assert requests.get(f"{served.url}{API}/alarms").status_code == 401
    headers = bearer(served, sim)
    sim.revoke_tokens()
    assert requests.get(f"{served.url}{API}/alarms", headers=headers).status_code == 401


def test_a_filter_spelled_with_two_rs_is_ignored_like_any_unknown_parameter(served, sim):
    headers = bearer(served, sim)
    body = requests.get(f"{served.url}{API}/alarms", headers=headers,
                        params={"timestamp_occurred_gte": 9_999_999_999_999}).json()
    assert body["page"]["totalElements"] == len(sim.alarms)
    body = requests.get(f"{served.url}{API}/alarms", headers=headers,
                        params={"timestamp_occured_gte": 9_999_999_999_999}).json()
    assert body["page"]["totalElements"] == 0


def test_sorting_on_the_two_r_field_is_a_400_in_the_vendors_error_shape(served, sim):
    answer = requests.get(f"{served.url}{API}/alarms", headers=bearer(served, sim),
                          params={"sort": "timestamp_occurred,asc"})
    assert answer.status_code == 400
    assert set(answer.json()) == {"result", "location", "error"}


def test_page_size_is_capped_silently_and_the_last_page_has_no_next_link(served, sim):
    big = Simulator(alarms=MAX_PAGE_SIZE + 30)
    from soarpacks.integrations.common.simkit import serve
    with serve(big) as running:
        headers = bearer(running, big)
        first = requests.get(f"{running.url}{API}/alarms", headers=headers, params={"size": 5000}).json()
        assert first["page"]["size"] == MAX_PAGE_SIZE and len(first["_embedded"]["alarms"]) == MAX_PAGE_SIZE
        assert "next" in first["_links"]
        last = requests.get(first["_links"]["next"]["href"], headers=headers).json()
        assert len(last["_embedded"]["alarms"]) == 30 and "next" not in last["_links"]


def test_alarms_carry_the_vendors_types_string_times_boolean_suppressed_and_wrapped_events(served, sim):
    alarm = requests.get(f"{served.url}{API}/alarms", headers=bearer(served, sim)).json()["_embedded"]["alarms"][0]
    assert isinstance(alarm["timestamp_occured"], str) and alarm["timestamp_occured"].isdigit()
    assert isinstance(alarm["suppressed"], bool)
    wrapper = alarm["events"][0]
    assert set(wrapper) >= {"_links", "timeStamp", "message"}
    assert wrapper["message"]["suppressed"] in ("true", "false")
