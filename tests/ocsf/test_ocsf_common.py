"""The OCSF envelope, enums and conversions every vendor shares (common/ocsf.py). Runs on every Python;
validation against the official schema is in test_ocsf_schema.py."""
from __future__ import annotations

import json

import pytest

from soarpacks.integrations.common import errors, ocsf
from soarpacks.integrations.common.registry import discover, get
from soarpacks.integrations.common.results import CommandResult

INTEGRATIONS = sorted(discover())


def _context(integration_id="cisco_gta", **options):
    return ocsf.Context(get(integration_id).manifest, **options)


def _resolve(record, name):
    """Every value an observable's name points at (a step into a list covers each item)."""
    return list(ocsf._values(record, tuple(name.split("."))))


def _minimal(ctx, **details):
    return ocsf.finding(ctx, uid="a1", title="Beaconing on ws-1", severity_id=3, status_id=1, **details)


def test_severity_comes_from_the_manifests_mapping():
    ctx = _context("cisco_gta")   # severity_mapping: Low 1, Medium 2, High 3, Critical 4
    assert [ctx.severity_id(r) for r in ("Low", "Medium", "High", "Critical")] == [2, 3, 4, 5]


def test_a_vendor_severity_the_manifest_does_not_list_takes_the_fallback():
    assert _context("cisco_gta").severity_id("Severe", fallback=3) == 4
    assert _context("cisco_gta").severity_id(None) == 0


def test_numeric_vendor_severities_are_looked_up_by_their_text():
    assert _context("alphasoc").severity_id(5) == 5   # manifest: "5": 4 (critical)


def test_the_envelope_is_a_detection_finding_of_the_pinned_version():
    record = _minimal(_context())
    assert (record["class_uid"], record["category_uid"], record["type_uid"]) == (2004, 2, 200401)
    assert record["metadata"]["version"] == ocsf.OCSF_VERSION == "1.5.0"
    assert record["metadata"]["product"] == {"name": get("cisco_gta").manifest.data["product"], "vendor_name": "Cisco"}
    assert record["severity"] == "Medium" and record["status"] == "New"


def test_an_update_is_typed_as_an_update():
    record = _minimal(_context(), activity_id=ocsf.UPDATE)
    assert (record["activity_id"], record["activity_name"], record["type_uid"]) == (2, "Update", 200402)


def test_status_other_carries_the_vendors_word():
    assert ocsf.status(99, "Escalated")["status"] == "Escalated"
    assert ocsf.status(4, "completed") == {"status_id": 4, "status": "Resolved", "status_detail": "completed"}


def test_times_become_epoch_milliseconds():
    assert ocsf.ms("2026-10-18T00:39:04.704Z") == 1792283944704
    assert ocsf.ms(1792283944) == 1792283944000
    assert ocsf.ms("not a time") is None


def test_created_and_modified_times_and_the_record_time():
    record = _minimal(_context(), created="2026-10-18T00:00:00Z", modified="2026-10-18T01:00:00Z")
    info = record["finding_info"]
    assert record["time"] == info["modified_time"] == info["created_time"] + 3_600_000


def test_nothing_null_or_empty_is_left_in_a_record():
    record = _minimal(_context(), desc=None, types=[None, ""], analytic=ocsf.analytic(None), device=None)
    text = json.dumps(record)
    assert "null" not in text and '""' not in text and "[]" not in text and "{}" not in text


def test_raw_data_only_with_include_raw():
    raw = {"id": "a1", "secretive": "vendor object"}
    assert "raw_data" not in _minimal(_context(), raw=raw)
    assert json.loads(_minimal(_context(include_raw=True), raw=raw)["raw_data"]) == raw


