"""Telemetry upload: events from a source (``telemetry_source.py``: a file or a value, one at a time)
sent in gzip batches.

Memory stays bounded whatever the file size: the reader yields one event at a time, and a batch is
compressed while it is filled, and sent while the next one is read, so at most two compressed batches
(and a 256 KiB buffer) are held. A batch
is at most ``MAX_BATCH_BYTES`` uncompressed (AlphaSOC's limit is "10MB"; 10,000,000 bytes is under it
whichever way that is read). The request loop retries a batch on 429 and 5xx; a batch that finally
fails is reported with the offset of its first event, so ``start_at=<offset> limit=<events>`` resends
exactly that batch and nothing is silently lost.
"""
from __future__ import annotations

import time
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Iterable

from ..common import errors
# The sources, re-exported: callers read and send through this one module.
from .telemetry_source import (FORMATS, MAX_BATCH_BYTES, FileSource, Record, SourceError,  # noqa: F401
                               iter_json_records, records_from_value)

EVENT_TYPES = ("dns", "ip", "http", "tls", "lease")
# zlib's default: ~4x smaller than the raw NDJSON for typical telemetry, and not the bottleneck.
COMPRESS_LEVEL = 6
# Failing this many batches in a row means the service (or the network) is down: stop and say where.
MAX_FAILED_IN_A_ROW = 3
SAMPLES = 10
_COMPRESS_CHUNK = 256 * 1024


# --- batching and sending --------------------------------------------------------------------------

class _Batch:
    """Newline-delimited JSON compressed while it is filled."""

    def __init__(self, number: int, limit: int) -> None:
        self.number = number
        self.limit = limit
        self.size = 0
        self.events = 0
        self.first_index = 0
        self.first_line: int | None = None
        self._gzip = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._parts: list[bytes] = []

    def fits(self, data: bytes) -> bool:
        return self.size + len(data) + 1 <= self.limit

    def add(self, record: Record) -> None:
        assert record.data is not None
        if not self.events:
            self.first_index, self.first_line = record.index, record.line
        self._pending.append(record.data)
        self.size += len(record.data) + 1
        self._pending_size += len(record.data) + 1
        self.events += 1
        if self._pending_size >= _COMPRESS_CHUNK:
            self._compress()

    def _compress(self) -> None:
        if self._pending:
            self._parts.append(self._gzip.compress(b"\n".join(self._pending) + b"\n"))
            self._pending, self._pending_size = [], 0

    def body(self) -> bytes:
        self._compress()
        self._parts.append(self._gzip.flush())
        body = b"".join(self._parts)
        self._parts = []
        return body


