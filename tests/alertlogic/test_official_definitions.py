"""The simulator answers as Alert Logic's official API definitions say (tests/alertlogic/official.py):
every route it serves is an operation of one of the files, and every answer it gives to the
integration's commands and to refused requests has a documented status and a body that fits.

Nothing here lists the routes: one a simulator module adds later is found in the files (or the test
fails until it is), and its answers are checked as soon as a command or the refusal tour reaches it.
"""
from __future__ import annotations

import pytest
import requests

from soarpacks.integrations.alertlogic.simulator import Simulator
from soarpacks.integrations.common.simkit import serve
from tests.alertlogic.official import (OUTSIDE, Exchange, operation_of, problems, recording, same_shape,
                                       template_of_rule)
from tests.support import drain, simulated_instance


def all_problems(exchanges: list[Exchange]) -> list[str]:
    return [problem for exchange in exchanges for problem in problems(exchange)]


def test_every_route_of_the_simulator_is_an_operation_of_an_official_file():
    for rule in Simulator.routes:
        if rule.rule in OUTSIDE:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found = operation_of(method, template_of_rule(rule.rule))
            assert found is not None, f"{method} {rule.rule} is in no official file"
            assert same_shape(found[2], rule.rule), f"{method} {rule.rule} matched {found[2]}"


def test_every_answer_to_every_command_example_fits_the_definitions():
    sim = Simulator(seed=11, incidents=12, retry_after=0)
    for incident_id in sim.incidents:
        sim.set_logs(incident_id, 3)  # so that get-incident reaches the search service
    with serve(sim) as running, recording(sim) as seen:
        instance = simulated_instance("alertlogic", running)
        for name, args in sim.command_examples().items():
            instance.run(name, args)
        drain(instance, sim.drain_args())
    assert {e.path.split("/")[1] for e in seen} >= {"aims", "endpoints", "iris", "search", "assets_query"}
    assert all_problems(seen) == []


def _tour(running, sim: Simulator, *, token: str | None, account: str) -> None:
    headers = {"x-aims-auth-token": token} if token else {}
    incident = next(iter(sim.incidents))
    for rule in Simulator.routes:
        if rule.rule in OUTSIDE or rule.rule.startswith("/aims/"):
            continue
        path = (rule.rule.replace("<account_id>", account).replace("<incident_id>", incident)
                .replace("<friendly_id>", "zzzzzz").replace("<residency>", "default")
                .replace("<service_name>", "iris").replace("<datatype>", "logmsgs"))
        path = template_of_rule(path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            requests.request(method, running.url + path, headers=headers, json={}, timeout=10)


@pytest.mark.parametrize("who", ["no token", "foreign account", "own account, bare request"])
def test_every_route_refuses_or_answers_a_bare_request_as_documented(who):
    sim = Simulator(seed=12, incidents=3, retry_after=0)
    with serve(sim) as running:
        token = requests.post(running.url + "/aims/v1/authenticate", auth=(sim.username, sim.password),
                              timeout=10).json()["authentication"]["token"]
        with recording(sim) as seen:
            _tour(running, sim, token=None if who == "no token" else token,
                  account="1" if who == "foreign account" else sim.account_id)
    assert len(seen) > 10
    assert all_problems(seen) == []


def test_the_checker_fails_an_answer_that_breaks_its_schema():
    good = Exchange("GET", "/iris/v3/incident_filters", 200,
                    b'{"class": [], "detection_source": [], "escalated": [true], "threat_level": []}')
    assert problems(good) == []
    assert problems(good._replace(body=b'{"class": [], "escalated": ["yes"]}'))


def test_the_checker_fails_an_undocumented_status_and_an_unknown_route():
    assert problems(Exchange("GET", "/assets_query/v1/1234/assets", 418, b"{}"))
    assert problems(Exchange("GET", "/nowhere/v1/1234", 200, b"{}"))


def test_the_checker_fails_a_missing_body_the_file_documents():
    assert problems(Exchange("GET", "/iris/v3/incident_filters", 200, b""))
