"""OCSF Detection Findings (class 2004, category 2 Findings) of one pinned OCSF version.

The envelope, the enums and the conversions every vendor shares live here; what a vendor's record
means (its title, rule, evidence, affected asset) lives in one place per vendor, its mapping module
(``mapping.py``, or ``ocsf_mapping.py`` where a vendor has none), which provides:

- ``incident_to_ocsf(ctx, incident) -> dict``: a fetched incident (its ``raw`` is the vendor object);
- ``OCSF_COMMANDS = {command name: function(ctx, result) -> list of findings}``: the get commands
  whose records are detections (``result`` is the command's ``CommandResult``: outputs and raw).
  Commands that return no detection (a catalogue entry, a status change) have no entry, and
  ``-o ocsf`` refuses them with a clear error.

Every record is pruned of ``None`` and empty values: OCSF's JSON Schema allows no nulls. Records are
validated in tests against the official OCSF JSON Schema of ``OCSF_VERSION`` (tests/ocsf).
"""
from __future__ import annotations

import importlib
import ipaddress
import importlib.util
import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from . import errors
from .manifest import Manifest
from .resources import INTEGRATIONS_PACKAGE
from .timeutil import epoch_ms, parse_time

OCSF_VERSION = "1.5.0"
CLASS_UID, CLASS_NAME = 2004, "Detection Finding"
CATEGORY_UID, CATEGORY_NAME = 2, "Findings"

# soarpacks severity (0 unknown, 1 low, 2 medium, 3 high, 4 critical) -> OCSF severity_id.
SEVERITY_IDS = {0: 0, 1: 2, 2: 3, 3: 4, 4: 5}
SEVERITY_NAMES = {0: "Unknown", 1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical", 6: "Fatal",
                  99: "Other"}
STATUS_NAMES = {0: "Unknown", 1: "New", 2: "In Progress", 3: "Suppressed", 4: "Resolved", 5: "Archived", 99: "Other"}
ACTIVITY_NAMES = {0: "Unknown", 1: "Create", 2: "Update", 3: "Close", 99: "Other"}
CREATE, UPDATE, CLOSE = 1, 2, 3
ANALYTIC_TYPES = {0: "Unknown", 1: "Rule", 2: "Behavioral", 3: "Statistical", 4: "Learning (ML/DL)",
                  5: "Fingerprinting", 6: "Tagging", 7: "Keyword Match", 8: "Regular Expressions", 99: "Other"}
RULE, BEHAVIORAL, STATISTICAL, LEARNING = 1, 2, 3, 4
OBSERVABLE_NAMES = {1: "Hostname", 2: "IP Address", 4: "User Name", 5: "Email Address", 6: "URL String", 8: "Hash",
                    30: "Fingerprint"}
HASH_ALGORITHMS = {32: (1, "MD5"), 40: (2, "SHA-1"), 64: (3, "SHA-256"), 128: (4, "SHA-512")}
# Indicator roles on the source side of a detection; every other role is the destination side.
SOURCE_ROLES = frozenset({"attacker", "source", "src", "client", "actor"})


@dataclass(frozen=True)
class Context:
    """What a vendor mapping needs besides the record: the manifest (product, severity mapping) and
    whether the vendor object goes into ``raw_data``."""

    manifest: Manifest
    include_raw: bool = False

    def severity_id(self, vendor_value: Any, *, fallback: int = 0) -> int:
        """The OCSF severity_id of a vendor severity, through the manifest's ``severity_mapping``;
        ``fallback`` (soarpacks 0..4) for a value the mapping does not list."""
        mapping = self.manifest.severity_mapping
        scale = mapping.get(str(vendor_value)) if vendor_value is not None else None
        return SEVERITY_IDS.get(scale if isinstance(scale, int) else fallback, 0)


def ms(value: Any) -> int | None:
    """Epoch milliseconds (OCSF ``timestamp_t``) of a vendor time; ``None`` for no or an unreadable time."""
    if value in (None, ""):
        return None
    try:
        return epoch_ms(parse_time(value))
    except (errors.InputError, TypeError, ValueError, OverflowError, OSError):
        return None


