"""The client on the wire: auth, error mapping, retries, account status, inventory, unsupported commands."""
from __future__ import annotations

import base64

import pytest
from werkzeug.wrappers import Response

from soarpacks.integrations.alphasoc.simulator import Simulator
from soarpacks.integrations.common import errors
from soarpacks.integrations.common.registry import get
from soarpacks.integrations.common.retry import FAST_RETRY
from soarpacks.integrations.common.runner import Instance
from soarpacks.integrations.common.simkit import serve
from soarpacks.integrations.common.state import MemoryStateStore

ACCOUNT = {"today": "2018-08-28T10:33:37.137110423Z", "registered": False, "expired": False,
           "expirationDate": "2018-09-27T10:31:32.196658Z", "endpointsSeenToday": 2338,
           "messages": [{"level": 2, "body": "Your API key is not activated."}]}


def test_the_api_key_is_the_basic_auth_username_with_an_empty_password(httpserver, wire):
    expected = "Basic " + base64.b64encode(b"canary-test-key:").decode()
    httpserver.expect_request("/v1/account/status", headers={"Authorization": expected}).respond_with_json(ACCOUNT)
    assert wire.run("alphasoc-account-status").outputs["endpoints_seen_today"] == 2338


def test_a_rejected_key_fails_at_once_as_an_auth_error_without_resending(httpserver, wire):
    httpserver.expect_request("/v1/account/status").respond_with_json({"message": "invalid API key"}, status=401)
    with pytest.raises(errors.AuthError, match="invalid API key") as failure:
        wire.run("test-module")
    assert failure.value.exit_code == 3
    assert len(httpserver.log) == 1


def test_forbidden_is_an_auth_error_with_alphasocs_message(httpserver, wire):
    httpserver.expect_request("/v1/ae/inventory/threats").respond_with_json({"message": "license expired"}, status=403)
    with pytest.raises(errors.AuthError, match="license expired"):
        wire.run("alphasoc-list-threats")


def test_a_429_without_retry_after_is_retried_with_backoff(httpserver, wire):
    httpserver.expect_ordered_request("/v1/ae/inventory/flags").respond_with_json({"message": "Too Many Requests"}, status=429)
    httpserver.expect_ordered_request("/v1/ae/inventory/flags").respond_with_json({"message": "Too Many Requests"}, status=429)
    httpserver.expect_ordered_request("/v1/ae/inventory/flags").respond_with_json(
        {"flags": {"c2": {"title": "Known C2 callback destination", "type": "category"}}})
    assert wire.run("alphasoc-list-flags").outputs == [{"id": "c2", "title": "Known C2 callback destination", "type": "category"}]


def test_the_simulators_429_carries_no_retry_after_like_alphasoc():
    sim = Simulator()
    sim.faults.inject("429")
    with serve(sim) as running:
        import requests
        answer = requests.get(running.url + "/v1/ae/inventory/threats", timeout=5)
    assert answer.status_code == 429 and "Retry-After" not in answer.headers
    assert answer.json() == {"message": "Too Many Requests"}


def test_an_answer_that_is_not_json_is_a_vendor_error(httpserver, wire):
    httpserver.expect_request("/v1/ae/inventory/threats").respond_with_response(Response("<html>oops</html>", 200))
    with pytest.raises(errors.VendorError, match="not JSON"):
        wire.run("alphasoc-list-threats")


def test_test_module_shows_the_accounts_messages(httpserver, wire):
    httpserver.expect_request("/v1/account/status").respond_with_json(ACCOUNT)
    result = wire.run("test-module")
    assert result.outputs["ok"] is True
    assert result.outputs["messages"] == [{"level": 2, "level_name": "warning", "body": "Your API key is not activated."}]
    assert "Your API key is not activated." in result.markdown()


def test_test_module_fails_when_the_key_has_expired(httpserver, wire):
    httpserver.expect_request("/v1/account/status").respond_with_json({**ACCOUNT, "expired": True})
    with pytest.raises(errors.AuthError, match="expired"):
        wire.run("test-module")


def test_get_threat_explains_a_threat_and_suggests_near_names_when_unknown(alphasoc):
    threat = alphasoc.run("alphasoc-get-threat", {"threat_id": "c2_communication"}).outputs
    assert threat == {"id": "c2_communication", "title": "C2 communication attempt indicating infection",
                      "severity": 5, "incident_severity": 4, "policy": False}
    with pytest.raises(errors.NotFoundError, match="did you mean c2_communication"):
        alphasoc.run("alphasoc-get-threat", {"threat_id": "c2_comunication"})


def test_list_threats_is_most_severe_first_and_filters_policy_threats(alphasoc):
    rows = alphasoc.run("alphasoc-list-threats", {"include_policy": "false", "min_severity": "3"}).outputs
    assert rows and all(r["severity"] >= 3 and not r["policy"] for r in rows)
    assert [r["severity"] for r in rows] == sorted((r["severity"] for r in rows), reverse=True)


def test_get_flag_and_list_flags_by_type(alphasoc):
    assert alphasoc.run("alphasoc-get-flag", {"flag_id": "freedns"}).outputs["type"] == "feature"
    rows = alphasoc.run("alphasoc-list-flags", {"type": "category"}).outputs
    assert rows and {r["type"] for r in rows} == {"category"}


@pytest.mark.parametrize("name", ["get-event", "update-status"])
def test_commands_the_api_lacks_answer_not_supported_by_alphasoc(wire, name):
    with pytest.raises(errors.NotSupportedError, match="not supported by AlphaSOC"):
        wire.run(name)


def test_the_client_repr_and_errors_never_show_the_key(server):
    instance = Instance.configure(get("alphasoc"), {**server.params(), "api_key": "canary-wrong-key"},
                                  store=MemoryStateStore(), retry=FAST_RETRY)
    assert "canary" not in repr(instance.client) + repr(instance.client.http)
    with pytest.raises(errors.AuthError) as failure:
        instance.run("alphasoc-account-status")
    assert "canary" not in str(failure.value)
