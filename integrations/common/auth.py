"""Auth strategies. Each one has two methods the request loop calls on every attempt:
``apply(headers, http)`` adds the credential and returns what it used; ``invalidate(used)`` is told
that the vendor rejected it (401), so the next ``apply`` fetches a fresh one."""
from __future__ import annotations

import base64
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from . import errors
from .errortable import Action, Rule
from .redaction import REDACTOR

if TYPE_CHECKING:
    from .http import HttpClient


class BasicAuth:
    """HTTP Basic. AlphaSOC and Alert Logic's legacy API use the API key as username, empty password."""

    def __init__(self, username: str, password: str = "") -> None:
        REDACTOR.add(username if not password else password)
        REDACTOR.add(password)
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        self._header = f"Basic {token}"
        REDACTOR.add(token)

    def __repr__(self) -> str:
        return "BasicAuth(****)"

    def apply(self, headers: dict[str, str], http: "HttpClient") -> str:
        headers["Authorization"] = self._header
        return self._header

    def invalidate(self, used: Any) -> None:
        """A static credential cannot be refreshed; the resend will fail as an auth error."""


class BearerAuth:
    """A static token sent as ``<header>: <scheme> <token>``."""

    def __init__(self, token: str, *, header: str = "Authorization", scheme: str = "Bearer") -> None:
        REDACTOR.add(token)
        self._header = header
        self._value = f"{scheme} {token}" if scheme else token

    def __repr__(self) -> str:
        return "BearerAuth(****)"

    def apply(self, headers: dict[str, str], http: "HttpClient") -> str:
        headers[self._header] = self._value
        return self._value

    def invalidate(self, used: Any) -> None:
        pass


@dataclass(frozen=True)
class Token:
    value: str
    expires_in: float | None  # seconds, counted from when the request that obtained it was sent


class TokenAuth:
    """A token obtained from a login call and cached until shortly before it expires.

    Expiry is measured from when the login request was *sent*, and the token counts as expired
    ``early_expiry`` seconds ahead, so a request never leaves with a token about to lapse in flight.
    One lock guards refresh: concurrent callers that find the token stale wait for one refresh.
    """

    def __init__(
        self,
        obtain: Callable[["HttpClient"], Token],
        *,
        header: str = "Authorization",
        scheme: str = "Bearer",
        early_expiry: float = 45.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._obtain = obtain
        self._header = header
        self._scheme = scheme
        self._early = early_expiry
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self.refreshes = 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}(token={'****' if self._token else None})"

    def apply(self, headers: dict[str, str], http: "HttpClient") -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at:
                sent_at = self._clock()
                token = self._obtain(http)
                REDACTOR.add(token.value)
                self._token = token.value
                self._expires_at = sent_at + token.expires_in - self._early if token.expires_in else float("inf")
                self.refreshes += 1
            token_value = self._token
        headers[self._header] = f"{self._scheme} {token_value}" if self._scheme else token_value
        return token_value

    def ensure(self, http: "HttpClient") -> None:
        """Log in now if there is no valid token (for vendors whose login answer carries facts we need)."""
        self.apply({}, http)

    def invalidate(self, used: Any) -> None:
        with self._lock:
            # Only the first of several concurrent 401s for the same token forces a refresh.
            if used == self._token:
                self._token = None


# A rejected login is a configuration problem, never something to retry.
LOGIN_ERRORS = {400: Rule(Action.FAIL, errors.AuthError), 401: Rule(Action.FAIL, errors.AuthError),
                403: Rule(Action.FAIL, errors.AuthError)}


class ClientCredentialsAuth(TokenAuth):
    """OAuth2 client credentials grant (RFC 6749 §4.4) with the client authenticated by HTTP Basic."""

    def __init__(self, token_url: str, client_id: str, client_secret: str, *, scope: str | None = None,
                 scheme: str = "Bearer", early_expiry: float = 45.0, clock: Callable[[], float] = time.monotonic) -> None:
        REDACTOR.add(client_secret)
        self._basic = BasicAuth(client_id, client_secret)
        self._token_url = token_url
        self._scope = scope
        # The token type in the answer ("bearer") is ignored: some vendors (Cisco) require "Bearer".
        super().__init__(self._request_token, scheme=scheme, early_expiry=early_expiry, clock=clock)

    def _request_token(self, http: "HttpClient") -> Token:
        form = {"grant_type": "client_credentials"}
        if self._scope:
            form["scope"] = self._scope
        body = http.send_json("POST", self._token_url, data=form, auth=self._basic, retry_unsafe=True,
                              error_table=LOGIN_ERRORS)
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise errors.AuthError(f"{http.vendor}: the token endpoint answered without an access_token")
        expires_in = body.get("expires_in")
        return Token(body["access_token"], float(expires_in) if isinstance(expires_in, (int, float)) else None)
