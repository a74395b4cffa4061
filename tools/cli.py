"""``soarpacks``: list, describe, run, simulate, demo, validate, docs, package, playbook, bench.

Exit codes: 0 ok, 2 bad input, 3 auth/config/state, 4 vendor or network, 1 a bug of ours.
One clear line on stderr; a traceback only with ``--debug``. Nothing secret is ever printed.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import json
import logging
import os
import sys
import traceback
from typing import Any, Callable, Iterator

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.redaction import REDACTOR

log = logging.getLogger("soarpacks")


EXIT_CODES = """exit codes:
  0  ok
  1  a bug in soarpacks (please report it; --debug shows the traceback)
  2  bad input: fix the command (unknown argument, bad value, an id the vendor does not have)
  3  configuration, credentials or state: fix the instance or the state file (TLS, unknown host, 401/403,
     a state file in use, unreadable or read-only, an --out file it cannot prove it may trim)
  4  vendor or network: try again later (timeouts, refused connections, 429/5xx once retries ran out)
  5  a vendor-side job (a log search) did not finish within the command's timeout: raise it or narrow the job"""


RUN_EXAMPLES = """examples:
  soarpacks run cisco_gta fetch-incidents --simulate max_fetch=5 -o json
  soarpacks run cisco_gta fetch-incidents --config soar.yaml --instance gta-prod --out incidents.jsonl"""


