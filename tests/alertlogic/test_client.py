"""The Alert Logic client on the wire: AIMS login, token re-use and re-login, error mapping,
concurrent event pages with one Session per worker thread, and the legacy API."""
from __future__ import annotations

import base64
import json
import threading

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Response

from soarpacks.integrations.alertlogic.client import AlertLogicClient
from soarpacks.integrations.common import errors
from soarpacks.integrations.common.retry import FAST_RETRY


def client_for(server, sim, **options) -> AlertLogicClient:
    return AlertLogicClient(base_url=server.url, aims_url=server.url, username=sim.username, password=sim.password,
                            account_id=options.pop("account_id", sim.account_id), api_key=sim.api_key,
                            legacy_base_url=server.url, retry=FAST_RETRY, **options)


def test_login_is_basic_auth_to_aims_and_iris_calls_carry_the_token_header(httpserver: HTTPServer):
    seen = {}

    def authenticate(request):
        seen["login"] = request.headers.get("Authorization")
        seen["login_body"] = request.get_data()
        return Response(json.dumps({"authentication": {"token": "tok-123456", "token_expiration": 4102444800,
                                                       "account": {"id": "777"}}}), mimetype="application/json")

    def incident(request):
        seen["token"] = request.headers.get("x-aims-auth-token")
        return Response(json.dumps({"incidentId": "abcdef0123456789"}), mimetype="application/json")

    httpserver.expect_request("/aims/v1/authenticate", method="POST").respond_with_handler(authenticate)
    httpserver.expect_request("/iris/v3/777/abcdef0123456789").respond_with_handler(incident)
    client = AlertLogicClient(base_url=httpserver.url_for("/"), aims_url=httpserver.url_for("/"),
                              username="u@example.com", password="pw-secret",
                              mfa_code="123456", retry=FAST_RETRY)
    assert client.incident("abcdef0123456789")["incidentId"] == "abcdef0123456789"
    assert seen["login"] == "Basic " + base64.b64encode(b"u@example.com:pw-secret").decode()
    assert json.loads(seen["login_body"]) == {"mfa_code": "123456"}
    assert seen["token"] == "tok-123456"  # no scheme in front of the AIMS token
    assert client.account_id == "777"  # taken from the login when not configured


def test_one_login_serves_many_requests(server, sim):
    client = client_for(server, sim)
    incident_id = next(iter(sim.incidents))
    for _ in range(3):
        client.incident(incident_id)
    assert sim.count("/aims/v1/authenticate") == 1


def test_an_expired_token_triggers_one_new_login_and_the_request_succeeds(server, sim):
    client = client_for(server, sim)
    incident_id = next(iter(sim.incidents))
    client.incident(incident_id)
    sim.faults.inject("expire")
    assert client.incident(incident_id)["incidentId"] == incident_id
    assert sim.count("/aims/v1/authenticate") == 2


def test_a_refused_login_is_an_auth_error_that_names_no_secret(server, sim):
    client = AlertLogicClient(base_url=server.url, aims_url=server.url, username=sim.username, password="canary-wrong-pw",
                              account_id=sim.account_id, retry=FAST_RETRY)
    with pytest.raises(errors.AuthError) as failure:
        client.incident(next(iter(sim.incidents)))
    assert failure.value.exit_code == 3
    assert "AIMS login refused" in str(failure.value) and "canary-wrong-pw" not in str(failure.value)


def test_a_user_with_mfa_needs_the_code(sim):
    from soarpacks.integrations.alertlogic.simulator import Simulator
    from soarpacks.integrations.common.simkit import serve
    mfa_sim = Simulator(seed=1, incidents=3, mfa_code="424242")
    with serve(mfa_sim) as running:
        without = AlertLogicClient(base_url=running.url, aims_url=running.url, username=mfa_sim.username, password=mfa_sim.password,
                                   retry=FAST_RETRY)
        with pytest.raises(errors.AuthError, match="mfa_code"):
            without.account_id
        with_code = AlertLogicClient(base_url=running.url, aims_url=running.url, username=mfa_sim.username, password=mfa_sim.password,
                                     mfa_code="424242", retry=FAST_RETRY)
        assert with_code.account_id == mfa_sim.account_id


def test_an_unknown_incident_is_not_found_and_another_account_is_forbidden(server, sim):
    with pytest.raises(errors.NotFoundError):
        client_for(server, sim).incident("0000000000000000")
    with pytest.raises(errors.AuthError) as failure:
        client_for(server, sim, account_id="999").incident(next(iter(sim.incidents)))
    assert failure.value.status == 403


def test_a_friendly_id_is_resolved_to_the_incident_id(server, sim):
    incident = next(iter(sim.incidents.values()))
    client = client_for(server, sim)
    assert client.incident(incident["humanFriendlyId"])["incidentId"] == incident["incidentId"]
    with pytest.raises(errors.NotFoundError, match="friendly id"):
        client.resolve_incident_id("zzzzzz")


