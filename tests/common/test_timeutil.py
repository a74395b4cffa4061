"""Reading times as users and vendors write them."""
import pytest

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.timeutil import parse_time


def test_a_relative_time_before_year_one_is_a_clear_input_error():
    with pytest.raises(errors.InputError, match="before year 1"):
        parse_time("99999999 days")


def test_a_relative_time_counts_back_from_now():
    assert parse_time("2 days", now=parse_time("2024-05-03T00:00:00Z")) == parse_time("2024-05-01T00:00:00Z")
