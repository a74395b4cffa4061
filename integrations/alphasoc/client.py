"""AlphaSOC REST API v1: the endpoints this integration uses, over the runtime's one request loop.

HTTP and the API's protocol only (auth, retries, the answers' top-level shape); what an alert or a
definition means is in ``mapping.py``.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterator

from ..common import errors
from ..common.auth import BasicAuth
from ..common.errortable import DEFAULT_ERROR_TABLE, Action, Rule
from ..common.http import HttpClient
from ..common.paginators import BodyCursorPaginator, PageRequest, iter_pages
from ..common.retry import DEFAULT_RETRY, RetryPolicy
from ..common.vendordata import reads_vendor_data

from . import telemetry

VENDOR = "AlphaSOC"

# An API key cannot be refreshed, so a 401 is final (the default table would resend it once).
ERROR_TABLE = {**DEFAULT_ERROR_TABLE, 401: Rule(Action.FAIL, errors.AuthError)}


class AlphaSocClient:
    """The REST API v1 endpoints this integration uses, over the runtime's one request loop."""

    def __init__(self, base_url: str, api_key: str, *, verify: bool = True, proxy: bool = False,
                 retry: RetryPolicy = DEFAULT_RETRY) -> None:
        if not api_key:
            raise errors.ConfigError("AlphaSOC: api_key is empty")
        # Basic auth with the API key as username and an empty password, as the API documents.
        self.http = HttpClient(base_url, auth=BasicAuth(api_key), retry=retry, error_table=ERROR_TABLE,
                               verify=verify, proxy=proxy, vendor=VENDOR)
        # AlphaSOC's 429 carries no Retry-After and its own clients back off up to a minute; a telemetry
        # batch is worth that patience (alerts and lookups keep the caller's shorter policy).
        self.upload_http = HttpClient(base_url, auth=self.http.auth, error_table=ERROR_TABLE, verify=verify,
                                      proxy=proxy, vendor=VENDOR, retry=replace(retry, max_attempts=max(retry.max_attempts, 9),
                                                                   max_delay=max(retry.max_delay, 60.0)))

    def __repr__(self) -> str:
        return f"AlphaSocClient({self.http.base_url})"

    def account_status(self) -> dict[str, Any]:
        return _object(self.http.get_json("/v1/account/status"), "account status")

    def alert_pages(self, *, follow: str | None = None,
                    threats: list[str] | None = None) -> tuple[FollowPaginator, Iterator[dict[str, Any]]]:
        """The alerts pages from ``follow`` (none: from the oldest alert the API holds) to the last,
        lazily; with the paginator, whose ``asking`` is the follow token of the request in flight."""
        params: dict[str, Any] = {}
        if follow:
            params["follow"] = follow
        if threats:
            params["threats"] = ",".join(threats)
        paginator = FollowPaginator()
        return paginator, iter_pages(self.http, PageRequest("GET", self.http.url("/v1/alerts"), params=params), paginator)

    def threats(self) -> dict[str, dict[str, Any]]:
        return _dictionary(self.http.get_json("/v1/ae/inventory/threats"), "threats")

    def flags(self) -> dict[str, dict[str, Any]]:
        return _dictionary(self.http.get_json("/v1/ae/inventory/flags"), "flags")

    def post_events(self, event_type: str, body: bytes, *, encoding: str = "gzip") -> dict[str, Any]:
        """One telemetry request. Resending is safe on 429 (nothing was taken) and acceptable on
        5xx or a dropped connection (a batch may then be counted twice: at least once, never lost)."""
        if event_type not in telemetry.EVENT_TYPES:
            raise errors.InputError(f"AlphaSOC: unknown event type {event_type!r}")
        headers = {"Content-Type": "application/json"}
        if encoding != "identity":
            headers["Content-Encoding"] = encoding
        answer = self.upload_http.send_json("POST", f"/v1/events/{event_type}", data=body, headers=headers,
                                            retry_unsafe=True)
        return _object(answer, "telemetry answer")


class FollowPaginator(BodyCursorPaginator):
    """``/v1/alerts``: ``more`` says the API holds more, ``follow`` is the token to ask with at once.

    Hooks: ``page`` checks each answer's top-level shape; ``cursor`` reads a follow that is not a
    non-empty string as none (the API's way of having none). ``asking`` remembers the follow of the
    request in flight, so the fetch can tell a rejected stored bookmark from a later failure."""

    def __init__(self) -> None:
        super().__init__(cursor_path="follow", more_path="more", param="follow", label="follow bookmark")
        self.asking: str | None = None

    def first(self, request: PageRequest) -> PageRequest:
        self.asking = request.params.get("follow")
        return request

    def page(self, request: PageRequest, body: Any) -> Any:
        return _alerts_page(body)

    def cursor(self, body: Any) -> Any:
        value = body.get("follow")
        return value if isinstance(value, str) and value else None

    def next(self, request: PageRequest, body: Any) -> PageRequest | None:
        following = super().next(request, body)
        self.asking = following.params.get("follow") if following is not None else None
        return following


@reads_vendor_data
def _alerts_page(body: Any) -> dict[str, Any]:
    body = _object(body, "alerts page")
    if not isinstance(body.get("alerts") or [], list) or not isinstance(body.get("threats") or {}, dict):
        raise errors.VendorError("AlphaSOC: the alerts page has no alerts list or threats dictionary")
    return body


@reads_vendor_data
def _object(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise errors.VendorError(f"AlphaSOC: the {what} is not a JSON object")
    return body


@reads_vendor_data
def _dictionary(body: Any, key: str) -> dict[str, dict[str, Any]]:
    value = _object(body, f"{key} inventory").get(key)
    if not isinstance(value, dict):
        raise errors.VendorError(f"AlphaSOC: the {key} inventory has no {key!r} dictionary")
    return {k: v if isinstance(v, dict) else {} for k, v in value.items()}


def make_client(params: dict[str, Any], *, retry: RetryPolicy = DEFAULT_RETRY) -> AlphaSocClient:
    """The client from the instance params as the runner validated them: the manifest's defaults (the
    public API host, TLS verified, no proxy) are filled in there, not repeated here."""
    return AlphaSocClient(params["base_url"], params["api_key"], verify=not params.get("insecure"),
                          proxy=bool(params.get("proxy")), retry=retry)
