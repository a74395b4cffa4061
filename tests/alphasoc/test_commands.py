"""The commands besides fetch-incidents (telemetry upload: test_telemetry.py): account status,
threat and flag inventory, and the commands the API lacks."""
from __future__ import annotations

import inspect

import pytest

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.manifest import vendor_manifest
from soarpacks.integrations.common.registry import get
from tests.alphasoc.support import ACCOUNT


def test_test_module_shows_the_accounts_messages(httpserver, wire):
    httpserver.expect_request("/v1/account/status").respond_with_json(ACCOUNT)
    result = wire.run("test-module")
    assert result.outputs["ok"] is True
    assert result.outputs["messages"] == [{"level": 2, "level_name": "warning", "body": "Your API key is not activated."}]
    assert "Your API key is not activated." in result.markdown()


def test_test_module_fails_when_the_key_has_expired(httpserver, wire):
    httpserver.expect_request("/v1/account/status").respond_with_json({**ACCOUNT, "expired": True})
    with pytest.raises(errors.AuthError, match="expired"):
        wire.run("test-module")


def test_get_threat_explains_a_threat_and_suggests_near_names_when_unknown(alphasoc):
    threat = alphasoc.run("alphasoc-get-threat", {"threat_id": "c2_communication"}).outputs
    assert threat == {"id": "c2_communication", "title": "C2 communication attempt indicating infection",
                      "severity": 5, "incident_severity": 4, "policy": False}
    with pytest.raises(errors.NotFoundError, match="did you mean c2_communication"):
        alphasoc.run("alphasoc-get-threat", {"threat_id": "c2_comunication"})


def test_list_threats_is_most_severe_first_and_filters_policy_threats(alphasoc):
    rows = alphasoc.run("alphasoc-list-threats", {"include_policy": "false", "min_severity": "3"}).outputs
    assert rows and all(r["severity"] >= 3 and not r["policy"] for r in rows)
    assert [r["severity"] for r in rows] == sorted((r["severity"] for r in rows), reverse=True)


def test_get_flag_and_list_flags_by_type(alphasoc):
    assert alphasoc.run("alphasoc-get-flag", {"flag_id": "freedns"}).outputs["type"] == "feature"
    rows = alphasoc.run("alphasoc-list-flags", {"type": "category"}).outputs
    assert rows and {r["type"] for r in rows} == {"category"}


@pytest.mark.parametrize("name", ["get-event", "update-status"])
def test_commands_the_api_lacks_answer_not_supported_by_alphasoc(wire, name):
    with pytest.raises(errors.NotSupportedError, match="not supported by AlphaSOC"):
        wire.run(name)


def test_the_account_table_has_the_manifests_columns_and_titles_and_the_messages_below(httpserver, wire):
    httpserver.expect_request("/v1/account/status").respond_with_json(ACCOUNT)
    declared = vendor_manifest("alphasoc").command("alphasoc-account-status")
    lines = wire.run("alphasoc-account-status").markdown().splitlines()
    header = lines.index("### AlphaSOC account") + 2
    assert lines[header] == "| " + " | ".join(declared.outputs["titles"][c] for c in declared.columns) + " |"
    assert lines[lines.index("### Messages") + 4] == "| warning | Your API key is not activated. |"


@pytest.mark.parametrize("name", ["fetch-incidents", "alphasoc-list-threats", "alphasoc-submit-telemetry"])
def test_handlers_keep_no_copy_of_the_manifests_argument_defaults(name):
    """The runner always passes an argument the manifest gives a default; a default in code would drift."""
    integration = get("alphasoc")
    with_default = {a["name"] for a in integration.manifest.command(name).args if "default" in a}
    parameters = inspect.signature(integration.handler(name)).parameters
    assert with_default and not [n for n in with_default if parameters[n].default is not inspect.Parameter.empty]