def test_indicators_become_evidence_and_observables_that_point_at_them():
    indicators = [{"type": "ip", "value": "203.0.113.9", "role": "attacker"},
                  {"type": "ip", "value": "198.51.100.20", "role": "victim"},
                  {"type": "domain", "value": "evil.example", "role": "destination"},
                  {"type": "url", "value": "http://evil.example/x", "role": "destination"},
                  {"type": "user", "value": "mwilson", "role": "source"},
                  {"type": "hash", "value": "a" * 64, "role": "file"},
                  {"type": "ja3", "value": "b" * 32, "role": "client"}]
    record = _minimal(_context(), indicators=indicators)
    observables = record["observables"]
    assert {o["value"] for o in observables} == {i["value"] for i in indicators}
    for observable in observables:
        assert observable["value"] in _resolve(record, observable["name"]), observable
    by_value = {o["value"]: o for o in observables}
    assert by_value["203.0.113.9"]["name"] == "evidences.src_endpoint.ip"
    assert by_value["198.51.100.20"]["name"] == "evidences.dst_endpoint.ip"
    assert (by_value["a" * 64]["type_id"], by_value["http://evil.example/x"]["type_id"]) == (8, 6)


def test_a_hash_of_no_known_length_is_kept_with_an_unknown_algorithm():
    record = _minimal(_context(), indicators=[{"type": "hash", "value": "abc123", "role": "file"}])
    [evidence] = record["evidences"]
    assert evidence["file"]["hashes"] == [{"algorithm_id": 0, "algorithm": "Unknown", "value": "abc123"}]


def test_an_indicator_the_vendor_evidence_already_shows_gets_no_evidence_of_its_own():
    evidence = {"name": "event", "src_endpoint": {"ip": "203.0.113.9"}}
    record = _minimal(_context(), evidences=[evidence],
                      indicators=[{"type": "ip", "value": "203.0.113.9", "role": "attacker"}])
    assert record["evidences"] == [evidence]
    assert [o["name"] for o in record["observables"]] == ["evidences.src_endpoint.ip"]


def test_the_affected_device_is_an_observable():
    record = _minimal(_context(), device=ocsf.device(**ocsf.address("10.0.0.7"), name="ws-7"))
    assert record["device"] == {"ip": "10.0.0.7", "name": "ws-7", "type_id": 0}
    assert {"name": "device.ip", "type_id": 2, "type": "IP Address", "value": "10.0.0.7"} in record["observables"]


def test_an_address_is_an_ip_or_a_host_name():
    assert ocsf.address("2001:db8::1") == {"ip": "2001:db8::1"}
    assert ocsf.address("db-02.corp.example") == {"hostname": "db-02.corp.example"}
    assert ocsf.address(None) == {}


def test_an_ip_field_holding_no_ip_address_is_kept_as_a_host_name():
    assert ocsf.endpoint(ip="unknown", port=80) == {"ip": None, "hostname": "unknown", "domain": None, "name": None,
                                                    "port": 80}
    record = _minimal(_context(), indicators=[{"type": "ip", "value": "n/a-host", "role": "attacker"}])
    assert record["evidences"][0]["src_endpoint"] == {"hostname": "n/a-host"}


def test_a_record_without_an_id_is_the_vendors_fault():
    with pytest.raises(errors.VendorError):
        ocsf.finding(_context(), uid="", title="x", severity_id=0, status_id=0)


@pytest.mark.parametrize("integration_id", INTEGRATIONS)
def test_every_integration_has_one_ocsf_mapping_module(integration_id):
    module = ocsf.mapping_module(integration_id)
    assert callable(module.incident_to_ocsf)
    manifest = get(integration_id).manifest
    for name in module.OCSF_COMMANDS:
        assert manifest.command(name).supported, name


def test_a_command_whose_output_is_no_detection_is_refused_with_exit_2():
    with pytest.raises(errors.InputError) as refused:
        ocsf.converter(get("alphasoc").manifest, "alphasoc-get-threat")
    assert refused.value.exit_code == 2 and "fetch-incidents" in refused.value.message


def test_a_command_is_found_by_its_platform_name_too():
    convert = ocsf.converter(get("cisco_gta").manifest, "cisco-gta-get-alert")
    alert = {"id": "f" * 64, "risk": "High", "status": {"value": "Open"}, "triggeredAt": "2026-10-18T00:00:00Z",
             "threatDetections": []}
    [record] = convert(CommandResult(alert, raw=alert))
    assert (record["severity_id"], record["status_id"]) == (4, 2)
