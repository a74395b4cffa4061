"""Cisco Global Threat Alerts: the API client (OAuth2 client credentials, the customer's alert,
threat-detection and event collections, cursor paging)."""
from __future__ import annotations

from functools import cached_property
from typing import Any, Iterator

from ..common import errors
from ..common.auth import ClientCredentialsAuth
from ..common.http import HttpClient
from ..common.paginators import BodyCursorPaginator, PageRequest, iter_items
from ..common.retry import DEFAULT_RETRY, RetryPolicy
from ..common.vendordata import dig

VENDOR = "cisco_gta"
# The EU hosts are documented; the US and APJC API hosts follow the same pattern (unverified, so
# every host can be overridden by a param).
REGIONS = {
    "eu": ("api.cta.eu.amp.cisco.com", "visibility.eu.amp.cisco.com", "cta.eu.amp.cisco.com"),
    "us": ("api.cta.amp.cisco.com", "visibility.amp.cisco.com", "cta.amp.cisco.com"),
    "apjc": ("api.cta.apjc.amp.cisco.com", "visibility.apjc.amp.cisco.com", "cta.apjc.amp.cisco.com"),
}
PAGE_MAX = 1000  # the API's cap on `size`
# `after=<endCursor>` works for GET and POST collections alike (POST answers carry no `next` link).
CURSOR = BodyCursorPaginator(cursor_path="pageInfo.endCursor", more_path="pageInfo.hasNextPage", param="after")


class GtaClient:
    def __init__(self, http: HttpClient, *, customer_id: str | None, identity_url: str, console_url: str) -> None:
        self.http = http
        self._customer_id = customer_id
        self.identity_url = identity_url
        self.console_url = console_url

    @cached_property
    def customer_id(self) -> str:
        if self._customer_id:
            return self._customer_id
        customer = dig(self.http.get_json(self.identity_url), "identity.customerId")
        if not customer or not isinstance(customer, str):
            raise errors.ConfigError("cisco_gta: the API client's identity has no customerId; set customer_id")
        return customer

    def _url(self, api: str, path: str = "") -> str:
        return self.http.url(f"/{api}/customer/{self.customer_id}/{path}".rstrip("/"))

    def alerts(self, params: dict[str, Any], *, prefetch: bool = False) -> Iterator[dict[str, Any]]:
        request = PageRequest("GET", self._url("alert-management", "alerts"), params={"size": PAGE_MAX, **params})
        return iter_items(self.http, request, CURSOR, "items", prefetch=prefetch)

    def alerts_by_id(self, alert_ids: list[str]) -> Iterator[dict[str, Any]]:
        for start in range(0, len(alert_ids), PAGE_MAX):
            request = PageRequest("POST", self._url("alert-management", "alerts/search"), params={"size": PAGE_MAX},
                                  json_body={"filter": {"alertIds": alert_ids[start:start + PAGE_MAX]}},
                                  retry_unsafe=True)
            yield from iter_items(self.http, request, CURSOR, "items")

    def alert(self, alert_id: str) -> dict[str, Any]:
        try:
            return self.http.get_json(self._url("alert-management", f"alerts/{alert_id}"))
        except errors.NotFoundError:
            raise errors.NotFoundError(f"cisco_gta: alert {alert_id} not found (alerts are removed 45 days "
                                       "after their last detection)") from None

    def threat_detections(self, alert_id: str) -> Iterator[dict[str, Any]]:
        url = self._url("alert-management", f"alerts/{alert_id}/threat-detections")
        return iter_items(self.http, PageRequest("GET", url), CURSOR, "items")

    def convicting_events(self, detection_id: str) -> Iterator[dict[str, Any]]:
        url = self._url("threat-detection", f"threat-detections/{detection_id}/events/convicting")
        return iter_items(self.http, PageRequest("GET", url), CURSOR, "items")

    def events_since(self, after: str | None) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"sort": "modificationSequenceNumber", "size": PAGE_MAX}
        if after:
            params["after"] = after
        request = PageRequest("POST", self._url("event-detection", "events/search"), params=params,
                              json_body={"filter": {}}, retry_unsafe=True)
        return iter_items(self.http, request, CURSOR, "items")

    def patch(self, alert_id: str, resource: str, body: dict[str, Any]) -> Any:
        # PATCH sets a value: resending it is harmless.
        return self.http.send_json("PATCH", self._url("alert-management", f"alerts/{alert_id}/{resource}"),
                                   json_body=body, retry_unsafe=True)

    def delete_note(self, alert_id: str) -> None:
        self.http.request("DELETE", self._url("alert-management", f"alerts/{alert_id}/note"))


def connect(*, region: str, client_id: str, client_secret: str, customer_id: str | None = None,
            base_url: str | None = None, token_url: str | None = None, identity_url: str | None = None,
            insecure: bool = False, proxy: bool = False, retry: RetryPolicy = DEFAULT_RETRY) -> GtaClient:
    """A client for the region's hosts, each of which an explicit URL overrides."""
    api_host, auth_host, console_host = REGIONS[region]
    auth = ClientCredentialsAuth(token_url or f"https://{auth_host}/iroh/oauth2/token", client_id, client_secret,
                                 scheme="Bearer")
    http = HttpClient(base_url or f"https://{api_host}", auth=auth, retry=retry, verify=not insecure, vendor=VENDOR,
                      proxy=proxy)
    return GtaClient(http, customer_id=customer_id,
                     identity_url=identity_url or f"https://{console_host}/auth/api-clients/me",
                     console_url=f"https://{console_host}")
