"""Secrets never leave the process: every known secret value and every credential header is masked
before text reaches a log, an error message or an output."""
from __future__ import annotations

import logging
import re
from typing import Any, Iterable

MASK = "********"
SENSITIVE_HEADERS = frozenset({"authorization", "x-aims-auth-token", "cookie", "set-cookie", "x-api-key"})
# Tokens inside text we did not write ourselves (vendor error bodies, exception messages).
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}")
_TOKEN_FIELD = re.compile(r'(?i)("?(?:access_token|token|password|client_secret|api_key)"?\s*[:=]\s*"?)([^"&,\s}]{4,})')


class Redactor:
    """Masks registered secret values, and the shapes secrets take in HTTP traffic."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: Any) -> None:
        # Very short values would mask ordinary words; a real credential is never that short.
        if isinstance(secret, str) and len(secret) >= 4:
            self._secrets.add(secret)

    def __call__(self, text: Any) -> str:
        text = str(text)
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, MASK)
        text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
        return _TOKEN_FIELD.sub(lambda m: m.group(1) + MASK, text)

    def headers(self, headers: dict[str, str]) -> dict[str, str]:
        return {k: (MASK if k.lower() in SENSITIVE_HEADERS else self(v)) for k, v in headers.items()}

    def logging_filter(self) -> logging.Filter:
        redact = self

        class _RedactingFilter(logging.Filter):
            def filter(self, record: logging.LogRecord) -> bool:
                record.msg = redact(record.getMessage())
                record.args = ()
                return True

        return _RedactingFilter()


# One process-wide redactor: the CLI registers every secret param here before any request is sent.
REDACTOR = Redactor()
