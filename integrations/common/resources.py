"""Where the runtime's data lives. Manifests, JSON schemas and playbooks ship inside the package —
the wheel's ``soarpacks`` namespace, or the namespace a SOAR package gives its embedded copy — and
are found through ``importlib.resources``, never by walking up from a file to a checkout.
"""
from __future__ import annotations

import importlib.resources
from pathlib import Path

# "soarpacks.integrations.common.resources" -> "soarpacks"; an embedded copy has its own root.
ROOT_PACKAGE = __name__.rsplit(".", 3)[0]
INTEGRATIONS_PACKAGE = f"{ROOT_PACKAGE}.integrations"


def package_dir(name: str) -> Path:
    """The folder of the data package ``<root>.<name>`` (``integrations``, ``schemas``, ``playbooks``).

    Every package is installed as files (wheels are unpacked; SOAR packages are extracted first), so a
    ``Path`` is always available, and the callers need one (globbing, cache keys, error messages).
    """
    return Path(str(importlib.resources.files(f"{ROOT_PACKAGE}.{name}")))
