"""A faithful local fake of the AlienVault / LevelBlue USM Anywhere API 2.0.

What it reproduces, and why each matters to a client:

- OAuth2 client credentials at ``POST /api/2.0/oauth/token`` (HTTP Basic client_id:secret,
  ``grant_type`` in the form body or the query string); JWT-looking bearer tokens that live 899 s.
- HAL paging: ``page`` (zero-based), ``size`` (silently capped, like Spring's max page size),
  ``sort=timestamp_occured,asc|desc``; ``_links{first,self,next,prev,last}`` with every query
  parameter carried over; the last page has no ``next``; ``page{size,totalElements,totalPages,number}``.
- The one-r spelling: ``timestamp_occured`` in fields, sort and filters. A filter spelled with two r's
  is ignored (unknown query parameters are, as in Spring), so a client that sends it gets everything;
  a sort on the two-r field is a 400, as Spring Data answers for an unknown property.
- Timestamps are strings of epoch milliseconds; an event's ``suppressed`` is the *string* "false"
  while an alarm's is a boolean; an alarm's events come as ``{_links, timeStamp, message}`` wrappers.
  The wrappers also carry ``uuid``/``has_alarm``/``needs_enrichment`` at the top level, because the
  OpenAPI file's ``AlarmEvent`` requires them; a client must read both shapes.
- Labels: ``GET/PUT/DELETE /alarms/{id}/labels[/{labelId}]``, idempotent, 404 for a missing alarm or
  an unknown label, 403 for a Read-Only client. No endpoint changes an alarm's status.
- Errors as ``{result, location, error}``.
- Seeded data laid out before the start of today, with a group of alarms that share one
  ``timestamp_occured`` straddling page boundaries, and a burst inside one second (the two cases
  the XSOAR integration's "+1 second, no ids" bookmark loses).
"""
from __future__ import annotations

import base64
import json
import random
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from ..common import simkit
from ..common.simkit import TokenIssuer, basic_credentials, json_response

API = "/api/2.0"
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 20
TOKEN_TTL = 899

