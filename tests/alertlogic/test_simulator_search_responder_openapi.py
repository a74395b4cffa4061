"""The simulator's Expert Mode Search and Responder answer as Alert Logic's official definitions say.

``data/alertlogic-search.v2.yaml`` and ``data/alertlogic-responder.v1.yaml`` are verbatim copies of
``alsdkdefs/apis/search/search.v2.yaml`` and ``alsdkdefs/apis/responder/responder.v1.yaml`` from the
alertlogic-sdk-definitions 0.1.168 wheel on PyPI (MIT, licence beside them).
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests

from soarpacks.integrations.alertlogic import simulator_responder, simulator_search
from soarpacks.integrations.alertlogic.simulator import Simulator
from soarpacks.integrations.common.simkit import serve
from tests.openapi_support import OpenApiSpec

DATA = Path(__file__).parent / "data"
SEARCH = OpenApiSpec.load(DATA / "alertlogic-search.v2.yaml", base_path="")
RESPONDER = OpenApiSpec.load(DATA / "alertlogic-responder.v1.yaml", base_path="")
QUERY = "SELECT time_recv, message FROM logmsgs WHERE CONTAINS(message, 'Failed password')"


def spec_for(path: str) -> OpenApiSpec:
    return SEARCH if path.startswith("/search/") else RESPONDER


def documented(answer: requests.Response, *, also_allowed: tuple[str, ...] = ()) -> requests.Response:
    spec_for(urlparse(answer.url).path).assert_documented(answer, also_allowed=also_allowed)
    return answer


@pytest.fixture
def world():
    sim = Simulator(seed=5, incidents=12)
    with serve(sim) as running:
        session = requests.Session()
        token = session.post(running.url.rstrip("/") + "/aims/v1/authenticate", auth=(sim.username, sim.password),
                             timeout=10).json()["authentication"]["token"]
        session.headers["x-aims-auth-token"] = token
        yield sim, session, running.url.rstrip("/")


@pytest.mark.parametrize("rule", simulator_search.ROUTES + simulator_responder.ROUTES, ids=lambda r: r.endpoint)
def test_every_search_and_responder_route_is_an_operation_of_its_file(rule):
    concrete = rule.rule
    for name in ("account_id", "search_uuid", "execution_id", "incident_id", "config_id"):
        concrete = concrete.replace(f"<{name}>", "1234")
    for method in rule.methods - {"HEAD", "OPTIONS"}:
        template, _ = spec_for(concrete).operation(method, concrete)
        assert template.replace("{id}", "{config_id}").replace("{", "<").replace("}", ">") == rule.rule


def test_a_search_from_submit_to_release_answers_as_documented(world):
    sim, http, url = world
    base = f"{url}/search/v2/{sim.account_id}/searches"
    submitted = documented(http.post(base, params={"start": 0, "end": 2**31, "search_type": "batch"}, data=QUERY,
                                     headers={"Content-Type": "text/plain"}))
    uuid = submitted.json()["search_uuid"]
    pending = documented(http.get(f"{base}/{uuid}"))
    statuses = [documented(http.get(f"{base}/{uuid}/status")).json()["search_status"] for _ in range(sim.search_polls)]
    page = documented(http.get(f"{base}/{uuid}", params={"limit": 2, "offset": 1}))
    released = documented(http.delete(f"{base}/{uuid}"))
    after = documented(http.get(f"{base}/{uuid}"))
    assert submitted.status_code == 201 and pending.json()["search_status"] == "pending"
    assert statuses[-1] == "complete" and len(page.json()["results"]["results"]) == 2
    assert released.status_code == 202 and after.json()["search_status"] == "released"


def test_a_suspended_search_run_to_the_end_answers_as_documented(world):
    sim, http, url = world
    sim.suspend_at = 3
    base = f"{url}/search/v2/{sim.account_id}/searches"
    uuid = http.post(base, params={"timeframe": 10**8}, data="SELECT * FROM logmsgs").json()["search_uuid"]
    states = [documented(http.get(f"{base}/{uuid}/status")).json() for _ in range(sim.search_polls)]
    accepted = documented(http.post(f"{base}/{uuid}/complete"))
    assert states[-1]["search_status"] == "suspended" and states[-1]["total_found"] == 3
    assert accepted.status_code == 202


def test_search_refusals_answer_as_documented(world):
    sim, http, url = world
    base = f"{url}/search/v2/{sim.account_id}/searches"
    bad_query = documented(http.post(base, data="DELETE FROM logmsgs"))
    unknown = documented(http.get(f"{base}/00000000-0000-4000-8000-000000000000/status"))
    unknown_release = documented(http.delete(f"{base}/00000000-0000-4000-8000-000000000000"))
    assert (bad_query.status_code, unknown.status_code, unknown_release.status_code) == (400, 404, 204)


def test_a_failed_search_answers_as_documented(world):
    sim, http, url = world
    sim.search_failure = True
    base = f"{url}/search/v2/{sim.account_id}/searches"
    uuid = http.post(base, data=QUERY).json()["search_uuid"]
    states = [documented(http.get(f"{base}/{uuid}/status")).json()["search_status"] for _ in range(sim.search_polls)]
    results = documented(http.get(f"{base}/{uuid}"))
    assert states[-1] == "failed" and results.json()["search_status"] == "failed"


def test_an_execution_and_its_status_answer_as_documented(world):
    sim, http, url = world
    incident = next(iter(sim.incidents.values()))
    created = documented(http.post(f"{url}/v1/{sim.account_id}/executions", json={
        "ref": "Block attacker at the firewall", "payload": {"type": "incident", "incident": incident}}))
    execution = created.json()["id"]
    running = documented(http.get(f"{url}/v1/{sim.account_id}/executions/{execution}"))
    done = documented(http.get(f"{url}/v1/{sim.account_id}/executions/{execution}"))
    missing = documented(http.get(f"{url}/v1/{sim.account_id}/executions/nope"))
    assert created.status_code == 201 and running.json()["status"] == "running"
    assert done.json()["status"] == "succeeded" and missing.status_code == 404


def test_an_unknown_playbook_is_an_undocumented_400(world):
    sim, http, url = world
    refused = documented(http.post(f"{url}/v1/{sim.account_id}/executions",
                                   json={"ref": "no such playbook", "payload": {"type": "generic"}}),
                         also_allowed=("400",))   # the file documents only the 201 of this operation
    assert refused.status_code == 400


def test_an_incidents_responses_and_their_configs_answer_as_documented(world):
    sim, http, url = world
    incident_id = next(i for i, ids in sim.incident_responses.items() if "mr-retired" in ids)
    listed = documented(http.get(f"{url}/v1/{sim.account_id}/incidents/{incident_id}/responses"))
    configs = [documented(http.get(f"{url}/v1/{sim.account_id}/mr_configs/{c}")) for c in listed.json()["mr_config_ids"]]
    assert [c.status_code for c in configs] == [200, 410]


def test_block_history_pages_and_block_management_answer_as_documented(world):
    sim, http, url = world
    first = documented(http.post(f"{url}/v1/{sim.account_id}/blocks/history", json={"limit": 2}))
    second = documented(http.post(f"{url}/v1/{sim.account_id}/blocks/history", json={
        "limit": 2, "marker": first.json()["marker"], "continuation_id": first.json()["continuation_id"]}))
    block = first.json()["blocks"][0]
    managed = documented(http.post(f"{url}/v1/{sim.account_id}/blocks/manage", json={"requests": [
        {"bobj": block["bobj"], "block_key": block["block_key"], "intent": "unblock_soft"}]}))
    assert second.json()["blocks"][0] != block and managed.status_code == 202
