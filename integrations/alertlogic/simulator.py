"""A local Alert Logic: AIMS login, the IRIS v3 incident endpoints, and the legacy Incident API v3.

Modelled on ``iris.v3.yaml`` (alertlogic-sdk-definitions) and the vendor facts: AIMS answers
``authentication.token`` (+ ``token_expiration``, epoch seconds) for HTTP Basic (username/password
or an access key), and refuses a login as ``aims.v1.yaml`` (alertlogic-sdk-definitions) documents:
an empty 401 for bad credentials or a wrong MFA code, 401 ``mfa_code_required`` or
``mfa_enrollment_required`` with an ``x-aims-session-token`` header, 400 ``password_expired`` or
``account_inactive`` (``login_refusal`` selects one); IRIS wants it in ``x-aims-auth-token``; ``incidents_by_time`` pages with
``pagination=true&limit&offset`` (``iris_items`` + ``metadata``) and answers a bare array without
``pagination``; errors are ``{"error": ..., "code": ...}``; completing a completed incident (or
reopening an open one) is a 400. The legacy API takes Basic ``api_key:`` and answers an array.

tests/alertlogic/test_simulator.py validates every answer against a copy of that file.
Where the file is wrong or silent this simulator follows the file's examples and says so there and
in the README: ``metadata.links.next`` is null on the last page (the schema says string, its own
example sends null); a foreign account is a 403 on every IRIS path (documented only on the reads);
``accountId`` is a string as the schema says (the examples say number: the client reads both).

Assumptions where the documentation is silent (each kept deliberately unfavourable to a client):
- the order of ``incidents_by_time`` is not documented, so this one answers in incident-id order,
  not time order, and with ``unstable_order`` in a new order on every page request;
- incidents become searchable some time after ``createTime`` (indexing lag): ``indexed=False`` and
  ``index()`` model that;
- ``start_time`` and ``end_time`` are both inclusive; createTime has whole seconds, and several
  incidents share a second;
- an IDS event's fields (``sig_id``, ``signature_name``, ``sig_rule``, ``classification``,
  ``severity``, ``source_addr``/``dest_addr``/ports, ``protocol``, ``__appliance_name`` as the
  sensor, ``payload`` as base64 of the captured bytes) follow the seed's vocabulary;
- associated elaborations come at most ``event_page_cap`` per page (10) whatever ``limit`` asks:
  hydrated events with payloads are heavy, and a client must cope with any cap.
"""
from __future__ import annotations

import base64
import gzip
import json
import re
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from ..common.simkit import Simulator as BaseSimulator
from ..common.simkit import TokenIssuer, basic_credentials, json_response
from . import simulator_responder, simulator_search
from . import simulator_updates as sim_updates
from .simulator_context import CONTEXT_ROUTES, ContextRoutes

REASON_CODES = ("further_action", "acceptable_risk", "compensating_control", "threat_not_valid",
                "not_concluded", "other")
