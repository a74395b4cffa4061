"""``soarpacks completion bash|zsh``: a script to ``eval`` in the shell's rc file for tab completion.

With argcomplete installed (``pip install 'soarpacks[completion]'``) it completes everything argparse
knows, options included; without it, a small built-in script completes actions, integrations and
commands, which is what is typed most.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any

FALLBACK = r"""_soarpacks_complete() {
    local cur=${COMP_WORDS[COMP_CWORD]} words
    case $COMP_CWORD in
        1) words="%(actions)s" ;;
        2) case ${COMP_WORDS[1]} in
               run|describe|simulate) words="%(integrations)s" ;;
               state) words="show reset" ;;
               completion) words="bash zsh" ;;
           esac ;;
        3) case ${COMP_WORDS[1]} in
               run) words=$(soarpacks describe "${COMP_WORDS[2]}" 2>/dev/null | sed -n 's/^  \([a-z0-9-]*\):.*/\1/p') ;;
               state) words="%(integrations)s" ;;
           esac ;;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
"""


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("completion", help="print a shell completion script (bash, zsh)")
    parser.add_argument("shell", choices=["bash", "zsh"])
    parser.set_defaults(handler=run)


def script(shell: str, actions: list[str]) -> str:
    try:
        import argcomplete
    except ImportError:
        from soarpacks.integrations.common.registry import discover
        body = FALLBACK % {"actions": " ".join(actions), "integrations": " ".join(sorted(discover()))}
        prelude = "autoload -U +X bashcompinit && bashcompinit\n" if shell == "zsh" else ""
        return f"{prelude}{body}complete -F _soarpacks_complete soarpacks\n"
    return str(argcomplete.shellcode(["soarpacks"], shell=shell))


def run(options: argparse.Namespace) -> int:
    from soarpacks.tools.cli import build_parser
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    sys.stdout.write(script(options.shell, sorted(sub.choices)))
    return 0
