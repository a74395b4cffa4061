"""Test helpers shared by every vendor's tests."""
from __future__ import annotations

from typing import Any

from soarpacks.integrations.common.registry import get
from soarpacks.integrations.common.retry import FAST_RETRY
from soarpacks.integrations.common.runner import Instance
from soarpacks.integrations.common.simkit import ServedSimulator
from soarpacks.integrations.common.state import MemoryStateStore, StateStore


def simulated_instance(integration_id: str, served: ServedSimulator, *, store: StateStore | None = None,
                       **params: Any) -> Instance:
    """An instance of the integration pointed at a served simulator: fast retries, in-memory state
    unless ``store`` is given, ``params`` overriding the simulator's."""
    return Instance.configure(get(integration_id), {**served.params(), **params},
                              store=store if store is not None else MemoryStateStore(), retry=FAST_RETRY)


def drain(instance: Instance, args: dict[str, Any], *, runs: int = 200) -> list[dict[str, Any]]:
    """fetch-incidents run after run, as a scheduler would, until a run hands over nothing."""
    handed: list[dict[str, Any]] = []
    for _ in range(runs):
        batch = instance.fetch_all(args)
        if not batch:
            return handed
        handed.extend(batch)
    raise AssertionError(f"fetch-incidents still handed incidents over after {runs} runs")
