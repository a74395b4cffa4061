"""OAuth2 client credentials: early expiry, one refresh per expiry under concurrency, bad clients."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from werkzeug.wrappers import Response

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.auth import ClientCredentialsAuth
from soarpacks.integrations.common.http import HttpClient
from soarpacks.integrations.common.retry import FAST_RETRY


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def token_server(httpserver, *, expires_in=600):
    issued = []

    def token(request):
        issued.append(request.headers.get("Authorization"))
        return Response(f'{{"access_token": "tok{len(issued)}", "token_type": "bearer", "expires_in": {expires_in}}}',
                        content_type="application/json")

    httpserver.expect_request("/token", method="POST").respond_with_handler(token)
    httpserver.expect_request("/api").respond_with_json({"ok": 1})
    return issued


def test_the_token_counts_as_expired_early(httpserver):
    issued = token_server(httpserver)
    clock = Clock()
    auth = ClientCredentialsAuth(httpserver.url_for("/token"), "id", "secret", early_expiry=45, clock=clock)
    http = HttpClient(httpserver.url_for("/"), auth=auth, retry=FAST_RETRY)
    http.get_json("/api")
    clock.now += 600 - 46
    http.get_json("/api")
    assert len(issued) == 1
    clock.now += 2
    http.get_json("/api")
    assert len(issued) == 2


def test_the_client_authenticates_with_basic_and_the_header_says_bearer_with_a_capital_b(httpserver):
    issued = token_server(httpserver)
    auth = ClientCredentialsAuth(httpserver.url_for("/token"), "id", "secret")
    HttpClient(httpserver.url_for("/"), auth=auth, retry=FAST_RETRY).get_json("/api")
    assert issued[0].startswith("Basic ")
    api_call = [r for r, _ in httpserver.log if r.path == "/api"][0]
    assert api_call.headers["Authorization"] == "Bearer tok1"


def test_concurrent_calls_refresh_the_token_once_per_expiry(httpserver):
    issued = token_server(httpserver)
    clock = Clock()
    auth = ClientCredentialsAuth(httpserver.url_for("/token"), "id", "secret", clock=clock)
    http = HttpClient(httpserver.url_for("/"), auth=auth, retry=FAST_RETRY)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: http.get_json("/api"), range(32)))
    assert len(issued) == 1
    clock.now += 600
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: http.get_json("/api"), range(32)))
    assert len(issued) == 2


def test_several_401s_for_the_same_token_cause_one_refresh(httpserver):
    issued = token_server(httpserver)
    auth = ClientCredentialsAuth(httpserver.url_for("/token"), "id", "secret")
    http = HttpClient(httpserver.url_for("/"), auth=auth, retry=FAST_RETRY)
    http.get_json("/api")
    stale = auth._token
    for _ in range(5):
        auth.invalidate(stale)
    http.get_json("/api")
    assert len(issued) == 2


def test_an_unknown_client_is_an_auth_error_without_the_secret(httpserver):
    httpserver.expect_request("/token", method="POST").respond_with_json(
        {"error": "invalid_client", "error_description": "unknown client"}, status=400)
    auth = ClientCredentialsAuth(httpserver.url_for("/token"), "id", "canary-oauth-secret")
    with pytest.raises(errors.AuthError, match="unknown client") as failure:
        HttpClient(httpserver.url_for("/"), auth=auth, retry=FAST_RETRY).get_json("/api")
    assert "canary-oauth-secret" not in str(failure.value) and "canary" not in repr(auth)
    assert len([r for r, _ in httpserver.log if r.path == "/token"]) == 1
