"""A faithful local Cisco Global Threat Alerts: SecureX token endpoint (600 s tokens, ``Bearer`` with a
capital B only), the client identity, alerts with opaque cursors (``size`` <= 1000, ``next`` null on POST
searches), threat detections, convicting events, events by modification sequence number, status and
note writes, and 404 for removed alerts. Seeded: the same seed gives the same world."""
from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from ..common.simkit import Simulator as BaseSimulator, TokenIssuer, basic_credentials, json_response
from ..common.timeutil import parse_time, rfc3339

CUSTOMER = "CTA123456789"
RISKS = ["Low"] * 4 + ["Medium"] * 3 + ["High"] * 2 + ["Critical"]
ETA_FLAGS = ["EtaBasedDetection", None, None]
EVENT_TITLES = [
    ("Malware infection", "Communication with a known command-and-control server"),
    ("Cryptocurrency mining", "Outbound connections to a mining pool"),
    ("Data exfiltration", "Large upload to an anonymous file sharing service"),
    ("Phishing", "Access to a credential phishing page"),
    ("Remote access trojan", "Beaconing with a regular interval"),
]
SORTS = {"triggeredAt:asc", "triggeredAt:desc", "modifiedAt:asc", "modifiedAt:desc"}
CLOSING_REASONS = {"FalsePositive", "Remediated", "AcceptedRisk", "Duplicate", "Other"}


def _iso(moment: datetime) -> str:
    return rfc3339(moment)


