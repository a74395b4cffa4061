"""AIMS login as the official definitions describe it: the global services host, username/password
or an access key on the same endpoint, and each documented refusal with its own one-line message."""
from __future__ import annotations

import base64
import json

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Response

from soarpacks.integrations.alertlogic.client import AlertLogicClient
from soarpacks.integrations.alertlogic.handlers import make_client
from soarpacks.integrations.alertlogic.login import AIMS_URL
from soarpacks.integrations.alertlogic.simulator import Simulator
from soarpacks.integrations.common import errors
from soarpacks.integrations.common.retry import FAST_RETRY
from soarpacks.integrations.common.simkit import serve


def test_login_goes_to_the_aims_url_not_the_iris_url(httpserver: HTTPServer, server, sim):
    # IRIS on the simulator, AIMS on another host: the login must reach the AIMS one.
    httpserver.expect_request("/aims/v1/authenticate", method="POST").respond_with_json(
        {"authentication": {"token": "tok-aims", "account": {"id": sim.account_id}}})
    client = AlertLogicClient(base_url=server.url, aims_url=httpserver.url_for("/"), username="u@example.com",
                              password="pw", retry=FAST_RETRY)
    assert client.account_id == sim.account_id
    assert sim.count("/aims/v1/authenticate") == 0
    httpserver.check_assertions()


def test_the_default_aims_url_is_the_global_services_host():
    assert make_client({"base_url": "https://iris.example", "username": "u", "password": "p",
                        "insecure": False})._aims_url == AIMS_URL == "https://api.global-services.global.alertlogic.com"


def test_an_access_key_logs_in_with_basic_auth_of_key_id_and_secret(httpserver: HTTPServer):
    seen = {}

    def authenticate(request):
        seen["auth"] = request.headers.get("Authorization")
        return Response(json.dumps({"authentication": {"token": "tok", "account": {"id": "7"}}}),
                        mimetype="application/json")

    httpserver.expect_request("/aims/v1/authenticate", method="POST").respond_with_handler(authenticate)
    client = AlertLogicClient(base_url=httpserver.url_for("/"), aims_url=httpserver.url_for("/"),
                              access_key_id="0123456789abcdef", secret_key="s3cret-key", retry=FAST_RETRY)
    assert client.account_id == "7"
    assert seen["auth"] == "Basic " + base64.b64encode(b"0123456789abcdef:s3cret-key").decode()


def test_the_simulator_accepts_its_access_key(server, sim):
    client = AlertLogicClient(base_url=server.url, aims_url=server.url, access_key_id=sim.access_key_id,
                              secret_key=sim.secret_key, retry=FAST_RETRY)
    assert client.account_id == sim.account_id


@pytest.mark.parametrize("given, says", [
    ({}, "set either username and password, or access_key_id and secret_key"),
    ({"username": "u@example.com"}, "password is empty"),
    ({"access_key_id": "0123456789abcdef"}, "secret_key is empty"),
    ({"secret_key": "x"}, "access_key_id is empty"),
])
def test_without_a_whole_credential_pair_the_error_says_which_is_missing(given, says):
    with pytest.raises(errors.ConfigError, match=says) as failure:
        AlertLogicClient(base_url="https://iris.example", **given)
    assert failure.value.exit_code == 3


def test_an_instance_with_an_access_key_and_no_username_runs_test_module(make_instance, sim):
    instance = make_instance(username="", password="", access_key_id=sim.access_key_id, secret_key=sim.secret_key)
    assert instance.run("test-module").outputs["ok"] is True


# --- refusals, as aims.v1.yaml documents them ------------------------------------------------------

def refused(sim: Simulator, **options) -> errors.AuthError:
    with serve(sim) as running:
        client = AlertLogicClient(base_url=running.url, aims_url=running.url, retry=FAST_RETRY,
                                  **{"username": sim.username, "password": sim.password, **options})
        with pytest.raises(errors.AuthError) as failure:
            client.account_id
    assert failure.value.exit_code == 3 and "\n" not in str(failure.value)
    return failure.value


