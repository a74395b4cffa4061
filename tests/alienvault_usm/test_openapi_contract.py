"""The simulator answers as the USM Anywhere OpenAPI file says: every response it gives to the documented
operations has a documented status code, and its body validates against the documented schema
($refs resolved here, formats such as uuid checked)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from soarpacks.integrations.alienvault_usm.simulator import API
from tests.openapi_support import OpenApiSpec

# A verbatim copy of the shared specs/usm-anywhere-v2.openapi.yaml, so the test runs anywhere.
SPEC_PATH = Path(__file__).parent / "data" / "usm-anywhere-v2.openapi.yaml"
SPEC = OpenApiSpec.load(SPEC_PATH, base_path=API)
resolve = SPEC.resolve
assert_documented = SPEC.assert_documented


@pytest.fixture
def api(served, sim):
    """A requests session with a token, the way a plain client would talk to the simulator."""
    session = requests.Session()
    token = session.post(f"{served.url}{API}/oauth/token", data={"grant_type": "client_credentials"},
                         auth=(sim.client_id, sim.client_secret))
    assert_documented(token)
    session.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    session.base = f"{served.url}{API}"  # type: ignore[attr-defined]
    return session


def get(api, path: str, **params: Any) -> requests.Response:
    response = api.get(f"{api.base}{path}", params=params)
    assert_documented(response)
    return response


def test_the_ref_resolver_inlines_nested_component_schemas():
    alarm_page = resolve({"$ref": "#/components/schemas/AlarmPage"})
    item = alarm_page["properties"]["_embedded"]["properties"]["alarms"]["items"]
    assert item["properties"]["events"]["items"]["required"] == ["uuid", "has_alarm", "needs_enrichment"]
    assert "$ref" not in repr(alarm_page)


def test_the_validator_rejects_what_the_spec_forbids():
    schema = resolve({"$ref": "#/components/schemas/Alarm"})
    validator = SPEC.validator(schema)
    assert not validator.is_valid({"uuid": "not-a-uuid", "has_alarm": False, "needs_enrichment": False})
    assert not validator.is_valid({"uuid": "971918fd-a569-548a-5a80-1ffcda2a8365", "has_alarm": False})


def test_token_answers_validate_including_the_401_for_a_bad_client(served, sim):
    good = requests.post(f"{served.url}{API}/oauth/token", data={"grant_type": "client_credentials"},
                         auth=(sim.client_id, sim.client_secret))
    assert good.status_code == 200
    assert_documented(good)
    bad = requests.post(f"{served.url}{API}/oauth/token", data={"grant_type": "client_credentials"},
                        auth=(sim.client_id, "canary-wrong"))
    assert bad.status_code == 401
    assert_documented(bad)


def test_every_alarm_page_validates_first_middle_last_and_past_the_end(api):
    first = get(api, "/alarms", page=0, size=50, sort="timestamp_occured,asc").json()
    last_page = first["page"]["totalPages"] - 1
    for number in (1, last_page, last_page + 3):
        get(api, "/alarms", page=number, size=50, sort="timestamp_occured,asc")


def test_filtered_and_empty_alarm_searches_validate(api):
    get(api, "/alarms", status="open", priority_label=["medium", "high"], suppressed="false")
    empty = get(api, "/alarms", timestamp_occured_gte=1, timestamp_occured_lte=2).json()
    assert empty["page"]["totalElements"] == 0


def test_alarm_details_and_the_404_for_a_missing_alarm_validate(api, sim):
    for alarm_id in list(sim.alarms)[:20]:
        get(api, f"/alarms/{alarm_id}")
    assert get(api, "/alarms/00000000-0000-4000-8000-000000000000").status_code == 404


def test_label_reads_and_writes_answer_as_documented(api, sim):
    alarm_id, label = next(iter(sim.alarms)), sim.label_catalog[0]
    for method in ("PUT", "PUT", "DELETE", "DELETE"):
        response = api.request(method, f"{api.base}/alarms/{alarm_id}/labels/{label}")
        assert_documented(response)
    assert get(api, f"/alarms/{alarm_id}/labels").status_code == 200
    missing = api.put(f"{api.base}/alarms/{alarm_id}/labels/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404
    assert_documented(missing)


def test_event_pages_and_event_details_validate(api, sim):
    page = get(api, "/events", page=0, size=100, sort="timestamp_occured,desc").json()
    get(api, "/events", page=page["page"]["totalPages"] - 1, size=100)
    get(api, "/events", account_name="corp-aws", suppressed="true")
    for event_id in list(sim.events)[:20]:
        get(api, f"/events/{event_id}")
    assert get(api, "/events/00000000-0000-4000-8000-000000000000").status_code == 404
