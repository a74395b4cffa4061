"""Every vendor's findings against the official OCSF 1.5.0 JSON Schema (from ``ocsf-json-schema``): no
additional property anywhere, no enum id OCSF does not define, captions that match their ids, severity
through the manifest's mapping, and observables wherever the vendor gave indicators."""
from __future__ import annotations

import pytest

from soarpacks.integrations.common import ocsf
from soarpacks.integrations.common.results import CommandResult

from .schema import caption, needs_ocsf_schema, schema_problems

pytestmark = needs_ocsf_schema

# Where each vendor's own severity is, in a fetched incident: what the manifest's severity_mapping maps.
VENDOR_SEVERITY = {
    "alertlogic": lambda incident: incident["labels"].get("threat_rating"),
    "alienvault_usm": lambda incident: str(incident["raw"].get("priority_label") or "").lower(),
    "alphasoc": lambda incident: incident["labels"].get("vendor_severity"),
    "authentic8": lambda incident: incident["labels"].get("log_type"),
    "cisco_gta": lambda incident: incident["raw"].get("risk"),
}


@pytest.fixture
def fetched(integration, served, instance):
    """The simulator's incidents and, in the same order, their findings (with raw_data)."""
    incidents = instance.fetch_all(served.simulator.drain_args())
    assert incidents
    return incidents, ocsf.converter(integration.manifest, "fetch-incidents", include_raw=True)(incidents)


def _get_findings(integration, served, instance):
    """(command, findings) for every get command with an OCSF form, run with the simulator's example."""
    examples = served.simulator.command_examples()
    for name in ocsf.mapping_module(integration.id).OCSF_COMMANDS:
        result = instance.run(name, examples[name])
        assert isinstance(result, CommandResult)
        yield name, ocsf.converter(integration.manifest, name, include_raw=True)(result)


def _assert_valid(findings, what):
    assert findings, f"{what}: no finding"
    problems = [f"{f['finding_info']['uid']}: {p}" for f in findings for p in schema_problems(f)]
    assert problems == [], f"{what}: {problems[:5]}"


def _assert_captions(finding):
    for attribute, named in (("severity_id", "severity"), ("status_id", "status"), ("activity_id", "activity_name")):
        if attribute == "status_id" and finding[attribute] == 99:
            continue   # Other carries the vendor's word
        assert finding[named] == caption("detection_finding", attribute, finding[attribute]), attribute
    for observable in finding.get("observables", []):
        assert observable["type"] == caption("observable", "type_id", observable["type_id"], kind="objects")
    analytic = finding["finding_info"].get("analytic")
    if analytic:
        assert analytic["type"] == caption("analytic", "type_id", analytic["type_id"], kind="objects")


def test_the_official_schema_refuses_an_additional_property_and_an_unknown_enum_id():
    from soarpacks.integrations.common.registry import get
    good = ocsf.finding(ocsf.Context(get("cisco_gta").manifest), uid="a1", title="t", severity_id=3, status_id=1)
    assert schema_problems(good) == []
    assert schema_problems({**good, "vendor_extra": 1})
    assert schema_problems({**good, "severity_id": 7})
    assert schema_problems({**good, "finding_info": {**good["finding_info"], "score": 3}})


def test_fetched_incidents_are_valid_detection_findings(integration, fetched):
    incidents, findings = fetched
    assert len(findings) == len(incidents)
    _assert_valid(findings, f"{integration.id} fetch-incidents")
    assert [f["finding_info"]["uid"] for f in findings] == [i["id"] for i in incidents]


def test_every_get_command_gives_valid_detection_findings(integration, served, instance):
    for name, findings in _get_findings(integration, served, instance):
        _assert_valid(findings, f"{integration.id} {name}")
        for finding in findings:
            _assert_captions(finding)


def test_enum_captions_match_their_ids(fetched):
    for finding in fetched[1]:
        _assert_captions(finding)


def test_severity_follows_the_manifests_mapping(integration, fetched):
    mapping = integration.manifest.data["severity_mapping"]
    checked = 0
    for incident, finding in zip(*fetched):
        vendor = VENDOR_SEVERITY[integration.id](incident)
        if str(vendor) in mapping:
            assert finding["severity_id"] == ocsf.SEVERITY_IDS[mapping[str(vendor)]], (vendor, finding["finding_info"])
            checked += 1
        assert finding["severity_id"] == ocsf.SEVERITY_IDS[incident["severity"]]
    assert checked, "no fetched incident had a severity the manifest maps"


def test_every_indicator_of_an_incident_is_an_observable(fetched):
    for incident, finding in zip(*fetched):
        values = {o["value"] for o in finding.get("observables", [])}
        missing = [i for i in incident["indicators"] if i["value"] not in values]
        assert missing == [], (incident["id"], missing)


def test_raw_data_is_the_vendor_object(fetched):
    import json
    for incident, finding in zip(*fetched):
        assert json.loads(finding["raw_data"]) == json.loads(json.dumps(incident["raw"], default=str))
