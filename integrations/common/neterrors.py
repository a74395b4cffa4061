"""Which connection failures are configuration, not weather.

A certificate that does not verify, or a host name that does not exist, fails the same way on every
attempt: retrying six times and calling it transient (exit 4) only hides the fix. Those are
``ConfigError`` (exit 3) at once, naming the cause and the fix. Refused connections, resets, timeouts
and a DNS server that did not answer (``EAI_AGAIN``) stay transient.
"""
from __future__ import annotations

import socket
import ssl
from typing import Iterator

# getaddrinfo's "this name does not exist" answers (EAI_NODATA is missing on some platforms).
_NO_SUCH_HOST = {code for code in (getattr(socket, "EAI_NONAME", None), getattr(socket, "EAI_NODATA", None))
                 if code is not None}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and everything it wraps: causes, contexts, urllib3's ``reason`` and exception args."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
        todo.extend(item for item in linked if isinstance(item, BaseException))


def configuration_problem(exc: BaseException, host: str) -> str | None:
    """One line naming the cause and the fix when ``exc`` cannot be cured by retrying; else ``None``."""
    for link in _chain(exc):
        if isinstance(link, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(link):
            return (f"certificate verify failed for host {host}: set insecure=true only for a test instance, "
                    "or install the CA that signed its certificate")
        if isinstance(link, ssl.SSLError) and "WRONG_VERSION_NUMBER" in str(link):
            return f"host {host} does not speak TLS on this port: check the URL's scheme (http/https) and port"
        if isinstance(link, socket.gaierror) and link.errno in _NO_SUCH_HOST:
            return f"unknown host {host}: check the URL (the name does not resolve)"
    return None
