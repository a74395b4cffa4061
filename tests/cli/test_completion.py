"""``soarpacks completion bash|zsh``: argcomplete's script when installed, else a built-in one that works."""
from __future__ import annotations

import builtins
import shlex
import shutil
import subprocess

import pytest

from soarpacks.tools import completion
from soarpacks.tools.cli import main


@pytest.fixture
def without_argcomplete(monkeypatch):
    real = builtins.__import__

    def refusing(name, *args, **kwargs):
        if name == "argcomplete":
            raise ImportError(name)
        return real(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", refusing)


def _complete(script, *words):
    line = f'{script}\nCOMP_WORDS=({" ".join(shlex.quote(w) for w in words)}); COMP_CWORD={len(words) - 1}; _soarpacks_complete; ' \
           'echo "${COMPREPLY[@]}"'
    return subprocess.run(["bash", "-c", line], capture_output=True, text=True, check=True).stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_built_in_bash_script_completes_actions_and_integrations(without_argcomplete, capsys):
    assert main(["completion", "bash"]) == 0
    script = capsys.readouterr().out
    assert _complete(script, "soarpacks", "ru") == ["run"]
    assert _complete(script, "soarpacks", "run", "cisco") == ["cisco_gta"]
    assert sorted(_complete(script, "soarpacks", "state", "")) == ["reset", "show"]


def test_the_zsh_script_loads_bash_completion_first(without_argcomplete):
    assert completion.script("zsh", ["run"]).startswith("autoload -U +X bashcompinit && bashcompinit")


def test_with_argcomplete_its_own_script_is_printed():
    pytest.importorskip("argcomplete")
    assert "soarpacks" in completion.script("bash", ["run"]) and "_python_argcomplete" in completion.script("bash", [])