INCIDENT_ID = re.compile(r"[0-9A-Za-z]{16}|[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}")
THREAT_RATINGS = ("Info", "Low", "Medium", "High", "Critical")
HOSTS = ("www.example.net", "shop.example.com", "api.example.org", "intranet.example.net")
SENSORS = ("example-sensor-12345-ngtm", "example-sensor-67890-ngtm")
SIGNATURES = [
    (100211, "AL Joomla Component SQL Injection Attempt", "web-application-attack", 3,
     'alert tcp $EXTERNAL_NET any -> $HTTP_SERVERS $HTTP_PORTS (msg:"AL Joomla Component SQL Injection '
     'Attempt"; flow:established,to_server; content:"option=com_"; http_uri; pcre:"/union\\s+select/Ui"; '
     'classtype:web-application-attack; sid:100211; rev:3;)'),
    (100455, "AL WordPress xmlrpc.php Brute Force", "attempted-user", 2,
     'alert tcp $EXTERNAL_NET any -> $HTTP_SERVERS $HTTP_PORTS (msg:"AL WordPress xmlrpc.php Brute Force"; '
     'flow:established,to_server; content:"POST"; http_method; content:"/xmlrpc.php"; http_uri; '
     'threshold:type both,track by_src,count 10,seconds 60; classtype:attempted-user; sid:100455; rev:2;)'),
    (2012345, "ET WEB_SERVER Possible SQL Injection Attempt UNION SELECT", "web-application-attack", 3,
     'alert http $EXTERNAL_NET any -> $HTTP_SERVERS any (msg:"ET WEB_SERVER Possible SQL Injection Attempt '
     'UNION SELECT"; flow:established,to_server; content:"UNION"; nocase; http_uri; content:"SELECT"; '
     'nocase; http_uri; classtype:web-application-attack; sid:2012345; rev:5;)'),
    (100877, "AL PHP Remote Code Execution via POST body", "web-application-attack", 4,
     'alert tcp $EXTERNAL_NET any -> $HTTP_SERVERS $HTTP_PORTS (msg:"AL PHP Remote Code Execution via POST '
     'body"; flow:established,to_server; content:"POST"; http_method; pcre:"/(system|passthru|shell_exec)\\(/P"; '
     'classtype:web-application-attack; sid:100877; rev:1;)'),
    (101002, "AL SMB Suspicious Binary Transfer", "policy-violation", 1,
     'alert tcp any any -> $HOME_NET 445 (msg:"AL SMB Suspicious Binary Transfer"; flow:established; '
     'content:"|FF|SMB"; offset:4; depth:4; classtype:policy-violation; sid:101002; rev:1;)'),
]
# Which payload each signature's events carry, cycled per event.
PAYLOAD_KINDS = {
    100211: ("html", "gzip", "redirect", "truncated_gzip"),
    100455: ("post_status_line", "html", "request_only"),
    2012345: ("gzip", "chunked_gzip", "html", "not_found"),
    100877: ("post_status_line", "truncated_request", "html"),
    101002: ("binary",),
}


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()


def _http_response(code: int, reason: str, body: bytes, *, headers: str = "", gzip_body: bool = False,
                   chunked: bool = False) -> bytes:
    if gzip_body:
        body = gzip.compress(body, mtime=0)
        headers += "Content-Encoding: gzip\r\n"
    if chunked:
        framed = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 64]), body[i:i + 64]) for i in range(0, len(body), 64))
        return (f"HTTP/1.1 {code} {reason}\r\nServer: Apache\r\nTransfer-Encoding: chunked\r\n{headers}\r\n".encode()
                + framed + b"0\r\n\r\n")
    return (f"HTTP/1.1 {code} {reason}\r\nServer: Apache\r\nContent-Length: {len(body)}\r\n{headers}\r\n".encode()
            + body)