def status(status_id: int, vendor_status: Any = None) -> dict[str, Any]:
    """``status_id``, ``status`` (the caption, or the vendor's word for Other) and ``status_detail``."""
    caption = str(vendor_status) if status_id == 99 and vendor_status else STATUS_NAMES[status_id]
    return {"status_id": status_id, "status": caption,
            "status_detail": str(vendor_status) if vendor_status not in (None, "") else None}


def analytic(name: Any, *, uid: Any = None, type_id: int = RULE, category: Any = None,
             desc: Any = None) -> dict[str, Any] | None:
    """The rule, signature or model the vendor names; ``None`` when it names none."""
    if name in (None, "") and uid in (None, ""):
        return None
    return {"name": _text(name), "uid": _text(uid), "type_id": type_id, "type": ANALYTIC_TYPES[type_id],
            "category": _text(category), "desc": _text(desc)}


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def address(value: Any) -> dict[str, str]:
    """``{"ip": value}`` for an IP address, ``{"hostname": value}`` for anything else, ``{}`` for nothing."""
    text = _text(value)
    if text is None:
        return {}
    try:
        ipaddress.ip_address(text)
        return {"ip": text}
    except ValueError:
        return {"hostname": text}


def _ip_and_host(ip: Any, hostname: Any) -> tuple[str | None, str | None]:
    """OCSF's ip must be an IP address: anything else a vendor puts there is kept as the host name."""
    found = address(ip)
    return found.get("ip"), _text(hostname) or found.get("hostname")


def endpoint(*, ip: Any = None, hostname: Any = None, domain: Any = None, port: Any = None,
             name: Any = None) -> dict[str, Any] | None:
    """A network_endpoint, or ``None`` when nothing identifies it."""
    ip, hostname = _ip_and_host(ip, hostname)
    found = {"ip": ip, "hostname": hostname, "domain": _text(domain), "name": _text(name)}
    if not any(found.values()):
        return None
    found["port"] = port if isinstance(port, int) and not isinstance(port, bool) and 0 <= port <= 65535 else None
    return found


def device(*, hostname: Any = None, ip: Any = None, uid: Any = None, name: Any = None,
           type_id: int = 0) -> dict[str, Any] | None:
    """The affected asset as an OCSF device (type Unknown unless the vendor says), or ``None``."""
    ip, hostname = _ip_and_host(ip, hostname)
    found = {"hostname": hostname, "ip": ip, "uid": _text(uid), "name": _text(name)}
    if not any(found.values()):
        return None
    return {**found, "type_id": type_id}


def _indicator_slot(indicator: Mapping[str, Any]) -> tuple[tuple[str, ...], Any, int] | None:
    """Where an indicator goes in an evidence (a path), its value there, and its observable type_id."""
    kind, value, role = indicator.get("type"), indicator.get("value"), indicator.get("role") or ""
    side = "src_endpoint" if role in SOURCE_ROLES else "dst_endpoint"
    if kind == "ip" and "ip" in address(value):
        return (side, "ip"), value, 2
    if kind in ("ip", "host"):   # an "ip" that is none is kept as a host name
        return (side, "hostname"), value, 1
    if kind == "domain":
        return (side, "domain"), value, 1
    if kind == "url":
        return ("url", "url_string"), {"url_string": value}, 6
    if kind == "user":
        return ("user", "name"), value, 4
    if kind == "email":
        return ("user", "email_addr"), value, 5
    if kind == "hash":
        algorithm_id, algorithm = HASH_ALGORITHMS.get(len(value), (0, "Unknown"))
        # OCSF's file needs a name; an indicator has only the hash.
        return ("file", "hashes"), {"name": "unknown", "type_id": 0, "hashes": [
            {"algorithm_id": algorithm_id, "algorithm": algorithm, "value": value}]}, 8
    if kind == "ja3":
        # OCSF's tls object needs the TLS version, which a JA3 indicator does not give: kept as data.
        return ("data", "ja3s" if role == "server" else "ja3"), value, 30
    return None