@dataclass
class _Upload:
    post: Callable[..., dict[str, Any]]
    event_type: str
    max_batch_bytes: int
    progress: "Progress | None" = None
    read: int = 0
    sent: int = 0
    batches: int = 0
    received: int = 0
    accepted: int = 0
    bytes_uncompressed: int = 0
    bytes_compressed: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    invalid: int = 0
    invalid_samples: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    failed_in_a_row: int = 0
    stopped: str | None = None
    resume_at: int | None = None

    def reject_locally(self, record: Record, why: str) -> None:
        self.invalid += 1
        if len(self.invalid_samples) < SAMPLES:
            self.invalid_samples.append({"offset": record.index, "line": record.line, "error": why})

    def _start(self, batch: _Batch) -> None:
        """Compress the batch's tail and POST it from the sending thread: the next batch is read and
        compressed meanwhile, so an upload costs max(reading, sending) rather than their sum."""
        self.batches += 1
        body = batch.body()
        self.bytes_uncompressed += batch.size
        self.bytes_compressed += len(body)
        self._in_flight = (batch, self._sender.submit(self.post, self.event_type, body, encoding="gzip"))

    def _settle(self) -> bool:
        """Wait for the batch in flight (if any) and count its answer; False once the upload should stop."""
        if self._in_flight is None:
            return True
        batch, answer = self._in_flight
        self._in_flight = None
        try:
            return self._counted(batch, answer.result())
        except errors.SoarpacksError as exc:
            return self._failed(batch, exc)

    def _failed(self, batch: _Batch, exc: errors.SoarpacksError) -> bool:
        if isinstance(exc, errors.ConfigError) and not self.accepted and not self.failed:
            raise exc  # a wrong key or URL: one clear error, not a report of failed batches
        self.failed.append({"batch": batch.number, "offset": batch.first_index, "events": batch.events,
                            "line": batch.first_line, "status": exc.status, "error": str(exc)})
        self.failed_in_a_row += 1
        if self.stopped is not None:
            return False
        if isinstance(exc, errors.ConfigError):
            self.stopped = f"stopped: {exc}"
        elif self.failed_in_a_row >= MAX_FAILED_IN_A_ROW:
            self.stopped = f"stopped after {self.failed_in_a_row} failed batches in a row"
        return self.stopped is None

    def _counted(self, batch: _Batch, answer: dict[str, Any]) -> bool:
        self.failed_in_a_row = 0
        self.sent += batch.events
        self.received += _count(answer.get("received"))
        self.accepted += _count(answer.get("accepted"))
        rejected = answer.get("rejected")
        if isinstance(rejected, dict):
            for reason, count in rejected.items():
                self.rejected[str(reason)] = self.rejected.get(str(reason), 0) + _count(count)
        return True

    def _unread(self, batch: _Batch, marks: tuple[int, int]) -> None:
        """The upload stops before ``batch`` is sent: its events, and those rejected locally while it
        was read (``marks``: the invalid count and samples before its first event), are left to the
        resumed upload, exactly as if reading had stopped where the batch starts."""
        if batch.events:
            self.read -= batch.events + self.invalid - marks[0]
            self.invalid, self.invalid_samples = marks[0], self.invalid_samples[:marks[1]]
            self.resume_at = batch.first_index

    def run(self, records: Iterable[Record], *, start_at: int, limit: int | None) -> None:
        self._sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="alphasoc-upload")
        self._in_flight: tuple[_Batch, Future[dict[str, Any]]] | None = None
        try:
            self._read_and_send(records, start_at=start_at, limit=limit)
        finally:
            self._sender.shutdown(wait=True)

    def _read_and_send(self, records: Iterable[Record], *, start_at: int, limit: int | None) -> None:
        """At most one batch in flight while the next is read: memory stays at two batches."""
        batch, next_index, marks = _Batch(1, self.max_batch_bytes), start_at, (0, 0)
        try:
            for record in records:
                if record.index < start_at:
                    continue
                if limit is not None and record.index >= start_at + limit:
                    break
                if not batch.events:
                    marks = (self.invalid, len(self.invalid_samples))
                if record.data is None or len(record.data) + 1 > self.max_batch_bytes:
                    self.read += 1
                    self.reject_locally(record, record.error or f"larger than the {self.max_batch_bytes}-byte "
                                                                "request limit")
                    next_index = record.index + 1
                    continue
                if not batch.fits(record.data):
                    if not self._settle():
                        return self._unread(batch, marks)
                    self._start(batch)
                    batch, marks = _Batch(batch.number + 1, self.max_batch_bytes), (self.invalid,
                                                                                    len(self.invalid_samples))
                self.read += 1
                batch.add(record)
                next_index = record.index + 1
                if self.progress is not None:
                    self.progress.update(self)
        except SourceError as exc:
            # Send what was read before the damage, then say where reading stopped.
            if not self._settle():
                return self._unread(batch, marks)
            self.stopped = str(exc)
            self.resume_at = exc.index if exc.index >= 0 else next_index
        if not self._settle():
            return self._unread(batch, marks)
        if batch.events:
            self._start(batch)
            self._settle()
        return None

    def result(self, *, start_at: int) -> dict[str, Any]:
        return {
            "event_type": self.event_type, "start_at": start_at, "events_read": self.read,
            "events_sent": self.sent, "invalid": self.invalid, "invalid_samples": self.invalid_samples,
            "batches": self.batches, "batches_failed": len(self.failed), "received": self.received,
            "accepted": self.accepted, "rejected": dict(sorted(self.rejected.items())),
            "rejected_total": sum(self.rejected.values()), "bytes_uncompressed": self.bytes_uncompressed,
            "bytes_compressed": self.bytes_compressed, "failed_batches": self.failed,
            "complete": not self.failed and self.stopped is None, "stopped": self.stopped,
            "resume_at": self.resume_at,
        }


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def upload(post: Callable[..., dict[str, Any]], event_type: str, records: Iterable[Record], *, start_at: int = 0,
           limit: int | None = None, max_batch_bytes: int = MAX_BATCH_BYTES,
           progress: "Progress | None" = None) -> dict[str, Any]:
    """Send ``records`` with ``post(event_type, gzip_body, encoding="gzip")``; returns the totals.

    Only events ``start_at <= index < start_at + limit`` are sent. Failed batches are listed with the
    offset of their first event; ``resume_at`` says where to go on when the upload stopped early.
    """
    if event_type not in EVENT_TYPES:
        raise errors.InputError(f"event_type must be one of {', '.join(EVENT_TYPES)}")
    if not 0 < max_batch_bytes <= MAX_BATCH_BYTES:
        raise errors.InputError(f"max_batch_bytes must be between 1 and {MAX_BATCH_BYTES}")
    job = _Upload(post, event_type, max_batch_bytes, progress)
    try:
        job.run(records, start_at=start_at, limit=limit)
    finally:
        if progress is not None:
            progress.close(job)
    return job.result(start_at=start_at)


class Progress:
    """One self-overwriting status line; the caller only creates it when the stream is a terminal."""

    def __init__(self, stream: IO[str], *, interval: float = 0.25, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.interval = interval
        self.clock = clock
        self._next = 0.0
        self._total: int | None = None
        self._position: Callable[[], int] | None = None

    def track(self, source: FileSource) -> None:
        self._total, self._position = source.size, source.position

    def _line(self, job: _Upload) -> str:
        share = ""
        if self._total and self._position is not None:
            share = f"{min(100.0, 100.0 * self._position() / self._total):5.1f}% "
        failed = f", {len(job.failed)} failed" if job.failed else ""
        return (f"\rAlphaSOC {job.event_type} upload: {share}{job.read:,} events read, "
                f"{job.batches} batches sent{failed} ")

    def update(self, job: _Upload) -> None:
        now = self.clock()
        if now >= self._next:
            self._next = now + self.interval
            self.stream.write(self._line(job))
            self.stream.flush()

    def close(self, job: _Upload) -> None:
        self.stream.write(self._line(job) + "\n")
        self.stream.flush()

