"""``soarpacks demo``: every integration against its own simulator — test-module, fetch-incidents,
get-event and update-status where the vendor supports them — then a playbook, and a summary table.
No credentials, no network beyond loopback."""
from __future__ import annotations

import sys
import time
from typing import Any, Callable

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.registry import discover
from soarpacks.integrations.common.results import markdown_table
from soarpacks.integrations.common.retry import RetryPolicy
from soarpacks.integrations.common.runner import Instance
from soarpacks.integrations.common.simkit import serve

DEMO_RETRY = RetryPolicy(base_delay=0.05, max_delay=0.5)


def _step(label: str, action: Callable[[], str]) -> str:
    try:
        return action()
    except errors.NotSupportedError:
        return "not supported"
    except errors.SoarpacksError as exc:
        return f"FAILED ({exc.kind}): {exc}"


def demo_integration(integration: Any, *, out: Any = sys.stdout) -> dict[str, Any]:
    started = time.perf_counter()
    simulator = integration.simulator_class()(seed=0)
    examples = simulator.command_examples()
    with serve(simulator) as served:
        instance = Instance.configure(integration, served.params(), name="demo", retry=DEMO_RETRY)
        row: dict[str, Any] = {"integration": integration.id}
        row["test-module"] = _step("test-module", lambda: "ok" if instance.run("test-module") else "?")
        row["fetch-incidents"] = _step("fetch", lambda: f"{len(instance.fetch_all(simulator.drain_args()))} incidents")
        for name in ("get-event", "update-status"):
            if not integration.manifest.command(name).supported:
                row[name] = "not supported"
            elif name not in examples:
                row[name] = "no example"
            else:
                row[name] = _step(name, lambda name=name: "ok" if instance.run(name, examples[name]) else "?")
    row["seconds"] = f"{time.perf_counter() - started:.2f}"
    print(f"  {integration.id}: " + ", ".join(f"{k} {v}" for k, v in row.items() if k != "integration"), file=out)
    return row


def run_demo(*, out: Any = sys.stdout) -> int:
    started = time.perf_counter()
    print("soarpacks demo: each integration against its simulator\n", file=out)
    rows = [demo_integration(integration, out=out) for integration in discover().values()]
    playbook_rows = _demo_playbooks(out)
    print("\n" + markdown_table(rows, columns=["integration", "test-module", "fetch-incidents", "get-event",
                                              "update-status", "seconds"], title="What each integration did"), file=out)
    if playbook_rows:
        print("\n" + markdown_table(playbook_rows, title="Playbooks"), file=out)
    print(f"\nDone in {time.perf_counter() - started:.1f}s.", file=out)
    failed = any("FAILED" in str(v) for row in rows + playbook_rows for v in row.values())
    return 4 if failed else 0


def _demo_playbooks(out: Any) -> list[dict[str, Any]]:
    # A plain import: a broken playbook runner must fail the demo, not silently show no playbooks.
    from soarpacks.tools.playbooks.demo import demo_playbooks
    return demo_playbooks(out=out)
