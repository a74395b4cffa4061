"""``soarpacks playbook run FILE`` and ``soarpacks playbook validate [FILE ...]``."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from soarpacks.integrations.common.resources import package_dir

PLAYBOOKS_DIR = package_dir("playbooks")


def add_parser(subparsers: Any) -> None:
    playbook = subparsers.add_parser("playbook", help="run or check a playbook (playbooks/*.yaml)")
    actions = playbook.add_subparsers(dest="playbook_action", required=True, metavar="ACTION")

    run = actions.add_parser("run", help="run a playbook step by step (--dry-run: show the plan)")
    run.add_argument("file", help="a playbook file, or the name of one in playbooks/ (e.g. cisco_gta_triage)")
    run.add_argument("--input", action="append", default=[], metavar="NAME=VALUE", help="a playbook input")
    run.add_argument("--dry-run", action="store_true", help="check the playbook and show its plan; run nothing")
    run.add_argument("--simulate", action="store_true", help="each integration against its own simulator")
    run.add_argument("--seed", type=int, default=0, help="simulator seed (with --simulate)")
    run.add_argument("--faults", default=None, help="simulator fault spec, e.g. 429=0.1 (with --simulate)")
    run.add_argument("--config", help="YAML config file with instances")
    run.add_argument("--instance", action="append", default=[], metavar="NAME",
                     help="a config file instance to use (repeat for several integrations)")
    run.add_argument("--state", help="state file (SQLite); default: the user's state dir, or none with --simulate")
    run.add_argument("-o", "--output", choices=["md", "json"], default="md")
    run.set_defaults(handler=cmd_run)

    validate = actions.add_parser("validate", help="check playbooks against the manifests; run nothing")
    validate.add_argument("files", nargs="*", help="playbook files (default: every playbook in playbooks/)")
    validate.set_defaults(handler=cmd_validate)


def find_playbook(name: str) -> Path:
    """A path as given, or a bare name looked up in ``playbooks/``."""
    path = Path(name)
    if path.exists() or path.suffix or "/" in name:
        return path
    return _shown(PLAYBOOKS_DIR / f"{name}.yaml")


def _shown(path: Path) -> Path:
    """Relative to the working directory when inside it: shorter error lines."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def cmd_run(options: argparse.Namespace) -> int:
    from soarpacks.tools.config import parse_pairs

    from .check import check_playbook
    from .model import load_playbook
    from .plan import format_plan
    from .runner import resolve_inputs, run_playbook
    from .targets import open_instances

    playbook = load_playbook(find_playbook(options.file))
    check_playbook(playbook)
    inputs = resolve_inputs(playbook, parse_pairs(options.input, what="--input"), simulate=options.simulate)
    if options.dry_run:
        print(format_plan(playbook, inputs))
        return 0
    out = sys.stdout if options.output == "md" else None
    where = "simulators" if options.simulate else (f"config {options.config}" if options.config else "the environment")
    if out:
        print(f"Playbook: {playbook.name} ({playbook.path.name}) against {where}\n", flush=True)
    with open_instances(playbook, simulate=options.simulate, seed=options.seed, faults=options.faults,
                        config=options.config, instances=options.instance, state=options.state) as instances:
        result = run_playbook(playbook, instances, inputs, out=out)
    if options.output == "json":
        print(json.dumps(result.as_json(), indent=2, sort_keys=True, default=str))
    else:
        print(f"\n{result.summary_table()}\n\n{result.calls} call(s), {result.failures} failed, "
              f"in {result.seconds:.2f}s.")
    return 0


def cmd_validate(options: argparse.Namespace) -> int:
    from soarpacks.integrations.common import errors
    from soarpacks.integrations.common.registry import discover

    from .check import check_playbook
    from .model import load_playbook

    files = [find_playbook(name) for name in options.files] or [_shown(p) for p in sorted(PLAYBOOKS_DIR.glob("*.yaml"))]
    integrations = discover()
    broken = 0
    for path in files:
        try:
            playbook = load_playbook(path)
            check_playbook(playbook, integrations)
        except errors.InputError as exc:
            broken += 1
            print(f"error: {exc}", file=sys.stderr)
            continue
        print(f"ok: {path} ({len(playbook.steps)} steps, uses {', '.join(playbook.integrations)})")
    return 2 if broken else 0
