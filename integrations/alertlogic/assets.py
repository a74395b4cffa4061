"""Asset context from Alert Logic's assets_query service: hosts by IP address or name, one host's
details, and its exposures (vulnerabilities), each read page by page to the end; and the IRIS
incident filter values. The shapes an analyst gets are made here too (``host_summary``,
``exposure_item``): this is the only code that reads assets_query objects.

Paths, parameters and answers are those of ``assets_query.v1.yaml`` (alertlogic-sdk-definitions):
``GET /assets_query/v1/{account}/assets?asset_types=h:host&h.<property>=<value>`` (``page_size``
on the first request, then only ``continue``), ``GET .../details?type=host&key&deployment[&region]``
and ``GET /assets_query/v2/{account}/exposures?filter=host:<key>&details=true``.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Iterator

from ..common import errors
from ..common.http import HttpClient
from ..common.timeutil import parse_time, rfc3339
from ..common.vendordata import dig, reads_vendor_data
from .client import VENDOR, AlertLogicClient

ASSET_PAGE = 100
EXPOSURE_PAGE = 100
SEVERITIES = ("high", "medium", "low", "info")
# Where a host's IP address may be: a target IP of an incident is usually a private (home net)
# address, but a victim seen from outside is a public one. Each is one query (conditions AND).
IP_PROPERTIES = ("private_ip_addresses", "public_ip_addresses")


def _continued(http: HttpClient, path: str, first: dict[str, Any],
               rows_of: Callable[[dict[str, Any]], list[Any]]) -> Iterator[tuple[dict[str, Any], list[Any]]]:
    """Every page and its rows: ``first`` params on the first request, then only ``continue``."""
    params: dict[str, Any] = first
    tokens: set[str] = set()
    while True:
        page = http.get_json(path, params=params)
        if not isinstance(page, dict):
            raise errors.VendorError(f"{VENDOR}: {path} answered with something other than an object")
        rows = rows_of(page)
        yield page, rows
        token = page.get("continue")
        if not rows or not isinstance(token, str) or not token:
            return
        if token in tokens:
            raise errors.VendorError(f"{VENDOR}: {path} repeated a continue token; stopped paging")
        tokens.add(token)
        params = {"continue": token}


@reads_vendor_data
def find_hosts(client: AlertLogicClient, *, ip_address: str | None = None, host_name: str | None = None,
               max_results: int) -> list[dict[str, Any]]:
    """Host assets with that IP address (private or public) or that name, each once, in answer order."""
    if bool(ip_address) == bool(host_name):
        raise errors.InputError("alertlogic-find-assets: give ip_address or host_name (one of them)")
    queries = ([{"h.name": host_name}] if host_name else [{f"h.{p}": ip_address} for p in IP_PROPERTIES])
    http = client.service_http("assets_query")
    found: dict[str, dict[str, Any]] = {}
    for query in queries:
        if len(found) >= max_results:
            break
        first = {"asset_types": "h:host", **query, "page_size": min(ASSET_PAGE, max_results)}
        for _, rows in _continued(http, client.account_path("assets_query/v1", "assets"), first,
                                  lambda page: page.get("assets") or []):
            for asset in (item for row in rows for item in row if isinstance(item, dict)):
                if asset.get("type") == "host" and asset.get("key"):
                    found.setdefault(str(asset["key"]), asset)
            if len(found) >= max_results:
                break
    return list(found.values())[:max_results]


@reads_vendor_data
def host_details(client: AlertLogicClient, *, key: str, deployment_id: str, region: str | None = None) -> dict[str, Any]:
    params = {"type": "host", "key": key, "deployment": deployment_id}
    if region:
        params["region"] = region
    try:
        answer = client.service_http("assets_query").get_json(client.account_path("assets_query/v1", "details"),
                                                                params=params)
    except errors.NotFoundError:
        raise errors.NotFoundError(f"{VENDOR}: no host {key} in deployment {deployment_id}") from None
    if not isinstance(answer, dict) or not isinstance(dig(answer, "host"), dict):
        raise errors.VendorError(f"{VENDOR}: the details of {key} have no host object")
    return answer


@reads_vendor_data
def host_exposures(client: AlertLogicClient, host_key: str, *, max_exposures: int) -> tuple[list[dict[str, Any]], int]:
    """Up to ``max_exposures`` of the host's exposures and how many it has."""
    if max_exposures <= 0:
        return [], 0
    first = {"filter": f"host:{host_key}", "details": "true", "page_size": min(EXPOSURE_PAGE, max_exposures)}
    http = client.service_http("assets_query")
    found: list[dict[str, Any]] = []
    total = 0
    for page, rows in _continued(http, client.account_path("assets_query/v2", "exposures"), first,
                                 lambda page: [r for r in dig(page, "exposures.assets") or [] if isinstance(r, dict)]):
        found.extend(rows)
        # A page that is not the last says total_rows; the last one does not.
        reported = page.get("total_rows")
        total = max(total, reported if isinstance(reported, int) else 0, len(found))
        if len(found) >= max_exposures:
            break
    return found[:max_exposures], total


