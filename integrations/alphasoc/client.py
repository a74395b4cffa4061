"""AlphaSOC REST API v1: the endpoints this integration uses, over the runtime's one request loop.

HTTP and the API's protocol only (auth, retries, the answers' top-level shape); what an alert or a
definition means is in ``mapping.py``.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..common import errors
from ..common.auth import BasicAuth
from ..common.errortable import DEFAULT_ERROR_TABLE, Action, Rule
from ..common.http import HttpClient
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

    def alerts(self, *, follow: str | None = None, threats: list[str] | None = None) -> dict[str, Any]:
        params = {}
        if follow:
            params["follow"] = follow
        if threats:
            params["threats"] = ",".join(threats)
        body = _object(self.http.get_json("/v1/alerts", params=params or None), "alerts page")
        if not isinstance(body.get("alerts") or [], list) or not isinstance(body.get("threats") or {}, dict):
            raise errors.VendorError("AlphaSOC: the alerts page has no alerts list or threats dictionary")
        return body

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
