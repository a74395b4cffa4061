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
