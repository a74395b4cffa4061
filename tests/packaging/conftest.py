"""Fixtures for the packaging specs: every target built once per session for every integration found on
disk, and cached virtualenvs (outside the repository) for the checks that need other Python packages.

A virtualenv that cannot be made (no network) skips its tests locally, and fails them in CI (CI=true):
a check that silently does not run in CI is no check.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from integrations.common.registry import discover
from integrations.common.simkit import serve
from tools.packaging.build import build_all

INTEGRATIONS = discover()
DEMISTO_SDK = "demisto-sdk==1.39.13"
STANDINS = Path(__file__).parent / "standins"


def cache_root() -> Path:
    base = os.environ.get("SOARPACKS_TEST_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "soarpacks", "test-venvs")
    return Path(base)


def cached_venv(name: str, requirements: list[str]) -> Path:
    """A virtualenv holding exactly ``requirements``, made once and reused across runs; its python."""
    key = hashlib.sha256(json.dumps([sys.version_info[:2], requirements]).encode()).hexdigest()[:12]
    folder = cache_root() / f"{name}-{key}"
    python = folder / "bin" / "python"
    if python.is_file() and (folder / ".complete").is_file():
        return python
    staging = cache_root() / f".{name}-{key}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(staging)
        subprocess.run([str(staging / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", *requirements],
                       check=True, capture_output=True, text=True, timeout=900)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        detail = getattr(exc, "stderr", "") or str(exc)
        message = f"cannot install {' '.join(requirements)} into a virtualenv: {detail.strip()[-500:]}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    (staging / ".complete").touch()
    # Only bin/python is used (pip as ``python -m pip``), which works from the renamed folder.
    try:
        staging.rename(folder)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)  # another run made it first
    return python


@pytest.fixture(params=sorted(INTEGRATIONS), ids=str)
def integration(request):
    return INTEGRATIONS[request.param]


@pytest.fixture(scope="session")
def dist(tmp_path_factory):
    """Every target for every integration, built once: {(target, integration id): path}."""
    out = tmp_path_factory.mktemp("dist")
    return build_all(INTEGRATIONS, targets=("native", "xsoar", "splunk"), out_dir=out)


@pytest.fixture
def served(integration):
    simulator = integration.simulator_class()(seed=0, retry_after=0, slow_seconds=0.05)
    with serve(simulator) as running:
        yield running


@pytest.fixture(scope="session")
def sdk_python():
    return cached_venv("demisto-sdk", [DEMISTO_SDK])


@pytest.fixture(scope="session")
def runtime_python():
    """A clean virtualenv with only what a native package's requirements.txt asks for."""
    from tools.packaging.sources import RUNTIME_REQUIREMENTS
    return cached_venv("runtime", list(RUNTIME_REQUIREMENTS))
