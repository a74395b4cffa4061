"""Where the account's IRIS is: looked up through the endpoints service on the global services host
(endpoints.v1.yaml) unless base_url is set, so UK/EMEA accounts reach their own host."""
from __future__ import annotations

import pytest
import requests
from pytest_httpserver import HTTPServer

from soarpacks.integrations.alertlogic.client import AlertLogicClient
from soarpacks.integrations.alertlogic.simulator import Simulator
from soarpacks.integrations.common import errors
from soarpacks.integrations.common.retry import FAST_RETRY
from soarpacks.integrations.common.simkit import serve

ENDPOINT = "/endpoints/v1/{}/residency/{}/services/iris/endpoint"


def test_without_base_url_the_iris_host_comes_from_the_endpoints_service(make_instance, sim):
    instance = make_instance(base_url="")
    assert instance.run("test-module").outputs["ok"] is True
    assert sim.count(ENDPOINT.format(sim.account_id, "default")) == 1
    assert sim.count("/incidents_by_time") == 1


def test_a_uk_account_is_read_on_the_host_the_endpoints_service_names(httpserver: HTTPServer):
    # The global host (login, endpoints) says IRIS is elsewhere: the incident is read there.
    uk = Simulator(seed=2, incidents=2)
    with serve(uk) as uk_host:
        global_sim = Simulator(seed=2, incidents=0,
                               endpoint_hosts={("default", "iris"): uk_host.url.split("://")[1].rstrip("/")})
        global_sim.tokens = uk.tokens  # an AIMS token is good on every regional host
        with serve(global_sim) as global_host:
            client = AlertLogicClient(aims_url=global_host.url, username=uk.username, password=uk.password,
                                      retry=FAST_RETRY)
            incident_id = next(iter(uk.incidents))
            assert client.incident(incident_id)["incidentId"] == incident_id
            assert client.base_url.rstrip("/") == uk_host.url.rstrip("/")
    assert uk.count(f"/iris/v3/{uk.account_id}/{incident_id}") == 1
    assert global_sim.count("/iris/v3/") == 0


def test_the_residency_param_is_the_one_asked_for(make_instance, sim):
    make_instance(base_url="", residency="emea").run("test-module")
    assert sim.count(ENDPOINT.format(sim.account_id, "emea")) == 1


def test_an_explicit_base_url_wins_and_the_endpoints_service_is_not_asked(al, sim):
    al.run("test-module")
    assert sim.count("/endpoints/v1/") == 0


def test_a_bare_host_answer_is_reached_with_the_global_hosts_scheme(httpserver: HTTPServer):
    httpserver.expect_request("/aims/v1/authenticate").respond_with_json(
        {"authentication": {"token": "tok", "account": {"id": "42"}}})
    httpserver.expect_request(ENDPOINT.format("42", "default")).respond_with_json(
        {"iris": "api.cloudinsight.alertlogic.co.uk"})
    client = AlertLogicClient(aims_url=httpserver.url_for("/"), username="u", password="p", retry=FAST_RETRY)
    assert client.base_url == "http://api.cloudinsight.alertlogic.co.uk"


def test_an_account_the_endpoints_service_does_not_know_asks_for_base_url(httpserver: HTTPServer):
    httpserver.expect_request("/aims/v1/authenticate").respond_with_json(
        {"authentication": {"token": "tok", "account": {"id": "42"}}})
    httpserver.expect_request(ENDPOINT.format("42", "default")).respond_with_data("", status=404)
    client = AlertLogicClient(aims_url=httpserver.url_for("/"), username="u", password="p", retry=FAST_RETRY)
    with pytest.raises(errors.ConfigError, match="set base_url"):
        client.base_url


def test_an_unknown_residency_is_a_config_error():
    client = AlertLogicClient(aims_url="https://aims.example", username="u", password="p", account_id="42",
                              residency="mars")
    with pytest.raises(errors.ConfigError, match="residency must be one of default, emea, us"):
        client.base_url


def test_the_simulator_answers_the_endpoints_lookup_with_a_host_name(server, sim):
    token = requests.post(f"{server.url}/aims/v1/authenticate", auth=(sim.username, sim.password),
                          timeout=10).json()["authentication"]["token"]
    answer = requests.get(server.url.rstrip("/") + ENDPOINT.format(sim.account_id, "default"),
                          headers={"x-aims-auth-token": token}, timeout=10)
    assert answer.status_code == 200 and "://" not in answer.json()["iris"]
