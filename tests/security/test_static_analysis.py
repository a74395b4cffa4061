"""ruff's security rules (the flake8-bandit set, ``S``) find nothing in the code we ship.

Scanned: integrations/ and tools/. Not scanned, and why:
- tests/: asserts are how tests speak, and fixtures may hold fake credentials;
- integrations/*/simulator.py (and the simulator_*.py it mounts) and integrations/common/simkit.py: local fakes of vendor APIs, never
  packaged; their seeded ``random`` is the point (S311) and their canary credentials are fake (S105/S106).
In tools/bench/ the benchmarks start our own interpreter as subprocesses with fixed arguments (S603,
S607, S404) and use seeded ``random`` for workloads (S311); every other rule still applies there.
tools/packaging/splunk_wheels.py runs ``sys.executable -m pip download`` with pinned requirements written in
the module (S603): a build step, never shipped.
``assert x is not None`` / ``assert isinstance(...)`` lines that only narrow a type for the type
checker are allowed (under ``python -O`` they vanish and the next line fails just the same); any other
assert in shipped code is flagged, since ``-O`` would silently skip it.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXCLUDE = ["integrations/*/simulator.py", "integrations/*/simulator_*.py", "integrations/common/simkit.py", "tests"]
PER_FILE_IGNORES = {"tools/bench/*": ["S603", "S607", "S404", "S311"], "tools/packaging/splunk_wheels.py": ["S603"]}
TYPE_NARROWING = re.compile(r"^\s*assert\s+(?:[\w.]+\s+is\s+not\s+None|isinstance\([^)]*\))\s*(?:#.*)?$")


def _toml_table(key: str, table: dict[str, list[str]]) -> str:
    return f"{key} = {{" + ", ".join(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in table.items()) + "}"


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=REPO, capture_output=True, text=True, timeout=300)


def _findings() -> list[dict]:
    try:
        import ruff  # noqa: F401
    except ImportError:
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    done = _ruff("check", "--isolated", "--select", "S", "--output-format", "json", "--exit-zero",
                 "--exclude", ",".join(EXCLUDE), "--config", _toml_table("lint.per-file-ignores", PER_FILE_IGNORES),
                 "integrations", "tools")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout or "[]")


def _allowed(finding: dict) -> bool:
    if finding["code"] != "S101":
        return False
    line = Path(finding["filename"]).read_text().splitlines()[finding["location"]["row"] - 1]
    return bool(TYPE_NARROWING.match(line))


def test_the_shipped_code_passes_ruffs_security_rules():
    problems = [f"{Path(f['filename']).relative_to(REPO)}:{f['location']['row']}: {f['code']} {f['message']}"
                for f in _findings() if not _allowed(f)]
    assert problems == []


def test_the_scan_really_looks_at_the_code():
    """A scan that silently excluded everything would pass the test above: the same rules must fire on
    the shipped code's worst neighbour, a simulator."""
    done = _ruff("check", "--isolated", "--select", "S311", "--output-format", "json", "--exit-zero",
                 "integrations/common/simkit.py")
    assert json.loads(done.stdout), done.stderr
