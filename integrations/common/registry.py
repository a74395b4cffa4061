"""Integrations on disk, and how a vendor's ``handlers.py`` connects to the runtime.

A vendor's ``handlers.py`` provides:

- ``make_client(params, *, retry) -> client``: the vendor client, from validated instance params;
- one function per supported command, marked ``@command("name")``. It receives the client and the
  command's validated arguments as keyword arguments, plus ``state=`` when it declares that
  parameter (fetch-incidents). It returns a ``CommandResult``, or for fetch-incidents an iterator of
  ``FetchBatch`` (the runner hands each batch over before it saves the batch's bookmark).

Commands the manifest marks ``supported: false`` have no handler: the runner answers for them.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, TypeVar

from . import errors
from .manifest import Manifest, load_manifest
from .resources import INTEGRATIONS_PACKAGE, package_dir

# The integrations folder of THIS copy of the runtime (the wheel's, or one pack's embedded copy under its own
# root package). A SOAR engine that runs several packs in one process loads one copy per pack, each with its
# own registry, so no pack ever looks for its integration in another pack's folder.
INTEGRATIONS_DIR = package_dir("integrations")
F = TypeVar("F", bound=Callable[..., Any])


def command(name: str) -> Callable[[F], F]:
    """Mark a function as the handler of the manifest command ``name``."""
    def mark(function: F) -> F:
        function.__soarpacks_command__ = name  # type: ignore[attr-defined]
        return function
    return mark


@dataclass
class Integration:
    manifest: Manifest
    _handlers: dict[str, Callable[..., Any]] | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        return self.manifest.id

    @cached_property
    def module(self) -> ModuleType:
        return importlib.import_module(f"{INTEGRATIONS_PACKAGE}.{self.id}.handlers")

    @property
    def handlers(self) -> dict[str, Callable[..., Any]]:
        if self._handlers is None:
            self._handlers = {fn.__soarpacks_command__: fn for fn in vars(self.module).values()
                              if callable(fn) and hasattr(fn, "__soarpacks_command__")}
        return self._handlers

    def handler(self, name: str) -> Callable[..., Any]:
        try:
            return self.handlers[name]
        except KeyError:
            raise errors.ConfigError(f"{self.id}: command {name} has no handler") from None

    def make_client(self, params: dict[str, Any], **options: Any) -> Any:
        return self.module.make_client(params, **options)

    def simulator_class(self) -> Any:
        return importlib.import_module(f"{INTEGRATIONS_PACKAGE}.{self.id}.simulator").Simulator


def discover(root: Path = INTEGRATIONS_DIR) -> dict[str, Integration]:
    found = {}
    for path in sorted(root.glob("*/manifest.yaml")):
        manifest = load_manifest(path)
        if manifest.id != path.parent.name:
            raise errors.ConfigError(f"{path}: id {manifest.id!r} does not match its folder {path.parent.name!r}")
        found[manifest.id] = Integration(manifest)
    return found


def get(integration_id: str) -> Integration:
    path = INTEGRATIONS_DIR / integration_id / "manifest.yaml"
    if not integration_id.replace("_", "").isalnum() or not path.is_file():
        known = ", ".join(discover()) or "none"
        raise errors.InputError(f"no integration {integration_id!r} (installed: {known})")
    return Integration(load_manifest(path))
