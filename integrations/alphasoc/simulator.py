"""A faithful local AlphaSOC REST API v1 (never shipped in a package).

What it reproduces, and where it had to choose because the public docs are silent:

- Basic auth with the API key as username and an empty password; 401/403 answer ``{"message": ...}``.
- ``GET /v1/alerts?follow=`` pages through one append-only alert stream. ``follow`` is opaque
  (``"<position>-<check>"``, like the real ``"6-8263d641"``); a forged or garbled one is a 400. No
  ``follow`` starts at the oldest retained alert. ``more`` is true while a full page was cut short.
  The optional ``threats=a,b`` filter keeps alerts having any of those threats; positions (and so
  bookmarks) still count the whole stream.
- ``POST /v1/events/{dns,ip,http,tls,lease}``: a stream of JSON objects (one per line, or simply
  concatenated), identity, gzip or deflate; more than ``max_body_bytes`` uncompressed is a 413. The
  answer counts ``received``/``accepted`` and ``rejected`` by reason. Events that touch a known-bad
  domain, IP or JA3 become alerts at the end of the stream, so a playbook can submit then fetch.
- Inventory (threats, flags) and account status.
- 429 without ``Retry-After`` (AlphaSOC documents none): the client must back off on its own.

The world is seeded (``seed``) and small by default (``alerts=240``); ``page_size`` and
``max_body_bytes`` are knobs for tests.
"""
from __future__ import annotations

import hashlib
import json
import re
import zlib
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from ..common import simkit
from ..common.simkit import basic_credentials, json_response

EVENT_TYPES = ("dns", "ip", "http", "tls", "lease")
MAX_BODY_BYTES = 10 * 1024 * 1024  # "10MB"; the client stays under 10,000,000 to be safe either way
# Telemetry turns at most this many events into alerts: a million-event upload must not grow the simulator.
MAX_GENERATED_ALERTS = 5000

THREATS: dict[str, dict[str, Any]] = {
    "c2_communication": {"title": "C2 communication attempt indicating infection", "severity": 5},
    "cryptomining": {"title": "Cryptomining indicating infection or resource abuse", "severity": 4},
    "ransomware_callback": {"title": "Ransomware callback indicating infection", "severity": 5},
    "dga": {"title": "Domain generation algorithm (DGA) traffic", "severity": 4},
    "malware_delivery": {"title": "Malware delivery or staging host contacted", "severity": 4},
    "phishing_domain": {"title": "Access to a phishing domain", "severity": 3},
    "dns_tunneling": {"title": "DNS tunneling indicating data exfiltration or C2", "severity": 4},
    "sinkholed_domain": {"title": "Traffic to a sinkholed destination", "severity": 3},
    "young_domain": {"title": "Traffic to a recently registered domain", "severity": 2},
    "suspicious_tls": {"title": "TLS client fingerprint associated with malware", "severity": 3},
    "tor_usage": {"title": "Tor anonymity network usage", "severity": 3, "policy": True},
    "third_party_dns": {"title": "Use of a third-party DNS resolver", "severity": 2, "policy": True},
    "p2p_usage": {"title": "Peer-to-peer file sharing", "severity": 2, "policy": True},
    "remote_access_tool": {"title": "Remote access software in use", "severity": 2, "policy": True},
    "unusual_port": {"title": "Traffic to an unusual destination port", "severity": 2},
}

FLAGS: dict[str, dict[str, str]] = {
    "c2": {"title": "Known C2 callback destination", "type": "category"},
    "freedns": {"title": "Parent domain is a dynamic DNS provider", "type": "feature"},
    "young_domain": {"title": "Domain registered in the last 30 days", "type": "feature"},
    "dga": {"title": "Domain name looks algorithmically generated", "type": "feature"},
    "sinkhole": {"title": "Destination is a known sinkhole", "type": "category"},
    "phishing": {"title": "Known phishing destination", "type": "category"},
    "malware": {"title": "Known malware distribution point", "type": "category"},
    "cryptomining": {"title": "Known cryptomining pool", "type": "category"},
    "blockchain": {"title": "Known blockchain API destination", "type": "feature"},
    "tor": {"title": "Tor entry or exit node", "type": "category"},
    "long_subdomain": {"title": "Unusually long subdomain label", "type": "feature"},
    "high_entropy": {"title": "High-entropy query name", "type": "feature"},
    "ja3_malware": {"title": "TLS client fingerprint seen with malware", "type": "feature"},
    "self_signed": {"title": "Self-signed certificate", "type": "feature"},
    "unusual_port": {"title": "Destination port unusual for the protocol", "type": "feature"},
    "p2p": {"title": "Peer-to-peer protocol", "type": "category"},
    "remote_access": {"title": "Remote access tool destination", "type": "category"},
    "third_party_dns": {"title": "Resolver outside the organisation", "type": "feature"},
}

