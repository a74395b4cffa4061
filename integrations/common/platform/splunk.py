"""Splunk SOAR adapter: a ``BaseConnector`` that runs the runtime.

Actions: ``test_connectivity`` → test-module, ``on_poll`` → fetch-incidents (each incident a container
with an incident artifact and one artifact per indicator, saved before the bookmark moves), every other
supported command → an action named by its platform name without the vendor (``cisco-gta-list-alerts`` →
``list_alerts``, see ``splunk_names``). Bookmarks live in the asset's state (``load_state``/``save_state``);
each batch's is saved as soon as its containers are.

An incident handed over again (a changed alert) has the container it was first saved in: Splunk SOAR answers
"Duplicate container found" with that container's id and keeps the container as it was, so the change is
added to it as an ``incident update`` artifact (status, times, labels; one per change, named by the
incident's ``updated`` time, so a change seen twice is added once). Numeric parameters arrive as floats
(``5.0``); the runtime's argument coercion takes integral ones for integers. Output maps keyed by data
values (host -> event ids) become lists of ``{key, count, ...}``, since no data path can name a value.

With the asset setting ``ocsf_artifact`` on (off by default), each new container also gets the incident as
an OCSF Detection Finding (the same mapping as ``-o ocsf``), in an ``ocsf finding`` artifact's data, for a
playbook that forwards findings to a data lake or SIEM.
"""
from __future__ import annotations

import json
from typing import Any

import phantom.app as phantom
from phantom.action_result import ActionResult
from phantom.base_connector import BaseConnector

from .. import ocsf, registry
from ..runner import Instance

from .common import (
    FETCH,
    POLL_ACTION,
    TEST,
    TEST_ACTION,
    error_line,
    fetch_args,
    instance_params,
)
from .splunk_data import splunk_items
from .splunk_names import OCSF_SETTING, action_identifier, arg_contains, incident_id_contains, offered

INSTANCE_NAME = "splunk"  # Splunk SOAR keeps state per asset already
SEVERITY = {0: "low", 1: "low", 2: "medium", 3: "high", 4: "high"}
# Indicator type → (CEF field, "contains" type; kept on the artifact only if Splunk or an action knows it).
CEF = {"ip": ("ip", "ip"), "domain": ("destinationDnsDomain", "domain"), "url": ("requestURL", "url"),
       "hash": ("fileHash", "hash"), "user": ("sourceUserName", "user name"), "host": ("deviceHostname", "host name"),
       "email": ("emailAddress", "email"), "ja3": ("ja3", "ja3")}


class SplunkStateStore:
    def __init__(self, connector: "SoarpacksConnector") -> None:
        self.connector = connector

    def load(self, key: str) -> dict[str, Any] | None:
        value = self.connector.state.get(key)
        return json.loads(json.dumps(value)) if value is not None else None

    def save(self, key: str, value: dict[str, Any]) -> None:
        self.save_many({key: value})

    def save_many(self, values: dict[str, dict[str, Any]]) -> None:
        self.connector.state.update(json.loads(json.dumps(values)))
        self.connector.save_state(self.connector.state)


