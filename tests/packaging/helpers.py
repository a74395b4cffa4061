"""Running packaged code the way its platform would: in a separate process, away from this repository."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from soarpacks.integrations.common.platform.common import fetch_setting_name

STANDINS = Path(__file__).parent / "standins"


def clean_env(tmp: Path, **extra: str) -> dict[str, str]:
    """No PYTHONPATH, no soarpacks settings, a home of its own: only what the package brings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SOARPACKS_", "PYTHON")) and k not in ("HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")}
    env.update(HOME=str(tmp / "home"), TMPDIR=str(tmp / "tmp"), **extra)
    (tmp / "home").mkdir(exist_ok=True)
    (tmp / "tmp").mkdir(exist_ok=True)
    return env


def run(args: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def as_text(value: Any) -> str:
    return json.dumps(value) if isinstance(value, (list, dict)) else str(value)


def fetch_limit_args(integration, simulator, max_fetch: int | None = None) -> dict[str, Any]:
    args = dict(simulator.drain_args())
    if max_fetch is not None and any(a["name"] == "max_fetch" for a in integration.manifest.command("fetch-incidents").args):
        args["max_fetch"] = max_fetch
    return args


def platform_settings(integration, served, fetch_args: dict[str, Any], *, credentials: bool) -> dict[str, Any]:
    """Instance settings as a platform holds them: the params (secrets as credentials objects in XSOAR)
    and fetch-incidents' arguments under their setting names."""
    manifest = integration.manifest
    secret = set(manifest.secret_params)
    settings: dict[str, Any] = {}
    for name, value in served.params().items():
        settings[name] = {"identifier": "", "password": value} if credentials and name in secret else value
    for name, value in fetch_args.items():
        settings[fetch_setting_name(manifest, name)] = as_text(value) if isinstance(value, list) else value
    return settings


def run_python(python: str, script: Path, *args: str, tmp: Path) -> dict[str, Any]:
    out = tmp / "out.json"
    done = run([python, str(script), *args, str(out)], cwd=tmp, env=clean_env(tmp, PYTHONPATH=str(STANDINS)))
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text())


def system_python() -> str:
    return sys.executable
