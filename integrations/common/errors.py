"""Error kinds. Each kind maps to one CLI exit code, so a playbook or cron job can tell
bad input (fix the call) from bad configuration (fix the instance) from a vendor outage (retry later)."""
from __future__ import annotations


class SoarpacksError(Exception):
    """Base of every error a user should see as one clear line."""

    exit_code = 4
    kind = "error"

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return self.message


class InputError(SoarpacksError):
    """The caller's arguments are wrong: fix the command, not the instance."""

    exit_code = 2
    kind = "input"


class NotSupportedError(InputError):
    """The vendor's API has no such operation."""

    kind = "not-supported"


class ConfigError(SoarpacksError):
    """The instance configuration (URL, credentials, permissions) is wrong."""

    exit_code = 3
    kind = "config"


class AuthError(ConfigError):
    kind = "auth"


class VendorError(SoarpacksError):
    """The vendor answered with an error we cannot fix by retrying."""

    exit_code = 4
    kind = "vendor"


class VendorShapeError(VendorError):
    """A vendor answer lacks a field, or has one of another type, that the mapping relies on. Raised by
    the helpers that read vendor data (``vendordata.reads_vendor_data``), never guessed from a crash
    elsewhere: a ``KeyError`` in our own code is our bug (exit 1), not the vendor's."""

    kind = "vendor-shape"


class TransientError(VendorError):
    """Retries were exhausted on 429/5xx/connection errors."""

    kind = "transient"


class WaitTimeoutError(SoarpacksError):
    """A job the vendor runs for us (a search, a response) did not finish in the time the caller
    allowed. Its own exit code: retrying at once rarely helps, a longer timeout or a narrower
    job does."""

    exit_code = 5
    kind = "timeout"


class NotFoundError(InputError):
    """The vendor has no object with an id the caller gave: fix the call (exit 2). Where no id was given
    (test-module, fetch-incidents) the runner turns it into a ``ConfigError``: the URL is wrong."""

    kind = "not-found"


class StateError(SoarpacksError):
    """A stored bookmark cannot be read: never restart silently from scratch."""

    exit_code = 3
    kind = "state"
