"""The request loop: retries, Retry-After, auth on every attempt, error kinds."""
from __future__ import annotations

import socket
import threading
import time
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

import pytest

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.auth import BearerAuth, TokenAuth, Token
from soarpacks.integrations.common.http import HttpClient
from soarpacks.integrations.common.retry import RetryPolicy, parse_retry_after


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def client(server, *, sleeps=None, **kwargs):
    policy = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.02, max_retry_after=60,
                         sleep=sleeps if sleeps is not None else Sleeps())
    return HttpClient(server.url_for("/"), retry=policy, **kwargs)


def test_retry_after_in_seconds_is_honoured(httpserver):
    sleeps = Sleeps()
    httpserver.expect_ordered_request("/x").respond_with_json({}, status=429, headers={"Retry-After": "7"})
    httpserver.expect_ordered_request("/x").respond_with_json({"ok": 1})
    assert client(httpserver, sleeps=sleeps).get_json("/x") == {"ok": 1}
    assert sleeps == [7.0]


def test_retry_after_as_an_http_date_is_honoured(httpserver):
    sleeps = Sleeps()
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    httpserver.expect_ordered_request("/x").respond_with_json({}, status=503, headers={"Retry-After": when})
    httpserver.expect_ordered_request("/x").respond_with_json({"ok": 1})
    client(httpserver, sleeps=sleeps).get_json("/x")
    assert 25 <= sleeps[0] <= 30


def test_retry_after_above_the_cap_fails_with_a_clear_error(httpserver):
    httpserver.expect_request("/x").respond_with_json({}, status=429, headers={"Retry-After": "3600"})
    with pytest.raises(errors.TransientError, match="3600s, more than the 60s cap"):
        client(httpserver).get_json("/x")


def test_without_retry_after_backoff_grows_exponentially_with_jitter():
    policy = RetryPolicy(base_delay=1, max_delay=30)
    for attempt in range(8):
        delays = [policy.backoff(attempt) for _ in range(50)]
        assert all(0 <= d <= min(30, 2 ** attempt) for d in delays)
    assert parse_retry_after("garbage") is None


def test_retries_are_bounded_and_end_in_a_transient_error(httpserver):
    sleeps = Sleeps()
    httpserver.expect_request("/x").respond_with_data("busy", status=503)
    with pytest.raises(errors.TransientError) as failure:
        client(httpserver, sleeps=sleeps).get_json("/x")
    assert failure.value.exit_code == 4 and len(sleeps) == 3


def test_a_post_is_not_resent_unless_the_endpoint_says_it_is_safe(httpserver):
    httpserver.expect_request("/x", method="POST").respond_with_data("busy", status=503)
    with pytest.raises(errors.TransientError):
        client(httpserver).request("POST", "/x", json_body={})
    assert len(httpserver.log) == 1
    httpserver.clear_log()
    with pytest.raises(errors.TransientError):
        client(httpserver).request("POST", "/x", json_body={}, retry_unsafe=True)
    assert len(httpserver.log) == 4


def test_auth_is_applied_again_on_every_attempt(httpserver):
    tokens = iter(["t1", "t2", "t3"])
    auth = TokenAuth(lambda http: Token(next(tokens), 0.0001), early_expiry=0)
    httpserver.expect_ordered_request("/x", headers={"Authorization": "Bearer t1"}).respond_with_data("", status=502)
    httpserver.expect_ordered_request("/x", headers={"Authorization": "Bearer t2"}).respond_with_json({"ok": 1})
    time.sleep(0.001)
    assert client(httpserver, auth=auth).get_json("/x") == {"ok": 1}


def test_a_401_refreshes_credentials_and_resends_once(httpserver):
    tokens = iter(["old", "new", "newer"])
    auth = TokenAuth(lambda http: Token(next(tokens), 600))
    httpserver.expect_ordered_request("/x", headers={"Authorization": "Bearer old"}).respond_with_data("", status=401)
    httpserver.expect_ordered_request("/x", headers={"Authorization": "Bearer new"}).respond_with_json({"ok": 1})
    assert client(httpserver, auth=auth).get_json("/x") == {"ok": 1}
    assert auth.refreshes == 2


def test_a_second_401_is_an_auth_error_with_exit_code_3(httpserver):
    httpserver.expect_request("/x").respond_with_json({"message": "bad token"}, status=401)
    with pytest.raises(errors.AuthError, match="bad token") as failure:
        client(httpserver, auth=BearerAuth("static-token-value")).get_json("/x")
    assert failure.value.exit_code == 3
    assert len(httpserver.log) == 2


@pytest.mark.parametrize("status,kind", [(400, errors.InputError), (403, errors.AuthError),
                                         (404, errors.NotFoundError), (500, errors.VendorError)])
def test_statuses_map_to_error_kinds(httpserver, status, kind):
    httpserver.expect_request("/x").respond_with_json({"error": "nope"}, status=status)
    with pytest.raises(kind, match=f"HTTP {status}: nope"):
        client(httpserver).get_json("/x")


def test_a_vendor_can_override_one_row_of_the_error_table(httpserver):
    from soarpacks.integrations.common.errortable import Action, Rule
    httpserver.expect_request("/x").respond_with_json({}, status=500)
    http = client(httpserver, error_table={**client(httpserver).error_table, 500: Rule(Action.RETRY, errors.TransientError)})
    with pytest.raises(errors.TransientError):
        http.get_json("/x")
    assert len(httpserver.log) == 4


def test_connection_errors_are_retried_then_reported_without_secrets():
    policy = RetryPolicy(max_attempts=2, base_delay=0, sleep=lambda s: None)
    http = HttpClient("http://127.0.0.1:9", retry=policy, auth=BearerAuth("canary-token-123"))
    with pytest.raises(errors.TransientError) as failure:
        http.get_json("/x")
    assert "canary-token-123" not in str(failure.value) and "after 2 attempt" in str(failure.value)


def test_a_body_that_is_not_json_is_a_vendor_error(httpserver):
    httpserver.expect_request("/x").respond_with_data("<html>", content_type="text/html")
    with pytest.raises(errors.VendorError, match="not JSON"):
        client(httpserver).get_json("/x")


def test_a_base_url_that_is_not_http_is_a_config_error():
    with pytest.raises(errors.ConfigError):
        HttpClient("ftp://example.com")


def test_tls_verification_is_on_by_default(monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)   # a custom CA bundle is tested in test_http_proxy
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    assert HttpClient("https://example.com").verify is True


def test_a_connection_broken_while_reading_the_body_is_retried():
    answers = [
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"ok\"",
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{\"ok\": 1}",
    ]
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(2)

    def serve():
        for answer in answers:
            connection, _ = listener.accept()
            connection.recv(65536)
            connection.sendall(answer)
            connection.close()

    threading.Thread(target=serve, daemon=True).start()
    sleeps = Sleeps()
    policy = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02, sleep=sleeps)
    host, port = listener.getsockname()
    try:
        assert HttpClient(f"http://{host}:{port}/", retry=policy).get_json("/x") == {"ok": 1}
    finally:
        listener.close()
    assert len(sleeps) == 1
