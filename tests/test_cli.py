"""The soarpacks command line: exit codes and one-line errors."""
from __future__ import annotations

from soarpacks.tools.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_an_error_quoting_a_line_break_the_user_typed_stays_on_one_line(capsys):
    code, out, err = run(capsys, "run", "cisco_gta", "get-event", "alert_id=abc\ndef", "--param=client_id=x",
                         "--param=client_secret=y")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "abc\\ndef" in err


def test_a_bad_argument_is_reported_before_a_missing_instance_param(capsys):
    code, out, err = run(capsys, "run", "cisco_gta", "get-event", "alert_id=nope")
    assert code == 2 and "alert_id" in err


def test_an_unknown_integration_is_bad_input(capsys):
    code, out, err = run(capsys, "run", "no_such_vendor", "test-module")
    assert code == 2 and "no integration 'no_such_vendor'" in err


def test_a_config_file_needs_an_instance_name(capsys, tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("instances: {}\n")
    code, out, err = run(capsys, "run", "cisco_gta", "test-module", "--config", str(config))
    assert code == 2 and "--instance" in err


def test_params_come_from_the_config_file_and_secrets_from_the_environment(capsys, tmp_path, monkeypatch):
    from soarpacks.integrations.cisco_gta.simulator import Simulator
    from soarpacks.integrations.common.simkit import serve
    with serve(Simulator(alerts=5)) as served:
        params = served.params()
        secret = params.pop("client_secret")
        monkeypatch.setenv("GTA_SECRET", secret)
        lines = ["instances:", "  gta:", "    integration: cisco_gta", "    params:"]
        lines += [f"      {k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in params.items()]
        lines += ["      client_secret: {env: GTA_SECRET}"]
        config = tmp_path / "c.yaml"
        config.write_text("\n".join(lines) + "\n")
        code, out, err = run(capsys, "run", "cisco_gta", "test-module", "--config", str(config), "--instance", "gta",
                             "--state", str(tmp_path / "s.db"))
    assert code == 0, err
    assert secret not in out + err


def test_environment_variables_supply_instance_params(capsys, tmp_path, monkeypatch):
    from soarpacks.integrations.cisco_gta.simulator import Simulator
    from soarpacks.integrations.common.simkit import serve
    with serve(Simulator(alerts=5)) as served:
        for name, value in served.params().items():
            monkeypatch.setenv(f"SOARPACKS_CISCO_GTA_{name.upper()}", str(value))
        code, out, err = run(capsys, "run", "cisco_gta", "test-module", "--state", str(tmp_path / "s.db"))
    assert code == 0, err


def test_list_and_describe_show_every_integration(capsys):
    code, out, err = run(capsys, "list")
    assert code == 0 and all(i in out for i in ("alertlogic", "alienvault_usm", "alphasoc", "authentic8", "cisco_gta"))
    code, out, err = run(capsys, "describe", "alphasoc")
    assert code == 0 and "not supported" in out


def test_validate_passes_for_the_integrations_in_the_tree(capsys):
    assert run(capsys, "validate")[0] == 0


def test_the_generated_readme_references_are_up_to_date(capsys):
    code, out, err = run(capsys, "docs", "--check")
    assert code == 0, out


def test_a_missing_instance_param_is_a_configuration_error(capsys, tmp_path):
    code, out, err = run(capsys, "run", "cisco_gta", "test-module", "--param=client_id=x", "--state", str(tmp_path / "s"))
    # (the process-wide redactor may have learnt "secret" as a secret value from another test)
    assert code == 3 and "is required" in err and "error (config)" in err


def _break_cisco_test_module(monkeypatch):
    """A KeyError in our own handler code (not in a helper that reads vendor data)."""
    from soarpacks.integrations.cisco_gta import handlers

    def broken(*args, **kwargs):
        raise KeyError("oops")
    monkeypatch.setattr(handlers, "islice", broken)


def test_a_crash_in_our_own_code_is_reported_as_our_bug_with_exit_1(capsys, monkeypatch, tmp_path):
    _break_cisco_test_module(monkeypatch)
    code, out, err = run(capsys, "run", "cisco_gta", "test-module", "--simulate", "--state", str(tmp_path / "s.db"))
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert err.startswith("bug in soarpacks, please report: KeyError") and "shape" not in err


def test_debug_shows_the_traceback_of_our_bug(capsys, monkeypatch, tmp_path):
    _break_cisco_test_module(monkeypatch)
    code, out, err = run(capsys, "--debug", "run", "cisco_gta", "test-module", "--simulate",
                         "--state", str(tmp_path / "s.db"))
    assert code == 1 and "Traceback" in err and "in test_module" in err
