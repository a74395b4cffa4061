"""The simulator's read-only context services: an incident's associated logs, the search service's
raw messages, assets_query (hosts, their details and exposures) and the IRIS incident filter values.

Mixed into ``simulator.Simulator`` (its routes are ``CONTEXT_ROUTES``). Modelled on the official
definitions (alertlogic-sdk-definitions: ``iris.v3.yaml``, ``search.v2.yaml``,
``assets_query/assets_query.v1.yaml``); tests/alertlogic/test_official_definitions.py validates every
answer against them. Where they are silent (each kept unfavourable to a client):

- a log elaboration (``returnSource=log``) carries ``__messageId`` and ``id.msgid`` (the base64 id
  the search service reads) and a ``message`` cut to ``LOG_PREVIEW`` characters; the whole line and
  its parsed fields are only in the search service's ``fields``;
- ``GET /search/v1/{account}/messages/logmsgs`` answers one item per asked id, in the asked order;
  an id it does not hold comes back with an ``error`` object and no ``fields``;
- assets_query ``GET assets`` matches ``<alias>.<property>=<value>`` by equality, or membership for a
  list property; pages are ``page_size`` (at most ``asset_page_cap``) long, and a page that is not the
  last carries ``continue`` and ``total_assets`` (as the file says), the last one neither;
- exposures page the same way (``continue`` + ``total_rows`` while more rows remain);
- every host's account has one AWS deployment; host keys are ``/aws/<region>/host/i-<hex>``; an
  incident's victim IP (the load balancer's) is no host's, its ``asset_host_name`` is one.
"""
from __future__ import annotations

import base64
import json
import random
import uuid
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from ..common.simkit import json_response

LOG_PREVIEW = 120
REGION = "us-east-1"
# The documented example's values (iris.v3.yaml, GET /iris/v3/incident_filters).
FILTER_CLASSES = ["web-log-analytics", "suspicious-activity", "brute-force", "application-attack", "recon",
                  "trojan-activity", "policy-violation", "info-leak", "test", "base", "worm-activity",
                  "defensive-action", "containment-action", "denial-of-service", "log-policy", "pending",
                  "misconfiguration", "log-review", "authentication:activity", "admin:activity"]
FILTER_SOURCES = ["Network IDS", "GuardDuty", "Log Mgmt", "Web App IDS", "Web Log Analytics", "Log Review",
                  "Correlated Log", "Firewall", "Manual", "N/A"]
VULNERABILITIES = [
    ("OpenSSH < 9.3p2 Multiple Vulnerabilities", "high", ["security"], "CVE-2023-38408", 9.8),
    ("Apache HTTP Server 2.4.x < 2.4.58 Multiple Vulnerabilities", "high", ["security"], "CVE-2023-45802", 7.5),
    ("PHP 8.1.x < 8.1.27 Multiple Vulnerabilities", "medium", ["security"], "CVE-2023-3823", 5.3),
    ("TLS Version 1.0 Protocol Detection", "medium", ["configuration"], None, 6.5),
    ("SSH Weak Key Exchange Algorithms Enabled", "low", ["configuration"], None, 3.7),
    ("ICMP Timestamp Request Remote Date Disclosure", "info", ["security"], "CVE-1999-0524", 0.0),
    ("WordPress xmlrpc.php Pingback Enabled", "medium", ["security"], None, 5.0),
]
SYSLOG_LINES = [
    ("auth", 38, "sshd[{pid}]: Failed password for invalid user admin from {attacker} port {port} ssh2"),
    ("authpriv", 86, "sshd[{pid}]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
                     "ruser= rhost={attacker}  user=root"),
    ("local7", 190, "nginx: {attacker} - - \"POST /xmlrpc.php HTTP/1.1\" 403 162 \"-\" \"Mozilla/5.0 (compatible; "
                    "scanner)\" request_time=0.002 upstream=127.0.0.1:9000 host={host}"),
    ("daemon", 29, "php-fpm[{pid}]: [WARNING] [pool www] child {pid} said into stderr: \"PHP Warning: "
                   "system() has been disabled for security reasons in /var/www/html/index.php on line 12\""),
]