class Simulator(BaseSimulator):
    name = "cisco_gta"
    prefix = "/alert-management/customer/<cid>"
    routes = [
        Rule("/iroh/oauth2/token", endpoint="token", methods=["POST"]),
        Rule("/auth/api-clients/me", endpoint="identity", methods=["GET"]),
        Rule(f"{prefix}/alerts", endpoint="list_alerts", methods=["GET"]),
        Rule(f"{prefix}/alerts/search", endpoint="search_alerts", methods=["POST"]),
        Rule(f"{prefix}/alerts/<alert_id>", endpoint="get_alert", methods=["GET"]),
        Rule(f"{prefix}/alerts/<alert_id>/threat-detections", endpoint="alert_detections", methods=["GET"]),
        Rule(f"{prefix}/alerts/<alert_id>/status", endpoint="patch_status", methods=["PATCH"]),
        Rule(f"{prefix}/alerts/<alert_id>/note", endpoint="patch_note", methods=["PATCH"]),
        Rule(f"{prefix}/alerts/<alert_id>/note", endpoint="delete_note", methods=["DELETE"]),
        Rule("/threat-detection/customer/<cid>/threat-detections/<td_id>/events/<kind>", endpoint="detection_events",
             methods=["GET"]),
        Rule("/event-detection/customer/<cid>/events/search", endpoint="search_events", methods=["POST"]),
    ]
    fault_exempt = frozenset()

    def __init__(self, *, alerts: int = 3000, token_ttl: float = 600.0, client_id: str = "sim-client",
                 client_secret: str = "canary-cisco-gta-secret", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client_id, self.client_secret = client_id, client_secret
        self.tokens = TokenIssuer(ttl=token_ttl)
        self.alerts: dict[str, dict[str, Any]] = {}
        self.detections: dict[str, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self.sequence = 25_000_000
        self.changed: set[str] = set()
        self._build(alerts)

    # --- the seeded world ----------------------------------------------------------------------
    def _build(self, count: int) -> None:
        rng = self.rng
        span = 45 * 86400  # alerts are removed 45 days after their last detection
        moment = self.anchor - timedelta(seconds=span)
        step = span / max(count - count // 7, 1)  # every seventh alert does not advance the clock
        for index in range(count):
            # Bursts: every seventh alert shares the previous alert's timestamp to the millisecond.
            if index % 7 != 6:
                moment = moment + timedelta(milliseconds=int(rng.uniform(0.2, 1.8) * step * 1000) or 1)
            alert_id = hashlib.sha256(f"{self.seed}:alert:{index}".encode()).hexdigest()
            when = _iso(moment)
            alert = {"id": alert_id, "risk": rng.choice(RISKS), "status": {"value": "New", "closingReasons": None},
                     "etaFlag": rng.choice(ETA_FLAGS), "note": None, "triggeredAt": when, "modifiedAt": when}
            self.alerts[alert_id] = alert
            for d in range(rng.randint(1, 3)):
                td_id = str(uuid.UUID(int=rng.getrandbits(128)))
                asset = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
                self.detections[td_id] = {"id": td_id, "affectedAssetId": asset, "confidence": rng.choice([50, 75, 90, 100]),
                                          "alertIds": [alert_id], "threatIntelRecordId": f"tir-{rng.randint(1000, 9999)}"}
                for e in range(rng.randint(1, 4)):
                    self._add_event(moment, asset, [td_id])
            if rng.random() < 0.3:
                self._add_event(moment, f"10.0.{rng.randint(0, 255)}.{rng.randint(1, 254)}", [])

    def _add_event(self, moment: datetime, asset: str, detection_ids: list[str]) -> None:
        title, subtitle = self.rng.choice(EVENT_TITLES)
        self.sequence += self.rng.randint(1, 3)
        when = _iso(moment)
        self.events.append({"id": str(uuid.UUID(int=self.rng.getrandbits(128))), "detectedAt": when, "modifiedAt": when,
                            "securityEventTypeId": self.rng.randint(1, 300), "title": title, "subtitle": subtitle,
                            "threatDetectionIds": detection_ids, "affectedAssetId": asset,
                            "modificationSequenceNumber": self.sequence})

    # --- integration contract ------------------------------------------------------------------
    def integration_params(self, base_url: str) -> dict[str, Any]:
        return {"client_id": self.client_id, "client_secret": self.client_secret, "region": "eu",
                "base_url": base_url, "token_url": f"{base_url}/iroh/oauth2/token",
                "identity_url": f"{base_url}/auth/api-clients/me", "insecure": False}

    def drain_args(self) -> dict[str, Any]:
        # A whole backlog is drained from the alert list alone: enrichment costs requests per alert, and
        # is tested on its own (tests/cisco_gta, tests/conformance/test_incident_quality.py).
        return {"first_fetch": "46 days", "max_fetch": 1000, "enrich_detections": 0}

    def expected_incident_count(self) -> int:
        return len(self.alerts)

    def command_examples(self) -> dict[str, dict[str, Any]]:
        first = next(iter(self.alerts))
        return {
            "test-module": {},
            "get-event": {"alert_id": first, "max_detections": 5},
            "update-status": {"alert_id": first, "status": "Closed", "closing_reasons": "FalsePositive",
                              "note": "closed by soarpacks"},
            "cisco-gta-list-alerts": {"limit": 20, "risk": "High,Critical"},
            "cisco-gta-set-note": {"alert_id": first, "note": "investigating"},
            "cisco-gta-delete-note": {"alert_id": first},
            "cisco-gta-list-events": {"limit": 30},
        }

    def authorized(self, request: Request, endpoint: str) -> bool:
        if endpoint == "token":
            return True
        header = request.headers.get("Authorization", "")
        # The vendor rejects "bearer": the scheme must be capitalised.
        return header.startswith("Bearer ") and self.tokens.valid(header[len("Bearer "):])

    def revoke_tokens(self) -> None:
        self.tokens.expire_all()

    def unauthorized(self, request: Request) -> Response:
        return json_response({"error": "unauthorized", "message": "Invalid or expired token"}, 401)

    def save_world(self) -> dict[str, Any]:
        return {"alerts": {i: self.alerts[i] for i in sorted(self.changed) if i in self.alerts},
                "removed": sorted(self.changed - set(self.alerts))}

    def load_world(self, changes: dict[str, Any]) -> None:
        self.alerts.update(changes.get("alerts", {}))
        for alert_id in changes.get("removed", []):
            self.alerts.pop(alert_id, None)
        self.changed.update(changes.get("alerts", {}), changes.get("removed", []))

    # --- helpers for tests and the demo ----------------------------------------------------------
    def touch(self, alert_id: str) -> dict[str, Any]:
        """Mark an alert modified now (strictly after every earlier modification)."""
        self.changed.add(alert_id)
        alert = self.alerts[alert_id]
        latest = max(parse_time(a["modifiedAt"]) for a in self.alerts.values())
        now = max(datetime.now(timezone.utc), latest + timedelta(milliseconds=1))
        alert["modifiedAt"] = _iso(now)
        return alert

    def remove_alert(self, alert_id: str) -> None:
        """Alerts vanish 45 days after their last detection."""
        with self.lock:
            self.alerts.pop(alert_id)
            self.changed.add(alert_id)

    # --- endpoints -----------------------------------------------------------------------------
    def token(self, request: Request) -> Response:
        credentials = basic_credentials(request)
        if request.form.get("grant_type") != "client_credentials":
            return json_response({"error": "unsupported_grant_type",
                                  "error_description": "grant_type must be client_credentials"}, 400)
        if credentials != (self.client_id, self.client_secret):
            return json_response({"error": "invalid_client", "error_description": "unknown client",
                                  "error_uri": "https://tools.ietf.org/html/rfc6749#section-5.2"}, 400)
        return json_response({"access_token": self.tokens.issue(), "token_type": "bearer",
                              "expires_in": int(self.tokens.ttl), "scope": "casebook global-intel"})

    def identity(self, request: Request) -> Response:
        return json_response({"identity": {"customerId": CUSTOMER, "clientId": self.client_id}})

    def _customer(self, cid: str) -> Response | None:
        if cid != CUSTOMER:
            return json_response({"message": f"Access to customer {cid} denied"}, 403)
        return None

    def list_alerts(self, request: Request, cid: str) -> Response:
        if (denied := self._customer(cid)) is not None:
            return denied
        sort = request.args.get("sort", "triggeredAt:desc")
        if sort not in SORTS:
            return json_response({"message": f"Unsupported sort {sort}"}, 400)
        try:
            triggered_after = _time_arg(request, "triggeredAfter")
            modified_after = _time_arg(request, "modifiedAfter")
        except ValueError as exc:
            return json_response({"message": str(exc)}, 400)
        with self.lock:
            items = [a for a in self.alerts.values()
                     if (triggered_after is None or parse_time(a["triggeredAt"]) > triggered_after)
                     and (modified_after is None or parse_time(a["modifiedAt"]) > modified_after)]
        field, _, direction = sort.partition(":")
        return self._page(request, items, lambda a: (a[field], a["id"]), reverse=direction == "desc")

    def search_alerts(self, request: Request, cid: str) -> Response:
        if (denied := self._customer(cid)) is not None:
            return denied
        body = request.get_json(silent=True) or {}
        ids = (body.get("filter") or {}).get("alertIds")
        if ids is not None and (not isinstance(ids, list) or len(ids) > 1000):
            return json_response({"message": "filter.alertIds must be a list of at most 1000 ids"}, 400)
        with self.lock:
            items = [self.alerts[i] for i in (ids or self.alerts) if i in self.alerts]
        return self._page(request, items, lambda a: (a["triggeredAt"], a["id"]), post=True)

    def get_alert(self, request: Request, cid: str, alert_id: str) -> Response:
        if (denied := self._customer(cid)) is not None:
            return denied
        alert = self.alerts.get(alert_id)
        return json_response(alert) if alert else json_response({"message": "Alert not found"}, 404)

    def alert_detections(self, request: Request, cid: str, alert_id: str) -> Response:
        if alert_id not in self.alerts:
            return json_response({"message": "Alert not found"}, 404)
        items = [d for d in self.detections.values() if alert_id in d["alertIds"]]
        return self._page(request, items, lambda d: (d["id"],))

    def detection_events(self, request: Request, cid: str, td_id: str, kind: str) -> Response:
        if td_id not in self.detections or kind not in ("convicting", "contextual"):
            return json_response({"message": "Threat detection not found"}, 404)
        asset = self.detections[td_id]["affectedAssetId"]
        if kind == "convicting":
            items = [e for e in self.events if td_id in e["threatDetectionIds"]]
        else:
            items = [e for e in self.events if not e["threatDetectionIds"] and e["affectedAssetId"] == asset]
        return self._page(request, items, lambda e: (e["detectedAt"], e["id"]))

    def search_events(self, request: Request, cid: str) -> Response:
        if (denied := self._customer(cid)) is not None:
            return denied
        if request.args.get("sort") != "modificationSequenceNumber":
            return self._page(request, list(self.events), lambda e: (e["id"],), post=True)
        after = request.args.get("after")
        if after is not None and not after.isdigit():
            return json_response({"message": "after must be a modification sequence number"}, 400)
        size = self._size(request)
        if isinstance(size, Response):
            return size
        with self.lock:
            items = [e for e in self.events if after is None or e["modificationSequenceNumber"] > int(after)]
        page, more = items[:size], len(items) > size
        return json_response({"items": page, "pageInfo": {
            "previous": None, "next": None, "hasNextPage": more, "hasPreviousPage": after is not None,
            "startCursor": str(page[0]["modificationSequenceNumber"]) if page else None,
            # Sequence-sorted collections give the end cursor on the last page too: it is the sync bookmark.
            "endCursor": str(page[-1]["modificationSequenceNumber"]) if page else after}})

    def patch_status(self, request: Request, cid: str, alert_id: str) -> Response:
        body = request.get_json(silent=True) or {}
        status = body.get("status") if isinstance(body.get("status"), dict) else None
        if status is None or status.get("value") not in ("New", "Open", "Closed"):
            return json_response({"message": "status.value must be one of New, Open, Closed"}, 400)
        reasons = status.get("closingReasons")
        if reasons is not None and (status["value"] != "Closed" or not isinstance(reasons, list)):
            return json_response({"message": "closingReasons is a list, allowed only with Closed"}, 400)
        if reasons is not None and not set(reasons) <= CLOSING_REASONS:
            return json_response({"message": f"closingReasons must be among {', '.join(sorted(CLOSING_REASONS))}"}, 400)
        with self.lock:
            if alert_id not in self.alerts:
                return json_response({"message": "Alert not found"}, 404)
            alert = self.alerts[alert_id]
            alert["status"] = {"value": status["value"], "closingReasons": reasons}
            return json_response(self.touch(alert_id))

    def patch_note(self, request: Request, cid: str, alert_id: str) -> Response:
        body = request.get_json(silent=True) or {}
        if not isinstance(body.get("note"), str):
            return json_response({"message": "note must be a string"}, 400)
        with self.lock:
            if alert_id not in self.alerts:
                return json_response({"message": "Alert not found"}, 404)
            self.alerts[alert_id]["note"] = body["note"]
            return json_response(self.touch(alert_id))

    def delete_note(self, request: Request, cid: str, alert_id: str) -> Response:
        with self.lock:
            if alert_id not in self.alerts:
                return json_response({"message": "Alert not found"}, 404)
            self.alerts[alert_id]["note"] = None
            self.touch(alert_id)
        return Response(status=204)

    # --- cursor paging ---------------------------------------------------------------------------
    def _size(self, request: Request) -> int | Response:
        raw = request.args.get("size", "1000")
        if not raw.isdigit() or not 1 <= int(raw) <= 1000:
            return json_response({"message": "size must be between 1 and 1000"}, 400)
        return int(raw)

    def _page(self, request: Request, items: list[dict[str, Any]], key: Callable[[dict[str, Any]], tuple],
              *, reverse: bool = False, post: bool = False) -> Response:
        size = self._size(request)
        if isinstance(size, Response):
            return size
        items = sorted(items, key=key, reverse=reverse)
        after = request.args.get("after")
        start = 0
        if after:
            try:
                position = tuple(json.loads(base64.urlsafe_b64decode(after.encode())))
            except ValueError:
                return json_response({"message": "Invalid cursor"}, 400)
            start = next((i for i, item in enumerate(items)
                          if (key(item) < position if reverse else key(item) > position)), len(items))
        page = items[start:start + size]
        more = start + size < len(items)
        cursor = (lambda item: base64.urlsafe_b64encode(json.dumps(list(key(item))).encode()).decode())
        end = cursor(page[-1]) if page and more else None
        query = {k: v for k, v in request.args.items() if k != "after"}
        next_link = None if post or not end else request.path + "?" + "&".join(
            f"{k}={v}" for k, v in {**query, "after": end}.items())
        return json_response({"items": page, "pageInfo": {
            "previous": None, "next": next_link, "hasNextPage": more, "hasPreviousPage": start > 0,
            "startCursor": cursor(page[0]) if page and start > 0 else None, "endCursor": end}})


def _time_arg(request: Request, name: str) -> datetime | None:
    value = request.args.get(name)
    if value is None:
        return None
    try:
        return parse_time(value)
    except Exception:
        raise ValueError(f"{name} must be an RFC 3339 date-time") from None
