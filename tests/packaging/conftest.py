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
from pathlib import Path

import pytest

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.registry import discover
from soarpacks.integrations.common.simkit import serve
from soarpacks.tools.packaging import splunk_wheels
from soarpacks.tools.packaging.build import build_all

INTEGRATIONS = discover()
DEMISTO_SDK = "demisto-sdk==1.39.13"
STANDINS = Path(__file__).parent / "standins"


def cache_root() -> Path:
    base = os.environ.get("SOARPACKS_TEST_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "soarpacks", "test-venvs")
    return Path(base)


def tool_interpreter(minimum: tuple[int, int]) -> str:
    """A Python of at least ``minimum`` for a tool's own virtualenv: this one, or the newest pyenv Python.

    The suite runs on every Python we support (3.9 too); a tool such as demisto-sdk needs a newer one,
    and it only reads our files, so it may run on another interpreter than the code under test."""
    if sys.version_info[:2] >= minimum:
        return sys.executable
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    candidates = sorted(pyenv.glob("3.*/bin/python3"), reverse=True) + [
        Path(p) for p in (shutil.which(f"python3.{minor}") for minor in range(20, minimum[1] - 1, -1)) if p]
    for found in candidates:
        probe = subprocess.run([str(found), "-c", "import sys, venv; print(*sys.version_info[:2])"],
                               capture_output=True, text=True)
        if probe.returncode == 0 and tuple(map(int, probe.stdout.split())) >= minimum:
            return str(found)
    skip_or_fail(f"no Python >= {minimum[0]}.{minimum[1]} on PATH for a tool's virtualenv")


def cached_venv(name: str, requirements: list[str], *, interpreter: str = sys.executable) -> Path:
    """A virtualenv holding exactly ``requirements``, made once and reused across runs; its python."""
    version = subprocess.run([interpreter, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True,
                             text=True, check=True).stdout.strip()
    key = hashlib.sha256(json.dumps([version, requirements]).encode()).hexdigest()[:12]
    folder = cache_root() / f"{name}-{key}"
    python = folder / "bin" / "python"
    if python.is_file() and (folder / ".complete").is_file():
        return python
    staging = cache_root() / f".{name}-{key}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        subprocess.run([interpreter, "-m", "venv", "--clear", str(staging)], check=True, capture_output=True, text=True,
                       timeout=300)
        subprocess.run([str(staging / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", *requirements],
                       check=True, capture_output=True, text=True, timeout=900)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        detail = getattr(exc, "stderr", "") or str(exc)
        skip_or_fail(f"cannot install {' '.join(requirements)} into a virtualenv: {detail.strip()[-500:]}")
    (staging / ".complete").touch()
    # Only bin/python is used (pip as ``python -m pip``), which works from the renamed folder.
    try:
        staging.rename(folder)
    except OSError:
        if not (python.is_file() and (folder / ".complete").is_file()):
            # A broken leftover (a killed run, or an interpreter that has since gone away and left
            # bin/python dangling) is replaced; a complete one made by a concurrent run is kept.
            shutil.rmtree(folder, ignore_errors=True)
            staging.rename(folder)
        shutil.rmtree(staging, ignore_errors=True)
    return python


@pytest.fixture(params=sorted(INTEGRATIONS), ids=str)
def integration(request):
    return INTEGRATIONS[request.param]


def skip_or_fail(message: str) -> None:
    """Skip locally; fail in CI (CI=true), where a check that silently does not run is no check."""
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def splunk_wheels_problem() -> str:
    """Why the Splunk SOAR apps' bundled wheels cannot be had ("" when they are in the build cache, or were
    just downloaded into it): the only packaging input that needs the network, once."""
    try:
        for python in splunk_wheels.PYTHONS:
            splunk_wheels.wheels(python)
    except errors.ConfigError as exc:
        return str(exc)
    return ""


@pytest.fixture(scope="session")
def dist(tmp_path_factory, splunk_wheels_problem):
    """Every target for every integration, built once: {(target, integration id): path}. The Splunk apps
    are left out when their wheels cannot be had; ``splunk_dist`` then says why."""
    out = tmp_path_factory.mktemp("dist")
    targets = ("native", "xsoar") + (() if splunk_wheels_problem else ("splunk",))
    return build_all(INTEGRATIONS, targets=targets, out_dir=out)


@pytest.fixture(scope="session")
def splunk_dist(dist, splunk_wheels_problem):
    """``dist`` with the Splunk apps in it, or a skip (a failure in CI) naming what is missing."""
    if splunk_wheels_problem:
        skip_or_fail(f"Splunk SOAR apps not built: {splunk_wheels_problem}")
    return dist


@pytest.fixture
def served(integration):
    simulator = integration.simulator_class()(seed=0, retry_after=0, slow_seconds=0.05)
    with serve(simulator) as running:
        yield running


@pytest.fixture(scope="session")
def sdk_python():
    return cached_venv("demisto-sdk", [DEMISTO_SDK], interpreter=tool_interpreter((3, 10)))


@pytest.fixture(scope="session")
def runtime_python():
    """A clean virtualenv with only what a native package's requirements.txt asks for."""
    from soarpacks.tools.packaging.sources import RUNTIME_REQUIREMENTS
    return cached_venv("runtime", list(RUNTIME_REQUIREMENTS))
