"""The one request loop: auth → send → classify → retry.

Auth is applied on every attempt, so a resend never carries a token that expired while we backed
off (urllib3's adapter-level ``Retry`` resends the original headers, which is why it is not used).
"""
from __future__ import annotations

import json
import logging
import os
from typing import Any, Iterable, Mapping
from urllib.parse import urljoin, urlsplit

import requests

from . import errors
from .errortable import DEFAULT_ERROR_TABLE, Action, Rule, rule_for
from .neterrors import configuration_problem
from .redaction import REDACTOR
from .retry import DEFAULT_RETRY, RetryPolicy, parse_retry_after

log = logging.getLogger("soarpacks.http")

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
USER_AGENT = "soarpacks/0.1"


class HttpClient:
    """A vendor's HTTP endpoint: base URL, auth strategy, retry policy and error table."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: Any = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        error_table: Mapping[int, Rule] = DEFAULT_ERROR_TABLE,
        verify: bool | str = True,
        timeout: float | tuple[float, float] = (10.0, 60.0),
        headers: Mapping[str, str] | None = None,
        session: requests.Session | None = None,
        vendor: str = "vendor",
        proxy: bool = False,
    ) -> None:
        if not base_url or urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).netloc:
            raise errors.ConfigError(f"base URL {base_url!r} is not an http(s) URL")
        self.base_url = base_url.rstrip("/") + "/"
        self.auth = auth
        self.retry = retry
        self.error_table = dict(error_table)
        self.timeout = timeout
        self.vendor = vendor
        self.proxy = proxy
        self.session = session or requests.Session()
        # The environment's proxies (HTTP(S)_PROXY, NO_PROXY) only when the instance asks for them (XSOAR's
        # "Use system proxy settings"): on a shared engine they are not meant for every integration. requests
        # reads proxies, .netrc and the CA bundle variables from the environment only with trust_env; a custom CA
        # bundle (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE) is kept either way, as verification must not get weaker.
        self.session.trust_env = proxy
        if verify is True and not proxy:
            verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        self.verify = verify
        if not verify:
            _warn_insecure(urlsplit(base_url).netloc)
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        if headers:
            self.session.headers.update(headers)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.base_url} auth={type(self.auth).__name__}>"

    def clone(self) -> "HttpClient":
        """The same endpoint with its own ``requests.Session``, for use from another thread (a Session
        is not documented as thread-safe). The auth strategy is shared: its refresh is locked."""
        twin = HttpClient(self.base_url, auth=self.auth, retry=self.retry, error_table=self.error_table,
                          verify=self.verify, timeout=self.timeout, vendor=self.vendor, proxy=self.proxy)
        twin.session.headers.update(self.session.headers)
        return twin

    def url(self, path_or_url: str) -> str:
        return urljoin(self.base_url, path_or_url.lstrip("/")) if "://" not in path_or_url else path_or_url

    def same_origin(self, url: str) -> bool:
        """Followed links must stay on the configured scheme and host, or credentials would leak."""
        a, b = urlsplit(self.base_url), urlsplit(self.url(url))
        return (a.scheme, a.netloc) == (b.scheme, b.netloc)

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        json_body: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        auth: Any = ...,
        retry_unsafe: bool = False,
        error_table: Mapping[int, Rule] | None = None,
    ) -> requests.Response:
        """Send until success, a non-retryable status, or the retry budget is spent.

        ``retry_unsafe`` allows resending a POST/PATCH: only for endpoints where that is harmless.
        ``data`` may be bytes or a callable returning a fresh body per attempt (for streamed uploads).
        """
        method = method.upper()
        url = self.url(path_or_url)
        auth = self.auth if auth is ... else auth
        table = self.error_table if error_table is None else {**self.error_table, **error_table}
        may_retry = method in IDEMPOTENT or retry_unsafe
        reauthed = False
        attempt = 0
        while True:
            send_headers = dict(headers or {})
            credential = auth.apply(send_headers, self) if auth is not None else None
            body = data() if callable(data) else data
            try:
                response = self.session.request(
                    method, url, params=params, json=json_body, data=body, headers=send_headers,
                    timeout=self.timeout, verify=self.verify, allow_redirects=False,
                )
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
                # ChunkedEncodingError: the connection broke while the body was being read (a reset or a
                # short body); as transient as a refused connection. Returns only when it may be sent again.
                self._after_connection_error(exc, method, url, attempt=attempt, may_retry=may_retry)
                attempt += 1
                continue
            rule = rule_for(table, response.status_code)
            if rule.action is Action.OK:
                return response
            if rule.action is Action.REAUTH and auth is not None and not reauthed:
                reauthed = True
                auth.invalidate(credential)
                log.info("%s: %s on %s, refreshing credentials once", self.vendor, response.status_code, self._path(url))
                continue
            if rule.action is Action.RETRY and may_retry and attempt + 1 < self.retry.max_attempts:
                self._wait_to_retry(response, method, url, attempt)
                attempt += 1
                continue
            raise rule.kind(self._describe(method, url, response), status=response.status_code)

    def _after_connection_error(self, exc: Exception, method: str, url: str, *, attempt: int,
                                may_retry: bool) -> None:
        """Raises unless the request may be sent again, after waiting its backoff. A bad certificate or an
        unknown host is not transient: it fails the same way every time, so it is a configuration error."""
        problem = configuration_problem(exc, urlsplit(url).hostname or url)
        if problem:
            raise errors.ConfigError(f"{self.vendor}: {REDACTOR(problem)}") from None
        if may_retry and attempt + 1 < self.retry.max_attempts:
            self._wait(attempt, None, f"{type(exc).__name__} on {method} {self._path(url)}")
            return
        raise errors.TransientError(
            f"{self.vendor}: cannot reach {self._path(url, host=True)} after {attempt + 1} attempt(s): "
            f"{REDACTOR(type(exc).__name__)}"
        ) from None

    def _wait_to_retry(self, response: requests.Response, method: str, url: str, attempt: int) -> None:
        """Waits before a retry, as long as the server's Retry-After asks when it is within the cap."""
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if retry_after is not None and retry_after > self.retry.max_retry_after:
            raise errors.TransientError(
                f"{self.vendor}: asked to retry {method} {self._path(url)} after {retry_after:.0f}s, "
                f"more than the {self.retry.max_retry_after:.0f}s cap; try again later",
                status=response.status_code,
            )
        self._wait(attempt, retry_after, f"HTTP {response.status_code} on {method} {self._path(url)}")

    def get_json(self, path_or_url: str, **kwargs: Any) -> Any:
        return self.decode(self.request("GET", path_or_url, **kwargs))

    def send_json(self, method: str, path_or_url: str, **kwargs: Any) -> Any:
        return self.decode(self.request(method, path_or_url, **kwargs))

    def decode(self, response: requests.Response) -> Any:
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise errors.VendorError(
                f"{self.vendor}: {response.request.method} {self._path(response.url)} answered "
                f"HTTP {response.status_code} with a body that is not JSON"
            ) from None

    def _wait(self, attempt: int, retry_after: float | None, why: str) -> None:
        delay = self.retry.delay(attempt, retry_after)
        log.info("%s: %s; retry %d in %.2fs", self.vendor, why, attempt + 1, delay)
        self.retry.sleep(delay)

    def _path(self, url: str, *, host: bool = False) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}{parts.path}" if host else parts.path

    def _describe(self, method: str, url: str, response: requests.Response) -> str:
        detail = _vendor_message(response)
        text = f"{self.vendor}: {method} {self._path(url)} failed with HTTP {response.status_code}"
        return REDACTOR(f"{text}: {detail}" if detail else text)


_WARNED_INSECURE: set[str] = set()


def _warn_insecure(host: str) -> None:
    """One warning line per host and process instead of urllib3's InsecureRequestWarning on every request."""
    import warnings

    from urllib3.exceptions import InsecureRequestWarning
    warnings.filterwarnings("ignore", category=InsecureRequestWarning)
    if host not in _WARNED_INSECURE:
        _WARNED_INSECURE.add(host)
        log.warning("TLS certificate verification is off for %s (insecure=true): only for a test instance", host)


def _vendor_message(response: requests.Response) -> str:
    """The vendor's own words, from the usual error shapes, on one line."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip().splitlines()[0] if response.text.strip() else ""
        return text[:200]
    if isinstance(body, dict):
        for key in ("error_description", "message", "error", "detail", "title", "errors"):
            value = body.get(key)
            if value:
                return (value if isinstance(value, str) else json.dumps(value))[:300]
    return json.dumps(body)[:200]
