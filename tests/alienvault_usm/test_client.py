"""The client on the wire, against pytest-httpserver: OAuth2 client credentials, what each request
sends, HAL paging and its guards, the vendor's quirks, and how errors map to error kinds."""
from __future__ import annotations

import base64

import pytest
from werkzeug.wrappers import Response

from soarpacks.integrations.alienvault_usm.client import normalize_base_url
from soarpacks.integrations.alienvault_usm.handlers import make_client
from soarpacks.integrations.common import errors
from soarpacks.integrations.common.paginators import PaginationError
from soarpacks.integrations.common.retry import FAST_RETRY

API = "/api/2.0"
SECRET = "canary-usm-wire-secret"
ALARM = "971918fd-a569-548a-5a80-1ffcda2a8365"


@pytest.fixture
def client(httpserver):
    return make_client({"base_url": httpserver.url_for(API), "client_id": "wire-client", "client_secret": SECRET,
                        "insecure": False, "page_size": 2}, retry=FAST_RETRY)


def token(httpserver, value="tok-1", expires_in=899):
    httpserver.expect_ordered_request(f"{API}/oauth/token", method="POST").respond_with_json(
        {"access_token": value, "token_type": "bearer", "expires_in": expires_in, "scope": "trust read write",
         "jti": "3b4cc123-2164-44cb-ae34-9c76d7c429ab"})


def page(items, *, key="alarms", next_href=None, number=0):
    body = {"_links": {"self": {"href": "x"}}, "_embedded": {key: items},
            "page": {"size": 2, "totalElements": 99, "totalPages": 9, "number": number}}
    if next_href:
        body["_links"]["next"] = {"href": next_href, "templated": False}
    return body


def alarm(uuid, ms="1517932134000", **extra):
    return {"uuid": uuid, "timestamp_occured": ms, "priority_label": "low", "status": "open", **extra}


def test_the_token_is_asked_with_basic_client_credentials_and_a_form_grant(httpserver, client):
    token(httpserver)
    httpserver.expect_ordered_request(f"{API}/alarms", method="GET").respond_with_json(page([]))
    list(client.items("alarms", {}))
    login = httpserver.log[0][0]
    assert login.headers["Authorization"] == "Basic " + base64.b64encode(f"wire-client:{SECRET}".encode()).decode()
    assert login.form["grant_type"] == "client_credentials"
    assert httpserver.log[1][0].headers["Authorization"] == "Bearer tok-1"


