"""Running a playbook in-process against simulators, with the instances still open afterwards so a
test can read back what the playbook wrote."""
from __future__ import annotations

import contextlib
import textwrap
from pathlib import Path
from typing import Any, Iterator

from soarpacks.tools.playbooks.check import check_playbook
from soarpacks.tools.playbooks.model import load_playbook
from soarpacks.tools.playbooks.runner import RunResult, resolve_inputs, run_playbook
from soarpacks.tools.playbooks.targets import open_instances

REPO = Path(__file__).resolve().parents[2]
PLAYBOOKS = sorted((REPO / "playbooks").glob("*.yaml"))


@contextlib.contextmanager
def simulated_run(path: Path, inputs: dict[str, str] | None = None) -> Iterator[tuple[RunResult, dict[str, Any]]]:
    playbook = load_playbook(path)
    check_playbook(playbook)
    values = resolve_inputs(playbook, inputs or {}, simulate=True)
    with open_instances(playbook, simulate=True) as instances:
        yield run_playbook(playbook, instances, values), instances


def write_playbook(folder: Path, text: str, name: str = "pb.yaml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path
