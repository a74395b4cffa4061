"""``--dry-run``: what a playbook would do, step by step, with the inputs it would use; which steps
change something at the vendor (the manifest's ``effect: write``)."""
from __future__ import annotations

import json
from typing import Any, Mapping

from soarpacks.integrations.common.registry import discover

from .model import Playbook


def format_plan(playbook: Playbook, inputs: Mapping[str, Any]) -> str:
    integrations = discover()
    lines = [f"Plan: {playbook.name} ({playbook.path.name})"]
    if playbook.description:
        lines.append(f"  {playbook.description.splitlines()[0]}")
    if inputs:
        lines.append("\nInputs:")
        lines.extend(f"  {name} = {json.dumps(value)}" for name, value in inputs.items())
    lines.append("\nSteps:")
    for number, step in enumerate(playbook.steps, 1):
        command = integrations[step.integration].manifest.command(step.command)
        effect = "WRITES" if command.effect == "write" else "reads"
        lines.append(f"  {number}. {step.id}: {step.run} ({effect})" + (f" — {step.name}" if step.name else ""))
        if step.for_each is not None:
            lines.append(f"       for each: {step.for_each}")
        for condition in step.conditions:
            lines.append(f"       if: {condition.source}")
        for name, value in step.args.items():
            shown = value if isinstance(value, str) else json.dumps(value)
            lines.append(f"       {name} = {shown}")
        if step.on_error == "continue":
            lines.append("       on error: continue with the next item")
    if playbook.summary:
        lines.append("\nSummary:")
        lines.extend(f"  {label}: {template.source}" for label, template in playbook.summary.items())
    lines.append("\nNothing was run (--dry-run).")
    return "\n".join(lines)
