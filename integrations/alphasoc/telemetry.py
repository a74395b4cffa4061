"""Telemetry upload: events read from a file (NDJSON, JSON array or stream, CSV with a header;
optionally gzip-compressed) or from a value, one at a time, and sent in gzip batches.

Memory stays bounded whatever the file size: the reader yields one event at a time, and a batch is
compressed while it is filled, so at most one compressed batch (and a 256 KiB buffer) is held. A batch
is at most ``MAX_BATCH_BYTES`` uncompressed (AlphaSOC's limit is "10MB"; 10,000,000 bytes is under it
whichever way that is read). The request loop retries a batch on 429 and 5xx; a batch that finally
fails is reported with the offset of its first event, so ``start_at=<offset> limit=<events>`` resends
exactly that batch and nothing is silently lost.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import os
import time
import zlib
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Iterable, Iterator, NamedTuple

from ..common import errors
from ..common.results import markdown_table

EVENT_TYPES = ("dns", "ip", "http", "tls", "lease")
MAX_BATCH_BYTES = 10_000_000
FORMATS = ("auto", "ndjson", "json", "csv")
# zlib's default: ~4x smaller than the raw NDJSON for typical telemetry, and not the bottleneck.
COMPRESS_LEVEL = 6
# Failing this many batches in a row means the service (or the network) is down: stop and say where.
MAX_FAILED_IN_A_ROW = 3
SAMPLES = 10
_READ_CHUNK = 1 << 20
_decode = json.JSONDecoder().raw_decode
_COMPRESS_CHUNK = 256 * 1024
# CSV cells are text; these fields are numbers or booleans in AlphaSOC's event schemas.
_INTEGER_FIELDS = frozenset({"srcPort", "destPort", "bytesIn", "bytesOut", "status"})
_NUMBER_FIELDS = frozenset({"duration"})
_BOOLEAN_FIELDS = frozenset({"termination"})


class Record(NamedTuple):
    """One event of the source: its 0-based ``index`` (what ``start_at`` counts), the line it starts
    on where the format has lines, and its one-line JSON, or why it cannot be sent. A tuple: millions
    are made per upload, and it stays small and fast on every Python we support (3.9 has no slots=)."""

    index: int
    line: int | None
    data: bytes | None
    error: str | None = None


class SourceError(errors.InputError):
    """The source cannot be read past this point (e.g. a broken JSON array)."""

    def __init__(self, message: str, *, index: int) -> None:
        super().__init__(message)
        self.index = index


def _compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def records_from_value(value: Any) -> Iterator[Record]:
    """Events given as an argument: one JSON object or a list of them."""
    items = value if isinstance(value, list) else [value]
    for index, item in enumerate(items):
        if isinstance(item, dict):
            yield Record(index, None, _compact(item))
        else:
            yield Record(index, None, None, f"not a JSON object ({type(item).__name__})")


class FileSource:
    """A telemetry file opened for streaming. ``position()`` is how far into the file (as stored on
    disk) reading got, for a progress indicator."""

    def __init__(self, path: str, *, format: str = "auto") -> None:  # noqa: A002
        if format not in FORMATS:
            raise errors.InputError(f"format must be one of {', '.join(FORMATS)}")
        self.path = path
        try:
            self._raw: IO[bytes] = open(path, "rb")
        except OSError as exc:
            raise errors.InputError(f"cannot read {path}: {exc.strerror or exc}") from None
        self.size = os.fstat(self._raw.fileno()).st_size
        self._binary: IO[bytes] = self._raw
        try:
            if self._raw.peek(2)[:2] == b"\x1f\x8b":  # type: ignore[attr-defined]
                self._binary = gzip.GzipFile(fileobj=self._raw, mode="rb")  # type: ignore[assignment]
            self.format = format if format != "auto" else self._detect()
        except BaseException:
            self.close()
            raise

    def _detect(self) -> str:
        name = self.path[:-3] if self.path.endswith(".gz") else self.path
        extension = os.path.splitext(name)[1].lower()
        if extension == ".csv":
            return "csv"
        if extension in (".ndjson", ".jsonl"):
            return "ndjson"
        try:
            head = self._binary.peek(4096)[:4096]  # type: ignore[attr-defined]
        except (OSError, EOFError) as exc:
            raise errors.InputError(f"cannot read {self.path}: {exc}") from None
        head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
        if not head or (head[:1] == b"{" and extension != ".json"):
            return "ndjson"
        if head[:1] in (b"[", b"{"):
            return "json"
        raise errors.InputError(f"cannot tell the format of {os.path.basename(self.path)}; "
                                "say format=ndjson, json or csv")

    def position(self) -> int:
        return self._raw.tell()

    def close(self) -> None:
        if self._binary is not self._raw:
            self._binary.close()
        self._raw.close()

    def __enter__(self) -> "FileSource":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def records(self) -> Iterator[Record]:
        try:
            if self.format == "ndjson":
                yield from self._ndjson()
            elif self.format == "json":
                yield from iter_json_records(io.TextIOWrapper(self._binary, encoding="utf-8-sig").read)
            else:
                yield from self._csv()
        except (OSError, EOFError, UnicodeDecodeError, zlib.error) as exc:
            # A truncated .gz or unreadable bytes: everything before this point was read fine.
            raise SourceError(f"cannot read {os.path.basename(self.path)} further: {exc}", index=-1) from None

    def _ndjson(self) -> Iterator[Record]:
        index = -1
        for number, raw in enumerate(self._binary, 1):
            line = raw.strip()
            if number == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")
            if not line:
                continue
            index += 1
            try:
                # raw_decode on text: json.loads would sniff the encoding and strip again, per line.
                text = line.decode("utf-8")
                value, end = _decode(text)
                if end != len(text):
                    raise ValueError("more than one JSON value on the line")
            except ValueError as exc:
                yield Record(index, number, None, f"not valid JSON ({getattr(exc, 'msg', exc)})")
                continue
            if isinstance(value, dict):
                # The line as given is already one-line JSON: send it untouched.
                yield Record(index, number, line)
            else:
                yield Record(index, number, None, f"not a JSON object ({type(value).__name__})")

    def _csv(self) -> Iterator[Record]:
        text = io.TextIOWrapper(self._binary, encoding="utf-8-sig", newline="")
        reader = csv.DictReader(text)
        for index, row in enumerate(reader):
            if None in row:
                yield Record(index, reader.line_num, None, "more cells than the header has columns")
                continue
            try:
                yield Record(index, reader.line_num, _compact(_typed(row)))
            except ValueError as exc:
                yield Record(index, reader.line_num, None, str(exc))


def _typed(row: dict[str, str]) -> dict[str, Any]:
    event: dict[str, Any] = {}
    for key, cell in row.items():
        if cell is None or cell == "":
            continue  # an empty cell is an absent field, not an empty string
        try:
            if key in _INTEGER_FIELDS:
                event[key] = int(cell)
            elif key in _NUMBER_FIELDS:
                event[key] = float(cell)
            elif key in _BOOLEAN_FIELDS:
                event[key] = cell.strip().lower() in ("true", "1", "yes")
            else:
                event[key] = cell
        except ValueError:
            raise ValueError(f"{key}: {cell!r} is not a number") from None
    return event


def iter_json_records(read: Callable[[int], str], *, chunk: int = _READ_CHUNK,
                      max_event: int = MAX_BATCH_BYTES) -> Iterator[Record]:
    """Objects of a JSON array (``[{...}, {...}]``) or of a stream of JSON objects, read ``chunk``
    characters at a time: never the whole text at once."""
    decoder = json.JSONDecoder()
    buffer, pos, eof = "", 0, False

    def fill() -> bool:
        nonlocal buffer, pos, eof
        if eof:
            return False
        more = read(chunk)
        eof = not more
        buffer, pos = buffer[pos:] + more, 0
        return not eof

    def skip_space() -> bool:
        """Past whitespace; False at the end of the text."""
        nonlocal pos
        while True:
            while pos < len(buffer) and buffer[pos] in " \t\r\n":
                pos += 1
            if pos < len(buffer):
                return True
            if not fill():
                return False

    if not skip_space():
        return
    in_array = buffer[pos] == "["
    if in_array:
        pos += 1
    index = 0
    while True:
        if not skip_space():
            if in_array:
                raise SourceError(f"the JSON array ends without ']' after {index} event(s)", index=index)
            return
        if in_array:
            if buffer[pos] == "]":
                pos += 1
                if skip_space():
                    raise SourceError(f"unexpected data after the JSON array's closing ']' (event {index})",
                                      index=index)
                return
            if index:
                if buffer[pos] != ",":
                    raise SourceError(f"expected ',' between events {index - 1} and {index}", index=index)
                pos += 1
                if not skip_space():
                    raise SourceError(f"the JSON array ends after a ',' (event {index})", index=index)
        while True:
            try:
                value, end = decoder.raw_decode(buffer, pos)
                # A number or literal may go on in the next chunk; an object cannot, but be sure.
                if end < len(buffer) or eof:
                    break
            except ValueError as exc:
                if eof:
                    raise SourceError(f"invalid JSON in event {index}: {getattr(exc, 'msg', exc)}", index=index) from None
            if len(buffer) - pos > max_event:
                raise SourceError(f"event {index} is larger than {max_event} bytes or is not valid JSON",
                                  index=index)
            fill()
        pos = end
        if isinstance(value, dict):
            yield Record(index, None, _compact(value))
        else:
            yield Record(index, None, None, f"not a JSON object ({type(value).__name__})")
        index += 1


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

    def send(self, batch: _Batch) -> bool:
        """Send one batch; False once the upload should stop."""
        self.batches += 1
        body = batch.body()
        self.bytes_uncompressed += batch.size
        self.bytes_compressed += len(body)
        try:
            answer = self.post(self.event_type, body, encoding="gzip")
        except errors.SoarpacksError as exc:
            if isinstance(exc, errors.ConfigError) and not self.accepted and not self.failed:
                raise  # a wrong key or URL: one clear error, not a report of failed batches
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
        self.failed_in_a_row = 0
        self.sent += batch.events
        self.received += _count(answer.get("received"))
        self.accepted += _count(answer.get("accepted"))
        rejected = answer.get("rejected")
        if isinstance(rejected, dict):
            for reason, count in rejected.items():
                self.rejected[str(reason)] = self.rejected.get(str(reason), 0) + _count(count)
        return True

    def run(self, records: Iterable[Record], *, start_at: int, limit: int | None) -> None:
        batch = _Batch(1, self.max_batch_bytes)
        next_index = start_at
        try:
            for record in records:
                if record.index < start_at:
                    continue
                if limit is not None and record.index >= start_at + limit:
                    break
                if record.data is None or len(record.data) + 1 > self.max_batch_bytes:
                    self.read += 1
                    self.reject_locally(record, record.error or f"larger than the {self.max_batch_bytes}-byte "
                                                                "request limit")
                    next_index = record.index + 1
                    continue
                if not batch.fits(record.data):
                    if not self.send(batch):
                        self.resume_at = record.index
                        return
                    batch = _Batch(batch.number + 1, self.max_batch_bytes)
                self.read += 1
                batch.add(record)
                next_index = record.index + 1
                if self.progress is not None:
                    self.progress.update(self)
        except SourceError as exc:
            # Send what was read before the damage, then say where reading stopped.
            self.stopped = str(exc)
            self.resume_at = exc.index if exc.index >= 0 else next_index
        if batch.events:
            self.send(batch)

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


def markdown(result: dict[str, Any]) -> str:
    summary = {k: result[k] for k in ("event_type", "source", "events_read", "batches", "received", "accepted",
                                      "rejected_total", "invalid", "batches_failed", "complete") if k in result}
    parts = [markdown_table([summary], columns=list(summary), title="AlphaSOC telemetry upload")]
    if result["rejected"]:
        parts.append(markdown_table([{"reason": k, "events": v} for k, v in result["rejected"].items()],
                                    title="Rejected by AlphaSOC"))
    if result["failed_batches"]:
        parts.append(markdown_table(result["failed_batches"], columns=["batch", "offset", "events", "line", "error"],
                                    title="Failed batches (resend with start_at=<offset> limit=<events>)"))
    if result["invalid_samples"]:
        parts.append(markdown_table(result["invalid_samples"], title=f"Events not sent ({result['invalid']})"))
    if result["stopped"]:
        parts.append(f"**{result['stopped']}**; resume with start_at={result['resume_at']}")
    return "\n\n".join(parts)
