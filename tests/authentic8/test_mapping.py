"""Silo log records as incidents and as command outputs."""
import pytest

from soarpacks.integrations.common.schemas import incident_validator
from soarpacks.integrations.authentic8.mapping import (default_fetch_types, encrypted_only, log_entry, log_to_incident,
                                                      log_types)
from soarpacks.integrations.common.registry import get

URL_RECORD = {  # the vendor's own example, with the fields the API adds today
    "domain": "www.java.com", "user_id": "466aa3d4", "seq_id": 3204201, "response_code": 200, "org_id": "509c0c0",
    "session_id": "399aa9", "create_ts": 1404245973.396193, "response_size": 2516,
    "path": "/en/download/installed.jsp", "scheme": "http", "port": 80, "method": "GET", "type": "URL",
    "client_ip": "203.0.113.7", "categories": ["Technology", "Business"],
    "headers": "Host: www.java.com\r\n", "response_headers": "Server: Sun-Java-System-Web-Server/7.0\r\n",
}
ENC_RECORD = {"key_name": "SILOTest", "enc": "AegpLEeh9mseUW8Gc7eop03cZ", "type": "ENC",
              "create_ts": 1407538630.06108, "seq_id": 3233682}


def test_a_url_log_becomes_a_schema_valid_incident_with_typed_indicators():
    incident = log_to_incident(URL_RECORD, org="Acme Corp", log_type="URL")
    incident_validator().validate(incident)
    assert incident["id"] == "Acme Corp/URL/3204201"
    assert incident["occurred"] == incident["updated"] == "2014-07-01T20:19:33.396Z"
    assert incident["name"] == "Silo URL: GET hxxp://www[.]java[.]com/en/download/installed[.]jsp"
    assert {(i["type"], i["value"]) for i in incident["indicators"]} == {
        ("url", "http://www.java.com/en/download/installed.jsp"), ("domain", "www.java.com"),
        ("ip", "203.0.113.7"), ("user", "466aa3d4")}
    assert incident["labels"]["categories"] == "Technology, Business"
    assert incident["raw"] is URL_RECORD


def test_an_enc_log_passes_through_with_its_key_name_and_unknown_severity():
    incident = log_to_incident(ENC_RECORD, org="Acme Corp/Research", log_type="ENC")
    incident_validator().validate(incident)
    assert incident["severity"] == 0 and incident["labels"]["key_name"] == "SILOTest"
    assert incident["name"] == "Silo encrypted log (key SILOTest)"
    assert incident["raw"]["enc"] == ENC_RECORD["enc"] and incident["indicators"] == []


def test_the_records_own_type_wins_over_the_type_asked_for():
    # An encrypted org answers ENC records whatever type was requested.
    assert log_to_incident(ENC_RECORD, org="X", log_type="URL")["labels"]["log_type"] == "ENC"


@pytest.mark.parametrize("log_type, severity", [("EXPLOIT", 3), ("ISOLATE_BYPASS", 3), ("BLOCKED URL", 2),
                                                ("DOWNLOAD", 2), ("UPLOAD", 2), ("ADMIN_AUDIT", 2), ("AUTH", 1),
                                                ("URL", 1), ("ENC", 0), ("SOMETHING_NEW", 0)])
def test_severity_is_per_log_type(log_type, severity):
    record = {**URL_RECORD, "type": log_type}
    assert log_to_incident(record, org="Acme Corp", log_type=log_type)["severity"] == severity


def test_every_log_type_the_api_names_has_a_severity_in_the_manifest():
    assert set(get("authentic8").manifest.severity_mapping) == set(log_types()) and len(log_types()) == 25


def test_the_log_types_only_ever_logged_encrypted_are_those_fetch_cannot_ask_for():
    assert encrypted_only() == {"COOKIES", "POST DATA", "ENC"}
    assert "URL" not in default_fetch_types() and "EXPLOIT" in default_fetch_types()


def test_a_blocked_url_is_defanged_in_the_name_and_kept_whole_in_indicators():
    record = {"seq_id": 5, "create_ts": 1.5, "type": "BLOCKED URL", "url": "https://secure-paypa1.com/login",
              "domain": "secure-paypa1.com", "reason": "Blocked by category policy: Phishing"}
    incident = log_to_incident(record, org="Acme Corp", log_type="BLOCKED URL")
    assert "hxxps://secure-paypa1[.]com" in incident["name"] and "https://" not in incident["name"]
    assert {"type": "url", "value": "https://secure-paypa1.com/login", "role": "blocked"} in incident["indicators"]


def test_a_download_carries_its_file_hashes_as_indicators():
    record = {"seq_id": 6, "create_ts": 2.0, "type": "DOWNLOAD", "filename": "setup.exe", "domain": "mega.nz",
              "url": "https://mega.nz/f", "sha256": "a" * 64, "md5": "b" * 32, "user_id": "u1"}
    incident = log_to_incident(record, org="Acme Corp", log_type="DOWNLOAD")
    hashes = [i["value"] for i in incident["indicators"] if i["type"] == "hash"]
    assert hashes == ["a" * 64, "b" * 32]
    assert incident["name"] == "Silo DOWNLOAD: setup[.]exe from mega[.]nz"


def test_a_log_entry_output_keeps_the_vendor_fields_and_adds_id_org_and_time():
    entry = log_entry(URL_RECORD, org="Acme Corp", log_type="URL")
    assert entry["id"] == "Acme Corp/URL/3204201" and entry["org"] == "Acme Corp"
    assert entry["time"] == "2014-07-01T20:19:33.396Z" and entry["response_code"] == 200
