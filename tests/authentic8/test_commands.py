"""test-module, get-event, authentic8-extract-logs, authentic8-get-log-types and update-status."""
import pytest

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.schemas import validate_output

from .conftest import INTEGRATION, extract_commands, make_instance


def validate(name, outputs):
    validate_output(INTEGRATION.manifest, INTEGRATION.manifest.command(name), outputs)


def test_test_module_checks_token_api_and_org_in_one_post(sim, instance):
    result = instance.run("test-module")
    validate("test-module", result.outputs)
    assert result.outputs["org"] == "Acme Corp" and result.outputs["log_types"] == 25
    assert len(sim.posts) == 1 and [c["command"] for c in sim.posts[0]] == ["setauth", "get_log_types", "extractlog"]


def test_test_module_with_an_unknown_org_is_exit_2(served):
    with pytest.raises(errors.InputError, match="No org matching"):
        make_instance(served, org="Initech").run("test-module")


def test_test_module_with_an_ambiguous_org_name_asks_for_a_path(served):
    with pytest.raises(errors.InputError, match="ambiguous"):
        make_instance(served, org="Research").run("test-module")
    assert make_instance(served, org="Globex/Research").run("test-module").outputs["ok"] is True


def test_test_module_with_a_wrong_token_is_exit_3(served):
    with pytest.raises(errors.AuthError) as failure:
        make_instance(served, token="canary-wrong-token").run("test-module")
    assert failure.value.exit_code == 3 and "canary-wrong-token" not in str(failure.value)


def test_get_event_returns_the_one_log_by_org_type_and_seq_id(sim, instance):
    record = sim.logs[(0, "BLOCKED URL")][3]
    result = instance.run("get-event", {"org": "Acme Corp", "log_type": "BLOCKED URL", "seq_id": record["seq_id"]})
    validate("get-event", result.outputs)
    assert result.outputs["id"] == f"Acme Corp/BLOCKED URL/{record['seq_id']}"
    assert result.raw == record
    sent = extract_commands(sim.posts[-1])[0]
    assert sent["start_seq"] == record["seq_id"] and sent["limit"] == 1


def test_get_event_defaults_to_the_instance_org(sim, instance):
    record = sim.logs[(0, "URL")][0]
    assert instance.run("get-event", {"log_type": "URL", "seq_id": record["seq_id"]}).outputs["org"] == "Acme Corp"


def test_get_event_for_a_seq_id_of_another_type_is_not_found(sim, instance):
    record = sim.logs[(0, "URL")][0]
    with pytest.raises(errors.NotFoundError) as failure:
        instance.run("get-event", {"log_type": "EXPLOIT", "seq_id": record["seq_id"]})
    assert failure.value.exit_code == 2   # a seq_id the caller gave: bad input


def test_extract_logs_pages_past_1000_with_next_seq(served):
    from soarpacks.integrations.authentic8.simulator import Simulator
    from soarpacks.integrations.common.simkit import serve
    big = Simulator(seed=1, size=4000, enc_size=1)
    with serve(big) as running:
        instance = make_instance(running)
        result = instance.run("authentic8-extract-logs", {"log_type": "URL", "limit": 1200})
        validate("authentic8-extract-logs", result.outputs)
        expected = [r["seq_id"] for r in big.logs[(0, "URL")]][:1200]
        assert [e["seq_id"] for e in result.outputs] == expected
        limits = [extract_commands(p)[0]["limit"] for p in big.posts]
        assert limits == [1000, 200]
        assert extract_commands(big.posts[1])[0]["start_seq"] == expected[999] + 1
        assert f"more from start_seq={expected[-1] + 1}" in result.markdown()


def test_extract_logs_filters_by_sequence_and_time(sim, instance):
    records = sim.logs[(0, "URL")]
    start, end = records[2], records[6]
    result = instance.run("authentic8-extract-logs", {"log_type": "URL", "start_seq": start["seq_id"],
                                                      "end_seq": end["seq_id"], "limit": 100})
    assert [e["seq_id"] for e in result.outputs] == [r["seq_id"] for r in records[2:6]]
    sent = extract_commands(sim.posts[-1])[0]
    assert (sent["start_seq"], sent["end_seq"]) == (start["seq_id"], end["seq_id"])
    result = instance.run("authentic8-extract-logs", {"log_type": "URL", "start_time": "12 hours",
                                                      "end_time": "1 hour", "limit": 1000})
    sent = extract_commands(sim.posts[-1])[0]
    assert sent["start_time"] < sent["end_time"]
    assert all(sent["start_time"] <= e["time"].replace("T", " ")[:19] < sent["end_time"] for e in result.outputs)


@pytest.mark.parametrize("args", [{"start_seq": 10, "end_seq": 5}, {"start_time": "1 hour", "end_time": "2 hours"},
                                  {"start_time": "not a time"}])
def test_extract_logs_refuses_empty_or_unreadable_ranges(sim, instance, args):
    with pytest.raises(errors.InputError):
        instance.run("authentic8-extract-logs", {"log_type": "URL", **args})
    assert sim.posts == []


def test_get_log_types_lists_all_25_with_our_severity_and_default_fetch(instance):
    result = instance.run("authentic8-get-log-types")
    validate("authentic8-get-log-types", result.outputs)
    by_name = {row["name"]: row for row in result.outputs}
    assert len(by_name) == 25 and {"BLOCKED URL", "POST DATA", "LOCATION CHANGE"} <= set(by_name)
    assert by_name["EXPLOIT"] == {"name": "EXPLOIT", "severity": 3, "default_fetch": True, "encrypted_only": False}
    assert by_name["COOKIES"]["encrypted_only"] is True and by_name["URL"]["default_fetch"] is False


def test_update_status_is_not_supported_by_authentic8(sim, instance):
    with pytest.raises(errors.NotSupportedError, match="not supported by Authentic8"):
        instance.run("update-status")
    assert sim.posts == []


def test_extract_logs_tables_the_manifest_columns_these_logs_have(instance):
    from soarpacks.integrations.common.registry import get
    declared = get("authentic8").manifest.command("authentic8-extract-logs").columns
    result = instance.run("authentic8-extract-logs", {"log_type": "DOWNLOAD", "limit": 5})
    assert "filename" in result.columns and "event" not in result.columns
    assert [c for c in declared if c in result.columns] == result.columns