def indicator_evidences(indicators: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Indicators as evidence artifacts, packed: one evidence per role until a slot in it is taken."""
    evidences: list[dict[str, Any]] = []
    for indicator in indicators:
        value = indicator.get("value")
        slot = _indicator_slot(indicator) if isinstance(value, str) and value else None
        if slot is None:
            continue
        path, placed, _ = slot
        name = f"indicator: {indicator.get('role') or indicator.get('type')}"
        target = next((e for e in evidences if e["name"] == name and not _taken(e, path)), None)
        if target is None:
            target = {"name": name}
            evidences.append(target)
        if path[0] in ("src_endpoint", "dst_endpoint", "user", "data"):
            target.setdefault(path[0], {})[path[1]] = value
        else:
            target[path[0]] = placed
    return evidences


# Where observables are found in a finding: (path, OCSF observable type_id). A path's last step is the
# attribute; a step of a list (evidences, hashes) covers every item. The observable's name is the path,
# as OCSF asks ("a pointer to an attribute within the OCSF event data").
OBSERVABLE_PATHS = [
    (("device", "hostname"), 1), (("device", "ip"), 2),
    (("resources", "hostname"), 1), (("resources", "ip"), 2),
    *[(("evidences", side, attribute), type_id) for side in ("src_endpoint", "dst_endpoint", "device")
      for attribute, type_id in (("ip", 2), ("hostname", 1), ("domain", 1))],
    (("evidences", "user", "name"), 4), (("evidences", "user", "email_addr"), 5),
    (("evidences", "url", "url_string"), 6), (("evidences", "http_request", "url", "url_string"), 6),
    (("evidences", "http_request", "user_agent"), 16),
    (("evidences", "file", "hashes", "value"), 8),
    (("evidences", "data", "ja3"), 30), (("evidences", "data", "ja3s"), 30),
]
OBSERVABLE_NAMES[16] = "HTTP User-Agent"


def _values(node: Any, path: tuple[str, ...]) -> Iterable[Any]:
    if not path:
        yield node
        return
    if isinstance(node, list):
        for item in node:
            yield from _values(item, path)
    elif isinstance(node, dict) and path[0] in node:
        yield from _values(node[path[0]], path[1:])


def observables_of(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every IP, host name, domain, user, URL, user agent and hash the finding holds, once per place."""
    found: list[dict[str, Any]] = []
    seen: set[tuple[str, Any]] = set()
    for path, type_id in OBSERVABLE_PATHS:
        name = ".".join(path)
        for value in _values(record, path):
            if isinstance(value, str) and value and (name, value) not in seen:
                seen.add((name, value))
                found.append({"name": name, "type_id": type_id, "type": OBSERVABLE_NAMES[type_id], "value": value})
    return found


def _taken(evidence: dict[str, Any], path: tuple[str, ...]) -> bool:
    if path[0] in ("src_endpoint", "dst_endpoint", "user", "data"):
        return path[1] in evidence.get(path[0], {})
    return path[0] in evidence


def finding(ctx: Context, *, uid: Any, title: Any, severity_id: int, status_id: int, vendor_status: Any = None,
            created: Any = None, modified: Any = None, desc: Any = None, activity_id: int = CREATE,
            analytic: dict[str, Any] | None = None, types: Iterable[Any] = (), src_url: Any = None,
            indicators: Iterable[Mapping[str, Any]] = (), evidences: Iterable[dict[str, Any] | None] = (),
            device: dict[str, Any] | None = None, resources: Iterable[dict[str, Any] | None] = (),
            tags: Mapping[str, Any] | None = None, count: int | None = None, raw: Any = None) -> dict[str, Any]:
    """One Detection Finding; the vendor mapping gives what its record says, this gives the envelope."""
    if uid in (None, ""):
        raise errors.VendorError(f"{ctx.manifest.id}: a record without an id cannot be an OCSF finding")
    created_ms, modified_ms = ms(created), ms(modified)
    evidences = [e for e in evidences if e]
    resources = [r for r in resources if r]
    # Indicators the vendor's own evidence, device or resources already show need no evidence of their own.
    present = {o["value"] for o in observables_of(prune({"evidences": evidences, "device": device,
                                                          "resources": resources}))}
    manifest = ctx.manifest
    record: dict[str, Any] = {
        "class_uid": CLASS_UID, "class_name": CLASS_NAME,
        "category_uid": CATEGORY_UID, "category_name": CATEGORY_NAME,
        "activity_id": activity_id, "activity_name": ACTIVITY_NAMES[activity_id],
        "type_uid": CLASS_UID * 100 + activity_id,
        "type_name": f"{CLASS_NAME}: {ACTIVITY_NAMES[activity_id]}",
        # The time of this record: the vendor's last change, else its creation.
        "time": modified_ms or created_ms or 0,
        "severity_id": severity_id, "severity": SEVERITY_NAMES[severity_id],
        **status(status_id, vendor_status),
        "message": _text(title),
        "count": count,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": str(manifest.data.get("product") or manifest.name), "vendor_name": manifest.vendor},
            "log_provider": "soarpacks",
        },
        "finding_info": {
            "uid": str(uid), "title": _text(title), "desc": _text(desc),
            "created_time": created_ms, "modified_time": modified_ms,
            "analytic": analytic, "types": [str(t) for t in types if t not in (None, "")],
            "src_url": _text(src_url),
            "tags": [{"name": str(k), "value": v if isinstance(v, str) else json.dumps(v)}
                     for k, v in (tags or {}).items() if v not in (None, "")],
        },
        "device": device,
        "resources": resources,
        "evidences": evidences + indicator_evidences(i for i in indicators if i.get("value") not in present),
        "raw_data": json.dumps(raw, sort_keys=True, default=str) if ctx.include_raw and raw is not None else None,
    }
    record = prune(record)
    observables = observables_of(record)
    if observables:
        record["observables"] = observables
    return record


