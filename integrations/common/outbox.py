"""Exactly-once hand-over to a file, across SIGKILLs, without ever cutting what is not ours.

Incidents are appended to a JSON Lines file and fsynced; the file's identity (device, inode), its
length and a digest of the last bytes we wrote are then saved in the same transaction as the bookmark
that covers them. Before each append the length and digest of each line about to be written are saved
too (``pending``: a few dozen bytes an incident, not the incidents), so a run killed between the append
and the commit leaves a tail the next run can prove is its own: same file, our committed bytes where we
left them, and the tail our lines in order (the last one possibly torn by the kill). Only then is it cut
off (and fetched again). Anything else is refused (``StateError``, exit 3, the file
untouched): we never truncate bytes we cannot prove we wrote for this state key and never committed.

A file that is not there, or not the one we last wrote, with nothing pending, is simply appended to:
appending loses nothing, so an existing file with unrelated lines or one a reader rotated is fine.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from . import errors
from .state import StateStore

TAIL = 4096   # how many committed bytes the digest covers: enough to tell our bytes from a rewrite


def outbox_key(state_key: str, path: str | os.PathLike[str]) -> str:
    """Where the outbox of ``state_key`` (the fetch bookmark it goes with) records ``path``."""
    return f"outbox/{state_key}/{Path(path).resolve()}"


def check_target(path: str | os.PathLike[str]) -> None:
    """``--out`` must name a file (or a file to create) in an existing folder: bad input otherwise."""
    target = Path(path)
    if target.is_dir():
        raise errors.InputError(f"--out {path} is a directory; name a file to append incidents to")
    if target.exists() and not stat.S_ISREG(target.stat().st_mode):
        raise errors.InputError(f"--out {path} is not a regular file")
    if not target.resolve().parent.is_dir():
        raise errors.InputError(f"--out {path}: the folder {target.resolve().parent} does not exist")


def _line_digest(line: bytes) -> str:
    return hashlib.sha256(line).hexdigest()[:32]


def _tail_digest(handle: Any, end: int) -> str:
    handle.seek(max(0, end - TAIL))
    return hashlib.sha256(handle.read(end - max(0, end - TAIL))).hexdigest()


class JsonLinesOutbox:
    def __init__(self, path: str | os.PathLike[str], store: StateStore, *, state_key: str) -> None:
        check_target(path)
        self.path = Path(path).resolve()
        self.store = store
        self.state_key = state_key
        self.key = outbox_key(state_key, self.path)
        self.record: dict[str, Any] = {}

    def recover(self) -> int:
        """Cut off what a killed run of this state key wrote but never committed, once proven ours;
        return how many bytes were dropped. Raises ``StateError`` (file untouched) when not proven."""
        record = self.store.load(self.key) or {}
        pending = record.get("pending")
        try:
            with open(self.path, "rb") as handle:
                info = os.fstat(handle.fileno())
                size = info.st_size
                dropped = self._provable_tail(handle, info, record, pending) if pending else 0
        except FileNotFoundError:
            if pending:
                self._refuse("is gone, and the last run was killed after writing to it")
            size, dropped = 0, 0
        if dropped:
            with open(self.path, "r+b") as handle:
                handle.truncate(size - dropped)
                os.fsync(handle.fileno())
        self.record = {k: v for k, v in record.items() if k != "pending"}
        return dropped

    def _provable_tail(self, handle: Any, info: os.stat_result, record: dict[str, Any],
                       pending: dict[str, Any]) -> int:
        """How many bytes at the end are the uncommitted ``pending`` write; refuses anything unproven."""
        if (info.st_dev, info.st_ino) != (record.get("device"), record.get("inode")):
            self._refuse("is not the file the last run was writing to when it was killed (replaced or rotated)")
        committed = int(record.get("length", 0))
        if pending.get("offset") != committed or info.st_size < committed:
            self._refuse(f"is {info.st_size} bytes, not the {committed} this state committed")
        if committed and _tail_digest(handle, committed) != record.get("tail_sha256"):
            self._refuse("does not hold, where this state left them, the bytes it committed (rewritten?)")
        handle.seek(committed)
        for length, digest in pending.get("lines") or []:
            line = handle.read(length)
            if len(line) < length:
                # The file ends inside this line: a write the kill tore. Its bytes cannot be compared
                # with a digest of the whole line, but a torn line of ours is shorter and unbroken.
                if b"\n" in line:
                    self._refuse(self._foreign(info.st_size, committed))
                break
            if _line_digest(line) != digest:
                self._refuse(self._foreign(info.st_size, committed))
        if handle.read(1):
            self._refuse(self._foreign(info.st_size, committed))
        return info.st_size - committed

    @staticmethod
    def _foreign(size: int, committed: int) -> str:
        return f"has {size - committed} bytes after the committed {committed} that this state did not write"

    def _refuse(self, why: str) -> None:
        integration, instance = (self.state_key.split("/") + ["", ""])[:2]
        store_path = getattr(self.store, "path", None)
        reset = (f"soarpacks state reset {integration} --instance {instance}"
                 f"{f' --state {store_path}' if store_path else ''} --out {self.path}")
        raise errors.StateError(f"--out {self.path} {why}; refusing to touch it (to carry on, accepting that the "
                                f"last batch may be in the old file too: {reset})")

    def write(self, incidents: list[dict[str, Any]]) -> None:
        encoded = [(json.dumps(i, sort_keys=True, default=str) + "\n").encode() for i in incidents]
        lines = [[len(line), _line_digest(line)] for line in encoded]
        data = b"".join(encoded)
        with open(self.path, "a+b") as handle:   # reads may seek; writes always go to the end
            info = os.fstat(handle.fileno())
            base = info.st_size
            if (info.st_dev, info.st_ino, base) != tuple(self.record.get(k) for k in ("device", "inode", "length")):
                # A file we never wrote, one a reader replaced, or lines someone else appended since
                # our last commit: ours start after them, and only what we write from here is ours.
                self.record = {"device": info.st_dev, "inode": info.st_ino, "length": base,
                               "tail_sha256": _tail_digest(handle, base)}
            # The intent first: a run killed after the append can then prove the tail is its own.
            self.store.save(self.key, {**self.record, "pending": {"offset": base, "lines": lines}})
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            end = handle.seek(0, os.SEEK_END)
            digest = _tail_digest(handle, end)
        self.record = {"device": info.st_dev, "inode": info.st_ino, "length": end, "tail_sha256": digest}

    def state(self) -> dict[str, dict[str, Any]]:
        """Saved with each bookmark: what is committed, and nothing pending."""
        return {self.key: dict(self.record)} if self.record else {}
