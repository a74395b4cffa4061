"""``soarpacks simulate INTEGRATION``: serve an integration's simulator until interrupted, and print the
command to run against it (its credentials are fake: printed in full, quoted for the shell)."""
from __future__ import annotations

import argparse
import contextlib
import errno
import shlex
import socket
import sys
import time
from typing import Any

from soarpacks.integrations.common import errors


def add_parser(subparsers: Any) -> None:
    simulate = subparsers.add_parser("simulate", help="serve an integration's simulator until interrupted")
    simulate.add_argument("integration")
    simulate.add_argument("--port", type=_port, default=0, help="0 (the default) picks a free port")
    simulate.add_argument("--seed", type=int, default=0)
    simulate.add_argument("--faults", default=None)
    simulate.set_defaults(handler=run)


def run(options: argparse.Namespace) -> int:
    from soarpacks.integrations.common.registry import get
    from soarpacks.integrations.common.simkit import serve
    integration = get(options.integration)
    simulator = integration.simulator_class()(seed=options.seed, faults=options.faults)
    if options.port:
        # Asked first: werkzeug answers a busy port with its own lines on stderr and sys.exit(1).
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", options.port))
            except OSError as exc:
                if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
                    raise
                raise errors.ConfigError(f"cannot listen on port {options.port}: {exc.strerror} "
                                         "(pick another with --port, or --port 0 for any free one)") from None
    with serve(simulator, port=options.port) as served:
        # The simulator's credentials are fake: printed in full, quoted for the shell, ready to paste.
        params = " ".join(shlex.quote(f"--param={name}={_cli_value(value)}") for name, value in served.params().items())
        print(f"{integration.id} simulator on {served.url} (seed {options.seed}); run commands against it with:\n"
              f"  soarpacks run {integration.id} test-module {params}")
        sys.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
    return 0


def _cli_value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _port(text: str) -> int:
    """A TCP port for ``simulate --port``: 0 (any free one) to 65535, else bad input (exit 2)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port (0 to 65535; 0 picks a free one)")
    return port
