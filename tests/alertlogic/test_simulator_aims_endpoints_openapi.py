"""The simulator's AIMS login and endpoints lookup answer as Alert Logic's official definitions say.

``data/alertlogic-aims.v1.yaml`` and ``data/alertlogic-endpoints.v1.yaml`` are verbatim copies of
``alsdkdefs/apis/aims/aims.v1.yaml`` and ``alsdkdefs/apis/endpoints/endpoints.v1.yaml`` from the
alertlogic-sdk-definitions 0.1.168 wheel on PyPI (MIT, licence beside them). The package itself is
not a test dependency: it needs Python 3.11+ and pins jsonschema 3.2.0, which conflicts with ours.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import requests

from soarpacks.integrations.alertlogic.simulator import Simulator
from soarpacks.integrations.common.simkit import serve
from tests.openapi_support import OpenApiSpec

DATA = Path(__file__).parent / "data"
AIMS = OpenApiSpec.load(DATA / "alertlogic-aims.v1.yaml", base_path="")
ENDPOINTS = OpenApiSpec.load(DATA / "alertlogic-endpoints.v1.yaml", base_path="")
SPEC_OF = {"/aims/": AIMS, "/endpoints/": ENDPOINTS}


def spec_for(path: str) -> OpenApiSpec:
    return next(spec for prefix, spec in SPEC_OF.items() if path.startswith(prefix))


def assert_documented(answer: requests.Response) -> None:
    # aims.v1.yaml documents a bare 401 ("an empty body and no HTTP headers") in prose beside the
    # 401 JSON schema of the named refusals: an empty body is checked for its status only.
    if not answer.content:
        spec_for(requests.utils.urlparse(answer.url).path).response_schema(
            answer.request.method, requests.utils.urlparse(answer.url).path, answer.status_code)
        return
    spec_for(requests.utils.urlparse(answer.url).path).assert_documented(answer)


def test_every_aims_and_endpoints_route_of_the_simulator_is_an_operation_of_its_file():
    for rule in Simulator.routes:
        prefix = next((p for p in SPEC_OF if rule.rule.startswith(p)), None)
        if prefix is None:
            continue
        concrete = (rule.rule.replace("<account_id>", "1234").replace("<residency>", "default")
                    .replace("<service_name>", "iris"))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            template, _ = SPEC_OF[prefix].operation(method, concrete)
            assert template.replace("{", "<").replace("}", ">") == rule.rule


def authenticate(running, **options) -> requests.Response:
    return requests.post(running.url.rstrip("/") + "/aims/v1/authenticate", timeout=10, **options)


def test_a_login_answer_fits_the_documented_200():
    sim = Simulator(seed=1, incidents=1)
    with serve(sim) as running:
        for creds in ((sim.username, sim.password), (sim.access_key_id, sim.secret_key)):
            answer = authenticate(running, auth=creds)
            assert answer.status_code == 200
            assert_documented(answer)


@pytest.mark.parametrize("refusal", ["password_expired", "account_inactive", "mfa_enrollment_required"])
def test_each_selectable_refusal_fits_its_documented_answer(refusal):
    sim = Simulator(seed=1, incidents=1, login_refusal=refusal)
    with serve(sim) as running:
        answer = authenticate(running, auth=(sim.username, sim.password))
    assert answer.json() == {"error": refusal}
    assert_documented(answer)


def test_the_mfa_refusals_fit_the_documented_401_with_its_session_token_header():
    sim = Simulator(seed=1, incidents=1, mfa_code="424242")
    with serve(sim) as running:
        required = authenticate(running, auth=(sim.username, sim.password))
        wrong_code = authenticate(running, auth=(sim.username, sim.password), json={"mfa_code": "000000"})
        stale = authenticate(running, json={"mfa_code": "424242"}, headers={"x-aims-session-token": "expired"})
    assert required.status_code == 401 and "x-aims-session-token" in required.headers
    headers = AIMS.operation("POST", "/aims/v1/authenticate")[1]["responses"]["401"]["headers"]
    assert set(headers) == {"x-aims-session-token"}
    for answer in (required, wrong_code, stale):
        assert answer.status_code == 401
        assert_documented(answer)


def test_the_endpoints_lookup_and_its_refusals_fit_the_endpoints_file():
    sim = Simulator(seed=1, incidents=1)
    with serve(sim) as running:
        token = authenticate(running, auth=(sim.username, sim.password)).json()["authentication"]["token"]
        base = running.url.rstrip("/") + "/endpoints/v1"
        header = {"x-aims-auth-token": token}
        answers = {
            200: requests.get(f"{base}/{sim.account_id}/residency/default/services/iris/endpoint", headers=header,
                              timeout=10),
            400: requests.get(f"{base}/{sim.account_id}/residency/mars/services/iris/endpoint", headers=header,
                              timeout=10),
            401: requests.get(f"{base}/{sim.account_id}/residency/default/services/iris/endpoint", timeout=10),
            403: requests.get(f"{base}/1/residency/default/services/iris/endpoint", headers=header, timeout=10),
        }
    for status, answer in answers.items():
        assert answer.status_code == status
        assert_documented(answer)
    assert set(answers[200].json()) == {"iris"}


def test_the_residencies_the_client_accepts_are_the_files_enum():
    from soarpacks.integrations.alertlogic.login import RESIDENCIES
    assert list(RESIDENCIES) == ENDPOINTS.document["components"]["parameters"]["Residency"]["schema"]["enum"]