# Known-bad destinations: what a submitted event must touch to become an alert.
BAD_DOMAINS: dict[str, tuple[list[str], list[str], list[str]]] = {
    # domain: (threats, flags, labels)
    "trickbot-c2.example-bad.com": (["c2_communication"], ["c2", "young_domain"], ["c2:TrickBot"]),
    "emotet-loader.example-bad.net": (["malware_delivery", "young_domain"], ["malware", "young_domain"], ["malware:Emotet"]),
    "xmr-pool.example-bad.org": (["cryptomining"], ["cryptomining", "blockchain"], ["miner:XMRig"]),
    "login-micros0ft.example-bad.com": (["phishing_domain", "young_domain"], ["phishing", "young_domain"], []),
    "qx7v9kd2lm4p.example-bad.info": (["dga"], ["dga", "high_entropy"], ["dga:Necurs"]),
    "lockbit-pay.example-bad.onion.ly": (["ransomware_callback"], ["c2", "tor"], ["ransomware:LockBit"]),
    "sinkhole.example-bad.org": (["sinkholed_domain"], ["sinkhole"], []),
    "a9f3e1b2c4d5e6f7a8b9.tunnel.example-bad.net": (["dns_tunneling"], ["long_subdomain", "high_entropy"], ["tunnel:iodine"]),
    "dyn-host.freedns.example-bad.io": (["c2_communication", "young_domain"], ["c2", "freedns"], ["c2:AsyncRAT"]),
}
BAD_IPS: dict[str, tuple[list[str], list[str]]] = {
    "185.220.101.4": (["tor_usage"], ["tor"]),
    "45.137.21.9": (["c2_communication", "unusual_port"], ["c2", "unusual_port"]),
    "1.1.1.1": (["third_party_dns"], ["third_party_dns"]),
    "91.215.85.17": (["remote_access_tool"], ["remote_access"]),
    "203.0.113.66": (["p2p_usage"], ["p2p"]),
}
BAD_JA3 = {"51c64c77e60f3980eea90869b68c58a8": (["suspicious_tls", "c2_communication"], ["ja3_malware", "self_signed"])}

USERS = ["john", "maria", "svc-backup", "akim", "lee", "priya", "tomas", "ana"]
_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
_REQUIRED = {"dns": "query", "ip": "destIP", "http": "url", "tls": "destIP", "lease": None}