def test_a_user_with_mfa_and_no_code_is_told_to_set_mfa_code():
    error = refused(Simulator(seed=1, incidents=1, mfa_code="424242"))
    assert "mfa_code_required" in str(error) and "set mfa_code" in str(error)


def test_a_wrong_mfa_code_is_a_credentials_error_that_names_the_code():
    error = refused(Simulator(seed=1, incidents=1, mfa_code="424242"), mfa_code="000000")
    assert "check username and password and that mfa_code is current" in str(error)


def test_a_user_not_enrolled_in_mfa_is_told_to_enroll():
    error = refused(Simulator(seed=1, incidents=1, login_refusal="mfa_enrollment_required"))
    assert "mfa_enrollment_required" in str(error) and "enroll an MFA device" in str(error)


def test_an_expired_password_says_so():
    error = refused(Simulator(seed=1, incidents=1, login_refusal="password_expired"))
    assert "password has expired" in str(error) and error.status == 400


def test_an_inactive_account_says_so():
    error = refused(Simulator(seed=1, incidents=1, login_refusal="account_inactive"))
    assert "account is inactive" in str(error) and error.status == 400


def test_a_bad_password_says_to_check_username_and_password_and_names_no_secret():
    error = refused(Simulator(seed=1, incidents=1), password="canary-wrong-pw")
    assert "check username and password" in str(error) and "canary-wrong-pw" not in str(error)


def test_a_bad_access_key_says_to_check_the_access_key():
    sim = Simulator(seed=1, incidents=1)
    error = refused(sim, username=None, password=None, access_key_id=sim.access_key_id, secret_key="canary-wrong")
    assert "check access_key_id and secret_key" in str(error)


# --- the simulator's answers -------------------------------------------------------------------------

def login_answer(sim: Simulator, auth, **options) -> requests.Response:
    with serve(sim) as running:
        return requests.post(running.url.rstrip("/") + "/aims/v1/authenticate", auth=auth, timeout=10, **options)


def test_the_simulator_refuses_bad_credentials_with_an_empty_401():
    answer = login_answer(Simulator(seed=1, incidents=1), ("nobody@example.com", "wrong"))
    assert answer.status_code == 401 and answer.content == b"" and "x-aims-session-token" not in answer.headers


def test_the_simulator_asks_for_the_mfa_code_with_a_session_token():
    sim = Simulator(seed=1, incidents=1, mfa_code="424242")
    answer = login_answer(sim, (sim.username, sim.password))
    assert answer.status_code == 401 and answer.json() == {"error": "mfa_code_required"}
    assert answer.headers["x-aims-session-token"]


def test_the_simulator_completes_an_mfa_login_with_the_session_token_and_the_code():
    sim = Simulator(seed=1, incidents=1, mfa_code="424242")
    with serve(sim) as running:
        url = running.url.rstrip("/") + "/aims/v1/authenticate"
        session = requests.post(url, auth=(sim.username, sim.password), timeout=10).headers["x-aims-session-token"]
        answer = requests.post(url, json={"mfa_code": "424242"}, headers={"x-aims-session-token": session}, timeout=10)
        stale = requests.post(url, json={"mfa_code": "424242"}, headers={"x-aims-session-token": "nope"}, timeout=10)
    assert answer.status_code == 200 and answer.json()["authentication"]["token"]
    assert stale.status_code == 401 and stale.json() == {"error": "invalid_session_token"}


@pytest.mark.parametrize("refusal", ["password_expired", "account_inactive"])
def test_the_simulator_answers_a_400_refusal_with_its_documented_body(refusal):
    sim = Simulator(seed=1, incidents=1, login_refusal=refusal)
    answer = login_answer(sim, (sim.username, sim.password))
    assert answer.status_code == 400 and answer.json() == {"error": refusal}
