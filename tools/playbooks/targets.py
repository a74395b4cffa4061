"""One instance per integration a playbook uses, open for the whole run.

With ``simulate`` each integration gets its own simulator, served for the whole run, so what one step
writes (a status, a note, a label) is what a later step reads. Otherwise each integration's instance
comes from the config file (``--instance NAME``, repeatable, or the file's only instance of that
integration) or from ``SOARPACKS_<INTEGRATION>_<PARAM>`` environment variables — exactly as
``soarpacks run`` finds it, because it is the same code (``tools.instances.open_instance``).

A playbook keeps its own fetch bookmark (state key ``<integration>/<instance>/playbook/<file>``): a
triage playbook run from cron sees each incident once, and never moves the bookmark of the instance's
own ``soarpacks run fetch-incidents``.
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator, Sequence

import yaml

from soarpacks.integrations.common import errors

from ..instances import open_instance
from .model import Playbook


@contextlib.contextmanager
def open_instances(playbook: Playbook, *, simulate: bool, seed: int = 0, faults: str | None = None,
                   config: str | None = None, instances: Sequence[str] = (), state: str | None = None
                   ) -> Iterator[dict[str, Any]]:
    if simulate and (config or instances):
        raise errors.InputError("--simulate runs against simulators: leave out --config and --instance")
    if instances and not config:
        raise errors.InputError("--instance needs --config FILE")
    chosen = _instances_by_integration(playbook, config, instances) if config else {}
    with contextlib.ExitStack() as stack:
        opened = {}
        for integration in playbook.integrations:
            instance = stack.enter_context(open_instance(
                integration, simulate=simulate, seed=seed, faults=faults, state=state,
                config=config if integration in chosen else None, instance=chosen.get(integration)))
            instance.name = f"{instance.name}/playbook/{playbook.slug}"
            opened[integration] = instance
        yield opened


def _instances_by_integration(playbook: Playbook, config: str, names: Sequence[str]) -> dict[str, str]:
    try:
        with open(config, encoding="utf-8") as handle:
            entries = (yaml.safe_load(handle) or {}).get("instances") or {}
    except (OSError, yaml.YAMLError, AttributeError) as exc:
        raise errors.ConfigError(f"cannot read config file {config}: {type(exc).__name__}") from None
    if not isinstance(entries, dict):
        raise errors.ConfigError(f"config file {config}: instances must be a mapping of name to instance")
    integration_of = {name: (entry or {}).get("integration") for name, entry in entries.items()
                      if isinstance(entry, dict)}
    chosen: dict[str, str] = {}
    for name in names:
        if name not in integration_of:
            raise errors.ConfigError(f"config file {config} has no instance {name!r}")
        integration = integration_of[name]
        if integration in chosen:
            raise errors.InputError(f"--instance {chosen[integration]} and {name} are both {integration}: "
                                    f"a playbook uses one instance per integration")
        chosen[integration] = name
    for integration in playbook.integrations:
        if integration in chosen:
            continue
        candidates = [name for name, used in integration_of.items() if used == integration]
        if len(candidates) == 1:
            chosen[integration] = candidates[0]
        elif len(candidates) > 1:
            raise errors.InputError(f"config file {config} has several {integration} instances "
                                    f"({', '.join(candidates)}): choose one with --instance")
    return chosen
