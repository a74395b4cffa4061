"""What the AlphaSOC tests build vendor answers from: threat definitions, alerts, pages, an account."""
from __future__ import annotations

THREATS = {
    "c2_communication": {"title": "C2 communication attempt indicating infection", "severity": 5},
    "young_domain": {"title": "Traffic to a recently registered domain", "severity": 2},
    "tor_usage": {"title": "Tor anonymity network usage", "severity": 3, "policy": True},
}


def dns_alert(n: int, *, threats=("c2_communication",), **event) -> dict:
    return {"eventType": "dns", "threats": list(threats),
            "wisdom": {"flags": ["c2"], "labels": ["c2:TrickBot"], "domain": f"bad-{n}.example"},
            "event": {"ts": f"2024-03-01T10:{n // 60 % 60:02d}:{n % 60:02d}Z", "srcIP": "192.168.20.5",
                      "srcHost": "john-pc", "srcUser": "john", "query": f"www.bad-{n}.example.", "qtype": "A", **event}}


def page(alerts, follow, more=False, threats=THREATS) -> dict:
    return {"follow": follow, "more": more, "alerts": alerts, "threats": threats}


ACCOUNT = {"today": "2018-08-28T10:33:37.137110423Z", "registered": False, "expired": False,
           "expirationDate": "2018-09-27T10:31:32.196658Z", "endpointsSeenToday": 2338,
           "messages": [{"level": 2, "body": "Your API key is not activated."}]}


def dns_event(n: int, **extra) -> dict:
    return {"ts": f"2024-03-01T10:{n // 60 % 60:02d}:{n % 60:02d}Z", "srcIP": f"10.0.0.{n % 250}",
            "query": f"host-{n}.example.com", "qtype": "A", **extra}