def _incident_cef(incident: dict[str, Any], manifest: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    cef = {"incidentId": incident["id"], "status": incident["status"], "occurred": incident["occurred"],
           "updated": incident["updated"], "url": incident.get("url"),
           **{f"label_{k}": v for k, v in sorted(incident["labels"].items())}}
    # Each field an action accepts carries that action's contains type, so the analyst can run it from here.
    types = {"incidentId": incident_id_contains(manifest), "url": ["url"]}
    types.update({f"label_{k}": arg_contains(manifest, k) for k in incident["labels"]})
    types = {k: offered(manifest, v) for k, v in types.items()}
    return cef, {k: v for k, v in types.items() if v}


def ocsf_artifact(incident: dict[str, Any], finding: dict[str, Any], severity: str) -> dict[str, Any]:
    """The incident's OCSF Detection Finding, whole in the artifact's data; its ids in the CEF for search."""
    return {"name": "ocsf finding", "label": "ocsf", "severity": severity,
            "source_data_identifier": f"{incident['id']}:ocsf",
            "cef": {"ocsfClassUid": finding["class_uid"], "ocsfVersion": finding["metadata"]["version"],
                    "ocsfFindingUid": finding["finding_info"]["uid"]},
            "data": finding}


def to_container(incident: dict[str, Any], label: str | None, manifest: Any = None, *,
                 finding: dict[str, Any] | None = None) -> dict[str, Any]:
    severity = SEVERITY.get(incident["severity"], "medium")
    cef, cef_types = _incident_cef(incident, manifest) if manifest is not None else ({}, {})
    artifacts = [{
        "name": "incident", "label": "incident", "severity": severity,
        "source_data_identifier": incident["id"], "cef": cef, "cef_types": cef_types, "data": incident["raw"],
    }]
    for indicator in incident["indicators"]:
        field, contains = CEF.get(indicator["type"], (indicator["type"], indicator["type"]))
        kinds = offered(manifest, [contains]) if manifest is not None else [contains]
        artifacts.append({
            "name": indicator.get("role") or indicator["type"], "label": "indicator", "severity": severity,
            "source_data_identifier": f"{incident['id']}:{indicator['type']}:{indicator['value']}",
            "cef": {field: indicator["value"]}, "cef_types": {field: kinds} if kinds else {},
        })
    if finding is not None:
        artifacts.append(ocsf_artifact(incident, finding, severity))
    for artifact in artifacts:
        artifact["run_automation"] = False
    artifacts[-1]["run_automation"] = True  # playbooks start once, after the last artifact
    container = {"name": incident["name"], "description": incident.get("url") or incident["name"],
                 "source_data_identifier": incident["id"], "severity": severity, "start_time": incident["occurred"],
                 "data": incident, "artifacts": artifacts}
    if label:
        container["label"] = label
    return container


def update_artifact(incident: dict[str, Any], container_id: int, manifest: Any) -> dict[str, Any]:
    """The change to an incident that already has a container, as one more artifact of that container."""
    cef, cef_types = _incident_cef(incident, manifest)
    return {"name": "incident update", "label": "incident", "container_id": container_id,
            "severity": SEVERITY.get(incident["severity"], "medium"),
            "source_data_identifier": f"{incident['id']}@{incident['updated']}", "cef": cef, "cef_types": cef_types,
            "data": incident["raw"], "run_automation": True}


class SoarpacksConnector(BaseConnector):
    INTEGRATION_ID = ""

    def __init__(self) -> None:
        super().__init__()
        self.state: dict[str, Any] = {}
        self.instance: Instance | None = None
        self.setup_error: str | None = None

    def initialize(self) -> bool:
        self.state = self.load_state() or {}
        try:
            integration = registry.get(self.INTEGRATION_ID)
            self.instance = Instance.configure(integration, instance_params(integration.manifest, self.get_config()),
                                               name=INSTANCE_NAME, store=SplunkStateStore(self))
        except Exception as exc:  # reported by the action, so the user sees it where they ran it
            self.setup_error = error_line(exc)
        return phantom.APP_SUCCESS

    def finalize(self) -> bool:
        self.save_state(self.state)
        return phantom.APP_SUCCESS

    def handle_action(self, param: dict[str, Any]) -> bool:
        action_result = self.add_action_result(ActionResult(dict(param)))
        try:
            if self.setup_error:
                return action_result.set_status(phantom.APP_ERROR, self.setup_error)
            assert self.instance is not None
            identifier = self.get_action_identifier()
            if identifier == TEST_ACTION:
                self.save_progress("Connecting with the asset's settings")
                self.instance.run(TEST, {})
                self.save_progress("Test Connectivity Passed")
                return action_result.set_status(phantom.APP_SUCCESS, "Test Connectivity Passed")
            if identifier == POLL_ACTION:
                return self._poll(param, action_result)
            return self._command(identifier, param, action_result)
        except Exception as exc:
            message = error_line(exc)
            if self.get_action_identifier() == TEST_ACTION:
                self.save_progress("Test Connectivity Failed")
            return action_result.set_status(phantom.APP_ERROR, message)

    def _command(self, identifier: str, param: dict[str, Any], action_result: Any) -> bool:
        manifest = self.instance.integration.manifest
        command = next((c for c in manifest.commands.values()
                        if c.supported and action_identifier(manifest, c) == identifier), None)
        if command is None:
            return action_result.set_status(phantom.APP_ERROR, f"unknown action {identifier!r}")
        names = {a["name"] for a in command.args}
        result = self.instance.run(command.name, {k: v for k, v in param.items() if k in names})
        items = splunk_items(manifest, command, result.outputs)
        for item in items:
            action_result.add_data(item)
        action_result.update_summary({"total_objects": len(items)})
        return action_result.set_status(phantom.APP_SUCCESS, f"{len(items)} item(s)")

    def _poll(self, param: dict[str, Any], action_result: Any) -> bool:
        manifest = self.instance.integration.manifest
        config = self.get_config()
        args = fetch_args(manifest, config)
        arg_names = {a["name"] for a in manifest.command(FETCH).args}
        if self.is_poll_now() and "max_fetch" in arg_names and param.get("container_count"):
            args["max_fetch"] = param["container_count"]
        label = (config.get("ingest") or {}).get("container_label")
        counts = {"containers_created": 0, "containers_updated": 0}
        to_ocsf = ocsf.converter(manifest, FETCH) if config.get(OCSF_SETTING) is True else None

        def emit(incidents: list[dict[str, Any]]) -> None:
            findings = to_ocsf(incidents) if to_ocsf is not None else [None] * len(incidents)
            for incident, finding in zip(incidents, findings):
                counts[self._save_incident(incident, label, manifest, finding)] += 1

        count = self.instance.run(FETCH, args, emit=emit)
        action_result.update_summary({"incidents": count, **counts})
        self.save_progress(f"{count} incident(s): {counts['containers_created']} new container(s), "
                           f"{counts['containers_updated']} updated")
        return action_result.set_status(phantom.APP_SUCCESS, f"{count} incident(s) ingested")

    def _save_incident(self, incident: dict[str, Any], label: str | None, manifest: Any,
                       finding: dict[str, Any] | None = None) -> str:
        status, message, container_id = self.save_container(to_container(incident, label, manifest, finding=finding))
        if phantom.is_fail(status):
            raise RuntimeError(f"cannot save the container for {incident['id']}: {message}")
        if "duplicate container" not in str(message).lower():
            return "containers_created"
        status, message, _ = self.save_artifacts([update_artifact(incident, container_id, manifest)])
        if phantom.is_fail(status):
            raise RuntimeError(f"cannot add the update of {incident['id']} to container {container_id}: {message}")
        return "containers_updated"
