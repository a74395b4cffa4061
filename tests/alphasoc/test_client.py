"""The client on the wire: Basic auth with the key, error mapping, retries, the base URL, no secret shown."""
from __future__ import annotations

import base64

import pytest
from werkzeug.wrappers import Response

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.manifest import vendor_manifest
from soarpacks.integrations.common.registry import get
from soarpacks.integrations.common.retry import FAST_RETRY
from soarpacks.integrations.common.runner import Instance
from soarpacks.integrations.common.state import MemoryStateStore
from tests.alphasoc.support import ACCOUNT


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


def test_an_answer_that_is_not_json_is_a_vendor_error(httpserver, wire):
    httpserver.expect_request("/v1/ae/inventory/threats").respond_with_response(Response("<html>oops</html>", 200))
    with pytest.raises(errors.VendorError, match="not JSON"):
        wire.run("alphasoc-list-threats")


def test_the_client_repr_and_errors_never_show_the_key(server):
    instance = Instance.configure(get("alphasoc"), {**server.params(), "api_key": "canary-wrong-key"},
                                  store=MemoryStateStore(), retry=FAST_RETRY)
    assert "canary" not in repr(instance.client) + repr(instance.client.http)
    with pytest.raises(errors.AuthError) as failure:
        instance.run("alphasoc-account-status")
    assert "canary" not in str(failure.value)


def test_without_a_base_url_the_client_uses_the_manifests_default():
    default = vendor_manifest("alphasoc").param("base_url")["default"]
    instance = Instance.configure(get("alphasoc"), {"api_key": "canary-test-key"}, store=MemoryStateStore(),
                                  retry=FAST_RETRY)
    assert instance.client.http.base_url.rstrip("/") == default.rstrip("/")
