"""The runner and the shape guard: a vendor answer of the wrong shape is the vendor's (exit 4) only when a
helper that reads vendor data meets it; the same crash anywhere else is a bug of ours (exit 1)."""
from __future__ import annotations

import pytest

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.registry import command
from soarpacks.integrations.common.runner import HandlerSignatureError, Instance, signature_problems
from soarpacks.integrations.common.vendordata import reads_vendor_data, vendor_data

from tests.conftest import INTEGRATIONS

NULL_ALERT = None


@pytest.mark.parametrize("crash", [lambda: {}["items"], lambda: NULL_ALERT["id"], lambda: int("x"),
                                   lambda: [][0], lambda: NULL_ALERT.get("a"), lambda: 10 ** 400 * 1.0])
def test_a_crash_while_reading_vendor_data_becomes_one_line_with_exit_4(crash):
    with pytest.raises(errors.VendorShapeError) as failure:
        with vendor_data("acme alert"):
            crash()
    message = str(failure.value)
    assert failure.value.exit_code == 4 and "\n" not in message
    assert message.startswith("acme alert: the vendor's answer did not have the shape")
    assert failure.value.__cause__ is not None  # --debug shows where


def test_errors_that_are_already_clear_pass_through_the_guard_unchanged():
    with pytest.raises(errors.AuthError):
        with vendor_data("acme alert"):
            raise errors.AuthError("bad key")


@reads_vendor_data
def _titles(alerts):
    for alert in alerts:
        yield alert["title"]


def test_a_marked_generator_is_guarded_while_it_runs():
    with pytest.raises(errors.VendorShapeError, match="_titles"):
        list(_titles([{"title": "a"}, None]))


class _FakeIntegration:
    """Cisco GTA's manifest with handlers that misbehave in our own code."""

    def __init__(self, handler):
        self.manifest = INTEGRATIONS["cisco_gta"].manifest
        self.id = "cisco_gta"
        self._handler = handler

    def handler(self, name):
        return self._handler

    def make_client(self, params, **options):
        return object()


def _instance(handler):
    return Instance(_FakeIntegration(handler), {"client_id": "a", "client_secret": "b"})


def test_a_key_error_in_our_own_handler_code_is_a_bug_not_a_vendor_error():
    @command("get-event")
    def get_event(client, *, alert_id, max_detections, max_events):
        return {}["missing"]

    with pytest.raises(KeyError):
        _instance(get_event).run("get-event", {"alert_id": "a" * 64})


def test_a_handler_that_does_not_accept_its_manifest_arguments_is_a_bug_reported_before_it_runs():
    ran = []

    @command("get-event")
    def get_event(client, *, alert_id):
        ran.append(alert_id)

    with pytest.raises(HandlerSignatureError, match="max_detections"):
        _instance(get_event).run("get-event", {"alert_id": "a" * 64})
    assert not ran


def _get_event_command():
    return INTEGRATIONS["cisco_gta"].manifest.command("get-event")


def test_validate_finds_a_manifest_argument_the_handler_does_not_take():
    def get_event(client, *, alert_id, max_detections):
        pass

    assert signature_problems(get_event, _get_event_command()) == [
        "get-event: the manifest argument 'max_events' is not a parameter of the handler"]


def test_validate_finds_a_handler_parameter_the_runner_would_leave_unset():
    def get_event(client, *, alert_id, max_detections, max_events, verbose):
        pass

    problems = signature_problems(get_event, _get_event_command())
    assert len(problems) == 1 and "'verbose' has no default" in problems[0]


def test_the_shipped_handlers_match_their_manifests():
    for integration in INTEGRATIONS.values():
        for name, handler in integration.handlers.items():
            assert signature_problems(handler, integration.manifest.command(name)) == [], name
