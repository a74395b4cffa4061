"""Cortex XSOAR adapter: the ``demisto`` object's calls ↔ the runtime.

``params()`` → the instance (secrets come as credentials objects), ``args()`` → command arguments,
``command()`` → which command; fetch-incidents hands incidents to ``incidents()`` and keeps its bookmark
in ``getLastRun()/setLastRun()`` (other resumable commands in the integration context); results go to
``results()`` as entries with an ``EntryContext`` under the manifest's prefix; errors are one redacted line.

Incoming mirroring, for integrations whose manifest has a ``mirroring`` block: ``get-modified-remote-data``
answers the ids changed since XSOAR's ``lastUpdate``, ``get-remote-data`` the object as it is now plus a
war-room entry, ``get-mapping-fields`` the fields of the incident's ``rawJSON``; the results have the
shapes of CommonServerPython's ``GetModifiedRemoteDataResponse``, ``GetRemoteDataResponse`` and
``GetMappingFieldsResponse``, as plain dicts.

fetch-incidents hands XSOAR only new incidents, whatever the mirroring direction: XSOAR's fetch can only
create incidents, so an update it reads (``labels.change == "update"``, a changed object already handed
over) would become a second incident with the same ``dbotMirrorId``. With incoming mirroring on, changes
reach their incident through ``get-remote-data``; with mirroring off they do not reach XSOAR at all
(the integration's ``include_updates`` then only moves the bookmark past them).
"""
from __future__ import annotations

import json
from typing import Any

from .. import registry
from ..results import CommandResult
from ..runner import Instance

from . import mirroring
from .common import FETCH, TEST, error_line, fetch_args, instance_params

ENTRY_NOTE, ENTRY_ERROR = 1, 4
# Arguments XSOAR itself understands on any command (playbooks pass them); never the integration's.
PLATFORM_ARGS = frozenset({"using", "using-brand", "using-category", "execution-timeout", "extend-context",
                           "ignore-outputs", "retry-count", "retry-interval", "raw-response"})
INSTANCE_NAME = "xsoar"   # XSOAR already keeps lastRun per instance
# XSOAR's mirroring commands, the instance setting and its values (XSOAR's own labels).
GET_MODIFIED, GET_REMOTE, GET_MAPPING = "get-modified-remote-data", "get-remote-data", "get-mapping-fields"
UPDATE_REMOTE = "update-remote-system"
MIRROR_SETTING, MIRROR_NONE, MIRROR_INCOMING = "mirror_direction", "None", "Incoming"
MIRROR_OUTGOING, MIRROR_BOTH = "Outgoing", "Incoming And Outgoing"
MIRROR_IN = "In"          # dbotMirrorDirection for incoming only
# The incident's dbotMirrorDirection for each setting.
DIRECTIONS = {MIRROR_INCOMING: MIRROR_IN, MIRROR_OUTGOING: "Out", MIRROR_BOTH: "Both"}
INCIDENT_DONE = 2         # XSOAR's IncidentStatus.DONE: the incident was closed


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


def to_incident(incident: dict[str, Any], *, mirror_instance: str | None = None,
                direction: str = MIRROR_IN) -> dict[str, Any]:
    """``mirror_instance``: the instance that mirrors this incident (None when mirroring is off);
    ``direction``: its dbotMirrorDirection (In, Out or Both)."""
    labels = [{"type": "Source", "value": incident["source"]}]
    labels += [{"type": str(k), "value": "" if v is None else str(v)} for k, v in sorted(incident["labels"].items())]
    labels += [{"type": f"indicator.{i['type']}", "value": i["value"]} for i in incident["indicators"]]
    entry = {"name": incident["name"], "occurred": incident["occurred"], "severity": incident["severity"],
             "dbotMirrorId": incident["id"], "labels": labels,
             "details": incident.get("url") or "", "rawJSON": json.dumps(incident, sort_keys=True)}
    if mirror_instance is not None:
        entry.update(dbotMirrorDirection=direction, dbotMirrorInstance=mirror_instance)
    return entry


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
        settings = demisto.params() or {}
        mirrors = mirroring.spec(manifest) is not None
        direction = DIRECTIONS.get(settings.get(MIRROR_SETTING)) if mirrors else None
        if direction is not None and direction != MIRROR_IN and not mirroring.closes(manifest):
            direction = None  # a setting this pack does not offer: no mirroring
        if command == FETCH:
            mirror_instance = demisto.integrationInstance() if direction else None
            _fetch(demisto, instance, store, fetch_args(manifest, settings), mirror_instance=mirror_instance,
                   direction=direction or MIRROR_IN)
        elif mirrors and command in (GET_MODIFIED, GET_REMOTE, GET_MAPPING):
            demisto.results(_mirroring(command, manifest, instance, demisto.args() or {}))
        elif mirrors and command == UPDATE_REMOTE:
            demisto.results(_update_remote(manifest, instance, demisto.args() or {},
                                           outgoing=direction in ("Out", "Both")))
        elif command == TEST:
            instance.run(TEST, {})
            if FETCH in manifest.commands and (demisto.params() or {}).get("isFetch"):
                # Also check the fetch settings, without keeping anything.
                from ..manifest import coerce_values
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