def test_a_token_is_reused_until_a_401_then_refreshed_once_and_the_request_resent(httpserver, client):
    token(httpserver, "tok-1")
    httpserver.expect_ordered_request(f"{API}/alarms/{ALARM}").respond_with_json(alarm(ALARM))
    httpserver.expect_ordered_request(f"{API}/alarms/{ALARM}").respond_with_json(
        {"error": "invalid_token", "error_description": "Access token expired"}, status=401)
    token(httpserver, "tok-2")
    httpserver.expect_ordered_request(f"{API}/alarms/{ALARM}").respond_with_json(alarm(ALARM))
    client.alarm(ALARM)
    client.alarm(ALARM)
    assert [r.headers["Authorization"] for r, _ in httpserver.log if "oauth" not in r.path] == [
        "Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


def test_a_rejected_client_is_an_auth_error_that_names_no_secret(httpserver, client):
    httpserver.expect_request(f"{API}/oauth/token").respond_with_json(
        {"result": "error", "location": f"{API}/oauth/token", "error": "Bad credentials"}, status=401)
    with pytest.raises(errors.AuthError) as failure:
        client.alarm(ALARM)
    assert "Bad credentials" in str(failure.value) and SECRET not in str(failure.value)
    assert failure.value.exit_code == 3


def test_searches_sort_and_filter_with_the_one_r_spelling_and_repeat_list_filters(httpserver, client):
    token(httpserver)
    httpserver.expect_ordered_request(f"{API}/alarms").respond_with_json(page([]))
    list(client.items("alarms", {"sort": "timestamp_occured,asc", "timestamp_occured_gte": 5,
                                 "priority_label": ["medium", "high"], "suppressed": False, "rule_intent": None}))
    sent = httpserver.log[1][0].args
    assert sent["sort"] == "timestamp_occured,asc" and sent["timestamp_occured_gte"] == "5"
    assert sent.getlist("priority_label") == ["medium", "high"]
    assert sent["suppressed"] == "false" and "rule_intent" not in sent
    assert not any("occurred" in key for key in sent)


def test_paging_follows_next_links_and_sends_their_query_to_the_configured_host(httpserver, client):
    token(httpserver)
    # HAL links built behind the vendor's proxy name an internal host; only their query is used.
    internal = "https://mysubdomain.aveng.us/api/2.0/alarms?page={}&size=2&sort=timestamp_occured,asc"
    httpserver.expect_ordered_request(f"{API}/alarms", query_string={"page": "0", "size": "2"}).respond_with_json(
        page([alarm("a"), alarm("b")], next_href=internal.format(1)))
    httpserver.expect_ordered_request(f"{API}/alarms", query_string={"page": "1", "size": "2",
                                                                        "sort": "timestamp_occured,asc"}).respond_with_json(page([alarm("c"), alarm("d")], next_href=internal.format(2)))
    httpserver.expect_ordered_request(f"{API}/alarms", query_string={"page": "2", "size": "2",
                                                                        "sort": "timestamp_occured,asc"}).respond_with_json(page([alarm("e")]))
    assert [a["uuid"] for a in client.items("alarms", {})] == ["a", "b", "c", "d", "e"]


def test_a_limit_stops_paging_as_soon_as_it_is_reached(httpserver, client):
    token(httpserver)
    httpserver.expect_ordered_request(f"{API}/alarms").respond_with_json(
        page([alarm("a"), alarm("b")], next_href=f"{API}/alarms?page=1&size=2"))
    assert [a["uuid"] for a in client.items("alarms", {}, limit=2)] == ["a", "b"]
    assert len(httpserver.log) == 2


def test_a_next_link_back_to_a_page_already_read_is_a_pagination_error(httpserver, client):
    token(httpserver)
    loop = f"{API}/alarms?page=1&size=2"
    httpserver.expect_request(f"{API}/alarms").respond_with_json(page([alarm("a")], next_href=loop))
    with pytest.raises(PaginationError, match="loop"):
        list(client.items("alarms", {}))


def test_a_next_link_to_another_resource_is_refused(httpserver, client):
    token(httpserver)
    httpserver.expect_request(f"{API}/alarms").respond_with_json(
        page([alarm("a")], next_href="https://elsewhere.example/api/2.0/users?page=1"))
    with pytest.raises(PaginationError, match="leaves /alarms"):
        list(client.items("alarms", {}))


def test_an_empty_page_without_embedded_ends_paging_even_with_a_next_link(httpserver, client):
    token(httpserver)
    body = {"_links": {"next": {"href": f"{API}/alarms?page=1"}}, "page": {"size": 2, "totalElements": 0,
                                                                           "totalPages": 0, "number": 0}}
    httpserver.expect_ordered_request(f"{API}/alarms").respond_with_json(body)
    assert list(client.items("alarms", {})) == []
    assert len(httpserver.log) == 2


def test_events_are_read_from_the_older_event_resources_key_too(httpserver, client):
    token(httpserver)
    httpserver.expect_request(f"{API}/events").respond_with_json(page([{"uuid": "e1"}], key="eventResources"))
    assert [e["uuid"] for e in client.items("events", {})] == ["e1"]


def test_a_missing_alarm_is_a_not_found_error_naming_the_alarm(httpserver, client):
    token(httpserver)
    httpserver.expect_request(f"{API}/alarms/{ALARM}").respond_with_json(
        {"result": "error", "location": f"{API}/alarms/{ALARM}", "error": "Alarm not found"}, status=404)
    with pytest.raises(errors.NotFoundError, match=f"alarm {ALARM} not found"):
        client.alarm(ALARM)


def test_a_label_write_on_a_missing_label_says_labels_come_from_the_console(httpserver, client):
    token(httpserver)
    httpserver.expect_request(f"{API}/alarms/{ALARM}/labels/nope", method="PUT").respond_with_json(
        {"result": "error", "location": "x", "error": "Label nope not found"}, status=404)
    with pytest.raises(errors.NotFoundError, match="Label nope not found.*console"):
        client.set_label(ALARM, "nope", present=True)


def test_a_read_only_client_writing_a_label_gets_a_role_error(httpserver, client):
    token(httpserver)
    httpserver.expect_request(f"{API}/alarms/{ALARM}/labels/l1", method="DELETE").respond_with_json(
        {"result": "error", "location": "x", "error": "Access is denied"}, status=403)
    with pytest.raises(errors.AuthError, match="Analyst or Manager"):
        client.set_label(ALARM, "l1", present=False)


def test_label_ids_are_escaped_into_one_path_segment(httpserver, client):
    token(httpserver)
    httpserver.expect_request(f"{API}/alarms/{ALARM}/labels/a b", method="PUT").respond_with_response(Response(status=200))
    client.set_label(ALARM, "a b", present=True)
    assert httpserver.log[1][0].path == f"{API}/alarms/{ALARM}/labels/a b"
    assert b"a%20b" in httpserver.log[1][0].environ["REQUEST_URI"].encode()


def test_503s_are_retried_and_a_body_that_is_not_json_is_a_vendor_error(httpserver, client):
    token(httpserver)
    httpserver.expect_ordered_request(f"{API}/alarms/{ALARM}").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request(f"{API}/alarms/{ALARM}").respond_with_json(alarm(ALARM))
    assert client.alarm(ALARM)["uuid"] == ALARM
    httpserver.expect_request(f"{API}/events/{ALARM}").respond_with_data("<html>oops</html>", status=200)
    with pytest.raises(errors.VendorError, match="not JSON"):
        client.event(ALARM)


@pytest.mark.parametrize("given, expected", [
    ("https://acme.alienvault.cloud", "https://acme.alienvault.cloud/api/2.0"),
    ("https://acme.alienvault.cloud/", "https://acme.alienvault.cloud/api/2.0"),
    ("https://acme.alienvault.cloud/api/2.0/", "https://acme.alienvault.cloud/api/2.0"),
    ("https://proxy.example/usm/api/2.0", "https://proxy.example/usm/api/2.0"),
])
def test_a_console_url_gets_the_api_path_and_a_trailing_slash_is_dropped(given, expected):
    assert normalize_base_url(given) == expected


def test_the_placeholder_base_url_is_a_config_error_before_any_request():
    with pytest.raises(errors.ConfigError, match="your tenant"):
        make_client({"base_url": "https://your-subdomain.alienvault.cloud/api/2.0", "client_id": "x",
                     "client_secret": "canary-x", "insecure": False})


def test_the_client_repr_shows_no_credentials(client):
    assert SECRET not in repr(client) and SECRET not in repr(client.http) and SECRET not in repr(client.http.auth)