class _VersionAction(argparse.Action):
    """``--version``, read from the installed distribution only when asked (every start-up pays for imports)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print the version of soarpacks and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: Any, values: Any, option: Any = None) -> None:
        from importlib import metadata
        try:
            version = metadata.version("soarpacks")
        except metadata.PackageNotFoundError:  # run from a native package: no installed distribution
            version = "unknown (not installed)"
        print(f"soarpacks {version} (Python {sys.version.split()[0]})")
        parser.exit()


def _add_target_options(parser: argparse.ArgumentParser) -> None:
    """How a command reaches a vendor: a simulator, a config file instance, or params."""
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="instance parameter (also SOARPACKS_<INTEGRATION>_<PARAM> environment variables)")
    parser.add_argument("--simulate", action="store_true", help="run against the integration's simulator, in-process")
    parser.add_argument("--seed", type=int, default=0, help="simulator seed (with --simulate)")
    parser.add_argument("--faults", default=None, help="simulator fault spec, e.g. 429=0.1,503=0.05 (with --simulate)")
    parser.add_argument("--config", help="YAML config file with instances")
    parser.add_argument("--instance", help="instance name in the config file (also the state key)")
    parser.add_argument("--state", help="state file (SQLite); default: the user's state dir")


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser. Given an ``argv`` whose action is a built-in one, the optional actions' modules
    are left out: every SOAR command's start-up would pay for them (packaging imports its builders)."""
    parser = argparse.ArgumentParser(prog="soarpacks", description="SOAR integration packs: run, simulate, package.",
                                     epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--debug", action="store_true", help="log requests and show tracebacks (secrets stay masked)")
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    sub.add_parser("list", help="the integrations and their commands")
    describe = sub.add_parser("describe", help="an integration's params and commands")
    describe.add_argument("integration")

    run = sub.add_parser("run", help="run one command, like a war-room command",
                         formatter_class=argparse.RawDescriptionHelpFormatter, epilog=RUN_EXAMPLES)
    run.add_argument("integration")
    run.add_argument("command")
    run.add_argument("args", nargs="*", metavar="KEY=VALUE")
    run.add_argument("-o", "--output", choices=["json", "md", "ocsf"], default="md",
                     help="ocsf: OCSF Detection Findings as JSON Lines (fetch-incidents and the get commands)")
    run.add_argument("--out", metavar="FILE", help="fetch-incidents: append incidents to a JSON Lines file, exactly "
                                                    "once even across crashes; only ever appends (what a killed run "
                                                    "left uncommitted is cut off only once proven its own); "
                                                    "with -o ocsf, any command's findings")
    _add_target_options(run)
    run._option_string_actions["--output"].type = str.lower   # -o JSON works like -o json

    sub.add_parser("demo", help="every integration against its simulator")
    sub.add_parser("validate", help="manifests, schemas, handler coverage")
    docs = sub.add_parser("docs", help="regenerate each integration's README from its manifest")
    docs.add_argument("--check", action="store_true", help="fail if a README is out of date")

    if argv is not None and _requested_action(argv) in ACTIONS:
        return parser
    for module in _OPTIONAL_ACTIONS.values():
        if _module_exists(module):  # an import error inside an existing module must not be hidden
            importlib.import_module(module).add_parser(sub)
    return parser


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


# Actions that live in their own modules, so `run` never imports them.
_OPTIONAL_ACTIONS = {"package": "soarpacks.tools.packaging.cli", "playbook": "soarpacks.tools.playbooks.cli", "bench": "soarpacks.tools.bench.cli",
                     "state": "soarpacks.tools.state_cli", "completion": "soarpacks.tools.completion",
                     "simulate": "soarpacks.tools.simulate_cli"}


def _requested_action(argv: list[str]) -> str | None:
    """The first word that is not an option (the global options take no value)."""
    return next((arg for arg in argv if not arg.startswith("-")), None)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(sys.argv[1:] if argv is None else argv)
    if "_ARGCOMPLETE" in os.environ:   # the shell asks for completions (argcomplete's protocol)
        with contextlib.suppress(ImportError):
            import argcomplete
            argcomplete.autocomplete(parser)   # answers and exits
    options = _parse(parser, argv)
    _configure_logging(options.debug)
    try:
        return int(ACTIONS.get(options.action, _delegate)(options) or 0)
    except errors.SoarpacksError as exc:
        if options.debug:
            print(REDACTOR(traceback.format_exc()), file=sys.stderr)
        print(f"error ({exc.kind}): {_one_line(REDACTOR(exc.message))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        if exc.filename is None:   # not about a file the user named: a bug of ours, below
            return _our_bug(exc, options.debug)
        # A file or folder the user named (an --out folder, a package -o path): fix the setup, exit 3.
        print(f"error (config): cannot use {exc.filename}: {exc.strerror or type(exc).__name__}", file=sys.stderr)
        return 3
    except Exception as exc:  # a bug of ours: still one line, still redacted
        return _our_bug(exc, options.debug)


def _our_bug(exc: BaseException, debug: bool) -> int:
    if debug:
        print(REDACTOR(traceback.format_exc()), file=sys.stderr)
    print(f"bug in soarpacks, please report: {type(exc).__name__}: {_one_line(REDACTOR(exc))}"
          f"{'' if debug else ' (run with --debug for the traceback)'}", file=sys.stderr)
    return 1


def _parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Like ``parse_args``, but ``run``'s ``key=value`` arguments may also stand after flags (argparse
    stops filling a positional list at the first option; ``parse_intermixed_args`` refuses subparsers)."""
    options, extras = parser.parse_known_args(argv)
    if options.action == "run":
        options.args = [*options.args, *(e for e in extras if not e.startswith("-"))]
        extras = [e for e in extras if e.startswith("-")]
    if extras:
        parser.error(f"unrecognized arguments: {' '.join(extras)}")
    return options


def _one_line(text: str) -> str:
    """Errors may quote what the user typed; escape line breaks so stderr stays one line."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


def _configure_logging(debug: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(REDACTOR.logging_filter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    # urllib3 logs request lines (never headers) at DEBUG; keep it, through the redacting handler.


def _delegate(options: argparse.Namespace) -> int:
    return options.handler(options)


# --- list / describe ---------------------------------------------------------------------------------

def cmd_list(options: argparse.Namespace) -> int:
    from soarpacks.integrations.common.registry import discover
    for integration in discover().values():
        m = integration.manifest
        supported = [c.name for c in m.commands.values() if c.supported]
        print(f"{m.id:16} {m.name} {m.version}  ({len(supported)} commands)")
    return 0


def cmd_describe(options: argparse.Namespace) -> int:
    from soarpacks.integrations.common.registry import get
    m = get(options.integration).manifest
    print(f"{m.name} ({m.id} {m.version}) — {m.description}\n\nParams:")
    for p in m.params:
        print(_describe_field(p, secret=True))
    print("\nCommands:")
    for c in m.commands.values():
        status = "" if c.supported else f"  [not supported: {c.unsupported_reason}]"
        name = f"{c.name} (also {c.platform_name})" if c.platform_name and c.platform_name != c.name else c.name
        print(f"  {name}: {c.description.strip()}{status}")
        for a in c.args:
            print(_describe_field(a, indent="      "))
    return 0


def _describe_field(spec: dict[str, Any], *, indent: str = "  ", secret: bool = False) -> str:
    """One param or argument: type, required/secret, default, allowed values, example, description."""
    flags = [f for f in ("required" if spec.get("required") else "", "secret" if secret and spec.get("secret") else "") if f]
    parts = [f"{indent}{spec['name']} ({', '.join([spec['type'], *flags])})"]
    if "default" in spec:
        parts.append(f"default {json.dumps(spec['default'])}")
    if "enum" in spec:
        parts.append("one of " + ", ".join(map(str, spec["enum"])))
    if "example" in spec:
        parts.append(f"e.g. {spec['example']}")
    line = "; ".join(parts)
    return f"{line}\n{indent}    {spec['description'].strip()}" if spec.get("description") else line


# --- run ---------------------------------------------------------------------------------------------

def target_instance(options: argparse.Namespace, integration_id: str) -> contextlib.AbstractContextManager[Any]:
    """The instance ``run``'s options name (``instances.open_instance``)."""
    from soarpacks.tools.instances import open_instance
    return open_instance(integration_id, params=options.param, simulate=options.simulate, seed=options.seed,
                         faults=options.faults, state=options.state, config=options.config,
                         instance=options.instance)


def cmd_run(options: argparse.Namespace) -> int:
    from soarpacks.tools.config import parse_pairs
    args = parse_pairs(options.args, what="argument", unique=True)
    with target_instance(options, options.integration) as instance, _fetch_guard(instance, options.command):
        fetch = instance.integration.manifest.command(options.command).name == "fetch-incidents"
        if options.output == "ocsf":
            from soarpacks.tools.ocsf_output import run_ocsf
            run_ocsf(instance, options.command, args, out=options.out)
        elif fetch and options.out:
            _run_fetch_to_file(instance, args, options.out)
        elif fetch:
            _run_fetch(instance, args, options.output, options.command)
        else:
            instance.run(options.command, args, emit=_printer(options.output))
    return 0


@contextlib.contextmanager
def _fetch_guard(instance: Any, command: str) -> Iterator[None]:
    """One fetch per state key at a time, for the whole run (two would hand everything over twice), and
    a state file that can be written, checked before anything is handed over (or the next run repeats it)."""
    from soarpacks.integrations.common.lock import state_lock
    from soarpacks.integrations.common.state import SqliteStateStore
    role = instance.integration.manifest.command(command).name
    if role != "fetch-incidents" or not isinstance(instance.store, SqliteStateStore):
        yield
        return
    with state_lock(instance.store.path, instance.state_key(role)):
        instance.store.check_writable()
        yield


def _printer(output: str) -> Callable[[Any], None]:
    def emit(result: Any) -> None:
        if output == "json":
            print(json.dumps(result.outputs, indent=2, sort_keys=True, default=str))
        else:
            print(result.markdown())
        sys.stdout.flush()
    return emit


def _run_fetch(instance: Any, args: dict[str, str], output: str, command: str = "fetch-incidents") -> None:
    """Streams incidents out batch by batch. On failure, a JSON array is still closed, so stdout
    holds exactly the incidents handed over, which is what the saved bookmark covers."""
    from soarpacks.integrations.common.results import markdown_table
    first = True

    def emit(incidents: list[dict[str, Any]]) -> None:
        nonlocal first
        if output == "json":
            for incident in incidents:
                sys.stdout.write(("[\n" if first else ",\n") + json.dumps(incident, sort_keys=True, default=str))
                first = False
        else:
            rows = [{k: i[k] for k in ("id", "name", "severity", "occurred", "status")} for i in incidents]
            print(markdown_table(rows))
        sys.stdout.flush()

    try:
        count = instance.run(command, args, emit=emit)
    finally:
        if output == "json":
            sys.stdout.write("[]\n" if first else "\n]\n")
            sys.stdout.flush()
    if output == "md":
        print(f"\n{count} incident(s) handed over.")


def _run_fetch_to_file(instance: Any, args: dict[str, str], path: str) -> None:
    from soarpacks.integrations.common.outbox import JsonLinesOutbox
    outbox = JsonLinesOutbox(path, instance.store, state_key=instance.state_key())
    dropped = outbox.recover()
    if dropped:
        log.warning("dropped %d uncommitted bytes a killed run left in %s; fetching them again", dropped, path)
    count = instance.run("fetch-incidents", args, emit=outbox.write, commit_with=outbox.state)
    print(f"{count} incident(s) appended to {path}")


# --- demo / validate / docs -------------------------------------------------------------------------

def cmd_demo(options: argparse.Namespace) -> int:
    from soarpacks.tools.demo import run_demo
    return run_demo()


def cmd_validate(options: argparse.Namespace) -> int:
    from soarpacks.tools.validate import validate_all
    problems = validate_all()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 3
    print("all manifests, schemas and handlers are consistent")
    return 0


def cmd_docs(options: argparse.Namespace) -> int:
    from soarpacks.tools.docs import write_readmes
    stale = write_readmes(check=options.check)
    for path in stale:
        print(f"{'out of date' if options.check else 'wrote'}: {path}")
    return 3 if options.check and stale else 0


ACTIONS: dict[str, Callable[[argparse.Namespace], int]] = {
    "list": cmd_list, "describe": cmd_describe, "run": cmd_run,
    "demo": cmd_demo, "validate": cmd_validate, "docs": cmd_docs,
}

if __name__ == "__main__":
    sys.exit(main())
