"""alphasoc-submit-telemetry from an NDJSON file of DNS events to the AlphaSOC simulator: gzip
batches of up to 10 MB (what the integration does) vs one POST per event (the seed's curl style,
though over one kept-alive connection, which flatters it).

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000, help="events in the file (1000000 for the issue's run)")
    parser.add_argument("--per-event", type=int, default=2_000, help="events sent one POST each (a sample)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds the simulator adds to every request")
    options = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dns.ndjson"
        size = write_events(path, options.events)
        simulator = Simulator(seed=0, alerts=0, latency=options.latency)
        with serve(simulator) as running:
            params = running.params()
            batched = run_child("batched", path, params, options.events)
            after_batched = simulator.telemetry.get("dns", {}).get("received", 0)
            single = run_child("per-event", path, params, min(options.per_event, options.events))
    batched_rate = batched["sent"] / batched["seconds"]
    single_rate = single["sent"] / single["seconds"]
    ok = batched["received"] == after_batched == options.events and single["received"] == single["sent"]
    print(f"alphasoc-submit-telemetry: {options.events:,} DNS events, {size / 1e6:.0f} MB of NDJSON, "
          f"{options.latency * 1000:.0f} ms added per request")
    print(f"  gzip batches <= 10 MB : {batched_rate:10,.0f} events/s  ({batched['requests']} requests, "
          f"{batched['seconds']:.1f} s, peak RSS {batched['rss_mb']:.0f} MB)")
    print(f"  one POST per event    : {single_rate:10,.0f} events/s  (sample of {single['sent']:,}, "
          f"peak RSS {single['rss_mb']:.0f} MB)")
    print(f"  ratio (batched / per event): {batched_rate / single_rate:.0f}x   "
          f"(totals match the simulator's count: {'yes' if ok else 'NO'})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