CONTEXT_ROUTES = [
    Rule("/iris/v3/incident_filters", endpoint="incident_filters", methods=["GET"]),
    Rule("/search/v1/<account_id>/messages/<datatype>", endpoint="read_messages", methods=["GET"]),
    Rule("/assets_query/v1/<account_id>/assets", endpoint="query_assets", methods=["GET"]),
    Rule("/assets_query/v1/<account_id>/details", endpoint="asset_details", methods=["GET"]),
    Rule("/assets_query/v2/<account_id>/exposures", endpoint="query_exposures", methods=["GET"]),
]


def _token(state: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, sort_keys=True).encode()).decode().rstrip("=")


def _untoken(text: str) -> dict[str, Any] | None:
    try:
        state = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except ValueError:
        return None
    return state if isinstance(state, dict) else None


class ContextRoutes:
    """Handlers for ``CONTEXT_ROUTES``; the host class provides ``incidents``, ``account_id``,
    ``seed``, ``lock`` and ``_account`` (the 403 for a foreign account)."""

    incidents: dict[str, dict[str, Any]]
    account_id: str
    seed: int
    # Most assets / exposures on one page, whatever ``page_size`` asks.
    asset_page_cap = 100

    # --- the world, derived from the incidents (deterministic per incident or host) --------------
    def log_elaborations(self, incident_id: str) -> list[dict[str, Any]]:
        cache = self.__dict__.setdefault("_logs", {})
        if incident_id not in cache:
            cache[incident_id] = self._make_logs(incident_id)
        return [dict(item) for item, _ in cache[incident_id]]

    def set_logs(self, incident_id: str, count: int) -> list[dict[str, Any]]:
        """Give an incident exactly ``count`` associated log messages (for hand-checked tests)."""
        self.__dict__.setdefault("_logs", {})[incident_id] = self._make_logs(incident_id, count)
        return self.log_elaborations(incident_id)

    def forget_message(self, msgid: str) -> None:
        """The search service no longer holds this message (retention ran out before the incident closed)."""
        self.__dict__.setdefault("_forgotten", set()).add(msgid)

    def raw_messages(self) -> dict[str, dict[str, Any]]:
        """Every log message of every incident read so far, by message id (the search service)."""
        for incident_id in list(self.incidents):
            self.log_elaborations(incident_id)
        logs = self.__dict__.setdefault("_logs", {})
        forgotten = self.__dict__.get("_forgotten", set())
        return {item["__messageId"]: fields for made in list(logs.values()) for item, fields in made
                if item["__messageId"] not in forgotten}

    def _make_logs(self, incident_id: str, count: int | None = None) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        incident = self.incidents[incident_id]
        rng = random.Random(f"{self.seed}:logs:{incident_id}")
        host = self.hosts()[incident["asset_host_name"]]
        made = []
        for index in range(rng.choice((0, 2, 3, 5, 12)) if count is None else count):
            facility, priority, text = SYSLOG_LINES[index % len(SYSLOG_LINES)]
            line = text.format(pid=rng.randint(1000, 60000), attacker=incident["attacker"]["ip"],
                               port=rng.randint(30000, 65000), host=host["name"])
            when = incident["createTime"] - 20 * index
            msgid = base64.b64encode(rng.getrandbits(96).to_bytes(12, "big")).decode()
            header = f"<{priority}>1 {when} {host['name']}"
            elaboration = {
                "__appliance_name": "example-sensor-12345-ngtm", "__content_type": "logmsgs",
                "__datacenter": "ashburn", "__hostUUID": host["host_uuid"], "__host_id": host["key"],
                "__host_name": host["name"], "__irisType": "log", "__messageId": msgid,
                "__normalizedTime": str(when * 1000), "__relatedOrAssociated": "associated",
                "__source": "syslog", "__sourceName": "Syslog", "__sourceType": "syslog",
                "__source_host_ip": host["private_ip_addresses"][0], "__uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "facility": facility, "header": header, "host_name": host["name"],
                "id": {"aid": int(self.account_id), "msgid": msgid}, "ingest_id": f"ingest-{rng.getrandbits(32):08x}",
                "ingest_ts": when * 1000 + 400, "message": line[:LOG_PREVIEW], "metadata": {"type": "syslog"},
                "priority": priority, "source_id": host["host_uuid"], "time_recv": when,
            }
            fields = {"message": line, "host_name": host["name"], "facility": facility, "priority": priority,
                      "time_recv": when, "source_ip": incident["attacker"]["ip"], "program": line.split("[")[0].split(":")[0]}
            made.append((elaboration, fields))
        return made

    def hosts(self) -> dict[str, dict[str, Any]]:
        """One host asset per victim host name of the incidents. The incidents' victim IP (an IDS event's
        dest_addr, the same for all) is the load balancer's, which is no host: it matches no asset."""
        cache = self.__dict__.setdefault("_hosts", {})
        for incident in list(self.incidents.values()):
            name = incident["asset_host_name"]
            if name not in cache:
                cache[name] = self._make_host(name)
        return cache

    def add_host(self, name: str, **fields: Any) -> dict[str, Any]:
        """A host no incident names (e.g. several behind one address, for paging); ``fields`` override."""
        host = {**self._make_host(name), **fields}
        hosts = self.hosts()
        hosts[f"{name}#{len(hosts)}"] = host
        return host

    def deployment(self) -> dict[str, Any]:
        rng = random.Random(f"{self.seed}:deployment")
        ident = str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper()
        return {"account_id": self.account_id, "deployment_id": ident, "type": "deployment", "key": f"/deployment/{ident}",
                "name": "Example Corp production (AWS)", "platform": {"type": "aws", "id": "123456789012"},
                "created_on": 1672531200000, "modified_on": 1700000000000, "version": 7}

    def _make_host(self, name: str) -> dict[str, Any]:
        rng = random.Random(f"{self.seed}:host:{name}")
        instance = f"i-{rng.getrandbits(68):017x}"
        return {
            "account_id": self.account_id, "deployment_id": self.deployment()["deployment_id"], "type": "host",
            "key": f"/aws/{REGION}/host/{instance}", "name": name, "instance_id": instance,
            "host_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper(),
            "private_ip_addresses": [f"10.0.1.{rng.randint(10, 250)}"],
            "public_ip_addresses": [f"192.0.2.{rng.randint(10, 250)}"],
            "declared": True, "os_type": "linux", "state": "running", "tags": {"Name": name, "role": "web"},
            "created_on": 1690000000000 + rng.randint(0, 10 ** 9), "modified_on": 1700000000000 + rng.randint(0, 10 ** 9),
            "version": rng.randint(1, 40),
        }

    def exposures_of(self, host_key: str) -> list[dict[str, Any]]:
        host = next((h for h in self.hosts().values() if h["key"] == host_key), None)
        if host is None:
            return []
        rng = random.Random(f"{self.seed}:exposures:{host_key}")
        chosen = rng.sample(range(len(VULNERABILITIES)), rng.randint(0, len(VULNERABILITIES)))
        return [self._exposure(VULNERABILITIES[i], host, rng) for i in sorted(chosen)]

    def _exposure(self, vuln: tuple[Any, ...], host: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        name, severity, categories, cve, cvss = vuln
        vuln_id = f"{rng.getrandbits(128):032x}"
        threat = {"high": 3, "medium": 2, "low": 1, "info": 0}[severity]
        details = {"cve": cve, "cvss_score": cvss} if cve else {"cvss_score": cvss}
        return {
            "categories": categories, "asset_count": 1, "deployment_ids": [host["deployment_id"]], "name": name,
            "remediation_items": {}, "remediation_count": 1, "severity": severity, "threat_score": round(cvss),
            "threatiness": threat * 8, "vulnerability_id": vuln_id,
            "remediations": [{"account_id": self.account_id, "asset_count": 1, "categories": categories,
                              "name": f"Update or reconfigure the software affected by: {name}",
                              "remediation_id": f"{rng.getrandbits(128):032x}", "tags": {},
                              "target_asset_type": "host", "threat_level": threat, "threatiness": threat * 8,
                              "type": "remediation"}],
            "vinstances": [{"categories": categories, "details": json.dumps(details), "concluded": False,
                            "disposed": False, "key": f"{host['key']}/vulnerability/{vuln_id}",
                            "modified_on": host["modified_on"], "threatiness": threat * 8,
                            "target": {k: host[k] for k in ("account_id", "deployment_id", "key", "name", "type")}}],
            "vinstances_count": 1,
        }

    def context_examples(self, incident_id: str) -> dict[str, dict[str, Any]]:
        """command_examples for the context commands, around ``incident_id``'s target host."""
        host = self.hosts()[self.incidents[incident_id]["asset_host_name"]]
        return {"alertlogic-find-assets": {"ip_address": host["public_ip_addresses"][0]},
                "alertlogic-get-asset": {"key": host["key"], "deployment_id": host["deployment_id"]},
                "alertlogic-get-incident-assets": {"incident_id": incident_id},
                "alertlogic-list-incident-filters": {}}

    # --- IRIS incident filters -------------------------------------------------------------------
    def incident_filters(self, request: Request) -> Response:
        classes = list(dict.fromkeys(FILTER_CLASSES + [i["incident_attack_class"] for i in self.incidents.values()]))
        sources = list(dict.fromkeys(FILTER_SOURCES + [i["detection_source"] for i in self.incidents.values()]))
        return json_response({"class": classes, "detection_source": sources, "escalated": [True, False],
                              "threat_level": ["Info", "Low", "Medium", "High", "Critical"]})

    # --- search: raw messages by id ---------------------------------------------------------------
    def read_messages(self, request: Request, account_id: str, datatype: str) -> Response:
        denied = self._account(account_id)  # type: ignore[attr-defined]
        if denied:
            return denied
        ids = [i for i in request.args.get("ids", "").split(",") if i]
        if datatype != "logmsgs" or not ids:
            return json_response({"error": "Invalid arguments", "code": 400}, 400)
        stored = self.raw_messages()
        answer = []
        for msgid in ids:
            ident = {"msgid": msgid, "aid": int(self.account_id), "account": int(self.account_id)}
            if msgid in stored:
                answer.append({"id": ident, "fields": dict(stored[msgid])})
            else:
                answer.append({"id": ident, "error": {"code": "not_found", "message": "message not found"}})
        return json_response(answer)

    # --- assets_query ------------------------------------------------------------------------------
    def _page(self, request: Request, state: dict[str, Any] | None) -> tuple[int, int] | Response:
        if state is not None:
            return int(state["offset"]), int(state["size"])
        text = request.args.get("page_size")
        try:
            size = int(text) if text is not None else self.asset_page_cap
        except ValueError:
            size = 0
        if not 1 <= size <= 10000:
            return json_response({"invalid_value": f"{text} is not a valid value for page_size"}, 400)
        return 0, min(size, self.asset_page_cap)

    def query_assets(self, request: Request, account_id: str) -> Response:
        denied = self._account(account_id)  # type: ignore[attr-defined]
        if denied:
            return denied
        state = _untoken(request.args["continue"]) if "continue" in request.args else None
        if "continue" in request.args and state is None:
            return json_response({"error_type": "invalid_parameter", "message": "invalid continue token"}, 400)
        query = state["query"] if state else {k: v for k, v in request.args.items() if k not in ("page_size",)}
        types = dict(part.split(":", 1)[::-1] if ":" in part else (part, part)
                     for part in query.get("asset_types", "host").split(","))
        if set(types) - {"host"}:
            return json_response({"error_type": "invalid_asset_type",
                                  "message": f"unsupported asset type(s): {','.join(sorted(set(types) - {'host'}))}"}, 400)
        alias = types["host"]
        conditions = {k.split(".", 1)[1]: v for k, v in query.items() if k.startswith(f"{alias}.")}
        page = self._page(request, state)
        if isinstance(page, Response):
            return page
        offset, size = page
        matched = [self._public(h) for h in self.hosts().values() if all(_matches(h.get(p), v) for p, v in conditions.items())]
        body: dict[str, Any] = {"assets": [[h] for h in matched[offset:offset + size]],
                                "rows": len(matched[offset:offset + size])}
        if offset + size < len(matched):
            body["continue"] = _token({"query": query, "offset": offset + size, "size": size})
            body["total_assets"] = len(matched)
        return json_response(body)

    @staticmethod
    def _public(host: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in host.items() if k != "host_uuid"}

    def asset_details(self, request: Request, account_id: str) -> Response:
        denied = self._account(account_id)  # type: ignore[attr-defined]
        if denied:
            return denied
        kind, key, deployment = request.args.get("type"), request.args.get("key"), request.args.get("deployment")
        if kind != "host" or not key or not deployment:
            return json_response({"error_type": "missing_parameter",
                                  "message": "type=host, key and deployment are required"}, 400)
        host = next((h for h in self.hosts().values() if h["key"] == key and h["deployment_id"] == deployment), None)
        region = request.args.get("region")
        if host is None or (region not in (None, f"id:{REGION}", f"/aws/{REGION}")):
            return json_response({"error": "Not found"}, 404)
        region_key = f"/aws/{REGION}"
        return json_response({"type": "host", "key": key, "deployment": self.deployment(), "host": {key: {
            "asset": self._public(host),
            "related": {"region": {region_key: {"asset": {"account_id": self.account_id, "type": "region",
                                                          "deployment_id": deployment, "key": region_key,
                                                          "name": REGION}, "related": {}}},
                        "tag": {f"{key}/tag/{k}": {"asset": {"account_id": self.account_id, "type": "tag",
                                                             "deployment_id": deployment, "key": f"{key}/tag/{k}",
                                                             "name": k, "value": v}, "related": {}}
                                for k, v in host["tags"].items()}}}}})

    def query_exposures(self, request: Request, account_id: str) -> Response:
        denied = self._account(account_id)  # type: ignore[attr-defined]
        if denied:
            return denied
        state = _untoken(request.args["continue"]) if "continue" in request.args else None
        if "continue" in request.args and state is None:
            return json_response({"invalid_value": "invalid continue token"}, 400)
        filters = state["filters"] if state else request.args.getlist("filter")
        hosts = [f.split(":", 1)[1] for f in filters if f.startswith("host:")]
        if len(hosts) != len(filters):
            return json_response({"invalid_value": f"{','.join(filters)} is not a supported filter"}, 400)
        page = self._page(request, state)
        if isinstance(page, Response):
            return page
        offset, size = page
        rows = [e for host in (hosts or [h["key"] for h in self.hosts().values()]) for e in self.exposures_of(host)]
        counts = {s: sum(1 for e in rows if e["severity"] == s) for s in ("high", "medium", "low", "info")}
        body: dict[str, Any] = {"exposures": {"assets": rows[offset:offset + size], "rows": len(rows[offset:offset + size])},
                                "summary": {"severities": {"all": len(rows), **counts}}}
        if offset + size < len(rows):
            body["continue"] = _token({"filters": filters, "offset": offset + size, "size": size})
            body["total_rows"] = len(rows)
        return json_response(body)


def _matches(actual: Any, wanted: str) -> bool:
    if isinstance(actual, list):
        return wanted in [str(v) for v in actual]
    return actual is not None and str(actual) == wanted
