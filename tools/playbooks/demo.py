"""The playbook part of ``soarpacks demo``: one playbook, end to end, against the simulators."""
from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.registry import discover

from .cli import PLAYBOOKS_DIR

# The reference integration's triage: fetch, enrich, decide, act — the whole idea in a second.
DEMO_PLAYBOOK = "cisco_gta_triage"
DEMO_INPUTS = {"max_alerts": "10"}


def demo_playbooks(*, out: TextIO = sys.stdout) -> list[dict[str, Any]]:
    """Run the demo playbook against simulators; one row for the demo's table."""
    from .check import check_playbook
    from .model import load_playbook
    from .runner import resolve_inputs, run_playbook
    from .targets import open_instances

    installed = discover()
    path = PLAYBOOKS_DIR / f"{DEMO_PLAYBOOK}.yaml"
    if not path.is_file():
        return []
    started = time.perf_counter()
    row: dict[str, Any] = {"playbook": path.stem}
    try:
        playbook = load_playbook(path)
        if not set(playbook.integrations) <= set(installed):
            return []
        check_playbook(playbook, installed)
        print(f"\nPlaybook {playbook.name!r} ({path.name}) against the simulators:", file=out)
        inputs = resolve_inputs(playbook, DEMO_INPUTS, simulate=True)
        with open_instances(playbook, simulate=True) as instances:
            result = run_playbook(playbook, instances, inputs, out=out)
        row["steps"] = len(result.steps)
        row["calls"] = result.calls
        row["result"] = "; ".join(f"{label} {_short(value)}" for label, value in list(result.summary.items())[:4])
    except errors.SoarpacksError as exc:
        row["result"] = f"FAILED ({exc.kind}): {exc}"
    row["seconds"] = f"{time.perf_counter() - started:.2f}"
    return [row]


def _short(value: Any) -> str:
    from .refs import render_text
    text = render_text(value)
    return text if len(text) <= 60 else text[:57] + "..."
