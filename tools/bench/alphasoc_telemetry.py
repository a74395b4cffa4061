"""alphasoc-submit-telemetry from an NDJSON file of DNS events to the AlphaSOC simulator, against its
floor: a bare ``requests`` loop that reads the same file line by line, gzips at the same level and
POSTs every 10 MB, checking nothing (the row's ratio, in events/s, target >= 0.7x). For scale, one POST
per event (the seed's curl style, though over one kept-alive connection, which flatters it).

Run: ``python -m tools.bench.alphasoc_telemetry [--events 200000] [--per-event 2000] [--latency 0]``;
``--events 1000000`` is the issue's million-event run (about 10 s). Each way runs in its own child
process so its peak RSS is its own; both are measured in this one run, and the totals are checked
against what the simulator counted.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from soarpacks.integrations.alphasoc.simulator import Simulator
from soarpacks.integrations.common.simkit import serve


CHILD = """
import json, sys, time
from soarpacks.integrations.alphasoc import client as alphasoc_client, telemetry
from soarpacks.integrations.common.retry import FAST_RETRY
from soarpacks.tools.bench.children import peak_rss_kb


mode, path, base_url, api_key, limit = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
client = alphasoc_client.make_client({"base_url": base_url, "api_key": api_key}, retry=FAST_RETRY)
started = time.perf_counter()
if mode == "batched":
    with telemetry.FileSource(path) as source:
        result = telemetry.upload(client.post_events, "dns", source.records(), limit=limit)
    sent, received, requests = result["events_read"], result["received"], result["batches"]
elif mode == "floor":
    import gzip, requests
    session = requests.Session()
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    client.upload_http.auth.apply(headers, client.upload_http)
    url = client.upload_http.url("/v1/events/dns")
    sent = received = posts = 0
    lines, size = [], 0

    def post():
        body = gzip.compress(b"".join(lines), telemetry.COMPRESS_LEVEL)
        return session.post(url, data=body, headers=headers, timeout=60).json()["received"]
    with open(path, "rb") as handle:
        for line in handle:
            if size + len(line) > telemetry.MAX_BATCH_BYTES:
                received += post()
                posts += 1
                lines, size = [], 0
            lines.append(line)
            size += len(line)
            sent += 1
    if lines:
        received += post()
        posts += 1
    requests = posts
else:
    sent = received = 0
    with open(path, "rb") as handle:
        for line in handle:
            if sent == limit:
                break
            received += client.post_events("dns", line.strip(), encoding="identity")["received"]
            sent += 1
    requests = sent
elapsed = time.perf_counter() - started
print(json.dumps({"sent": sent, "received": received, "requests": requests, "seconds": elapsed,
                  "rss_mb": peak_rss_kb() / 1024}))
"""


def write_events(path: Path, count: int) -> int:
    line = ('{"ts":"2024-05-01T%02d:%02d:%02dZ","srcIP":"10.%d.%d.%d","srcPort":%d,"srcHost":"ws-%04d",'
            '"query":"%s","qtype":"%s"}\n')
    domains = ["www.example.com", "login.microsoftonline.com", "cdn-%d.example.net", "api.example.org",
               "updates-%d.vendor.example", "mail.example.com"]
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(count):
            domain = domains[i % len(domains)]
            domain = domain % (i % 997) if "%d" in domain else domain
            handle.write(line % (i // 3600 % 24, i // 60 % 60, i % 60, i % 4, i % 200, i % 250, 1024 + i % 60000,
                                 i % 4000, domain, "AAAA" if i % 5 == 0 else "A"))
    return path.stat().st_size


def run_child(mode: str, path: Path, params: dict, limit: int) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, mode, str(path), params["base_url"], params["api_key"],
                           str(limit)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _best(best: dict, result: dict) -> dict:
    return result if not best or result["seconds"] < best["seconds"] else best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000, help="events in the file (1000000 for the issue's run)")
    parser.add_argument("--per-event", type=int, default=2_000, help="events sent one POST each (a sample)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds the simulator adds to every request")
    parser.add_argument("--repeats", type=int, default=3, help="runs of ours and of the floor (best counts)")
    options = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dns.ndjson"
        size = write_events(path, options.events)
        simulator = Simulator(seed=0, alerts=0, latency=options.latency)
        counted_ok = True
        with serve(simulator) as running:
            params = running.params()
            # Floor and ours alternated, best of ``--repeats``: drift in the machine hits both.
            batched, floor = {}, {}
            for _ in range(options.repeats):
                before = simulator.telemetry.get("dns", {}).get("received", 0)
                floor = _best(floor, run_child("floor", path, params, options.events))
                middle = simulator.telemetry.get("dns", {}).get("received", 0)
                batched = _best(batched, run_child("batched", path, params, options.events))
                after = simulator.telemetry.get("dns", {}).get("received", 0)
                counted_ok = counted_ok and middle - before == after - middle == options.events
            single = run_child("per-event", path, params, min(options.per_event, options.events))
    rate = {name: r["sent"] / r["seconds"] for name, r in (("ours", batched), ("floor", floor), ("single", single))}
    ok = counted_ok and batched["received"] == floor["received"] == options.events and single["received"] == single["sent"]
    print(f"alphasoc-submit-telemetry: {options.events:,} DNS events, {size / 1e6:.0f} MB of NDJSON, "
          f"{options.latency * 1000:.0f} ms added per request (best of {options.repeats})")
    for name, label in (("ours", "ours: gzip batches <= 10 MB"), ("floor", "floor: bare requests, same")):
        r = (batched, floor)[name == "floor"]
        print(f"  {label:29}: {rate[name]:10,.0f} events/s  ({r['requests']} requests, {r['seconds']:.2f} s, "
              f"peak RSS {r['rss_mb']:.0f} MB)")
    print(f"  {'one POST per event':29}: {rate['single']:10,.0f} events/s  (sample of {single['sent']:,}; "
          f"ours is {rate['ours'] / rate['single']:.0f}x)")
    print(f"  ratio (ours / floor, events/s): {rate['ours'] / rate['floor']:.2f}x   "
          f"(totals match the simulator's count: {'yes' if ok else 'NO'})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
