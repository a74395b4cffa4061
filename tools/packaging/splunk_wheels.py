"""The wheels a Splunk SOAR app bundles, so that it installs on an instance without internet access.

Splunk SOAR 6.x runs apps on Python 3.9, 7.x on Python 3.13, both on x86_64 Linux; on install it pip-installs
the wheel files the app JSON lists under ``pip39_dependencies`` / ``pip313_dependencies``. Published
connectors keep pure-Python wheels in ``wheels/shared/`` and compiled ones in ``wheels/py39/`` /
``wheels/py313/``; so do we.

What is bundled (the decision, per runtime dependency):

- ``requests`` (with urllib3, idna, certifi, charset-normalizer) is NOT bundled: every Splunk SOAR ships it
  in the apps' Python, and a bundled copy would shadow the platform's certificates and urllib3.
- ``PyYAML`` and ``jsonschema`` ARE bundled, with jsonschema's closure (attrs, referencing,
  jsonschema-specifications, rpds-py, typing-extensions). The runtime imports them only to read and validate
  a manifest it has not seen yet (the result is cached), i.e. on the first action after an install or upgrade;
  but then it needs them, and the two compiled ones (PyYAML, rpds-py) are under 1 MB per Python version.

The versions are pinned per Python version (the newest that support it, full closure), so two builds give
the same bytes. They are downloaded once with ``pip download`` into a build cache
(``$SOARPACKS_WHEEL_CACHE``, default ``~/.cache/soarpacks/wheels``); a build that is offline and finds
them missing fails with a message saying what to download where.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from soarpacks.integrations.common import errors

PLATFORM = "manylinux2014_x86_64"
# Splunk SOAR's app Python per major version: the key of its dependency list, and its wheel folder.
PYTHONS = {"3.9": ("pip39_dependencies", "py39"), "3.13": ("pip313_dependencies", "py313")}
# The bundled closure, newest versions supporting each Python (pip's resolution, written down).
PINS = {
    "3.9": ("PyYAML==6.0.3", "jsonschema==4.25.1", "attrs==26.1.0", "jsonschema-specifications==2025.9.1",
            "referencing==0.36.2", "rpds-py==0.27.1", "typing-extensions==4.16.0"),
    "3.13": ("PyYAML==6.0.4", "jsonschema==4.26.0", "attrs==26.1.0", "jsonschema-specifications==2025.9.1",
             "referencing==0.37.0", "rpds-py==2026.9.1", "typing-extensions==4.16.0"),
}
NOT_BUNDLED = ("requests",)  # ships with Splunk SOAR


def cache_root() -> Path:
    base = os.environ.get("SOARPACKS_WHEEL_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "soarpacks", "wheels")
    return Path(base)


def _normal(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def _folder(python: str) -> Path:
    key = hashlib.sha256("\n".join((PLATFORM, python) + PINS[python]).encode()).hexdigest()[:12]
    return cache_root() / f"py{python.replace('.', '')}-{key}"


def wheels(python: str) -> list[Path]:
    """The pinned wheels for ``python`` ("3.9" or "3.13"), from the cache, downloaded on first use."""
    folder = _folder(python)
    if not (folder / ".complete").is_file():
        _download(python, folder)
    found = sorted(folder.glob("*.whl"))
    names = {_normal(p.name.split("-")[0]) for p in found}
    missing = [pin for pin in PINS[python] if _normal(pin.split("==")[0]) not in names]
    if missing:
        raise errors.ConfigError(f"the wheel cache {folder} lacks {', '.join(missing)}; delete it to download again")
    return found


def _download(python: str, folder: Path) -> None:
    staging = folder.with_name(f".{folder.name}-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
               "--only-binary=:all:", "--platform", PLATFORM, "--python-version", python, "--implementation", "cp",
               "--dest", str(staging), *PINS[python]]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        done = subprocess.CompletedProcess(command, 1, "", str(exc))
    if done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        detail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise errors.ConfigError(
            f"cannot download the Splunk SOAR app's wheels for Python {python} ({' '.join(PINS[python])}) into "
            f"{folder}: {detail[:300]}. Build once with access to PyPI (or PIP_INDEX_URL naming a mirror), or put "
            f"those wheels ({PLATFORM}) there yourself and create {folder / '.complete'}")
    (staging / ".complete").touch()
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        staging.rename(folder)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)  # another build filled it first


def bundle() -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """The app JSON's dependency lists (one per Python version) and the wheel files to put in the app."""
    declared: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    for python, (key, subfolder) in PYTHONS.items():
        modules = {_normal(pin.split("==")[0]): pin.split("==")[0] for pin in PINS[python]}
        entries = []
        for path in wheels(python):
            pure = path.name.endswith("-none-any.whl")
            member = f"wheels/{'shared' if pure else subfolder}/{path.name}"
            files[member] = path.read_bytes()
            entries.append({"module": modules[_normal(path.name.split("-")[0])], "input_file": member})
        declared[key] = {"wheel": sorted(entries, key=lambda e: e["module"].lower())}
    return declared, sorted(files.items())
