"""What every integration must do. Parametrised over every integration found on disk."""
from __future__ import annotations

import logging

import pytest

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.redaction import MASK
from soarpacks.integrations.common.schemas import incident_validator, validate_output
from soarpacks.tools.cli import main
from tests.support import drain
from soarpacks.tools.validate import validate_integration

MAX_RUNS = 60


def drain_simulator(instance, simulator):
    """Every incident fetch-incidents hands over, run after run, with the simulator's drain arguments."""
    return drain(instance, simulator.drain_args(), runs=MAX_RUNS)


def test_manifest_handlers_schemas_and_simulator_are_consistent(integration):
    assert validate_integration(integration) == []


def test_tls_verification_is_on_unless_insecure_is_set(integration):
    insecure = next(p for p in integration.manifest.params if p["name"] == "insecure")
    assert insecure["type"] == "boolean" and insecure.get("default") is False


def test_every_supported_command_has_an_example_in_the_simulator(integration, served):
    examples = served.simulator.command_examples()
    wanted = {c.name for c in integration.manifest.commands.values() if c.supported and c.name != "fetch-incidents"}
    assert wanted <= set(examples)


def test_every_command_output_validates_against_its_schema(integration, served, instance):
    manifest = integration.manifest
    for name, args in served.simulator.command_examples().items():
        result = instance.run(name, args)
        validate_output(manifest, manifest.command(name), result.outputs)
        assert result.markdown().strip()


def test_fetched_incidents_validate_against_the_incident_schema(integration, served, instance):
    incidents = instance.fetch_all(served.simulator.drain_args())
    assert incidents
    validator = incident_validator()
    for incident in incidents:
        validator.validate(incident)
        assert incident["source"] == integration.id


def test_draining_the_backlog_returns_every_incident_exactly_once(served, instance):
    ids = [i["id"] for i in drain_simulator(instance, served.simulator)]
    assert len(ids) == len(set(ids)) == served.simulator.expected_incident_count()


# Each scenario scripts a fault early in the drain (so it always happens) and keeps a random rate
# for the rest; the simulators answer Retry-After: 0, so no scenario really waits.
FAULTS = {
    "429 storm with Retry-After": [("429", 5, 1, 0.3)],
    "429 with an HTTP-date Retry-After": [("429-date", 2, 1, 0.3)],
    "429 without Retry-After": [("429-bare", 4, 0, 0.3)],
    "5xx": [("502", 1, 1, 0.1), ("503", 2, 2, 0.1), ("504", 1, 3, 0.1)],
    "dropped connections": [("drop", 2, 1, 0.2)],
    "token expiry mid-pagination": [("expire", 1, 2, 0.1)],
    "slow responses": [("slow", 2, 1, 0.1)],
}


def _arm(faults, scenario):
    for kind, times, after, rate in scenario:
        faults.inject(kind, times=times, after=after)
        faults.rates[kind] = rate


@pytest.mark.parametrize("fault", list(FAULTS))
def test_fetch_under_faults_returns_exactly_the_simulators_incidents(fault, served, instance):
    _arm(served.simulator.faults, FAULTS[fault])
    ids = [i["id"] for i in drain_simulator(instance, served.simulator)]
    assert len(ids) == len(set(ids)), "duplicates"
    assert len(ids) == served.simulator.expected_incident_count(), "lost incidents"
    assert sum(served.simulator.faults.injected.values()) > 0


def test_a_fetch_that_finally_fails_leaves_the_bookmark_unchanged(served, instance):
    args = {**served.simulator.drain_args(), "max_fetch": 5} if "max_fetch" in {
        a["name"] for a in instance.integration.manifest.command("fetch-incidents").args} else served.simulator.drain_args()
    instance.fetch_all(args)
    before = instance.store.load(instance.state_key())
    served.simulator.faults.inject("503", times=1000)
    with pytest.raises(errors.SoarpacksError) as failure:
        instance.fetch_all(args)
    assert failure.value.exit_code == 4
    assert instance.store.load(instance.state_key()) == before


def _cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _secrets(integration, served):
    params = served.params()
    values = [str(params[name]) for name in integration.manifest.secret_params if params.get(name)]
    assert values, "the simulator's params must include the secret params"
    return values


def test_canary_secrets_never_appear_in_output_logs_or_errors(integration, served, capsys, caplog, tmp_path):
    secrets = _secrets(integration, served)
    caplog.set_level(logging.DEBUG)
    params = [f"--param={k}={v}" for k, v in served.params().items()]
    seen = []
    for name, args in served.simulator.command_examples().items():
        for output in ("json", "md"):
            code, out, err = _cli(capsys, "--debug", "run", integration.id, name, *[f"{k}={v}" for k, v in args.items()],
                                  *params, f"--state={tmp_path / 's.db'}", "-o", output)
            assert code == 0, err
            seen.append(out + err)
    wrong = [f"--param={name}=canary-wrong-{name}" for name in integration.manifest.secret_params]
    code, out, err = _cli(capsys, "--debug", "run", integration.id, "test-module", *params, *wrong,
                          f"--state={tmp_path / 's.db'}")
    assert code == 3, err
    seen.append(out + err)
    seen.append(caplog.text)
    everything = "\n".join(seen)
    for secret in secrets + [f"canary-wrong-{n}" for n in integration.manifest.secret_params]:
        assert secret not in everything
    assert MASK in everything or "Authorization" not in everything


def _bad_calls(command):
    yield {"no_such_argument": "1"}
    for arg in command.args:
        if arg.get("required"):
            yield {}
        if arg["type"] in ("integer", "number"):
            yield {arg["name"]: "not-a-number"}
        if arg["type"] == "boolean":
            yield {arg["name"]: "perhaps"}
        if "enum" in arg:
            yield {arg["name"]: "no-such-choice"}
        if "maximum" in arg:
            yield {arg["name"]: str(arg["maximum"] + 1)}


def test_every_command_given_bad_arguments_exits_2_with_one_clear_line(integration, served, capsys, tmp_path):
    params = [f"--param={k}={v}" for k, v in served.params().items()]
    examples = served.simulator.command_examples()
    for command in integration.manifest.commands.values():
        for bad in _bad_calls(command):
            good = dict(examples.get(command.name, {}))
            call = {**{k: v for k, v in good.items() if k not in bad or bad == {}}, **bad}
            if bad == {}:
                call = {}
            code, out, err = _cli(capsys, "run", integration.id, command.name, *[f"{k}={v}" for k, v in call.items()],
                                  *params, f"--state={tmp_path / 's.db'}")
            assert code == 2, (command.name, call, err)
            assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err


def test_unsupported_commands_answer_with_a_clear_not_supported_error(integration, served, capsys, tmp_path):
    params = [f"--param={k}={v}" for k, v in served.params().items()]
    for command in integration.manifest.commands.values():
        if command.supported:
            continue
        code, out, err = _cli(capsys, "run", integration.id, command.name, *params, f"--state={tmp_path / 's.db'}")
        assert code == 2 and "not supported by" in err


def test_fetch_from_the_cli_prints_a_json_array_of_incidents(integration, capsys, tmp_path):
    import json
    state = tmp_path / "state.db"
    code, out, err = _cli(capsys, "run", integration.id, "fetch-incidents", "--simulate", "-o", "json", f"--state={state}")
    assert code == 0, err
    incidents = json.loads(out)
    validator = incident_validator()
    for incident in incidents:
        validator.validate(incident)

