"""The runner: hand-over before bookmark, and crashes on unexpected vendor answers as clear errors."""
from __future__ import annotations

import pytest

from integrations.common import errors
from integrations.common.runner import vendor_shape_errors


NULL_ALERT = None


@pytest.mark.parametrize("crash", [lambda: {}["items"], lambda: NULL_ALERT["id"], lambda: int("x"),
                                   lambda: [][0], lambda: NULL_ALERT.get("a"), lambda: 10 ** 400 * 1.0])
def test_a_crash_on_an_unexpected_vendor_answer_becomes_one_line_with_exit_4(crash):
    with pytest.raises(errors.VendorError) as failure:
        with vendor_shape_errors("acme", "get-event"):
            crash()
    message = str(failure.value)
    assert failure.value.exit_code == 4 and "\n" not in message
    assert message.startswith("acme get-event: the vendor's answer did not have the shape")
    assert failure.value.__cause__ is not None  # --debug shows where


def test_errors_that_are_already_clear_pass_through_unchanged():
    with pytest.raises(errors.AuthError):
        with vendor_shape_errors("acme", "get-event"):
            raise errors.AuthError("bad key")
