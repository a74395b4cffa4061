"""Where an integration's instance comes from: a fresh in-process simulator, a config file's named
instance, or ``--param`` / ``SOARPACKS_<ID>_<PARAM>`` values. ``soarpacks run`` and the playbook runner
both open their instances here, so a playbook finds an instance exactly as ``run`` does."""
from __future__ import annotations

import contextlib
from typing import Any, Iterator, Sequence

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.registry import get
from soarpacks.integrations.common.runner import Instance
from soarpacks.integrations.common.state import MemoryStateStore, SqliteStateStore, default_state_path

from .config import load_instance, parse_pairs, resolve_params


@contextlib.contextmanager
def open_instance(integration_id: str, *, params: Sequence[str] = (), simulate: bool = False, seed: int = 0,
                  faults: str | None = None, state: str | None = None, config: str | None = None,
                  instance: str | None = None) -> Iterator[Instance]:
    """An ``Instance`` of ``integration_id``; ``params`` are ``KEY=VALUE`` texts that override the rest."""
    integration = get(integration_id)
    cli_params = parse_pairs(list(params), what="--param")
    if simulate:
        # A simulated run keeps state only where asked to: never in the user's real state file.
        store = SqliteStateStore(state) if state else MemoryStateStore()
        with _simulated(integration, store, seed=seed, faults=faults, cli_params=cli_params,
                        name=instance or "simulate") as opened:
            yield opened
        return
    store = SqliteStateStore(state or default_state_path())
    if config and not instance:
        raise errors.InputError("--config needs --instance NAME")
    found = load_instance(config, instance, integration_id) if config else None
    values = resolve_params(integration.manifest, cli=cli_params, config=found)
    yield Instance.configure(integration, values, name=instance or "default", store=store)


@contextlib.contextmanager
def _simulated(integration: Any, store: Any, *, seed: int, faults: str | None, cli_params: dict[str, Any],
               name: str) -> Iterator[Instance]:
    # Imported only here: the simulator kit (werkzeug) is not shipped in the packages.
    from soarpacks.integrations.common.retry import RetryPolicy
    from soarpacks.integrations.common.simkit import serve

    simulator = integration.simulator_class()(seed=seed, faults=faults)
    world_key = f"simulator/{integration.id}/{seed}"
    simulator.load_world(store.load(world_key) or {})
    with serve(simulator) as served:
        # The simulator answers at once: no reason to make a demo wait seconds between retries.
        opened = Instance.configure(integration, {**served.params(), **cli_params}, name=name, store=store,
                                    retry=RetryPolicy(base_delay=0.05, max_delay=0.5))
        try:
            yield opened
        finally:
            world = simulator.save_world()
            if world:
                store.save(world_key, world)
