"""Example values for the Splunk SOAR app's output data paths, recorded from the simulator.

Splunk's connector review asks for ``example_values`` on outputs; the output schemas rarely carry
``examples``. This records, once per change of a simulator or schema, what each action writes when run with
the simulator's example arguments (the same data the connector hands SOAR, maps turned into lists) into
``<integration>/output_examples.json``: ``{command: {data path: [up to 2 values]}}``, declared paths only.
The build reads that file (``splunk_actions.recorded_examples``); it never runs a simulator itself.

    python -m soarpacks.tools.packaging.splunk_examples [integration ...]
"""
from __future__ import annotations

import json
import sys
from typing import Any

from soarpacks.integrations.common.platform.common import FETCH, TEST
from soarpacks.integrations.common.platform.splunk_data import splunk_items
from soarpacks.integrations.common.registry import Integration, discover

from .splunk_actions import EXAMPLES_FILE, data_fields

PER_PATH = 2          # values kept per data path
MAX_TEXT = 120        # longer strings are cut: an example, not a payload


def _leaves(value: Any, prefix: str, out: dict[str, list[Any]]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _leaves(item, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list):
        for item in value:
            _leaves(item, f"{prefix}.*", out)
    elif value is not None and value != "":
        kept = out.setdefault(prefix, [])
        value = value[:MAX_TEXT] if isinstance(value, str) else value
        if len(kept) < PER_PATH and value not in kept:
            kept.append(value)


def record(integration: Integration) -> dict[str, dict[str, list[Any]]]:
    """Each action's data paths with sample values, from a fresh simulator (seed 0)."""
    from soarpacks.integrations.common.runner import Instance   # the runtime, as the connector runs it
    from soarpacks.integrations.common.simkit import serve      # simulators are a development tool

    manifest = integration.manifest
    simulator = integration.simulator_class()(seed=0, retry_after=0, slow_seconds=0)
    recorded: dict[str, dict[str, list[Any]]] = {}
    with serve(simulator) as served:
        instance = Instance.configure(integration, served.params())
        for name, args in simulator.command_examples().items():
            command = manifest.command(name)
            if not command.supported or command.name in (TEST, FETCH):
                continue
            found: dict[str, list[Any]] = {}
            for item in splunk_items(manifest, command, instance.run(command.name, dict(args)).outputs):
                _leaves(item, "", found)
            declared = {".".join(f.path) for f in data_fields(manifest, command)}
            recorded[command.name] = {path: found[path] for path in sorted(found) if path in declared}
    return recorded


def main(argv: list[str]) -> int:
    integrations = discover()
    for name in argv or sorted(integrations):
        integration = integrations[name]
        path = integration.manifest.folder / EXAMPLES_FILE
        path.write_text(json.dumps(record(integration), indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