# (intent, strategy, method, rule_id, attack_id, tactics, technique, priority)
RULES = [
    ("Delivery & Attack", "Anomalous User Behavior", "Multiple Account Password Reset Attempts",
     "MultipleAccountPasswordResetAttempts", "T1110", ["Credential Access"], "Brute Force", 20),
    ("Environmental Awareness", "Network Access Control Modification", "AWS EC2 Security Group Modified",
     "AWSEC2SecurityGroupMod", "T1562", ["Defense Evasion"], "Impair Defenses", 20),
    ("Reconnaissance & Probing", "Network Scanning", "Port Scan Detected",
     "PortScanDetected", "T1046", ["Discovery"], "Network Service Discovery", 50),
    ("Delivery & Attack", "Brute Force Authentication", "Windows Login Failures",
     "WindowsBruteForceLogin", "T1110", ["Credential Access"], "Brute Force", 50),
    ("Exploitation & Installation", "Malware Infection", "Known Malicious File Hash",
     "OTXMaliciousFileHash", "T1204", ["Execution"], "User Execution", 80),
    ("System Compromise", "Command and Control Communication", "Connection to Known Malicious IP",
     "OTXMaliciousIPCommunication", "T1071", ["Command and Control"], "Application Layer Protocol", 80),
    ("System Compromise", "Ransomware", "Volume Shadow Copy Deletion",
     "ShadowCopyDeletion", "T1490", ["Impact"], "Inhibit System Recovery", 80),
]
LABEL_FOR = {20: "low", 50: "medium", 80: "high"}
EVENT_KINDS = [
    # plugin, plugin_device, device type, event_name, category
    ("AlienVault Agent - Windows EventLog", "AlienVault Agent", "Endpoint Security",
     "An account failed to log on", "Security"),
    ("Amazon AWS CloudTrail", "CloudTrail", "Cloud Infrastructure", "AuthorizeSecurityGroupIngress", "Management"),
    ("AlienVault NIDS", "AlienVault NIDS", "Intrusion Detection", "ET SCAN Nmap Scripting Engine User-Agent", "Scan"),
    ("Windows Security", "Windows", "Operating System", "User Login Failure", "Authentication"),
]
USERS = ["alice", "bob", "svc-backup", "jdoe", "admin", "mwilson"]
HOSTS = ["web-01.corp.example", "db-02.corp.example", "dc-01.corp.example", "ec2.amazonaws.com", "laptop-17.corp.example"]


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _ip(rng: random.Random, *, internal: bool) -> str:
    if internal:
        return f"10.{rng.randint(0, 20)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    return f"{rng.choice([45, 91, 103, 185, 198])}.{rng.randint(1, 254)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def _iso(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class Simulator(simkit.Simulator):
    name = "alienvault_usm"
    routes = [
        Rule(f"{API}/oauth/token", methods=["POST"], endpoint="token"),
        Rule(f"{API}/alarms", methods=["GET"], endpoint="list_alarms"),
        Rule(f"{API}/alarms/<alarm_id>", methods=["GET"], endpoint="get_alarm"),
        Rule(f"{API}/alarms/<alarm_id>/labels", methods=["GET"], endpoint="list_labels"),
        Rule(f"{API}/alarms/<alarm_id>/labels/<label_id>", methods=["PUT", "DELETE"], endpoint="change_label"),
        Rule(f"{API}/events", methods=["GET"], endpoint="list_events"),
        Rule(f"{API}/events/<event_id>", methods=["GET"], endpoint="get_event"),
    ]

    def __init__(self, *, seed: int = 0, faults: str | None = None, alarms: int = 180,
                 shared_timestamp_group: int = 45, role: str = "Analyst", events_key: str = "events",
                 link_host: str | None = None, **kw: Any) -> None:
        super().__init__(seed=seed, faults=faults, **kw)
        self.client_id = f"canary-usm-client-{seed}"
        self.client_secret = f"canary-usm-secret-{seed:04d}-{random.Random(seed).getrandbits(32):08x}"
        self.role = role
        # The XSOAR integration reads ``_embedded.eventResources``: an older key some tenants still send.
        self.events_key = events_key
        # HAL links built behind the vendor's proxy may name an internal host (the seed shows
        # ``mysubdomain.aveng.us``); ``None`` means the host the request came to.
        self.link_host = link_host
        self.tokens = TokenIssuer(ttl=TOKEN_TTL)
        self.alarms: dict[str, dict[str, Any]] = {}
        self.events: dict[str, dict[str, Any]] = {}
        self.label_catalog: list[str] = [_uuid(self.rng) for _ in range(6)]
        self.sensors: list[str] = [_uuid(self.rng) for _ in range(3)]
        self.alarm_labels: dict[str, list[str]] = {}
        self._order = 0
        self.shared_timestamp_ms: int | None = None
        self._seed_world(alarms, shared_timestamp_group)

    # --- the seeded world --------------------------------------------------------------------
    def _seed_world(self, count: int, group: int) -> None:
        rng = self.rng
        start = self.anchor - timedelta(days=2)
        span_ms = int(timedelta(days=2).total_seconds() * 1000) - 60_000
        times = sorted(_ms(start) + rng.randrange(span_ms) for _ in range(max(0, count - group - 8)))
        # A group that shares one millisecond, laid out to straddle every page boundary of sizes that
        # divide 20..100 once the older alarms fill the first pages.
        if group:
            self.shared_timestamp_ms = _ms(start + timedelta(hours=30)) + 123
            middle = len([t for t in times if t < self.shared_timestamp_ms])
            times[middle:middle] = [self.shared_timestamp_ms] * group
        # A burst inside one second, different milliseconds: "+1 s" bookmarks lose all but the first.
        burst = _ms(start + timedelta(hours=40)) + 5
        times.extend(burst + i * 97 for i in range(min(8, count)))
        for occurred in sorted(times)[:count]:
            self.add_alarm(occurred_ms=occurred)
        # Events that belong to no alarm: plain log traffic the event search finds.
        for _ in range(count):
            self._make_event(_ms(start) + rng.randrange(span_ms), alarm=None)

    def add_alarm(self, *, occurred_ms: int | None = None, priority: int | None = None, status: str | None = None,
                  suppressed: bool | None = None, received_delay_ms: int | None = None) -> dict[str, Any]:
        """Create one alarm (with 1-3 events) as the vendor would store it; tests use it for arrivals."""
        rng = self.rng
        rule = rng.choice(RULES)
        intent, strategy, method, rule_id, attack_id, tactics, technique, rule_priority = rule
        priority = priority if priority is not None else rule_priority
        occurred_ms = occurred_ms if occurred_ms is not None else _ms(datetime.now(timezone.utc))
        received_ms = occurred_ms + (received_delay_ms if received_delay_ms is not None else rng.randint(800, 90_000))
        alarm_id = _uuid(rng)
        source_ip = _ip(rng, internal=rng.random() < 0.3)
        dest_ip = _ip(rng, internal=True)
        dest_host = rng.choice(HOSTS)
        user = rng.choice(USERS)
        sensor = self._sensor(rng)
        events = [self._make_event(occurred_ms - rng.randint(0, 120_000) if i else occurred_ms, alarm=alarm_id,
                                   source=source_ip, dest=dest_ip, dest_host=dest_host, user=user, sensor=sensor)
                  for i in range(rng.randint(1, 3))]
        alarm = {
            "uuid": alarm_id,
            "has_alarm": False,
            "needs_enrichment": False,
            "needs_internal_enrichment": False,
            "priority": priority,
            "priority_label": LABEL_FOR.get(priority, "low" if priority < 40 else "medium" if priority < 70 else "high"),
            "suppressed": suppressed if suppressed is not None else rng.random() < 0.08,
            "status": status or rng.choices(["open", "in_review", "closed"], weights=[7, 2, 1])[0],
            "rule_id": rule_id,
            "rule_dictionary": "AlienVaultRules-Dict",
            "rule_intent": intent,
            "rule_method": method,
            "rule_strategy": strategy,
            "rule_attack_id": attack_id,
            "rule_attack_tactic": list(tactics),
            "rule_attack_technique": technique,
            "alarm_sources": [source_ip],
            "alarm_destinations": [dest_host],
            "alarm_source_names": [source_ip],
            "alarm_destination_names": [dest_host],
            "alarm_sensor_sources": [sensor],
            "alarm_events_count": len(events),
            "alarm_labels": [],
            "source_name": source_ip,
            "source_canonical": source_ip,
            "destination_name": dest_host,
            "destination_canonical": dest_ip,
            "source_username": user,
            "sensor_uuid": sensor,
            "event_type": "Alarm",
            "packet_type": "alarm",
            "transient": False,
            "time_offset": "Z",
            "timestamp_occured": str(occurred_ms),
            "timestamp_received": str(received_ms),
            "timestamp_occured_iso8601": _iso(occurred_ms),
            "timestamp_received_iso8601": _iso(received_ms),
            "highlight_fields": ["source_username", "destination_canonical", "rule_attack_id"],
            "packet_data": [e["uuid"] for e in events],
            "_event_ids": [e["uuid"] for e in events],
            "_order": self._next_order(),
        }
        with self.lock:
            self.alarms[alarm_id] = alarm
            self.alarm_labels[alarm_id] = []
        return self.public_alarm(alarm)

    def _sensor(self, rng: random.Random) -> str:
        return rng.choice(self.sensors)

    def _next_order(self) -> int:
        self._order += 1
        return self._order

    def _make_event(self, occurred_ms: int, *, alarm: str | None, source: str | None = None, dest: str | None = None,
                    dest_host: str | None = None, user: str | None = None, sensor: str | None = None) -> dict[str, Any]:
        rng = self.rng
        plugin, device, device_type, name, category = rng.choice(EVENT_KINDS)
        event_id = _uuid(rng)
        received_ms = occurred_ms + rng.randint(200, 60_000)
        event = {
            "uuid": event_id,
            "account_name": rng.choice(["corp-aws", "corp-windows"]),
            "event_name": name,
            "event_category": category,
            "event_severity": rng.choice(["UNDEFINED", "INFO", "WARNING"]),
            "event_type": "Event",
            "packet_type": "log",
            "plugin": plugin,
            "plugin_device": device,
            "plugin_device_type": device_type,
            "plugin_family": plugin.split(" ")[0],
            "plugin_version": "0.65",
            "has_alarm": alarm is not None,
            "needs_enrichment": True,
            # The vendor's quirk: a string, where the alarm's flag is a boolean.
            "suppressed": "true" if rng.random() < 0.05 else "false",
            "source_name": source or _ip(rng, internal=True),
            "source_address": source or _ip(rng, internal=True),
            "source_port": rng.randint(1024, 65535),
            "source_username": user or rng.choice(USERS),
            "destination_name": dest_host or rng.choice(HOSTS),
            "destination_address": dest or _ip(rng, internal=True),
            "destination_port": rng.choice([22, 80, 443, 445, 3389]),
            "access_control_outcome": rng.choice(["Allow", "Deny"]),
            "sensor_uuid": sensor or self._sensor(rng),
            "time_offset": "Z",
            "timestamp_occured": str(occurred_ms),
            "timestamp_received": str(received_ms),
            "timestamp_occured_iso8601": _iso(occurred_ms),
            "timestamp_received_iso8601": _iso(received_ms),
            "log": json.dumps({"signature": name, "host": dest_host or "unknown"}),
            "_order": self._next_order(),
        }
        with self.lock:
            self.events[event_id] = event
        return event

    # --- representations ---------------------------------------------------------------------
    def _host(self, request: Request | None) -> str:
        if self.link_host:
            return f"https://{self.link_host}"
        return request.host_url.rstrip("/") if request is not None else "https://mysubdomain.alienvault.cloud"

    def public_event(self, event: dict[str, Any], request: Request | None = None) -> dict[str, Any]:
        body = {k: v for k, v in event.items() if not k.startswith("_")}
        body["_links"] = {"self": {"href": f"{self._host(request)}{API}/events/{event['uuid']}", "templated": False}}
        return body

    def public_alarm(self, alarm: dict[str, Any], request: Request | None = None) -> dict[str, Any]:
        body = {k: v for k, v in alarm.items() if not k.startswith("_")}
        body["alarm_labels"] = list(self.alarm_labels.get(alarm["uuid"], []))
        body["events"] = []
        for event_id in alarm["_event_ids"]:
            event = self.events[event_id]
            message = {k: v for k, v in event.items() if not k.startswith("_")}
            body["events"].append({
                "uuid": event_id,
                "has_alarm": True,
                "needs_enrichment": event["needs_enrichment"],
                "_links": {"self": {"href": f"{self._host(request)}{API}/events/{event_id}", "templated": False}},
                "timeStamp": int(event["timestamp_received"]),
                "message": message,
            })
        body["_links"] = {"self": {"href": f"{self._host(request)}{API}/alarms/{alarm['uuid']}", "templated": False}}
        return body

    @staticmethod
    def error(request: Request, status: int, message: str) -> Response:
        return json_response({"result": "error", "location": request.path, "error": message}, status)

    # --- auth ----------------------------------------------------------------------------------
    def authorized(self, request: Request, endpoint: str) -> bool:
        if endpoint == "token":
            return True  # the token endpoint checks the client's Basic credentials itself
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        # The issuer knows only the opaque last part of the JWT-looking token.
        return scheme.lower() == "bearer" and self.tokens.valid(token.strip().rsplit(".", 1)[-1])

    def unauthorized(self, request: Request) -> Response:
        # Spring Security OAuth2's resource server answer for a missing or lapsed token.
        return json_response({"error": "invalid_token", "error_description": "Access token expired or invalid"}, 401,
                             {"WWW-Authenticate": 'Bearer error="invalid_token"'})

    def revoke_tokens(self) -> None:
        self.tokens.expire_all()

    def token(self, request: Request) -> Response:
        grant = request.form.get("grant_type") or request.args.get("grant_type")
        if basic_credentials(request) != (self.client_id, self.client_secret):
            return self.error(request, 401, "Bad credentials")
        if grant != "client_credentials":
            return json_response({"error": "unsupported_grant_type",
                                  "error_description": f"Unsupported grant type: {grant}"}, 400)
        header = base64.urlsafe_b64encode(b'{"alg":"RS256","typ":"JWT"}').decode().rstrip("=")
        opaque = self.tokens.issue()
        payload = base64.urlsafe_b64encode(json.dumps({"client_id": "redacted", "scope": ["trust", "read", "write"]})
                                           .encode()).decode().rstrip("=")
        return json_response({"access_token": f"{header}.{payload}.{opaque}", "token_type": "bearer",
                              "expires_in": TOKEN_TTL, "scope": "trust read write", "jti": str(uuid.uuid4())})

    # --- paging ----------------------------------------------------------------------------------
    def _page(self, request: Request, items: list[dict[str, Any]], key: str, render: Any) -> Response:
        try:
            page = int(request.args.get("page", 0))
            size = int(request.args.get("size", DEFAULT_PAGE_SIZE))
        except ValueError:
            return self.error(request, 400, "page and size must be integers")
        if page < 0 or size < 1:
            return self.error(request, 400, "page must be >= 0 and size >= 1")
        size = min(size, MAX_PAGE_SIZE)
        sort = request.args.get("sort", "timestamp_occured,desc")
        field, _, direction = sort.partition(",")
        if field.strip() != "timestamp_occured":
            return self.error(request, 400, f"No property {field.strip()} found for type Alarm")
        descending = direction.strip().lower() != "asc"
        items = sorted(items, key=lambda x: (int(x["timestamp_occured"]), x["_order"]), reverse=descending)
        total = len(items)
        pages = (total + size - 1) // size
        chunk = items[page * size:(page + 1) * size]
        base = f"{self._host(request)}{request.path}"
        carried = [(k, v) for k, v in request.args.items(multi=True) if k not in ("page", "size", "sort")]

        def link(number: int) -> dict[str, Any]:
            query = urlencode([("page", number), ("size", size), ("sort", sort)] + carried, safe=",")
            return {"href": f"{base}?{query}", "templated": False}

        links: dict[str, Any] = {"first": link(0), "self": link(page)}
        if page > 0:
            links["prev"] = link(page - 1)
        if page + 1 < pages:
            links["next"] = link(page + 1)
        links["last"] = link(max(pages - 1, 0))
        body = {"_links": links, "_embedded": {key: [render(x, request) for x in chunk]},
                "page": {"size": size, "totalElements": total, "totalPages": pages, "number": page}}
        return json_response(body)

    @staticmethod
    def _bool_arg(request: Request, name: str) -> tuple[bool | None, str | None]:
        value = request.args.get(name)
        if value is None or value == "":
            return None, None
        if value.lower() in ("true", "false"):
            return value.lower() == "true", None
        return None, f"Failed to convert value of type 'java.lang.String' to required type 'boolean'; {name}={value}"

    @staticmethod
    def _time_window(request: Request) -> tuple[int | None, int | None, str | None]:
        bounds = []
        for name in ("timestamp_occured_gte", "timestamp_occured_lte"):
            value = request.args.get(name)
            if value in (None, ""):
                bounds.append(None)
                continue
            try:
                bounds.append(int(value))
            except ValueError:
                return None, None, f"{name} must be epoch milliseconds, got {value!r}"
        return bounds[0], bounds[1], None

    # --- endpoints -----------------------------------------------------------------------------
    def list_alarms(self, request: Request) -> Response:
        suppressed, problem = self._bool_arg(request, "suppressed")
        gte, lte, problem2 = self._time_window(request)
        if problem or problem2:
            return self.error(request, 400, problem or problem2 or "")
        statuses = [s for v in request.args.getlist("status") for s in v.split(",") if s]
        priorities = [p for v in request.args.getlist("priority_label") for p in v.split(",") if p]
        bad = [s for s in statuses if s not in ("open", "closed", "in_review")]
        bad += [p for p in priorities if p not in ("low", "medium", "high")]
        if bad:
            return self.error(request, 400, f"Invalid filter value: {bad[0]}")
        exact = {k: request.args.get(k) for k in ("rule_intent", "rule_method", "rule_strategy") if request.args.get(k)}
        sensor = request.args.get("alarm_sensor_sources")
        with self.lock:
            found = []
            for alarm in self.alarms.values():
                occurred = int(alarm["timestamp_occured"])
                if (gte is not None and occurred < gte) or (lte is not None and occurred > lte):
                    continue
                if statuses and alarm["status"] not in statuses:
                    continue
                if priorities and alarm["priority_label"] not in priorities:
                    continue
                if suppressed is not None and alarm["suppressed"] != suppressed:
                    continue
                if any(alarm[k] != v for k, v in exact.items()):
                    continue
                if sensor and sensor not in alarm["alarm_sensor_sources"]:
                    continue
                found.append(alarm)
            return self._page(request, found, "alarms", self.public_alarm)

    def get_alarm(self, request: Request, alarm_id: str) -> Response:
        with self.lock:
            alarm = self.alarms.get(alarm_id)
            if alarm is None:
                return self.error(request, 404, f"Alarm {alarm_id} not found")
            return json_response(self.public_alarm(alarm, request))

    def list_labels(self, request: Request, alarm_id: str) -> Response:
        with self.lock:
            if alarm_id not in self.alarms:
                return self.error(request, 404, f"Alarm {alarm_id} not found")
            return json_response({"alarm_labels": list(self.alarm_labels[alarm_id])})

    def change_label(self, request: Request, alarm_id: str, label_id: str) -> Response:
        if self.role == "Read-Only":
            return self.error(request, 403, "Access is denied")
        with self.lock:
            if alarm_id not in self.alarms:
                return self.error(request, 404, f"Alarm {alarm_id} not found")
            if label_id not in self.label_catalog:
                return self.error(request, 404, f"Label {label_id} not found")
            labels = self.alarm_labels[alarm_id]
            if request.method == "PUT" and label_id not in labels:
                labels.append(label_id)
            elif request.method == "DELETE" and label_id in labels:
                labels.remove(label_id)
        return Response(status=200)

    def list_events(self, request: Request) -> Response:
        suppressed, problem = self._bool_arg(request, "suppressed")
        gte, lte, problem2 = self._time_window(request)
        if problem or problem2:
            return self.error(request, 400, problem or problem2 or "")
        exact = {k: request.args.get(k) for k in ("account_name", "plugin", "event_name", "source_name",
                                                  "source_username", "sensor_uuid") if request.args.get(k)}
        with self.lock:
            found = []
            for event in self.events.values():
                occurred = int(event["timestamp_occured"])
                if (gte is not None and occurred < gte) or (lte is not None and occurred > lte):
                    continue
                if suppressed is not None and event["suppressed"] != ("true" if suppressed else "false"):
                    continue
                if any(event.get(k) != v for k, v in exact.items()):
                    continue
                found.append(event)
            return self._page(request, found, self.events_key, self.public_event)

    def get_event(self, request: Request, event_id: str) -> Response:
        with self.lock:
            event = self.events.get(event_id)
            if event is None:
                return self.error(request, 404, f"Event {event_id} not found")
            return json_response(self.public_event(event, request))

    # --- what the tests and the CLI need --------------------------------------------------------
    def integration_params(self, base_url: str) -> dict[str, Any]:
        return {"base_url": f"{base_url.rstrip('/')}{API}", "client_id": self.client_id,
                "client_secret": self.client_secret, "insecure": False}

    def drain_args(self) -> dict[str, Any]:
        return {"first_fetch": "7 days", "max_fetch": 100000, "suppressed": "any"}

    def expected_incident_count(self) -> int:
        return len(self.alarms)

    def command_examples(self) -> dict[str, dict[str, Any]]:
        with self.lock:
            alarm = sorted(self.alarms.values(), key=lambda a: a["_order"])[0]
            event_id = alarm["_event_ids"][0]
        return {
            "test-module": {},
            "get-event": {"event_id": event_id},
            "alienvault-get-alarm": {"alarm_id": alarm["uuid"]},
            "alienvault-search-alarms": {"limit": 5, "status": "open", "priority_label": "medium,high"},
            "alienvault-search-events": {"limit": 5, "plugin": EVENT_KINDS[0][0]},
            "alienvault-get-events-by-alarm": {"alarm_id": alarm["uuid"]},
            "alienvault-list-labels": {"alarm_id": alarm["uuid"]},
            "alienvault-add-label": {"alarm_id": alarm["uuid"], "label_id": self.label_catalog[0]},
            "alienvault-remove-label": {"alarm_id": alarm["uuid"], "label_id": self.label_catalog[0]},
        }
