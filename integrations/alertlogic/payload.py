"""What an Alert Logic IDS event's packet payload tells an analyst: the HTTP request, the HTTP
response, the printable payload and the decompressed gzip body.

The seed client ran one regex over request and response together, so a POST body that happened to
contain ``HTTP/1.1 200`` was read as the server's answer. Here the two are parsed as separate HTTP
messages: the response is only looked for where the request message *ends* (after its headers and
its ``Content-Length`` or chunked body), never inside it.

Payloads come from a network sensor, so they are routinely cut short, binary, or not HTTP at all.
Nothing in this module raises on bad input: every function returns what it could read, and says
what it could not in ``notes``. Decompression happens in memory with a hard output cap, so a gzip
bomb costs at most ``max_decompressed`` bytes, never the process.
"""
from __future__ import annotations

import base64
import binascii
import re
import zlib
from dataclasses import dataclass, field
from typing import Any

# A sensor payload is a few packets; anything larger is cut here before any parsing.
MAX_PAYLOAD_BYTES = 1024 * 1024
# Enough for any web page an analyst will read; a bomb stops here.
MAX_DECOMPRESSED_BYTES = 256 * 1024
GZIP_MAGIC = b"\x1f\x8b\x08"
_CHUNK = 4096

# Matched against one line without its line break.
_REQUEST_LINE = re.compile(rb"([A-Z][A-Z_-]{2,15}) (\S+) (HTTP/\d(?:\.\d)?)")
_STATUS_LINE = re.compile(rb"(HTTP/\d(?:\.\d)?) (\d{3})(?: ([^\r\n]*))?")
_PRINTABLE = bytes(b if 32 <= b < 127 or b in (9, 10, 13) else ord(".") for b in range(256))


@dataclass
class Message:
    """One HTTP message found in the payload: where it starts and ends, its headers and body."""

    start: int
    end: int
    first_line: tuple[str, ...]
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    complete: bool = True
    notes: list[str] = field(default_factory=list)


def decode_payload(value: Any) -> tuple[bytes | None, str | None]:
    """The payload bytes from the event's ``payload`` field (base64, or the seed's hex dump)."""
    if value in (None, ""):
        return None, None
    if isinstance(value, (bytes, bytearray)):
        return bytes(value), None
    if not isinstance(value, str):
        return None, f"payload is a {type(value).__name__}, not a string"
    text = value.strip()
    if re.fullmatch(r"(?:[0-9a-fA-F]{2})+", text) and len(text) % 2 == 0 and len(text) >= 8:
        try:
            return bytes.fromhex(text), None
        except ValueError:
            pass
    try:
        return base64.b64decode(text, validate=True), None
    except (binascii.Error, ValueError):
        return None, "payload is neither base64 nor hex"


def printable(data: bytes) -> str:
    """The payload as text: printable ASCII and line breaks kept, every other byte shown as ``.``
    (offsets stay true to the packet, unlike the seed, which dropped those bytes)."""
    return data.translate(_PRINTABLE).decode("ascii")


def gunzip(data: bytes, *, limit: int = MAX_DECOMPRESSED_BYTES) -> tuple[bytes, str]:
    """Decompress a gzip stream in memory, at most ``limit`` bytes of output.

    Returns the bytes and how it went: ``complete``, ``partial`` (the stream was cut short or is
    corrupt after some point: what came before is kept, as the seed's ``zcat`` fallback did),
    ``capped`` (``limit`` reached: a bomb, or just a big page) or ``failed`` (nothing readable).
    """
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    position = 0
    try:
        # Fed in slices with max_length, so memory stays bounded whatever the compression ratio.
        while position < len(data) and not inflater.eof:
            piece = data[position:position + _CHUNK]
            position += len(piece)
            out += inflater.decompress(piece, limit - len(out) + 1)
            if len(out) > limit or inflater.unconsumed_tail:
                return bytes(out[:limit]), "capped"
    except zlib.error:
        return bytes(out), "partial" if out else "failed"
    if inflater.eof:
        return bytes(out), "complete"
    return bytes(out), "partial" if out else "failed"


def _line_end(data: bytes, start: int) -> int:
    end = data.find(b"\n", start)
    return len(data) if end < 0 else end


def _line(data: bytes, start: int) -> bytes:
    return data[start:_line_end(data, start)].rstrip(b"\r")


