"""Uploading telemetry runs in bounded memory: a file ten times larger does not raise the uploader's
peak RSS by more than a few megabytes (it would grow by far more than the file if it were loaded).

The uploader runs in a child process so its peak RSS is its own; the simulator runs here."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from soarpacks.integrations.alphasoc.simulator import Simulator
from soarpacks.integrations.common.simkit import serve

# The child measures its own peak (VmHWM): ru_maxrss would carry over the parent's, the simulator's here.
CHILD = """
import json, sys
from soarpacks.integrations.common.registry import get
from soarpacks.integrations.common.retry import FAST_RETRY
from soarpacks.integrations.common.runner import Instance
from soarpacks.tools.bench.children import peak_rss_kb

path, base_url, api_key = sys.argv[1:4]
instance = Instance.configure(get("alphasoc"), {"base_url": base_url, "api_key": api_key}, retry=FAST_RETRY)
out = instance.run("alphasoc-submit-telemetry", {"event_type": "dns", "file": path}).outputs
print(json.dumps({"rss_kb": peak_rss_kb(), **out}))
"""


def write_events(path: Path, count: int) -> int:
    line = ('{"ts":"2024-05-01T10:%02d:%02dZ","srcIP":"10.0.%d.%d","srcPort":%d,"srcHost":"ws-%03d",'
            '"query":"host-%d.example.com","qtype":"A"}\n')
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(count):
            handle.write(line % (i // 60 % 60, i % 60, i % 8, i % 250, 1024 + i % 60000, i % 250, i))
    return path.stat().st_size


def upload_in_a_child(path: Path, server) -> dict:
    params = server.params()
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), params["base_url"], params["api_key"]],
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_peak_memory_does_not_grow_with_the_file_and_the_totals_match(tmp_path):
    small_count, big_count = 25_000, 250_000
    small_size = write_events(tmp_path / "small.ndjson", small_count)
    big_size = write_events(tmp_path / "big.ndjson", big_count)
    sim = Simulator(alerts=0)
    with serve(sim) as server:
        small = upload_in_a_child(tmp_path / "small.ndjson", server)
        big = upload_in_a_child(tmp_path / "big.ndjson", server)
    assert (small["received"], small["accepted"], small["complete"]) == (small_count, small_count, True)
    assert (big["received"], big["accepted"], big["complete"]) == (big_count, big_count, True)
    assert big["batches"] >= 3  # several full 10 MB requests
    growth = (big["rss_kb"] - small["rss_kb"]) * 1024
    file_growth = big_size - small_size
    assert file_growth > 25_000_000
    # Measured: under 1 MB. A 30 MB larger file may cost at most 8 MB more (allocator noise, a fuller batch).
    assert growth < 8_000_000, f"peak RSS grew by {growth / 1e6:.1f} MB for {file_growth / 1e6:.0f} MB more input"
