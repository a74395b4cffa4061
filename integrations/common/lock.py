"""One process at a time per state key: two fetches of one bookmark would hand everything over twice.

An exclusive ``fcntl.flock`` on a small lock file next to the state file, one per state key, held for the
whole run. The kernel drops it when the process ends, however it ends (a SIGKILL leaves no stale lock).
The holder writes its pid into the file so a waiting run can say who holds it.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import time
from pathlib import Path
from typing import Iterator

from . import errors

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock; the SOAR platforms serialise runs themselves
    fcntl = None  # type: ignore[assignment]

DEFAULT_WAIT = 5.0
WAIT_ENV = "SOARPACKS_LOCK_WAIT"   # seconds a second run waits for the lock (tests shorten it)


def lock_path(state_path: str | os.PathLike[str], key: str) -> Path:
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return Path(f"{state_path}.{digest}.lock")


def _wait_seconds(wait: float | None) -> float:
    if wait is not None:
        return wait
    try:
        return float(os.environ.get(WAIT_ENV, DEFAULT_WAIT))
    except ValueError:
        return DEFAULT_WAIT


@contextlib.contextmanager
def state_lock(state_path: str | os.PathLike[str], key: str, *, wait: float | None = None) -> Iterator[None]:
    """Hold the lock of ``key`` in the state file at ``state_path``; a run that cannot get it within
    ``wait`` seconds (default ``$SOARPACKS_LOCK_WAIT`` or 5) fails with ``StateError`` (exit 3)."""
    if fcntl is None:
        yield
        return
    path = lock_path(state_path, key)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise errors.StateError(f"cannot create the lock file {path}: {exc.strerror}") from None
    try:
        deadline = time.monotonic() + _wait_seconds(wait)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    raise errors.StateError(f"state {key} in {state_path} is in use by pid {_holder(fd)}; "
                                            "wait for that run to end") from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)   # releases the lock


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode().strip() or "?"
    except (OSError, UnicodeDecodeError):
        return "?"