def _find_start_line(data: bytes) -> tuple[int, str] | None:
    """The first line that is an HTTP request line or status line (sensors sometimes capture
    from mid-stream, so it need not be the first line)."""
    start = 0
    while start < len(data):
        end = _line_end(data, start)
        line = data[start:end].rstrip(b"\r")
        if _REQUEST_LINE.fullmatch(line):
            return start, "request"
        if _STATUS_LINE.fullmatch(line):
            return start, "response"
        start = end + 1
    return None


def _parse_headers(data: bytes, start: int, message: Message) -> int | None:
    """Header lines from ``start`` up to the blank line; the offset after it, or None if cut short."""
    position = start
    while position < len(data):
        end = _line_end(data, position)
        if end >= len(data):
            # A last line with no line break was cut mid-value ("Host: www.exa"): a wrong value
            # is worse than none, so it is dropped.
            return None
        line = data[position:end].rstrip(b"\r")
        position = end + 1
        if not line:
            return position
        _add_header(line, message)
    return None


def _add_header(line: bytes, message: Message) -> None:
    name, sep, value = line.partition(b":")
    if sep and name and not name[:1].isspace():
        message.headers[name.decode("latin-1").strip().lower()] = value.decode("latin-1").strip()


def _dechunk(data: bytes, start: int) -> tuple[bytes, int, bool]:
    """A chunked body (RFC 9112 §7.1): the joined chunks, where the message ends, and whether the
    final zero-size chunk was seen."""
    body = bytearray()
    position = start
    while position < len(data):
        end = _line_end(data, position)
        size_text = data[position:end].split(b";")[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            return bytes(body), position, False
        position = end + 1
        if size == 0:
            # Trailer section: header lines up to a blank line.
            while position < len(data):
                end = _line_end(data, position)
                line = data[position:end].rstrip(b"\r")
                position = end + 1
                if not line:
                    return bytes(body), position, True
            return bytes(body), position, False
        body += data[position:position + size]
        if position + size > len(data):
            return bytes(body), len(data), False
        position += size
        if data[position:position + 2] == b"\r\n":
            position += 2
        elif data[position:position + 1] == b"\n":
            position += 1
    return bytes(body), position, False


def _parse_message(data: bytes, start: int, kind: str) -> Message:
    line_end = _line_end(data, start)
    pattern = _REQUEST_LINE if kind == "request" else _STATUS_LINE
    parts = pattern.fullmatch(_line(data, start))
    first = tuple((p or b"").decode("latin-1") for p in parts.groups()) if parts else ()
    message = Message(start=start, end=len(data), first_line=first)
    body_start = _parse_headers(data, line_end + 1, message)
    if body_start is None:
        message.complete = False
        message.notes.append(f"{kind} headers are cut short")
        return message
    encoding = message.headers.get("transfer-encoding", "").lower()
    length_text = message.headers.get("content-length")
    if "chunked" in encoding:
        message.body, message.end, message.complete = _dechunk(data, body_start)
        if not message.complete:
            message.notes.append(f"{kind} chunked body is cut short")
    elif length_text is not None and length_text.isdigit():
        length = int(length_text)
        message.body = data[body_start:body_start + length]
        message.end = body_start + length
        if len(message.body) < length:
            message.complete = False
            message.end = len(data)
            message.notes.append(f"{kind} body is cut short ({len(message.body)} of {length} bytes)")
    elif kind == "request":
        # RFC 9112 §6.3: a request without Content-Length or chunked encoding has no body.
        message.body, message.end = b"", body_start
    else:
        # A response without framing runs until the connection closes: the rest of the capture.
        message.body, message.end = data[body_start:], len(data)
    return message


def _skip_blank(data: bytes, position: int) -> int:
    while position < len(data) and data[position:position + 1] in (b"\r", b"\n"):
        position += 1
    return position


def _request_summary(message: Message) -> dict[str, Any]:
    method, resource, protocol = (message.first_line + ("", "", ""))[:3]
    host = message.headers.get("host") or None
    if resource.lower().startswith(("http://", "https://")):
        full_url = resource  # absolute form (a proxy request): already the full URL
    elif host and resource.startswith("/"):
        # Traffic a sensor can read was not TLS, so the scheme is http.
        full_url = f"http://{host}{resource}"
    else:
        full_url = None
    content_length = message.headers.get("content-length")
    return {
        "method": method or None, "resource": resource or None, "protocol": protocol or None,
        "host": host, "full_url": full_url,
        "user_agent": message.headers.get("user-agent"),
        "content_type": message.headers.get("content-type"),
        "content_length": int(content_length) if content_length and content_length.isdigit() else None,
        "body_bytes": len(message.body), "complete": message.complete,
    }


def _response_summary(message: Message) -> dict[str, Any]:
    protocol, code, text = (message.first_line + ("", "", ""))[:3]
    return {
        "protocol": protocol or None, "code": int(code) if code.isdigit() else None, "message": text or None,
        "content_type": message.headers.get("content-type"),
        "content_encoding": message.headers.get("content-encoding"),
        "body_bytes": len(message.body), "complete": message.complete,
    }


def _as_text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return printable(data)


def analyse_payload(data: bytes | None, *, max_decompressed: int = MAX_DECOMPRESSED_BYTES,
                    max_payload: int = MAX_PAYLOAD_BYTES) -> dict[str, Any]:
    """Everything the payload says, as a JSON-ready dict; never raises on malformed input.

    ``request``/``response`` are None when not found; ``decompressed`` is the gzip body as text
    (None when there is none) and ``decompression`` how it went; ``truncated`` means the capture
    ended inside a message; ``notes`` says, for a person, what could not be read.
    """
    result: dict[str, Any] = {
        "payload_bytes": 0, "request": None, "response": None, "full_payload": "",
        "decompressed": None, "decompression": None, "decompressed_bytes": 0,
        "truncated": False, "notes": [],
    }
    if not data:
        result["notes"].append("no payload")
        return result
    result["payload_bytes"] = len(data)
    if len(data) > max_payload:
        data = data[:max_payload]
        result["truncated"] = True
        result["notes"].append(f"payload cut to the first {max_payload} bytes for analysis")
    result["full_payload"] = printable(data)

    response = _read_messages(data, result)
    if response is not None:
        result["response"] = _response_summary(response)
        result["notes"].extend(response.notes)
        result["truncated"] |= not response.complete
    body = _gzip_body(data, response)
    if body:
        _decompress_into(result, body, max_decompressed=max_decompressed)
    return result


def _read_messages(data: bytes, result: dict[str, Any]) -> Message | None:
    """Finds the first HTTP line and reads the request (into ``result``) and the response after it, which
    it returns (None when there is none)."""
    found = _find_start_line(data)
    if found is None:
        result["notes"].append("no HTTP request or response line in the payload")
        return None
    start, kind = found
    if start:
        result["notes"].append(f"{start} bytes before the first HTTP line")
    if kind != "request":
        result["notes"].append("the payload starts with the response; no request captured")
        return _parse_message(data, start, "response")
    request = _parse_message(data, start, "request")
    result["request"] = _request_summary(request)
    result["notes"].extend(request.notes)
    result["truncated"] |= not request.complete
    return _response_after(data, request, result["notes"]) if request.complete else None


def _response_after(data: bytes, request: Message, notes: list[str]) -> Message | None:
    """The response that follows a complete request, past the blank lines between them."""
    after = _skip_blank(data, request.end)
    if after >= len(data):
        notes.append("no response in the payload")
        return None
    if not _STATUS_LINE.fullmatch(_line(data, after)):
        notes.append("data after the request is not an HTTP response")
        return None
    return _parse_message(data, after, "response")


def _gzip_body(data: bytes, response: Message | None) -> bytes | None:
    """The gzip body to inflate: the response's when it says (or looks) gzip, else none."""
    if response is not None:
        gzipped = ("gzip" in (response.headers.get("content-encoding") or "").lower()
                   or response.body.startswith(GZIP_MAGIC))
        return response.body if gzipped else None
    # As the seed did: gzip magic right after a header break, even where no HTTP was parsed.
    at = data.find(b"\r\n\r\n" + GZIP_MAGIC)
    return data[at + 4:] if at >= 0 else None


# What a person reads when decompression did not simply succeed.
_DECOMPRESSION_NOTES = {
    "partial": "gzip body is incomplete or corrupt; kept what could be decompressed",
    "failed": "gzip body could not be decompressed",
}


def _decompress_into(result: dict[str, Any], body: bytes, *, max_decompressed: int) -> None:
    inflated, outcome = gunzip(body, limit=max_decompressed)
    result["decompressed"] = _as_text(inflated) if inflated else None
    result["decompressed_bytes"] = len(inflated)
    result["decompression"] = outcome
    if outcome == "capped":
        result["notes"].append(f"decompressed body stopped at the {max_decompressed}-byte cap")
    elif outcome in _DECOMPRESSION_NOTES:
        result["notes"].append(_DECOMPRESSION_NOTES[outcome])
