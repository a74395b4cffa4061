"""native: one self-contained zip per integration, run as ``python <id>-<version>.zip run <command> ...``.

It holds the integration's folder, the runtime, the shared schemas, the CLI, a ``requirements.txt``
(the runtime's three dependencies) and a ``__main__.py`` that extracts the package to a content-addressed
cache folder and runs from there (see ``platform/native_main.py`` for why).
"""
from __future__ import annotations

import json
from pathlib import Path

from soarpacks.integrations.common.registry import Integration

from . import archive
from .sources import (
    PLATFORM_DIR,
    RUNTIME_REQUIREMENTS,
    SourceFile,
    digest,
    package_files,
    tool_files,
)

CLI_FILES = ("__init__.py", "cli.py", "config.py", "instances.py", "ocsf_output.py", "packaging/__init__.py",
             "packaging/platform/__init__.py", "packaging/platform/native.py")


def native_name(integration: Integration) -> str:
    return f"{integration.id}-{integration.manifest.version}-native.zip"


def native_files(integration: Integration) -> list[tuple[str, bytes]]:
    payload = package_files(integration, tool_files(*CLI_FILES))
    manifest = integration.manifest
    info = {"id": manifest.id, "name": manifest.name, "version": manifest.version,
            "requires_python": ">=3.9", "requirements": list(RUNTIME_REQUIREMENTS),
            "digest": digest(payload), "files": [f.name for f in payload]}
    extra = [
        SourceFile("__main__.py", (PLATFORM_DIR / "native_main.py").read_bytes()),
        SourceFile("soarpacks-package.json", (json.dumps(info, indent=1, sort_keys=True) + "\n").encode()),
        SourceFile("requirements.txt", ("\n".join(RUNTIME_REQUIREMENTS) + "\n").encode()),
    ]
    return [(f.name, f.data) for f in payload + extra]


def build_native(integration: Integration, out_dir: Path) -> Path:
    return archive.write_file(out_dir, native_name(integration), archive.zip_bytes(native_files(integration)))
