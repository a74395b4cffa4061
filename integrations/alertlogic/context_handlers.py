"""Alert Logic read commands for context around an incident: assets (find, details with exposures,
an incident's targets) and the incident filter values. The reads and shapes are in ``assets.py``;
``handlers.py`` imports these so the registry finds them. Argument defaults are the manifest's."""
from __future__ import annotations

from typing import Any

from ..common.registry import command
from ..common.results import CommandResult, defang, markdown_table
from ..common.vendordata import vendor_data
from . import assets
from .client import AlertLogicClient
from .mapping import iris_to_incident

# Hosts looked up per incident target: one IP may be several hosts (NAT, a load balancer).
HOSTS_PER_TARGET = 10


def _hosts_table(hosts: list[dict[str, Any]], title: str) -> str:
    rows = [{"name": h["name"], "key": h["key"], "private IPs": ", ".join(h["private_ip_addresses"]),
             "public IPs": ", ".join(h["public_ip_addresses"]), "exposures": h.get("exposure_count", "")}
            for h in hosts]
    return markdown_table(rows, columns=["name", "key", "private IPs", "public IPs", "exposures"], title=title)


def _exposures_table(exposures: list[dict[str, Any]], title: str) -> str:
    rows = [{k: e[k] for k in ("severity", "name", "cve", "cvss_score")} for e in exposures]
    return markdown_table(rows, columns=["severity", "name", "cve", "cvss_score"], title=title)


@command("alertlogic-find-assets")
def find_assets(client: AlertLogicClient, *, ip_address: str | None = None, host_name: str | None = None,
                max_results: int) -> CommandResult:
    raw = assets.find_hosts(client, ip_address=ip_address, host_name=host_name, max_results=max_results)
    hosts = [assets.host_summary(asset) for asset in raw]
    what = defang(ip_address) if ip_address else host_name
    return CommandResult(hosts, raw=raw, readable=_hosts_table(hosts, f"Alert Logic hosts matching {what}"))


def _with_exposures(client: AlertLogicClient, host: dict[str, Any], max_exposures: int) -> dict[str, Any]:
    raw, total = assets.host_exposures(client, host["key"], max_exposures=max_exposures)
    exposures = [assets.exposure_item(e) for e in raw]
    return {**host, "exposures": exposures, "exposure_count": len(exposures), "exposure_total": total,
            "exposures_truncated": total > len(exposures), "severities": assets.severity_counts(exposures)}


@command("alertlogic-get-asset")
def get_asset(client: AlertLogicClient, *, key: str, deployment_id: str, region: str | None = None,
              max_exposures: int) -> CommandResult:
    answer = assets.host_details(client, key=key, deployment_id=deployment_id, region=region)
    detail = _with_exposures(client, assets.details_summary(answer, key), max_exposures)
    readable = "\n\n".join([_hosts_table([detail], f"Alert Logic host {detail['name'] or key}"),
                            _exposures_table(detail["exposures"], "Exposures")])
    return CommandResult(detail, raw=answer, readable=readable)


def _victims(client: AlertLogicClient, incident: dict[str, Any]) -> list[dict[str, str]]:
    mapped = iris_to_incident(incident, console_url=client.console_url)
    return [{"type": i["type"], "value": i["value"]} for i in mapped.indicators if i.get("role") == "victim"]


@command("alertlogic-get-incident-assets")
def get_incident_assets(client: AlertLogicClient, *, incident_id: str, max_exposures: int) -> CommandResult:
    """The incident's targets (victim IPs and host name) as assets, each host with its exposures."""
    incident = client.incident(incident_id)
    with vendor_data("alertlogic incident"):
        real_id = str(incident.get("incidentId") or incident_id)
    targets = _victims(client, incident)
    hosts: dict[str, dict[str, Any]] = {}
    unmatched: list[str] = []
    for target in targets:
        lookup = {"ip_address": target["value"]} if target["type"] == "ip" else {"host_name": target["value"]}
        found = assets.find_hosts(client, **lookup, max_results=HOSTS_PER_TARGET)
        if not found:
            unmatched.append(target["value"])
        for asset in found:
            host = hosts.setdefault(str(asset["key"]), {**assets.host_summary(asset), "matched_by": []})
            host["matched_by"].append(target["value"])
    detailed = [_with_exposures(client, host, max_exposures) for host in hosts.values()]
    outputs = {"incident_id": real_id, "targets": targets, "assets": detailed, "unmatched": unmatched}
    parts = [_hosts_table(detailed, f"Assets of Alert Logic incident {real_id}")]
    parts += [_exposures_table(h["exposures"], f"Exposures of {h['name'] or h['key']}") for h in detailed if h["exposures"]]
    if unmatched:
        parts.append("No asset found for: " + ", ".join(defang(v) for v in unmatched))
    return CommandResult(outputs, raw={"incident": incident}, readable="\n\n".join(parts))


@command("alertlogic-list-incident-filters")
def list_incident_filters(client: AlertLogicClient) -> CommandResult:
    """The attack classes, detection sources, escalation flags and threat levels IRIS filters by."""
    answer = assets.incident_filters(client)
    with vendor_data("alertlogic incident filters"):
        outputs = {"class": [str(v) for v in answer.get("class") or []],
                   "detection_source": [str(v) for v in answer.get("detection_source") or []],
                   "escalated": [bool(v) for v in answer.get("escalated") or []],
                   "threat_level": [str(v) for v in answer.get("threat_level") or []]}
    rows = [{"filter": name, "values": ", ".join(map(str, values))} for name, values in outputs.items()]
    return CommandResult(outputs, raw=answer, readable=markdown_table(rows, columns=["filter", "values"],
                                                                       title="Alert Logic incident filters"))
