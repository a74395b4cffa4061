"""The error policy as data: what to do with each HTTP status, and what kind of error it becomes.
Vendors override single rows (``DEFAULT_ERROR_TABLE | {400: ...}``) instead of writing their own loop."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from . import errors


class Action(Enum):
    OK = "ok"
    RETRY = "retry"          # back off and send again (429, 502/503/504)
    REAUTH = "reauth"        # refresh credentials, resend once, then fail as ``kind``
    FAIL = "fail"


@dataclass(frozen=True)
class Rule:
    action: Action
    kind: type[errors.SoarpacksError]


DEFAULT_ERROR_TABLE: dict[int, Rule] = {
    400: Rule(Action.FAIL, errors.InputError),
    401: Rule(Action.REAUTH, errors.AuthError),
    403: Rule(Action.FAIL, errors.AuthError),
    404: Rule(Action.FAIL, errors.NotFoundError),
    405: Rule(Action.FAIL, errors.VendorError),
    408: Rule(Action.RETRY, errors.TransientError),
    409: Rule(Action.FAIL, errors.VendorError),
    413: Rule(Action.FAIL, errors.InputError),
    422: Rule(Action.FAIL, errors.InputError),
    429: Rule(Action.RETRY, errors.TransientError),
    500: Rule(Action.FAIL, errors.VendorError),
    502: Rule(Action.RETRY, errors.TransientError),
    503: Rule(Action.RETRY, errors.TransientError),
    504: Rule(Action.RETRY, errors.TransientError),
}


def rule_for(table: dict[int, Rule], status: int) -> Rule:
    if status < 400:
        return Rule(Action.OK, errors.SoarpacksError)
    if status in table:
        return table[status]
    return Rule(Action.FAIL, errors.InputError if status < 500 else errors.VendorError)
