"""The simulator is faithful where the client depends on it: a 429 without Retry-After, the telemetry
size limit after decompression, telemetry that touches a known-bad host becoming an alert."""
from __future__ import annotations

import gzip
import json
import zlib

import requests

from soarpacks.integrations.alphasoc.simulator import Simulator
from soarpacks.integrations.common.simkit import serve
from tests.alphasoc.support import dns_event


def test_the_simulators_429_carries_no_retry_after_like_alphasoc():
    sim = Simulator()
    sim.faults.inject("429")
    with serve(sim) as running:
        import requests
        answer = requests.get(running.url + "/v1/ae/inventory/threats", timeout=5)
    assert answer.status_code == 429 and "Retry-After" not in answer.headers
    assert answer.json() == {"message": "Too Many Requests"}


def test_the_simulator_enforces_the_size_limit_after_decompression_and_accepts_deflate():
    sim = Simulator(max_body_bytes=1000)
    body = b"".join(json.dumps(dns_event(n)).encode() + b"\n" for n in range(30))
    small = b"".join(body.splitlines(keepends=True)[:10])
    auth = (sim.api_key, "")
    with serve(sim) as running:
        url = running.url + "/v1/events/dns"
        too_big = requests.post(url, data=gzip.compress(body), headers={"Content-Encoding": "gzip"}, auth=auth, timeout=5)
        deflated = requests.post(url, data=zlib.compress(small), headers={"Content-Encoding": "deflate"},
                                 auth=auth, timeout=5)
        concatenated = requests.post(url, data=b'{"ts":"2024-03-01T10:00:00Z","srcIP":"1.2.3.4","query":"a"}'
                                                b'{"ts":"2024-03-01T10:00:00Z","srcIP":"1.2.3.4","query":"b"}', auth=auth, timeout=5)
        garbage = requests.post(url, data=b"{nope", auth=auth, timeout=5)
    assert too_big.status_code == 413 and "too large" in too_big.json()["message"]
    assert deflated.status_code == 200 and deflated.json()["received"] == 10
    assert concatenated.json() == {"received": 2, "accepted": 2}
    assert garbage.status_code == 400


def test_submitted_telemetry_that_touches_a_known_bad_domain_is_fetched_as_an_alert(alphasoc, sim):
    alphasoc.fetch_all({"max_fetch": 1000})
    events = [{"ts": "2024-03-01T10:00:00Z", "srcIP": "10.9.9.9", "query": "trickbot-c2.example-bad.com"},
              {"ts": "2024-03-01T10:00:01Z", "srcIP": "10.9.9.9", "query": "www.example.com"}]
    alphasoc.run("alphasoc-submit-telemetry", {"event_type": "dns", "events": json.dumps(events)})
    new = alphasoc.fetch_all({"max_fetch": 1000})
    assert [i["raw"]["event"]["srcIP"] for i in new] == ["10.9.9.9"]
    assert new[0]["severity"] == 4


def _alerts(running, sim: Simulator, follow: str | None = None) -> requests.Response:
    return requests.get(running.url + "/v1/alerts", params={"follow": follow} if follow else None,
                        auth=(sim.api_key, ""), timeout=5)


def test_alerts_page_from_the_oldest_with_more_until_the_stream_is_read_and_the_last_follow_waits():
    sim = Simulator(seed=7, alerts=10, page_size=4)
    sizes, follow = [], None
    with serve(sim) as running:
        while True:
            body = _alerts(running, sim, follow).json()
            sizes.append(len(body["alerts"]))
            follow = body["follow"]
            if not body["more"]:
                break
        again = _alerts(running, sim, follow).json()
    assert sizes == [4, 4, 2]
    assert again["alerts"] == [] and again["more"] is False and again["follow"] == follow


def test_a_forged_follow_bookmark_is_a_400_like_alphasoc():
    sim = Simulator(seed=7, alerts=10, page_size=4)
    with serve(sim) as running:
        real = _alerts(running, sim).json()["follow"]
        forged = _alerts(running, sim, real.split("-")[0] + "-00000000")
    assert forged.status_code == 400 and forged.json() == {"message": "invalid follow parameter"}
