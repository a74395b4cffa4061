"""``soarpacks simulate``: the params to paste, and one-line errors for a bad or busy port."""
from __future__ import annotations

import shlex
import socket
import time

import pytest

from soarpacks.tools.cli import main


def test_simulate_prints_a_command_with_every_param_quoted_for_the_shell(capsys, monkeypatch):
    def interrupted(seconds):
        raise KeyboardInterrupt
    monkeypatch.setattr(time, "sleep", interrupted)
    assert main(["simulate", "authentic8"]) == 0
    out = capsys.readouterr().out
    command = next(line for line in out.splitlines() if "soarpacks run" in line)
    words = shlex.split(command)
    params = dict(w.split("=", 1)[1].split("=", 1) for w in words if w.startswith("--param="))
    assert params["org"] == "Acme Corp" and params["token"] and params["insecure"] == "false"


def test_a_port_in_use_is_a_one_line_config_error(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        code = main(["simulate", "cisco_gta", "--port", str(taken.getsockname()[1])])
    err = capsys.readouterr().err
    assert code == 3 and "in use" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("port", ["70000", "-1", "http"])
def test_a_port_out_of_range_is_bad_input(capsys, port):
    with pytest.raises(SystemExit) as failure:
        main(["simulate", "cisco_gta", "--port", port])
    assert failure.value.code == 2 and "port" in capsys.readouterr().err
