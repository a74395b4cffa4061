"""AIMS login as Alert Logic runs it (``aims.v1.yaml`` in the alertlogic-sdk-definitions package),
and where the account's IRIS lives (``endpoints.v1.yaml``): both on the global services host.

``POST /aims/v1/authenticate`` on the global services host, HTTP Basic with either
``username:password`` or ``access_key_id:secret_key`` (the same endpoint takes both), optional JSON
body ``{"mfa_code": ...}``. The answer's ``authentication.token`` goes in ``x-aims-auth-token``.
"""
from __future__ import annotations

import time
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from ..common import errors
from ..common.auth import BasicAuth, Token
from ..common.errortable import Action, Rule
from ..common.http import HttpClient
from ..common.redaction import REDACTOR
from ..common.vendordata import dig, reads_vendor_data

VENDOR = "alertlogic"
# The definitions' production server for AIMS: login is global, whatever the account's region.
AIMS_URL = "https://api.global-services.global.alertlogic.com"
AUTHENTICATE = "/aims/v1/authenticate"


class Credentials(NamedTuple):
    kind: str          # "access key" or "username/password": named in error messages, never the values
    auth: BasicAuth


def credentials(*, username: str | None = None, password: str | None = None, access_key_id: str | None = None,
                secret_key: str | None = None) -> Credentials:
    """The one pair to log in with: an access key when set, else username and password."""
    if access_key_id or secret_key:
        if not (access_key_id and secret_key):
            missing = "secret_key" if access_key_id else "access_key_id"
            raise errors.ConfigError(f"{VENDOR}: an access key needs both access_key_id and secret_key; {missing} is empty")
        return Credentials("access key", BasicAuth(access_key_id, secret_key))
    if username and password:
        return Credentials("username/password", BasicAuth(username, password))
    if username or password:
        missing = "password" if username else "username"
        raise errors.ConfigError(f"{VENDOR}: username/password login needs both; {missing} is empty")
    raise errors.ConfigError(f"{VENDOR}: set either username and password, or access_key_id and secret_key")


class Login(NamedTuple):
    token: Token
    account_id: str | None


@reads_vendor_data
def authenticate(http: HttpClient, *, aims_url: str, creds: Credentials, mfa_code: str | None = None) -> Login:
    """One AIMS login. ``http`` only carries the request (session, TLS, proxy, retry): the URL is
    the AIMS host's, and the credentials are sent as Basic auth to it alone."""
    body = {"mfa_code": mfa_code} if mfa_code else None
    # 400/401/403 come back as answers, so their documented bodies can be read below.
    refused = {status: Rule(Action.OK, errors.AuthError) for status in (400, 401, 403)}
    # Logging in twice is harmless, so a 429/5xx on login may be retried.
    response = http.request("POST", aims_url.rstrip("/") + AUTHENTICATE, json_body=body, auth=creds.auth,
                            retry_unsafe=True, error_table=refused)
    if response.status_code >= 400:
        # Sent with mfa_code_required; we log in again with the credentials and the code instead,
        # so it is never used, only kept out of any output.
        session_token = response.headers.get("x-aims-session-token")
        if session_token:
            REDACTOR.add(session_token)
        raise refusal(response.status_code, _error_key(response), creds=creds, mfa_code=mfa_code)
    answer = http.decode(response)
    token = dig(answer, "authentication.token")
    if not isinstance(token, str) or not token:
        raise errors.AuthError(f"{VENDOR}: the AIMS login answer has no authentication.token")
    account = dig(answer, "authentication.account.id")
    expiration = dig(answer, "authentication.token_expiration")
    # token_expiration is an absolute epoch time; TokenAuth wants seconds from now.
    expires_in = max(float(expiration) - time.time(), 1.0) if isinstance(expiration, (int, float)) else None
    return Login(Token(token, expires_in), str(account) if account is not None else None)


def _error_key(response: Any) -> str | None:
    try:
        body = response.json() if response.content else None
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, str) else None


# The documented ``error`` keys of a refused login (aims.v1.yaml) and what the user must do about each.
REFUSALS = {
    "mfa_code_required": "the user has MFA: set mfa_code to a current code from the user's MFA device",
    "mfa_enrollment_required": "the user must enroll an MFA device in the Alert Logic console before logging in",
    "password_expired": "the password has expired: set a new one in the Alert Logic console",
    "account_inactive": "the Alert Logic account is inactive: ask Alert Logic support to reactivate it",
}


def refusal(status: int, error: str | None, *, creds: Credentials, mfa_code: str | None) -> errors.AuthError:
    """The one-line error for a refused login: the documented reason when the answer names one, else
    the credentials to check (a bad password, key or MFA code is a 401 with an empty body)."""
    if error in REFUSALS:
        return errors.AuthError(f"{VENDOR}: AIMS login refused ({error}): {REFUSALS[error]}", status=status)
    what = "access_key_id and secret_key" if creds.kind == "access key" else "username and password"
    hint = " and that mfa_code is current (each code works once)" if mfa_code else " (and mfa_code if the user has MFA)"
    return errors.AuthError(f"{VENDOR}: AIMS login refused (HTTP {status}{', ' + error if error else ''}): "
                            f"check {what}{hint}", status=status)


# --- where the account's data lives (endpoints.v1.yaml) ------------------------------------------------
RESIDENCIES = ("default", "emea", "us")


@reads_vendor_data
def service_url(http: HttpClient, *, aims_url: str, account_id: str, residency: str = "default",
                service: str = "iris") -> str:
    """The base URL of ``service`` for the account, from the endpoints service on the global host.

    The answer is ``{"iris": "api.cloudinsight.alertlogic.co.uk"}`` (a host name, as Alert Logic's
    own clients read it; the definitions also allow a plain-text body); it is reached with the
    global host's scheme."""
    if residency not in RESIDENCIES:
        raise errors.ConfigError(f"{VENDOR}: residency must be one of {', '.join(RESIDENCIES)}, not {residency!r}")
    path = f"/endpoints/v1/{account_id}/residency/{residency}/services/{service}/endpoint"
    try:
        response = http.request("GET", aims_url.rstrip("/") + path)
    except errors.NotFoundError:
        raise errors.ConfigError(f"{VENDOR}: the endpoints service knows no {service} host for account {account_id} "
                                 f"(residency {residency}); set base_url") from None
    try:
        answer = response.json()
    except ValueError:
        answer = response.text.strip()
    host = answer.get(service) if isinstance(answer, dict) else answer
    if not isinstance(host, str) or not host.strip():
        raise errors.VendorError(f"{VENDOR}: the endpoints service answered without a {service} host")
    host = host.strip().rstrip("/")
    if "://" in host:
        return host
    return f"{urlsplit(aims_url).scheme or 'https'}://{host}"
