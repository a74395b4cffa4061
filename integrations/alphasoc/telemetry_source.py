"""Telemetry sources: events read one at a time from a file (NDJSON, JSON array or stream, CSV with
a header; optionally gzip-compressed) or from a value, each as a ``Record`` ready to batch.

Nothing here holds more than one event (and a read buffer): a file of any size streams through.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import os
import zlib
from typing import IO, Any, Callable, Iterator, NamedTuple

from ..common import errors

# AlphaSOC's request limit ("10MB"; 10,000,000 bytes is under it whichever way that is read): no single
# event can be larger.
MAX_BATCH_BYTES = 10_000_000
FORMATS = ("auto", "ndjson", "json", "csv")
_READ_CHUNK = 1 << 20
_decode = json.JSONDecoder().raw_decode
try:
    # The optional extra ``soarpacks[fast]``: checking each line is JSON is the reader's largest cost
    # (a profile of a 200k-event upload), and orjson does it in half the time of the standard library.
    # Only to check: the line is sent as it is, so orjson reading integers past 64 bits as floats
    # changes nothing (and is why vendor answers are still decoded by the standard library).
    from orjson import loads as _fast_loads
except ImportError:  # pragma: no cover - depends on what is installed
    _fast_loads = None
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


def _line_value(line: bytes) -> Any:
    """The one JSON value on an NDJSON line; ``ValueError`` when it is not JSON or holds more than one."""
    if _fast_loads is not None:
        try:
            return _fast_loads(line)
        except ValueError:
            pass  # the standard library decides (it also reads NaN and integers past 64 bits) and says why
    # raw_decode on text: json.loads would sniff the encoding and strip again, per line.
    text = line.decode("utf-8")
    value, end = _decode(text)
    if end != len(text):
        raise ValueError("more than one JSON value on the line")
    return value


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
                value = _line_value(line)
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
    text = _JsonText(read, chunk)
    if not text.skip_space():
        return
    in_array = text.current() == "["
    if in_array:
        text.pos += 1
    index = 0
    while _at_next_event(text, index, in_array=in_array):
        value = text.value(index, max_event)
        if isinstance(value, dict):
            yield Record(index, None, _compact(value))
        else:
            yield Record(index, None, None, f"not a JSON object ({type(value).__name__})")
        index += 1


def _at_next_event(text: "_JsonText", index: int, *, in_array: bool) -> bool:
    """Past what separates event ``index`` from the one before; False after the last event."""
    if not text.skip_space():
        if in_array:
            raise SourceError(f"the JSON array ends without ']' after {index} event(s)", index=index)
        return False
    if not in_array:
        return True
    if text.current() == "]":
        text.pos += 1
        if text.skip_space():
            raise SourceError(f"unexpected data after the JSON array's closing ']' (event {index})", index=index)
        return False
    if index:
        if text.current() != ",":
            raise SourceError(f"expected ',' between events {index - 1} and {index}", index=index)
        text.pos += 1
        if not text.skip_space():
            raise SourceError(f"the JSON array ends after a ',' (event {index})", index=index)
    return True


class _JsonText:
    """A text read ``chunk`` characters at a time, and how far into it parsing got."""

    def __init__(self, read: Callable[[int], str], chunk: int) -> None:
        self.read = read
        self.chunk = chunk
        self.buffer, self.pos, self.eof = "", 0, False
        self.decoder = json.JSONDecoder()

    def current(self) -> str:
        return self.buffer[self.pos]

    def fill(self) -> bool:
        if self.eof:
            return False
        more = self.read(self.chunk)
        self.eof = not more
        self.buffer, self.pos = self.buffer[self.pos:] + more, 0
        return not self.eof

    def skip_space(self) -> bool:
        """Past whitespace; False at the end of the text."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buffer):
                return True
            if not self.fill():
                return False

    def value(self, index: int, max_event: int) -> Any:
        """The JSON value at the cursor (event ``index``), reading more text until it is whole."""
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
                # A number or literal may go on in the next chunk; an object cannot, but be sure.
                if end < len(self.buffer) or self.eof:
                    self.pos = end
                    return value
            except ValueError as exc:
                if self.eof:
                    raise SourceError(f"invalid JSON in event {index}: {getattr(exc, 'msg', exc)}",
                                      index=index) from None
            if len(self.buffer) - self.pos > max_event:
                raise SourceError(f"event {index} is larger than {max_event} bytes or is not valid JSON",
                                  index=index)
            self.fill()
