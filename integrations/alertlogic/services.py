"""Alert Logic services beside IRIS, on the same AIMS login: where each one is reached.

The definitions give assets_query the IRIS hosts (api.cloudinsight.alertlogic.com, .co.uk), so it
goes where IRIS goes; the search service is on the global services hosts, so its host is asked of
the endpoints service for the account and residency, as Alert Logic's own clients do for every
service marked ``x-alertlogic-session-endpoint``.
"""
from __future__ import annotations

import threading
from weakref import WeakKeyDictionary

from ..common.http import HttpClient
from . import login
from .client import VENDOR, AlertLogicClient

ON_IRIS_HOST = frozenset({"iris", "assets_query"})
_CLIENTS: WeakKeyDictionary[AlertLogicClient, dict[str, HttpClient]] = WeakKeyDictionary()
_LOCK = threading.Lock()


def service_http(client: AlertLogicClient, service: str) -> HttpClient:
    """An HTTP client for ``service`` of the client's account, sharing its token (one login)."""
    with _LOCK:
        cached = _CLIENTS.setdefault(client, {})
        if service in cached:
            return cached[service]
    url = client.base_url if service in ON_IRIS_HOST else _looked_up(client, service)
    # The client's own connection settings (private to it, but this module is its companion):
    # TLS verification is whatever the insecure param made it there.
    verify = client._verify
    http = HttpClient(url, auth=client.auth, retry=client._retry, verify=verify, proxy=client._proxy,
                      vendor=VENDOR, session=client._session_factory())
    with _LOCK:
        return cached.setdefault(service, http)


def _looked_up(client: AlertLogicClient, service: str) -> str:
    return login.service_url(client.aims, aims_url=client._aims_url, account_id=client.account_id,
                             residency=client._residency, service=service)


def account_path(client: AlertLogicClient, prefix: str, rest: str) -> str:
    """``/<prefix>/<account_id>/<rest>``, the shape of every per-account Alert Logic path."""
    return f"/{prefix}/{client.account_id}/{rest}"