def _mirroring(command: str, manifest: Any, instance: Instance, args: dict[str, Any]) -> Any:
    if command == GET_MODIFIED:
        # GetModifiedRemoteDataResponse.to_entry(): the ids XSOAR then runs get-remote-data for.
        ids = mirroring.modified_ids(instance, manifest, str(args.get("lastUpdate") or ""))
        return {"Type": ENTRY_NOTE, "ContentsFormat": "json", "Contents": ids}
    if command == GET_REMOTE:
        # GetRemoteDataResponse.extract_for_local(): the mirrored object, then the entries. The object
        # has the rawJSON's shape (mirroring.mirrored), so the incoming mapper that maps fetched
        # incidents maps the updates too.
        remote_id = str(args["id"])
        result = mirroring.current(instance, manifest, remote_id)
        return [mirroring.mirrored(manifest, remote_id, result), {**to_entry(result), "EntryContext": {}}]
    # GetMappingFieldsResponse.extract_mapping(): {incident type: {field: description}} for the mapper.
    from ..manifest import SCHEMAS_DIR, load_json_schema
    properties = load_json_schema(str(SCHEMAS_DIR / "incident.schema.json"))["properties"]
    return {manifest.name: {name: spec.get("description", name) for name, spec in properties.items()}}


def _update_remote(manifest: Any, instance: Instance, args: dict[str, Any], *, outgoing: bool) -> str:
    """update-remote-system (UpdateRemoteSystemArgs: remoteId, status, delta, data, incidentChanged): when
    the incident was closed in XSOAR and the instance mirrors out, close the object at the vendor with
    the mapped close reason. XSOAR expects the remote id back."""
    remote_id = str(args.get("remoteId") or "")
    delta = args.get("delta") or {}
    data = args.get("data") or {}
    if isinstance(delta, str):
        delta = json.loads(delta or "{}")
    if isinstance(data, str):
        data = json.loads(data or "{}")
    closed = str(args.get("status", "")) == str(INCIDENT_DONE) or "closeReason" in delta
    changed = str(args.get("incidentChanged", "")).lower() in ("true", "1")
    if outgoing and changed and closed and remote_id:
        reason = str(delta.get("closeReason") or data.get("closeReason") or "")
        notes = str(delta.get("closeNotes") or data.get("closeNotes") or "")
        mirroring.close(instance, manifest, remote_id, reason=reason, notes=notes)
    return remote_id


def _fetch(demisto: Any, instance: Instance, store: XsoarStateStore, args: dict[str, Any], *,
           mirror_instance: str | None = None, direction: str = MIRROR_IN) -> None:
    handed: list[dict[str, Any]] = []
    try:
        instance.run(FETCH, args, emit=handed.extend)
    finally:
        # Incidents and the bookmark that covers exactly them go to XSOAR together, even when the run
        # stopped half way: the next run neither skips nor repeats one.
        # Updates of incidents already fetched never become incidents: XSOAR's fetch can only create, so
        # each would be a duplicate of its incident. Mirroring in (when on) brings the change instead.
        handed = [i for i in handed if not mirroring.is_update(i)]
        demisto.incidents([to_incident(i, mirror_instance=mirror_instance, direction=direction) for i in handed])
        if store.changed:
            demisto.setLastRun(store.last_run)