def prune(value: Any) -> Any:
    """Without ``None``, empty strings, lists and objects, at any depth (OCSF's schema allows no nulls)."""
    if isinstance(value, dict):
        pruned = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [v for v in (prune(v) for v in value) if v not in (None, "", [], {})]
    return value


def incident_finding(ctx: Context, incident: Mapping[str, Any], *, severity_id: int, status_id: int,
                     **details: Any) -> dict[str, Any]:
    """A finding from a fetched incident: id, name, times, console link, indicators and labels come
    from the incident; the vendor mapping adds the severity, status and what only it knows."""
    labels = incident.get("labels") or {}
    change = labels.get("change")
    details.setdefault("activity_id", UPDATE if change == "update" else CREATE)
    details.setdefault("tags", labels)
    details.setdefault("title", incident.get("name"))
    return finding(ctx, uid=incident["id"], severity_id=severity_id, status_id=status_id,
                   vendor_status=incident.get("status"), created=incident.get("occurred"),
                   modified=incident.get("updated"), src_url=incident.get("url"),
                   indicators=incident.get("indicators") or (), raw=incident.get("raw"), **details)


# --- which vendor module maps which command -------------------------------------------------------

FETCH = "fetch-incidents"


def mapping_module(integration_id: str) -> Any:
    """The vendor's one OCSF mapping module: ``ocsf_mapping.py`` where it has one, else ``mapping.py``."""
    for name in ("ocsf_mapping", "mapping"):
        module_name = f"{INTEGRATIONS_PACKAGE}.{integration_id}.{name}"
        try:
            found = importlib.util.find_spec(module_name) is not None
        except ModuleNotFoundError:
            found = False
        if found:
            module = importlib.import_module(module_name)
            if hasattr(module, "incident_to_ocsf"):
                return module
    raise errors.ConfigError(f"{integration_id} has no OCSF mapping")


def ocsf_commands(integration_id: str) -> list[str]:
    """The commands ``-o ocsf`` covers for an integration: fetch-incidents, then its detection getters."""
    return [FETCH, *getattr(mapping_module(integration_id), "OCSF_COMMANDS", {})]


def converter(manifest: Manifest, command_name: str, *,
              include_raw: bool = False) -> Callable[[Any], list[dict[str, Any]]]:
    """What turns the command's output into findings: for fetch-incidents a list of incidents, for a
    get command its ``CommandResult``. ``InputError`` (exit 2) for a command without findings."""
    command = manifest.command(command_name).name
    module = mapping_module(manifest.id)
    ctx = Context(manifest, include_raw=include_raw)
    if command == FETCH:
        return lambda incidents: [module.incident_to_ocsf(ctx, incident) for incident in incidents]
    table = getattr(module, "OCSF_COMMANDS", {})
    if command not in table:
        covered = ", ".join(ocsf_commands(manifest.id))
        raise errors.InputError(f"{manifest.id} {command_name}: its output is not a detection, so it has no OCSF "
                                f"form (-o ocsf covers: {covered})")
    function = table[command]
    return lambda result: function(ctx, result)
