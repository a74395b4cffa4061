"""AIMS login as the official definitions describe it: the global services host, username/password
or an access key on the same endpoint."""
from __future__ import annotations

import base64
import json

import pytest
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Response

from soarpacks.integrations.alertlogic.client import AlertLogicClient
from soarpacks.integrations.alertlogic.handlers import make_client
from soarpacks.integrations.alertlogic.login import AIMS_URL
from soarpacks.integrations.common import errors
from soarpacks.integrations.common.retry import FAST_RETRY


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
