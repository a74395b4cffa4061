"""The command line of a native package: the repository's own ``soarpacks run`` / ``describe``, bound
to the one integration the package holds, so exit codes, output formats, parameters (``--param``,
``SOARPACKS_<ID>_<PARAM>`` variables, ``--config``/``--instance``) and the state file behave the same."""
from __future__ import annotations

import sys
from typing import Any

USAGE = """usage: python {archive} run <command> [key=value ...] [--param NAME=VALUE ...]
                 [--config FILE --instance NAME] [--state PATH] [-o json|md] [--out FILE] [--debug]
       python {archive} describe
       python {archive} version"""


def main(info: dict[str, Any], argv: list[str]) -> int:
    archive = f"{info['id']}-{info['version']}-native.zip"
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE.format(archive=archive), file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    action, rest = argv[0], argv[1:]
    flags = [a for a in rest if a == "--debug"]
    rest = [a for a in rest if a != "--debug"]
    if action == "version":
        print(f"{info['id']} {info['version']} (soarpacks native package {info['digest'][:12]})")
        return 0
    if action not in ("run", "describe"):
        print(f"error (input): unknown action {action!r}\n" + USAGE.format(archive=archive), file=sys.stderr)
        return 2
    if "--simulate" in rest:
        print("error (input): packages do not ship the simulators; run --simulate from the repository",
              file=sys.stderr)
        return 2
    from soarpacks.tools.cli import main as cli_main
    if action == "describe":
        return cli_main([*flags, "describe", info["id"]])
    return cli_main([*flags, "run", info["id"], *rest])
