"""Arguments are checked before any request is sent: mistakes are bad input (exit 2), one line."""
from __future__ import annotations

import pytest
import requests

from soarpacks.tools.cli import main


@pytest.fixture
def no_requests(monkeypatch):
    """Fails any test whose command reaches the network layer."""
    sent = []
    monkeypatch.setattr(requests.Session, "request", lambda *a, **k: sent.append(a) or pytest.fail("request sent"))
    return sent


def _cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _gta(capsys, tmp_path, *argv):
    return _cli(capsys, "run", "cisco_gta", *argv, "--param=client_id=x", "--param=client_secret=y",
                "--state", str(tmp_path / "s.db"))


def test_a_first_fetch_in_the_future_is_bad_input_naming_it(capsys, tmp_path, no_requests):
    code, out, err = _gta(capsys, tmp_path, "fetch-incidents", "first_fetch=2999-01-01T00:00:00Z")
    assert code == 2 and "first_fetch" in err and "future" in err and out == ""


def test_an_unreadable_first_fetch_is_bad_input_naming_it(capsys, tmp_path, no_requests):
    code, out, err = _gta(capsys, tmp_path, "fetch-incidents", "first_fetch=yesterday-ish")
    assert code == 2 and "first_fetch" in err


def test_a_repeated_argument_is_bad_input_naming_it(capsys, tmp_path, no_requests):
    code, out, err = _gta(capsys, tmp_path, "fetch-incidents", "max_fetch=3", "max_fetch=4")
    assert code == 2 and "'max_fetch' is given twice" in err


def test_an_empty_required_argument_is_bad_input(capsys, tmp_path, no_requests):
    code, out, err = _gta(capsys, tmp_path, "get-event", "alert_id=  ")
    assert code == 2 and "alert_id" in err and "empty" in err


def test_the_output_format_is_case_insensitive(capsys, tmp_path):
    code, out, err = _cli(capsys, "run", "cisco_gta", "test-module", "--simulate", "-o", "JSON")
    assert code == 0, err
    assert out.lstrip().startswith(("{", "[", '"'))


def test_arguments_may_stand_after_flags(capsys, tmp_path):
    code, out, err = _cli(capsys, "run", "cisco_gta", "fetch-incidents", "--simulate", "max_fetch=3", "-o", "json",
                          "first_fetch=30 days")
    assert code == 0, err
    import json
    assert len(json.loads(out)) == 3


def test_a_stray_word_after_flags_is_rejected_like_one_before_them(capsys):
    code, out, err = _cli(capsys, "run", "cisco_gta", "fetch-incidents", "--simulate", "oops")
    assert code == 2 and "'oops' is not name=value" in err


def test_an_unknown_flag_is_still_rejected(capsys):
    with pytest.raises(SystemExit) as failure:
        main(["run", "cisco_gta", "fetch-incidents", "--simulate", "--no-such-flag", "max_fetch=3"])
    assert failure.value.code == 2 and "unrecognized arguments: --no-such-flag" in capsys.readouterr().err


def test_the_native_package_takes_arguments_after_flags(capsys):
    from soarpacks.integrations.cisco_gta.simulator import Simulator
    from soarpacks.integrations.common.simkit import serve
    from soarpacks.tools.packaging.platform.native import main as native_main
    info = {"id": "cisco_gta", "version": "1.0.0", "digest": "0" * 64}
    with serve(Simulator(alerts=5)) as served:
        example = served.simulator.command_examples()["get-event"]
        params = [f"--param={k}={v}" for k, v in served.params().items()]
        code = native_main(info, ["run", "get-event", *params, "-o", "json", *[f"{k}={v}" for k, v in example.items()]])
    out, err = capsys.readouterr()
    assert code == 0, err