def test_incidents_page_through_every_offset(server, sim):
    from datetime import timedelta
    client = client_for(server, sim)
    start = sim.anchor - timedelta(days=10)
    found = list(client.incidents(start, sim.anchor, first_page=client.incidents_page(start, sim.anchor, limit=4)))
    assert sorted(i["incidentId"] for i in found) == sorted(sim.incidents)


def _big_incident(sim, events=95):
    return sim.add_incident(events=events)


def test_event_pages_fetched_concurrently_equal_the_pages_fetched_one_after_another(server, sim):
    incident_id = _big_incident(sim)
    sequential, total, _ = client_for(server, sim, event_workers=1).events(incident_id, max_events=1000)
    concurrent, _, _ = client_for(server, sim, event_workers=6).events(incident_id, max_events=1000)
    assert total == 95
    assert [e["id"] for e in concurrent] == [e["id"] for e in sequential] == [e["id"] for e in sim.events[incident_id]]


def test_the_workers_share_one_session_whose_pool_holds_a_connection_per_worker(server, sim):
    incident_id = _big_incident(sim)
    made: list[requests.Session] = []

    def factory() -> requests.Session:
        made.append(requests.Session())
        return made[-1]

    client = client_for(server, sim, event_workers=12, session_factory=factory)
    client.events(incident_id, max_events=1000)
    iris = [s for s in made if s.adapters["http://"]._pool_maxsize == 12]
    assert len(iris) == 1, "one Session for IRIS, its pool sized to event_workers"
    assert sim.count("/aims/v1/authenticate") == 1, "the workers share one login"


def test_the_first_event_page_is_asked_for_while_the_incident_is(server, sim, monkeypatch):
    incident_id = _big_incident(sim)
    client = client_for(server, sim, event_workers=4)
    client.incident(incident_id)  # log in first
    page_asked = threading.Event()
    seen_while_incident_answered: list[bool] = []
    get_incident, associated = sim.get_incident, sim.associated

    def incident_waiting_for_the_page(request, **values):
        seen_while_incident_answered.append(page_asked.wait(timeout=5))
        return get_incident(request, **values)

    def page(request, **values):
        page_asked.set()
        return associated(request, **values)
    monkeypatch.setattr(sim, "get_incident", incident_waiting_for_the_page)
    monkeypatch.setattr(sim, "associated", page)
    incident, (events, total, _) = client.incident_with_events(incident_id, max_events=15)
    assert seen_while_incident_answered == [True]
    assert incident["incidentId"] == incident_id and len(events) == 15 and total == 95


def test_max_events_stops_early_and_says_how_many_there_are(server, sim):
    incident_id = _big_incident(sim)
    events, total, _ = client_for(server, sim).events(incident_id, max_events=25)
    assert len(events) == 25 and total == 95
    assert sim.count(f"/{incident_id}/elaborations/associated") == 3


def test_a_failing_event_page_fails_the_whole_read(server, sim):
    incident_id = _big_incident(sim)
    client = client_for(server, sim, event_workers=4)
    client.incident(incident_id)  # log in first
    sim.faults.inject("500", after=3, path_contains="elaborations")
    with pytest.raises(errors.VendorError) as failure:
        client.events(incident_id, max_events=1000)
    assert failure.value.status == 500


@pytest.mark.parametrize("workers", [1, 4])
def test_an_event_page_answering_404_keeps_the_events_of_the_other_pages(server, sim, workers):
    incident_id = _big_incident(sim)
    client = client_for(server, sim, event_workers=workers)
    client.incident(incident_id)  # log in first
    sim.faults.inject("404", after=1, path_contains="elaborations")   # one of the ten pages after the first
    events, total, missing = client.events(incident_id, max_events=1000)
    assert total == 95 and len(missing) == 1
    every = sim.events[incident_id]
    kept = every[:missing[0]] + every[missing[0] + sim.event_page_cap:]
    assert [e["id"] for e in events] == [e["id"] for e in kept]


def test_transient_errors_on_event_pages_are_retried(server, sim):
    incident_id = _big_incident(sim)
    sim.faults.inject("503", times=3, after=2, path_contains="elaborations")
    events, _, _ = client_for(server, sim, event_workers=4).events(incident_id, max_events=1000)
    assert len(events) == 95


def test_the_legacy_api_uses_the_api_key_and_answers_one_incident(server, sim):
    number = min(sim.legacy)
    assert client_for(server, sim).legacy_incident(number)["incident_id"] == number
    with pytest.raises(errors.NotFoundError):
        client_for(server, sim).legacy_incident(999999)


def test_the_legacy_lookup_without_an_api_key_is_a_config_error(server, sim):
    client = AlertLogicClient(base_url=server.url, aims_url=server.url, username=sim.username, password=sim.password, retry=FAST_RETRY)
    with pytest.raises(errors.ConfigError, match="api_key"):
        client.legacy_incident(1000)


def test_the_client_repr_shows_no_secret(server, sim):
    client = client_for(server, sim)
    client.account_id
    assert sim.password not in repr(client) and sim.api_key not in repr(client)
    assert sim.password not in repr(client.auth)