class PayloadError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Simulator(simkit.Simulator):
    name = "alphasoc"
    routes = [
        Rule("/v1/account/status", endpoint="account_status", methods=["GET"]),
        Rule("/v1/alerts", endpoint="alerts", methods=["GET"]),
        Rule("/v1/events/<event_type>", endpoint="events", methods=["POST"]),
        Rule("/v1/ae/inventory/threats", endpoint="inventory_threats", methods=["GET"]),
        Rule("/v1/ae/inventory/flags", endpoint="inventory_flags", methods=["GET"]),
    ]

    def __init__(self, *, seed: int = 0, faults: str | None = None, alerts: int = 240, page_size: int = 100,
                 max_body_bytes: int = MAX_BODY_BYTES, registered: bool = True, expired: bool = False,
                 **kw: Any) -> None:
        super().__init__(seed=seed, faults=faults, **kw)
        self.api_key = f"canary-alphasoc-{seed:04d}-{self.rng.getrandbits(48):012x}"
        self._secret = f"{seed}:{self.rng.getrandbits(64)}"
        self.page_size = page_size
        self.max_body_bytes = max_body_bytes
        self.registered = registered
        self.expired = expired
        self.threats = json.loads(json.dumps(THREATS))
        self.flags = json.loads(json.dumps(FLAGS))
        self.stream: list[dict[str, Any]] = [self._seed_alert(i, alerts) for i in range(alerts)]
        self.seeded_alerts = alerts
        self.generated_alerts = 0
        # Totals per event type over every accepted request, for tests and the benchmark.
        self.telemetry: dict[str, dict[str, Any]] = {}
        self.telemetry_requests = 0

    # --- the simkit contract -----------------------------------------------------------------
    def integration_params(self, base_url: str) -> dict[str, Any]:
        return {"base_url": base_url, "api_key": self.api_key, "insecure": False}

    def drain_args(self) -> dict[str, Any]:
        return {"max_fetch": 10000}

    def expected_incident_count(self) -> int:
        return len(self.stream)

    def command_examples(self) -> dict[str, dict[str, Any]]:
        ts = (self.anchor - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {
            "test-module": {},
            "alphasoc-account-status": {},
            "alphasoc-list-threats": {},
            "alphasoc-get-threat": {"threat_id": "c2_communication"},
            "alphasoc-list-flags": {},
            "alphasoc-get-flag": {"flag_id": "c2"},
            # As typed on a command line: the events argument is JSON text.
            "alphasoc-submit-telemetry": {"event_type": "dns", "events": json.dumps([
                {"ts": ts, "srcIP": "10.0.7.21", "srcHost": "ws-021", "query": "trickbot-c2.example-bad.com", "qtype": "A"},
                {"ts": ts, "srcIP": "10.0.7.21", "srcHost": "ws-021", "query": "www.example.com", "qtype": "AAAA"},
            ])},
        }

    def authorized(self, request: Request, endpoint: str) -> bool:
        credentials = basic_credentials(request)
        return credentials is not None and credentials[0] == self.api_key

    def unauthorized(self, request: Request) -> Response:
        if basic_credentials(request) is None:
            return json_response({"message": "missing API key"}, 401)
        return json_response({"message": "invalid API key"}, 401)

    def _fault(self, kind: str, environ: dict[str, Any]) -> Response | None:
        # AlphaSOC documents no Retry-After: its 429 is bare, with the usual error body.
        if kind == "429":
            return json_response({"message": "Too Many Requests"}, 429)
        return super()._fault(kind, environ)

    # --- the seeded world --------------------------------------------------------------------
    def _seed_alert(self, index: int, total: int) -> dict[str, Any]:
        rng = self.rng
        # Oldest first, spread over the last two days, at most one alert per second per position.
        moment = self.anchor - timedelta(days=2) + timedelta(seconds=int(index * (2 * 86400 - 3600) / max(total, 1)))
        ts = moment.strftime("%Y-%m-%dT%H:%M:%S")
        # Like the real API, some timestamps carry nanoseconds.
        ts += f".{rng.randrange(10**9):09d}Z" if index % 3 == 0 else "Z"
        host = rng.randrange(2, 250)
        header = {"ts": ts, "srcIP": f"10.0.{host % 8}.{host}", "srcPort": rng.randrange(1024, 65535),
                  "srcHost": f"ws-{host:03d}"}
        if rng.random() < 0.7:
            header["srcUser"] = rng.choice(USERS)
        if rng.random() < 0.5:
            header["srcMac"] = ":".join(f"{rng.randrange(256):02x}" for _ in range(6))
        kind = rng.choices(["dns", "ip", "http", "tls"], weights=[5, 2, 2, 1])[0]
        if kind == "dns":
            domain = rng.choice(sorted(BAD_DOMAINS))
            return self._dns_alert({**header, "query": domain, "qtype": rng.choice(["A", "AAAA", "TXT"])})
        if kind == "ip":
            ip = rng.choice(sorted(BAD_IPS))
            return self._ip_alert({**header, "destIP": ip, "destPort": rng.choice([443, 9001, 53, 8443, 6881]),
                                   "proto": rng.choice(["tcp", "udp"]), "bytesIn": rng.randrange(100, 90000),
                                   "bytesOut": rng.randrange(100, 20000), "app": "ssl", "action": "allowed",
                                   "duration": round(rng.uniform(0.1, 90), 1)})
        if kind == "http":
            domain = rng.choice(sorted(BAD_DOMAINS))
            return self._http_alert({**header, "url": f"http://{domain}/{rng.choice(['wpad.dat', 'gate.php', 'x/y.bin'])}",
                                     "method": rng.choice(["GET", "POST"]), "status": rng.choice([200, 302, 404]),
                                     "app": "http", "action": "allowed", "bytesIn": rng.randrange(200, 50000),
                                     "bytesOut": rng.randrange(100, 3000), "contentType": "text/html; charset=utf-8",
                                     "userAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"})
        ja3 = next(iter(BAD_JA3))
        return self._tls_alert({**header, "destIP": "45.137.21.9", "destPort": 443, "ja3": ja3,
                                "ja3s": "015535be754766257f9bfdf3470cd428e0f1cfd4",
                                "certHash": hashlib.sha1(f"{self.seed}-{index}".encode()).hexdigest(),
                                "issuer": "CN=example-bad", "subject": "CN=example-bad"})

    @staticmethod
    def _dns_alert(event: dict[str, Any]) -> dict[str, Any] | None:
        domain = str(event.get("query", "")).lower().rstrip(".")
        if domain not in BAD_DOMAINS:
            return None
        threats, flags, labels = BAD_DOMAINS[domain]
        return {"eventType": "dns", "threats": list(threats),
                "wisdom": {"flags": list(flags), "labels": list(labels), "domain": domain}, "event": event}

    @staticmethod
    def _ip_alert(event: dict[str, Any]) -> dict[str, Any] | None:
        if event.get("destIP") not in BAD_IPS:
            return None
        threats, flags = BAD_IPS[event["destIP"]]
        return {"eventType": "ip", "threats": list(threats), "wisdom": {"flags": list(flags)}, "event": event}

    @staticmethod
    def _http_alert(event: dict[str, Any]) -> dict[str, Any] | None:
        host = re.sub(r"^[a-z]+://", "", str(event.get("url", ""))).split("/")[0].split(":")[0].lower()
        if host not in BAD_DOMAINS:
            return None
        threats, flags, labels = BAD_DOMAINS[host]
        return {"eventType": "http", "threats": list(threats),
                "wisdom": {"flags": list(flags), "labels": list(labels), "domain": host}, "event": event}

    @staticmethod
    def _tls_alert(event: dict[str, Any]) -> dict[str, Any] | None:
        if event.get("ja3") not in BAD_JA3:
            return None
        threats, flags = BAD_JA3[event["ja3"]]
        return {"eventType": "tls", "threats": list(threats), "wisdom": {"flags": list(flags)}, "event": event}

    # --- follow bookmarks --------------------------------------------------------------------
    def follow_token(self, position: int) -> str:
        check = hashlib.sha256(f"{self._secret}:{position}".encode()).hexdigest()[:8]
        return f"{position}-{check}"

    def _position(self, follow: str) -> int:
        position, _, check = follow.partition("-")
        if not position.isdigit() or follow != self.follow_token(int(position)):
            raise PayloadError(400, "invalid follow parameter")
        return int(position)

    # --- endpoints ---------------------------------------------------------------------------
    def account_status(self, request: Request) -> Response:
        with self.lock:
            endpoints = len({a["event"].get("srcIP") for a in self.stream})
        messages = [{"level": 1, "body": "Telemetry is being received and scored."}]
        if not self.registered:
            messages.append({"level": 2, "body": "Your API key is not activated. Alerts are suppressed until you "
                                                 "have activated your account."})
        if self.expired:
            messages.append({"level": 3, "body": "Your API key has expired. Contact AlphaSOC to renew your license."})
        now = datetime.now(timezone.utc)
        return json_response({
            "today": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond:06d}123Z",
            "registered": self.registered, "expired": self.expired,
            "expirationDate": (self.anchor + timedelta(days=-1 if self.expired else 300)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "endpointsSeenToday": endpoints, "messages": messages})

    def alerts(self, request: Request) -> Response:
        follow = request.args.get("follow", "")
        wanted = {t for t in request.args.get("threats", "").split(",") if t}
        try:
            position = self._position(follow) if follow else 0
        except PayloadError as exc:
            return json_response({"message": exc.message}, exc.status)
        with self.lock:
            end = len(self.stream)
            if position > end:
                return json_response({"message": "invalid follow parameter"}, 400)
            page: list[dict[str, Any]] = []
            cursor = position
            while cursor < end and len(page) < self.page_size:
                alert = self.stream[cursor]
                cursor += 1
                if not wanted or wanted.intersection(alert["threats"]):
                    page.append(alert)
            used = {t for a in page for t in a["threats"]}
            threats = {t: self.threats[t] for t in sorted(used) if t in self.threats}
        return json_response({"follow": self.follow_token(cursor), "more": cursor < end,
                              "alerts": page, "threats": threats})

    def inventory_threats(self, request: Request) -> Response:
        return json_response({"threats": self.threats})

    def inventory_flags(self, request: Request) -> Response:
        return json_response({"flags": self.flags})

    def events(self, request: Request, event_type: str) -> Response:
        if event_type not in EVENT_TYPES:
            return json_response({"message": f"unknown event type {event_type!r}"}, 404)
        declared = request.content_length
        encoding = (request.headers.get("Content-Encoding") or "identity").strip().lower()
        if encoding == "identity" and declared is not None and declared > self.max_body_bytes:
            return json_response({"message": f"request body too large (limit {self.max_body_bytes} bytes)"}, 413)
        try:
            body = self._decode(request.get_data(), encoding)
            received, accepted, rejected, alerts = self._score(event_type, body)
        except PayloadError as exc:
            return json_response({"message": exc.message}, exc.status)
        with self.lock:
            self.telemetry_requests += 1
            totals = self.telemetry.setdefault(event_type, {"received": 0, "accepted": 0, "rejected": {}})
            totals["received"] += received
            totals["accepted"] += accepted
            for reason, count in rejected.items():
                totals["rejected"][reason] = totals["rejected"].get(reason, 0) + count
            room = MAX_GENERATED_ALERTS - self.generated_alerts
            self.stream.extend(alerts[:max(room, 0)])
            self.generated_alerts += min(len(alerts), max(room, 0))
        answer: dict[str, Any] = {"received": received, "accepted": accepted}
        if rejected:
            answer["rejected"] = rejected
        return json_response(answer)

    def _decode(self, data: bytes, encoding: str) -> bytes:
        limit = self.max_body_bytes
        if encoding == "identity":
            body = data
        elif encoding in ("gzip", "x-gzip", "deflate"):
            body = _inflate(data, encoding, limit)
        else:
            raise PayloadError(400, f"unsupported Content-Encoding {encoding!r} (use gzip or deflate)")
        if len(body) > limit:
            raise PayloadError(413, f"request body too large (limit {limit} bytes uncompressed)")
        return body

    def _score(self, event_type: str, body: bytes) -> tuple[int, int, dict[str, int], list[dict[str, Any]]]:
        required = _REQUIRED[event_type]
        make_alert = {"dns": self._dns_alert, "ip": self._ip_alert, "http": self._http_alert,
                      "tls": self._tls_alert}.get(event_type)
        received = accepted = 0
        rejected: dict[str, int] = {}
        alerts: list[dict[str, Any]] = []
        for event in _json_stream(body):
            received += 1
            reason = None
            if not isinstance(event, dict):
                reason = "not an object"
            elif "ts" not in event:
                reason = "missing ts"
            elif not isinstance(event["ts"], str) or not _TS.match(event["ts"]):
                reason = "invalid ts"
            elif not event.get("srcIP"):
                reason = "missing srcIP"
            elif required and not event.get(required):
                reason = f"missing {required}"
            if reason:
                rejected[reason] = rejected.get(reason, 0) + 1
                continue
            accepted += 1
            alert = make_alert(event) if make_alert else None
            if alert is not None:
                alerts.append(alert)
        return received, accepted, rejected, alerts


def _inflate(data: bytes, encoding: str, limit: int) -> bytes:
    """Decompress at most ``limit + 1`` bytes: a small bomb must not blow the simulator up."""
    if encoding == "deflate":
        # HTTP "deflate" is zlib-wrapped, but some clients send raw deflate: accept both.
        candidates = [zlib.MAX_WBITS, -zlib.MAX_WBITS]
    else:
        candidates = [16 + zlib.MAX_WBITS]
    for wbits in candidates:
        out = bytearray()
        rest = data
        try:
            while rest and len(out) <= limit:
                inflater = zlib.decompressobj(wbits)
                out += inflater.decompress(rest, limit + 1 - len(out))
                if inflater.unconsumed_tail:
                    break  # hit the limit
                rest = inflater.unused_data  # concatenated gzip members
                if not inflater.eof:
                    raise PayloadError(400, f"truncated {encoding} body")
        except zlib.error:
            continue
        return bytes(out)
    raise PayloadError(400, f"body is not valid {encoding} data")


def _json_stream(body: bytes) -> Iterator[Any]:
    """JSON values one after another: newline-delimited (the fast path) or simply concatenated."""
    decoder = json.JSONDecoder()
    for number, line in enumerate(body.split(b"\n"), 1):
        line = line.strip()
        if not line:
            continue
        try:
            yield json.loads(line)
            continue
        except ValueError:
            pass
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            raise PayloadError(400, f"invalid UTF-8 on line {number}") from None
        index = 0
        while index < len(text):
            try:
                value, index = decoder.raw_decode(text, index)
            except ValueError as exc:
                raise PayloadError(400, f"invalid JSON on line {number}: {exc.msg} at column {exc.colno}") from None
            yield value
            while index < len(text) and text[index] in " \t\r":
                index += 1