@reads_vendor_data
def incident_filters(client: AlertLogicClient) -> dict[str, Any]:
    """The values IRIS incidents can be filtered by (not per account: ``/iris/v3/incident_filters``)."""
    answer = client.http.get_json("/iris/v3/incident_filters")
    if not isinstance(answer, dict):
        raise errors.VendorError(f"{VENDOR}: incident_filters answered with something other than an object")
    return answer


# --- shapes ----------------------------------------------------------------------------------------

def _ms_time(value: Any) -> str | None:
    try:
        return rfc3339(parse_time(value / 1000)) if isinstance(value, (int, float)) else None
    except (errors.InputError, ValueError, OverflowError, OSError):
        return None


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


@reads_vendor_data
def host_summary(asset: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": str(asset["key"]), "type": asset.get("type"), "name": asset.get("name"),
        "deployment_id": asset.get("deployment_id"), "instance_id": asset.get("instance_id"),
        "private_ip_addresses": _strings(asset.get("private_ip_addresses")),
        "public_ip_addresses": _strings(asset.get("public_ip_addresses")),
        "os_type": asset.get("os_type"), "state": asset.get("state"),
        "tags": asset.get("tags") if isinstance(asset.get("tags"), dict) else {},
        "modified": _ms_time(asset.get("modified_on")),
    }


def _vinstance_details(exposure: dict[str, Any]) -> dict[str, Any]:
    # ``vinstances[].details`` is a JSON document in a string (the file's examples); only with details=true.
    for vinstance in exposure.get("vinstances") or []:
        try:
            details = json.loads(vinstance.get("details") or "{}")
        except (TypeError, ValueError):
            continue
        if isinstance(details, dict):
            return details
    return {}


@reads_vendor_data
def exposure_item(exposure: dict[str, Any]) -> dict[str, Any]:
    details = _vinstance_details(exposure)
    cvss = details.get("cvss_score")
    return {
        "vulnerability_id": exposure.get("vulnerability_id"), "name": exposure.get("name"),
        "severity": exposure.get("severity"), "categories": _strings(exposure.get("categories")),
        "threat_score": exposure.get("threat_score"), "cve": details.get("cve"),
        "cvss_score": cvss if isinstance(cvss, (int, float)) else None,
        "remediations": [str(r.get("name")) for r in exposure.get("remediations") or [] if isinstance(r, dict)],
    }


def severity_counts(exposures: list[dict[str, Any]]) -> dict[str, int]:
    return {s: sum(1 for e in exposures if e["severity"] == s) for s in SEVERITIES}


@reads_vendor_data
def details_summary(answer: dict[str, Any], key: str) -> dict[str, Any]:
    """The host of a details answer, its deployment's name and how many related assets of each type."""
    entry = dig(answer, "host") or {}
    node = entry.get(key) or next(iter(entry.values()), {})
    asset = node.get("asset") if isinstance(node, dict) else None
    if not isinstance(asset, dict):
        raise errors.VendorError(f"{VENDOR}: the details of {key} have no asset")
    related = node.get("related") if isinstance(node.get("related"), dict) else {}
    return {**host_summary(asset), "deployment_name": dig(answer, "deployment.name"),
            "related": {kind: len(items) for kind, items in related.items() if isinstance(items, dict)}}
