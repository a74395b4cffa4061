"""Redaction, and the simulator kit's fault injection."""
from __future__ import annotations

import logging

import pytest
import requests
from werkzeug.routing import Rule

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.redaction import MASK, Redactor
from soarpacks.integrations.common.simkit import FaultInjector, Simulator, json_response, parse_fault_spec, serve


def test_registered_secrets_and_credential_shapes_are_masked():
    redact = Redactor(["canary-secret-1"])
    text = redact('x canary-secret-1 Authorization: Bearer abc.def.ghi {"access_token": "tok12345"}')
    assert "canary-secret-1" not in text and "abc.def.ghi" not in text and "tok12345" not in text
    assert redact.headers({"Authorization": "Basic Zm9vOmJhcg==", "Accept": "x"}) == {"Authorization": MASK, "Accept": "x"}


def test_log_records_are_redacted(caplog):
    redact = Redactor(["canary-secret-2"])
    logger = logging.getLogger("test.redaction")
    logger.addFilter(redact.logging_filter())
    with caplog.at_level(logging.INFO):
        logger.info("token %s", "canary-secret-2")
    assert "canary-secret-2" not in caplog.text and MASK in caplog.text


def test_a_fault_spec_is_parsed_and_checked():
    assert parse_fault_spec("429=0.1, drop") == {"429": 0.1, "drop": 0.1}
    for bad in ("teapot=0.1", "429=lots", "429=0.9,503=0.9"):
        with pytest.raises(errors.InputError):
            parse_fault_spec(bad)


def test_scripted_faults_hit_the_matching_requests_after_the_skipped_ones():
    faults = FaultInjector()
    faults.inject("503", times=2, after=1, path_contains="/alerts")
    picks = [faults.pick(p, exempt=False) for p in ["/token", "/alerts", "/alerts", "/alerts", "/alerts"]]
    assert picks == [None, None, "503", "503", None]


def test_random_faults_are_the_same_for_the_same_seed():
    a, b = FaultInjector("429=0.3", seed=7), FaultInjector("429=0.3", seed=7)
    assert [a.pick("/", exempt=False) for _ in range(50)] == [b.pick("/", exempt=False) for _ in range(50)]


class Echo(Simulator):
    routes = [Rule("/echo", endpoint="echo")]

    def echo(self, request):
        return json_response({"ok": True})


def test_a_dropped_connection_looks_like_one_to_the_client():
    sim = Echo()
    sim.faults.inject("drop")
    with serve(sim) as served:
        with pytest.raises(requests.ConnectionError):
            requests.get(served.url + "/echo", timeout=5)
        assert requests.get(served.url + "/echo", timeout=5).json() == {"ok": True}


def test_a_malformed_fault_truncates_the_body():
    sim = Echo()
    sim.faults.inject("malformed")
    with serve(sim) as served:
        with pytest.raises(ValueError):
            requests.get(served.url + "/echo", timeout=5).json()
