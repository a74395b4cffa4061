"""The ``proxy`` instance param: requests go through the environment's proxy only when it is on (XSOAR's "Use
system proxy settings"); a custom CA bundle named in the environment is honoured either way."""
from __future__ import annotations

import re

import pytest

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.http import HttpClient
from soarpacks.integrations.common.retry import RetryPolicy

ONE_TRY = RetryPolicy(max_attempts=1)
UNROUTED = "http://vendor.invalid:8080/"   # only a proxy can reach it


@pytest.fixture
def environment_proxy(httpserver, monkeypatch):
    httpserver.expect_request(re.compile(".*")).respond_with_json({"via": "proxy"})
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, httpserver.url_for("/"))
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    return httpserver


def test_with_proxy_on_requests_go_through_the_environments_proxy(environment_proxy):
    client = HttpClient(UNROUTED, proxy=True, retry=ONE_TRY)
    assert client.get_json("/alerts") == {"via": "proxy"}
    (request, _), = environment_proxy.log
    assert request.url == UNROUTED + "alerts"


def test_with_proxy_off_the_environments_proxy_is_ignored(environment_proxy):
    client = HttpClient(UNROUTED, retry=ONE_TRY)
    assert client.session.trust_env is False
    with pytest.raises(errors.SoarpacksError):
        client.get_json("/alerts")
    assert environment_proxy.log == []


def test_a_custom_ca_bundle_from_the_environment_is_kept_with_proxy_off(monkeypatch, tmp_path):
    bundle = tmp_path / "corporate-ca.pem"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    assert HttpClient("https://example.com").verify == str(bundle)
    assert HttpClient("https://example.com", verify=False).verify is False


def test_a_clone_keeps_the_proxy_choice():
    assert HttpClient("https://example.com", proxy=True).clone().session.trust_env is True
    assert HttpClient("https://example.com").clone().session.trust_env is False
