"""Cortex XSOAR adapter: the ``demisto`` object's calls ↔ the runtime.

``params()`` → the instance (secrets come as credentials objects), ``args()`` → command arguments,
``command()`` → which command; fetch-incidents hands incidents to ``incidents()`` and keeps its bookmark
in ``getLastRun()/setLastRun()`` (other resumable commands in the integration context); results go to
``results()`` as entries with an ``EntryContext`` under the manifest's prefix; errors are one redacted line.
"""
from __future__ import annotations

import json
from typing import Any

from integrations.common import registry
from integrations.common.results import CommandResult
from integrations.common.runner import Instance

from .common import FETCH, TEST, error_line, fetch_args, instance_params

ENTRY_NOTE, ENTRY_ERROR = 1, 4
# Arguments XSOAR itself understands on any command (playbooks pass them); never the integration's.
PLATFORM_ARGS = frozenset({"using", "using-brand", "using-category", "execution-timeout", "extend-context",
                           "ignore-outputs", "retry-count", "retry-interval", "raw-response"})
INSTANCE_NAME = "xsoar"   # XSOAR already keeps lastRun per instance


class XsoarStateStore:
    """fetch-incidents' bookmark in lastRun (saved with the incidents, when the run ends); any other
    resumable command's cursor in the integration context (saved at once)."""

    def __init__(self, demisto: Any, fetch_key: str) -> None:
        self.demisto = demisto
        self.fetch_key = fetch_key
        last = demisto.getLastRun() or {}
        self.last_run: dict[str, Any] = dict(last) if isinstance(last, dict) else {}
        self.changed = False

    def load(self, key: str) -> dict[str, Any] | None:
        if key == self.fetch_key:
            return self.last_run.get(key)
        return (self.demisto.getIntegrationContext() or {}).get(key)

    def save(self, key: str, value: dict[str, Any]) -> None:
        self.save_many({key: value})

    def save_many(self, values: dict[str, dict[str, Any]]) -> None:
        values = json.loads(json.dumps(values))
        others = {k: v for k, v in values.items() if k != self.fetch_key}
        if self.fetch_key in values:
            self.last_run[self.fetch_key] = values[self.fetch_key]
            self.changed = True
        if others:
            context = dict(self.demisto.getIntegrationContext() or {})
            context.update(others)
            self.demisto.setIntegrationContext(context)


def to_incident(incident: dict[str, Any]) -> dict[str, Any]:
    labels = [{"type": "Source", "value": incident["source"]}]
    labels += [{"type": str(k), "value": "" if v is None else str(v)} for k, v in sorted(incident["labels"].items())]
    labels += [{"type": f"indicator.{i['type']}", "value": i["value"]} for i in incident["indicators"]]
    return {"name": incident["name"], "occurred": incident["occurred"], "severity": incident["severity"],
            "dbotMirrorId": incident["id"], "labels": labels,
            "details": incident.get("url") or "", "rawJSON": json.dumps(incident, sort_keys=True)}


def to_entry(result: CommandResult) -> dict[str, Any]:
    context = {}
    if result.prefix:
        key = result.key
        path = f"{result.prefix}(val.{key} && val.{key} == obj.{key})" if key else result.prefix
        context[path] = result.outputs
    return {"Type": ENTRY_NOTE, "ContentsFormat": "json",
            "Contents": result.raw if result.raw is not None else result.outputs,
            "HumanReadable": result.markdown(), "ReadableContentsFormat": "markdown",
            "EntryContext": context}


def return_error(demisto: Any, message: str) -> None:
    demisto.error(message)
    demisto.results({"Type": ENTRY_ERROR, "ContentsFormat": "text", "Contents": message})


def main(demisto: Any, integration_id: str) -> None:
    command = demisto.command()
    try:
        integration = registry.get(integration_id)
        manifest = integration.manifest
        store = XsoarStateStore(demisto, f"{integration_id}/{INSTANCE_NAME}/{FETCH}")
        instance = Instance.configure(integration, instance_params(manifest, demisto.params() or {}),
                                      name=INSTANCE_NAME, store=store)
        if command == FETCH:
            _fetch(demisto, instance, store, fetch_args(manifest, demisto.params() or {}))
        elif command == TEST:
            instance.run(TEST, {})
            if FETCH in manifest.commands and (demisto.params() or {}).get("isFetch"):
                # Also check the fetch settings, without keeping anything.
                from integrations.common.manifest import coerce_values
                coerce_values(manifest.command(FETCH).args, fetch_args(manifest, demisto.params()), what=FETCH)
            demisto.results("ok")
        else:
            args = {k: v for k, v in (demisto.args() or {}).items() if k not in PLATFORM_ARGS}
            demisto.results(to_entry(instance.run(command, args)))
    except Exception as exc:  # one clear, redacted line: the war room and the fetch log show it
        message = error_line(exc)
        if command == FETCH:
            demisto.error(message)
            raise RuntimeError(message) from None
        return_error(demisto, message)


def _fetch(demisto: Any, instance: Instance, store: XsoarStateStore, args: dict[str, Any]) -> None:
    handed: list[dict[str, Any]] = []
    try:
        instance.run(FETCH, args, emit=handed.extend)
    finally:
        # Incidents and the bookmark that covers exactly them go to XSOAR together, even when the run
        # stopped half way: the next run neither skips nor repeats one.
        demisto.incidents([to_incident(i) for i in handed])
        if store.changed:
            demisto.setLastRun(store.last_run)