def build_payload(kind: str, host: str, path: str, rng: Any) -> bytes:
    """Captured bytes for one event: request then response, as a sensor reassembles them."""
    page = f"<html><head><title>{host}</title></head><body><p>{path}</p>{'x' * 40}</body></html>".encode()
    get = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: Mozilla/5.0 (sqlmap)\r\nAccept: */*\r\n\r\n".encode()
    if kind == "html":
        return get + _http_response(200, "OK", page, headers="Content-Type: text/html\r\n")
    if kind == "not_found":
        return get + _http_response(404, "Not Found", b"<html>not found</html>", headers="Content-Type: text/html\r\n")
    if kind == "redirect":
        return get + _http_response(302, "Found", b"", headers=f"Location: http://{host}/login\r\n")
    if kind == "gzip":
        return get + _http_response(200, "OK", page, headers="Content-Type: text/html\r\n", gzip_body=True)
    if kind == "chunked_gzip":
        return get + _http_response(200, "OK", page * 3, headers="Content-Type: text/html\r\n", gzip_body=True,
                                    chunked=True)
    if kind == "truncated_gzip":
        whole = get + _http_response(200, "OK", page * 20, headers="Content-Type: text/html\r\n", gzip_body=True)
        return whole[: len(get) + 150]
    if kind in ("post_status_line", "truncated_request"):
        # A POST body that looks like a status line: it must never be read as the server's answer.
        body = (b"HTTP/1.1 200 OK\r\ncmd=system('id');&payload=HTTP/1.0 200 Connection established\r\n"
                + b"A" * rng.randint(5, 40))
        post = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        if kind == "truncated_request":
            return post[: len(post) - 10]
        return post + _http_response(403, "Forbidden", b"<html>denied</html>", headers="Content-Type: text/html\r\n")
    if kind == "request_only":
        return get
    if kind == "binary":
        return b"\x00\x00\x00\x85\xffSMBr\x00\x00\x00\x00" + bytes(rng.getrandbits(8) for _ in range(96))
    raise ValueError(kind)


class Simulator(sim_updates.UpdatesSimulator, simulator_search.SearchSimulation, simulator_responder.ResponderSimulation,
                ContextRoutes,                 BaseSimulator):
    name = "alertlogic"
    routes = [
        Rule("/aims/v1/authenticate", endpoint="authenticate", methods=["POST"]),
        Rule("/endpoints/v1/<account_id>/residency/<residency>/services/<service_name>/endpoint",
             endpoint="service_endpoint", methods=["GET"]),
        Rule("/iris/v3/<account_id>/incidents_by_time", endpoint="incidents_by_time", methods=["GET"]),
        Rule("/iris/v3/<account_id>/friendly/<friendly_id>", endpoint="friendly", methods=["GET"]),
        Rule("/iris/v3/<account_id>/<incident_id>", endpoint="get_incident", methods=["GET"]),
        Rule("/iris/v3/<account_id>/<incident_id>/elaborations/associated", endpoint="associated", methods=["GET"]),
        Rule("/iris/v3/<account_id>/<incident_id>/complete", endpoint="complete", methods=["POST"]),
        Rule("/iris/v3/<account_id>/<incident_id>/reopen", endpoint="reopen", methods=["POST"]),
        Rule("/iris/v3/<account_id>/<incident_id>/feedback", endpoint="feedback", methods=["POST"]),
        Rule("/api/incident/v3/incidents", endpoint="legacy_incidents", methods=["GET"]),
    ] + CONTEXT_ROUTES + simulator_search.ROUTES + simulator_responder.ROUTES + sim_updates.ROUTES

    def __init__(self, *, incidents: int = 40, max_events: int = 6, event_page_cap: int = 10,
                 mfa_code: str | None = None, token_ttl: float = 6 * 3600.0, incident_page_cap: int = 100,
                 unstable_order: bool = False, login_refusal: str | None = None,
                 endpoint_hosts: dict[tuple[str, str], str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # A documented login refusal to answer even for good credentials: password_expired or
        # account_inactive (400), mfa_enrollment_required (401 with a session token).
        if login_refusal not in (None, "password_expired", "account_inactive", "mfa_enrollment_required"):
            raise ValueError(f"unknown login_refusal {login_refusal!r}")
        self.login_refusal = login_refusal
        # What the endpoints service answers per (residency, service), e.g. {("default", "iris"):
        # "api.cloudinsight.alertlogic.co.uk"}; unset, every service is this simulator's own host.
        self.endpoint_hosts = dict(endpoint_hosts or {})
        self.session_tokens: set[str] = set()
        # incidents_by_time answers at most this many per page, whatever ``limit`` asks (like the events).
        self.incident_page_cap = incident_page_cap
        # Each page request sees the window in a new order (the API documents none): offset paging
        # then repeats some incidents and skips others within one read of a window.
        self.unstable_order = unstable_order
        # Created but not yet searchable (indexing lag): hidden from incidents_by_time until revealed.
        self.unindexed: set[str] = set()
        self.account_id = str(134200000 + self.seed % 100000)
        self.username = "soc-analyst@example.com"
        self.password = f"canary-al-password-{self.seed}"
        self.api_key = f"canary-al-apikey-{self.seed:04d}abcdef"
        # An AIMS access key: Basic access_key_id:secret_key on the same authenticate endpoint.
        self.access_key_id = f"{self.seed:016x}"
        self.secret_key = f"canary-al-secret-key-{self.seed:04d}"
        self.mfa_code = mfa_code
        self.event_page_cap = event_page_cap
        self.tokens = TokenIssuer(ttl=token_ttl)
        self.incidents: dict[str, dict[str, Any]] = {}
        self.events: dict[str, list[dict[str, Any]]] = {}
        self.feedback_given: dict[str, list[dict[str, Any]]] = {}
        self.legacy: dict[int, dict[str, Any]] = {}
        self._next_event_id = 14600
        self._build(incidents, max_events)
        self.init_search()
        self.init_responder()

    # --- the seeded world --------------------------------------------------------------------
    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _build(self, count: int, max_events: int) -> None:
        start = self.anchor - timedelta(days=2, hours=12)
        moment = start
        for index in range(count):
            # Every fifth incident shares the previous one's second: the bookmark's ids matter.
            if index % 5 != 4:
                moment += timedelta(seconds=self.rng.randint(600, 4800))
            self.add_incident(created=moment, events=self.rng.randint(1, max_events))
        for number, incident_id in enumerate(list(self.incidents)[:10]):
            self._add_legacy(1000 + number, self.incidents[incident_id])

    def add_incident(self, *, created: datetime | None = None, events: int | list[dict[str, Any]] = 3,
                     threat_rating: str | None = None, status: str = "open", indexed: bool = True) -> str:
        """Add an incident; ``events`` is a count to generate, or a list of ``event_spec`` dicts
        (``sig`` index, ``payload`` bytes, optional ``source_addr``) for hand-checked tests. With
        ``indexed=False`` it exists but ``incidents_by_time`` does not show it until ``index()``."""
        created = created or (self.anchor - timedelta(hours=1))
        incident_id = f"{self.rng.getrandbits(64):016x}"
        friendly = "".join(self.rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(6))
        specs = events if isinstance(events, list) else [self._random_event_spec(i) for i in range(events)]
        attacker = specs[0].get("source_addr") or f"203.0.113.{self.rng.randint(2, 250)}"
        event_objects = [self._event(incident_id, created, i, spec, attacker) for i, spec in enumerate(specs)]
        first_sig = SIGNATURES[specs[0]["sig"]]
        rating = threat_rating or THREAT_RATINGS[min(4, first_sig[3])]
        victim = event_objects[0]["dest_addr"]
        updated = created + timedelta(minutes=self.rng.randint(0, 90))
        summary = f"{first_sig[1]} from {attacker}"
        customer_status: dict[str, Any] = {"status": status, "status_change_time": _iso(created)}
        if status != "open":
            # Completing takes notes and a reason code, and the incident keeps them (a reopen's "old").
            customer_status.update(notes="closed by the SOC", reason_code="other")
        self.incidents[incident_id] = {
            "accountId": self.account_id,
            "incidentId": incident_id,
            "humanFriendlyId": friendly,
            "createTime": int(created.timestamp()),
            "createtime_str": _iso(created),
            "updateTime": int(updated.timestamp()),
            "updatetime_str": _iso(updated),
            "customer": "Example Corp",
            "customer_status": customer_status,
            "desc": summary,
            "summary": summary,
            "incident": {
                "attackClassId": 12, "attackClassId_str": first_sig[2], "summary": summary,
                "description": f"## {first_sig[1]}\n\n{len(event_objects)} events from `{attacker}` against `{victim}`.",
                "threatRating": rating, "escalated": rating in ("High", "Critical"),
            },
            "incident_attack_class": first_sig[2],
            "incident_threat_rating": rating,
            "incident_escalated": str(rating in ("High", "Critical")).lower(),
            "detection_source": "Network IDS",
            "sources": ["ids"],
            "attacker": {"ip": attacker},
            "victim": {"ip": victim},
            "asset_host_name": f"web-{self.rng.randint(1, 9):02d}",
            "has_assets": True,
            "snooze_status": {"snoozed": False, "period_ms": 0, "reason_code": ""},
            "iris_notifications": True,
        }
        self.events[incident_id] = event_objects
        if not indexed:
            self.unindexed.add(incident_id)
        return incident_id

    def index(self, incident_id: str) -> None:
        """The indexing lag is over: the incident shows up in ``incidents_by_time``."""
        with self.lock:
            self.unindexed.discard(incident_id)

    def _random_event_spec(self, index: int) -> dict[str, Any]:
        sig = self.rng.randrange(len(SIGNATURES))
        kinds = PAYLOAD_KINDS[SIGNATURES[sig][0]]
        host = self.rng.choice(HOSTS)
        path = self.rng.choice(["/index.php?option=com_content&id=1%20UNION%20SELECT%201,2",
                                "/xmlrpc.php", "/wp-login.php", "/cgi-bin/php?-d+allow_url_include=on"])
        return {"sig": sig, "payload": build_payload(kinds[index % len(kinds)], host, path, self.rng)}

    def _event(self, incident_id: str, created: datetime, index: int, spec: dict[str, Any],
               attacker: str) -> dict[str, Any]:
        sig_id, name, classification, severity, rule = SIGNATURES[spec["sig"]]
        event_id = str(self._next_event_id)
        self._next_event_id += 1
        moment = created - timedelta(seconds=30 * index)
        return {
            "__uuid": self._uuid(), "__contentType": "event", "__irisType": "event",
            "__relatedOrAssociated": "associated", "__normalizedTime": str(int(moment.timestamp() * 1000)),
            "__source": "ids", "__sourceName": "Network IDS", "__sourceType": "ids",
            "__appliance_name": spec.get("sensor") or SENSORS[index % len(SENSORS)], "__datacenter": "ashburn",
            "__messageId": self._uuid(),
            "id": {"aid": int(self.account_id), "event_id": event_id},
            "time_recv": int(moment.timestamp()), "ingest_ts": int(moment.timestamp() * 1000) + 250,
            "sig_id": sig_id, "sig_rev": 1 + index % 3, "signature_name": name, "sig_rule": rule,
            "classification": classification, "severity": severity,
            "source_addr": spec.get("source_addr") or attacker, "source_port": 40000 + self.rng.randint(0, 20000),
            "dest_addr": spec.get("dest_addr") or "198.51.100.20", "dest_port": 445 if sig_id == 101002 else 80,
            "protocol": "tcp",
            "payload": base64.b64encode(spec["payload"]).decode() if spec.get("payload") is not None else None,
        }

    def _add_legacy(self, number: int, incident: dict[str, Any]) -> None:
        events = self.events[incident["incidentId"]]
        self.legacy[number] = {
            "incident_id": number, "customer_id": int(self.account_id), "customer_name": incident["customer"],
            "threat_rating": incident["incident_threat_rating"] if incident["incident_threat_rating"] != "Info" else "Low",
            "class_name": incident["incident_attack_class"], "summary": incident["summary"],
            "description": incident["incident"]["description"],
            "begin_date": incident["createTime"] - 300, "end_date": incident["createTime"],
            "create_date": incident["createTime"], "last_modified_date": incident["updateTime"],
            "open": 1, "acknowledge_status": "Acknowledged", "closed_by": None, "closed_date": None,
            "closed_type": None, "event_ids": [int(e["id"]["event_id"]) for e in events], "num_evts": len(events),
            "attackers": [incident["attacker"]["ip"]], "victims": [incident["victim"]["ip"]],
            "devices": [{"device_id": 5501, "sensor_id": 7702, "name": events[0]["__appliance_name"]}],
            "geoip": {incident["attacker"]["ip"]: {"country_code": "NL", "country_name": "Netherlands"}},
            "vector": {"type": "web", "sub_type": "sql-injection"}, "evolution_tree": {}, "is_proxy": 0,
        }

    # --- what an instance needs --------------------------------------------------------------
    def integration_params(self, base_url: str) -> dict[str, Any]:
        params = {"base_url": base_url, "aims_url": base_url, "username": self.username, "password": self.password,
                  "account_id": self.account_id, "api_key": self.api_key, "legacy_base_url": base_url,
                  "insecure": False}
        if self.mfa_code:
            params["mfa_code"] = self.mfa_code
        return params

    def drain_args(self) -> dict[str, Any]:
        return {"first_fetch": "30 days", "max_fetch": 10000}

    def expected_incident_count(self) -> int:
        return len(self.incidents)

    def command_examples(self) -> dict[str, dict[str, Any]]:
        open_ids = [i for i, inc in self.incidents.items() if inc["customer_status"]["status"] == "open"]
        # The richest incident first, so a demo shows payload analysis rather than a lone binary event.
        open_ids.sort(key=lambda i: -len(self.events[i]))
        first = self.incidents[open_ids[0]]
        event_id = self.events[open_ids[0]][0]["id"]["event_id"]
        return {
            "test-module": {},
            "get-event": {"incident_id": first["incidentId"], "event_id": event_id},
            "update-status": {"incident_id": open_ids[0], "status": "completed", "reason_code": "threat_not_valid",
                              "notes": "closed by soarpacks"},
            "alertlogic-get-incident": {"incident_id": first["humanFriendlyId"]},
            "alertlogic-add-feedback": {"incident_id": open_ids[1], "feedback": "Blocked at the WAF",
                                        "reason": "compensating_control"},
            "alertlogic-get-legacy-incident": {"incident_id": min(self.legacy)},
            **self.context_examples(first["incidentId"]),
            **self.search_examples(), **self.responder_examples(), **sim_updates.command_examples(self),
        }

    def authorized(self, request: Request, endpoint: str) -> bool:
        if endpoint == "authenticate":
            return True  # the endpoint checks the credentials itself
        if endpoint == "legacy_incidents":
            creds = basic_credentials(request)
            return creds is not None and creds[0] == self.api_key
        return self.tokens.valid(request.headers.get("x-aims-auth-token"))

    def revoke_tokens(self) -> None:
        self.tokens.expire_all()

    def unauthorized(self, request: Request) -> Response:
        return json_response({"error": "Unauthorized", "code": 401}, 401)

    # --- AIMS ----------------------------------------------------------------------------------
    def authenticate(self, request: Request) -> Response:
        # As aims.v1.yaml documents: bad credentials (or a wrong MFA code) are a 401 with an empty
        # body and no headers; the named refusals carry {"error": key}.
        session = request.headers.get("x-aims-session-token")
        if session is not None and session not in self.session_tokens:
            return json_response({"error": "invalid_session_token"}, 401)
        creds = basic_credentials(request)
        if session is None and creds not in ((self.username, self.password), (self.access_key_id, self.secret_key)):
            return Response(status=401)
        if self.login_refusal in ("password_expired", "account_inactive"):
            return json_response({"error": self.login_refusal}, 400)
        if self.login_refusal == "mfa_enrollment_required":
            return json_response({"error": "mfa_enrollment_required"}, 401,
                                 headers={"x-aims-session-token": self._session_token()})
        if self.mfa_code:
            try:
                body = json.loads(request.get_data() or b"{}")
            except ValueError:
                return json_response({"error": "Request body should be valid JSON", "code": 400}, 400)
            code = body.get("mfa_code") if isinstance(body, dict) else None
            if code is None:
                return json_response({"error": "mfa_code_required"}, 401,
                                     headers={"x-aims-session-token": self._session_token()})
            if code != self.mfa_code:
                return Response(status=401)
        token = self.tokens.issue()
        expires = int(datetime.now(timezone.utc).timestamp() + self.tokens.ttl)
        return json_response({"authentication": {
            "user": {"id": "715A4EC0-9833-4D6E-9C03-A537E3F98D23", "name": "SOC Analyst", "email": self.username,
                     "active": True, "locked": False, "mfa_enabled": bool(self.mfa_code)},
            "account": {"id": self.account_id, "name": "Example Corp", "active": True,
                        "accessible_locations": ["defender-us-ashburn"], "default_location": "defender-us-ashburn"},
            "token": token, "token_expiration": expires}})

    def _session_token(self) -> str:
        token = f"canary-al-session-{self.rng.getrandbits(48):012x}"
        self.session_tokens.add(token)
        return token

    # --- endpoints service ----------------------------------------------------------------------
    def service_endpoint(self, request: Request, account_id: str, residency: str, service_name: str) -> Response:
        # endpoints.v1.yaml: residency is one of default, emea, us; the answer maps the service to a
        # host name without scheme (as Alert Logic's clients read it: "https://" + answer[service]).
        if residency not in ("default", "emea", "us"):
            return json_response({"error": f"invalid residency {residency}"}, 400)
        forbidden = self._account(account_id)
        if forbidden is not None:
            return forbidden
        host = self.endpoint_hosts.get((residency, service_name), request.host)
        return json_response({service_name: host})

    # --- IRIS ------------------------------------------------------------------------------------
    def _account(self, account_id: str) -> Response | None:
        if account_id != self.account_id:
            return json_response({"error": "Forbidden", "code": 403}, 403)
        return None

    def _incident(self, account_id: str, incident_id: str) -> tuple[dict[str, Any] | None, Response | None]:
        denied = self._account(account_id)
        if denied:
            return None, denied
        incident = self.incidents.get(incident_id)
        if incident is None:
            return None, json_response({"error": "Not found", "code": 404}, 404)
        return incident, None

    @staticmethod
    def _int_arg(request: Request, name: str, default: int, minimum: int) -> int | Response:
        text = request.args.get(name)
        if text is None:
            return default
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            return json_response({"code": 400, "error": f"Invalid query parameter '{name}'"}, 400)
        return value

    @staticmethod
    def _time_arg(text: str) -> float | None:
        try:
            return float(text)
        except ValueError:
            pass
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None

    def incidents_by_time(self, request: Request, account_id: str) -> Response:
        denied = self._account(account_id)
        if denied:
            return denied
        start_text, end_text = request.args.get("start_time"), request.args.get("end_time")
        if not start_text or not end_text:
            return json_response({"code": 400, "error": "start_time and end_time query strings must be provided"}, 400)
        start, end = self._time_arg(start_text), self._time_arg(end_text)
        if start is None or end is None:
            return json_response({"code": 400, "error": "Invalid arguments"}, 400)
        with self.lock:
            # Deliberately not in time order: the API documents no order.
            items = [dict(inc) for key, inc in sorted(self.incidents.items())
                     if start <= inc["createTime"] <= end and key not in self.unindexed
                     and inc["accountId"] == self.account_id]
            if self.unstable_order:
                self.rng.shuffle(items)
        if request.args.get("pagination", "").lower() != "true":
            return json_response(items)
        limit = self._int_arg(request, "limit", 100, 1)
        offset = self._int_arg(request, "offset", 0, 0)
        if isinstance(limit, Response):
            return limit
        if isinstance(offset, Response):
            return offset
        limit = min(limit, self.incident_page_cap)
        page = items[offset:offset + limit]
        base = f"/iris/v3/{account_id}/incidents_by_time?start_time={start_text}&end_time={end_text}&pagination=true&limit={limit}"
        return json_response({"iris_items": page, "metadata": {
            "limit": limit, "offset": offset, "total_count": len(items),
            "links": {"first": f"{base}&offset=0", "self": f"{base}&offset={offset}",
                      "prev": f"{base}&offset={max(0, offset - limit)}",
                      "next": f"{base}&offset={offset + limit}" if offset + limit < len(items) else None}}})

    def friendly(self, request: Request, account_id: str, friendly_id: str) -> Response:
        denied = self._account(account_id)
        if denied:
            return denied
        found = [{"accountId": self.account_id, "humanFriendlyId": inc["humanFriendlyId"],
                  "incidentId": inc["incidentId"]}
                 for inc in self.incidents.values() if inc["humanFriendlyId"] == friendly_id]
        if not found:
            return json_response({"error": "Id not found", "code": 404}, 404)
        return json_response(found)

    def get_incident(self, request: Request, account_id: str, incident_id: str) -> Response:
        incident, error = self._incident(account_id, incident_id)
        return error or json_response(incident)

    def associated(self, request: Request, account_id: str, incident_id: str) -> Response:
        incident, error = self._incident(account_id, incident_id)
        if error:
            return error
        source = request.args.get("returnSource")
        if source not in (None, "event", "log"):
            return json_response({"error": "Invalid arguments", "code": 400}, 400)
        limit = self._int_arg(request, "limit", self.event_page_cap, 1)
        offset = self._int_arg(request, "offset", 0, 0)
        if isinstance(limit, Response):
            return limit
        if isinstance(offset, Response):
            return offset
        limit = min(limit, self.event_page_cap)
        items = self.log_elaborations(incident_id) if source == "log" else self.events[incident_id]
        base = f"/iris/v3/{account_id}/{incident_id}/elaborations/associated?returnSource={source or ''}&limit={limit}"
        last = max(0, (len(items) - 1) // limit * limit)
        return json_response({
            "filter": {"eq": {"property": "__relatedOrAssociated", "value": "associated"}},
            "metadata": {"total_count": len(items), "limit": limit, "offset": offset, "links": {
                "self": f"{base}&offset={offset}", "first": f"{base}&offset=0",
                "prev": f"{base}&offset={max(0, offset - limit)}" if offset else None,
                "next": f"{base}&offset={offset + limit}" if offset + limit < len(items) else None,
                "last": f"{base}&offset={last}"}},
            "returnVals": items[offset:offset + limit],
            "stats": {"numberOfMatchingElaborations": len(items), "numItemsInDataSource": len(items),
                      "matchCounts": [], "queryExecutionTime": {"Total Query": "12ms"}},
        })

    def _json_body(self, request: Request) -> dict[str, Any] | Response:
        try:
            body = json.loads(request.get_data() or b"")
        except ValueError:
            return json_response({"error": "Request body should be valid JSON", "code": 400}, 400)
        if not isinstance(body, dict):
            return json_response({"error": "Request body should be valid JSON", "code": 400}, 400)
        return body

    def _write_target(self, account_id: str, incident_id: str) -> tuple[dict[str, Any] | None, Response | None]:
        # The writes document a 400 "Invalid AccountId or IncidentId supplied" for an id that is
        # neither 16 alphanumerics nor a UUID (components/schemas/IncidentId); a well-formed id
        # that does not exist is a 404.
        if not INCIDENT_ID.fullmatch(incident_id):
            denied = self._account(account_id)
            return None, denied or json_response(
                {"error": "Invalid AccountId or IncidentId supplied", "code": 400}, 400)
        return self._incident(account_id, incident_id)

    def _transition(self, request: Request, account_id: str, incident_id: str, target: str) -> Response:
        incident, error = self._write_target(account_id, incident_id)
        if error:
            return error
        body = self._json_body(request)
        if isinstance(body, Response):
            return body
        notes = body.get("notes")
        # A reopen takes only notes; the service records reason_code "other" (the spec's example).
        reason = body.get("reason_code") if target == "completed" else "other"
        if not isinstance(notes, str) or (target == "completed" and reason not in REASON_CODES):
            return json_response({"error": "Invalid arguments", "code": 400}, 400)
        with self.lock:
            old = dict(incident["customer_status"])
            if old["status"] == target:
                return json_response({"error": f"Incident {incident_id} status is currently the same {target}",
                                      "code": 400}, 400)
            now = datetime.now(timezone.utc)
            new = {"status": target, "status_change_time": _iso(now), "notes": notes, "reason_code": reason}
            incident["customer_status"] = new
            incident["updateTime"] = int(now.timestamp())
            incident["updatetime_str"] = _iso(now)
        # "old" is the status as it was: just status and time for a never-closed incident (the
        # spec's complete example), with notes and reason_code once it had been completed.
        return json_response({"new": new, "old": old})

    def complete(self, request: Request, account_id: str, incident_id: str) -> Response:
        return self._transition(request, account_id, incident_id, "completed")

    def reopen(self, request: Request, account_id: str, incident_id: str) -> Response:
        return self._transition(request, account_id, incident_id, "open")

    def feedback(self, request: Request, account_id: str, incident_id: str) -> Response:
        incident, error = self._write_target(account_id, incident_id)
        if error:
            return error
        body = self._json_body(request)
        if isinstance(body, Response):
            return body
        text, reason = body.get("customer_feedback"), body.get("customer_feedback_reason")
        if not isinstance(text, str) or not text or reason not in REASON_CODES:
            return json_response({"error": "Invalid arguments", "code": 400}, 400)
        entry = {"feedback": text, "feedback_reason": reason, "feedback_uid": "715A4EC0-9833-4D6E-9C03-A537E3F98D23",
                 "feedback_user": f"SOC Analyst <{self.username}>",
                 "feedback_datetime": _iso(datetime.now(timezone.utc))}
        with self.lock:
            self.feedback_given.setdefault(incident_id, []).append(entry)
        return json_response(entry)

    # --- legacy Incident API v3 ------------------------------------------------------------------
    def legacy_incidents(self, request: Request) -> Response:
        try:
            number = int(request.args.get("incident_id", ""))
            customer = int(request.args.get("customer_id", ""))
        except ValueError:
            return json_response({"error": "incident_id and customer_id must be numbers"}, 400)
        incident = self.legacy.get(number)
        return json_response([incident] if incident and incident["customer_id"] == customer else [])
