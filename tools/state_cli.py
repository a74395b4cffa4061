"""``soarpacks state show|reset INTEGRATION``: see and clear the stored bookmarks (and ``--out`` records).

``show`` prints them as JSON and refuses (exit 3) one it cannot read, as a fetch would. ``reset`` asks
nothing, deletes them in one transaction and prints what it removed, unreadable ones included (it is
the way out that those errors point to): the next fetch starts from ``first_fetch`` again.
"""
from __future__ import annotations

import argparse
import contextlib
import json
from pathlib import Path
from typing import Any, Iterator

from soarpacks.integrations.common import errors


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("state", help="show or reset an integration's stored bookmarks")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="show|reset")
    show = verbs.add_parser("show", help="print the stored bookmark(s) as JSON")
    reset = verbs.add_parser("reset", help="delete the stored bookmark(s); the next fetch starts from first_fetch")
    for verb in (show, reset):
        verb.add_argument("integration")
        verb.add_argument("--instance", help="only this instance (default: every instance of the integration)")
        verb.add_argument("--state", help="state file (SQLite); default: the user's state dir")
    reset.add_argument("--out", metavar="FILE", help="forget only what the state knows about this --out file; "
                                                     "the bookmark stays")
    parser.set_defaults(handler=run)


def _matching(store: Any, integration: str, instance: str | None, out: str | None) -> list[str]:
    scope = f"{integration}/{instance}/" if instance else f"{integration}/"
    if out:
        suffix = "/" + str(Path(out).resolve())
        return [key for key in store.keys(f"outbox/{scope}") if key.endswith(suffix)]
    return store.keys(scope) + store.keys(f"outbox/{scope}")


@contextlib.contextmanager
def _locked(path: Path, keys: list[str]) -> Iterator[None]:
    """The fetch locks of every instance whose keys are about to go, as ``soarpacks run`` takes them."""
    from soarpacks.integrations.common.lock import state_lock
    fetch_keys = {"/".join(key.removeprefix("outbox/").split("/")[:2]) + "/fetch-incidents" for key in keys}
    with contextlib.ExitStack() as stack:
        for key in sorted(fetch_keys):
            stack.enter_context(state_lock(path, key))
        yield


def _raw(store: Any, key: str) -> Any:
    """A stored value for ``reset`` to print, readable or not."""
    try:
        return store.load(key)
    except errors.StateError:
        return store.load_text(key)


def run(options: argparse.Namespace) -> int:
    from soarpacks.integrations.common.registry import get
    from soarpacks.integrations.common.state import SqliteStateStore, default_state_path
    integration = get(options.integration).id   # an unknown integration is bad input (exit 2)
    path = Path(options.state).expanduser() if options.state else default_state_path()
    if path.is_dir():
        raise errors.InputError(f"--state {path} is a directory; name the state file")
    found: dict[str, Any] = {}
    if path.exists():   # never create a state file only to look into it
        store = SqliteStateStore(path)
        try:
            keys = _matching(store, integration, options.instance, getattr(options, "out", None))
            if options.verb == "show":
                found = {key: store.load(key) for key in keys}
            else:
                with _locked(path, keys):   # a fetch running now would save its bookmark back
                    found = {key: _raw(store, key) for key in keys}
                    store.delete(keys)
        finally:
            store.close()
    print(json.dumps({"removed": found} if options.verb == "reset" else found, indent=2, sort_keys=True))
    return 0
