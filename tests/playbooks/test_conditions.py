"""``if``: one comparison per string, all strings of a list must hold."""
from __future__ import annotations

import pytest

from soarpacks.integrations.common import errors
from soarpacks.tools.playbooks.conditions import holds, parse_conditions
from soarpacks.tools.playbooks.refs import Scope

ITEM = {"severity": 3, "risk": "Critical", "code": "403", "codes": ["403", "404"], "none": [], "name": "SQL Injection",
        "note": None}


def check(condition):
    return holds(parse_conditions(condition), Scope(inputs={"limit": 2, "empty": ""}, steps={}, item=ITEM))


@pytest.mark.parametrize("condition,expected", [
    ("${item.severity} >= 3", True),
    ("${item.severity} > 3", False),
    ("${item.risk} == Critical", True),
    ("${item.risk} != 'Critical'", False),
    ("${item.severity} > ${inputs.limit}", True),
    ("${item.code} >= 400", True),                  # a string of digits compares as a number
    ("${item.code} == 403", True),
    ("${item.risk} > 3", False),                     # never ordered across types
    ("${item.note} < 3", False),
    ("${item.risk} in [Critical, High]", True),
    ("${item.risk} not in [Critical, High]", False),
    ("${item.code} in ${item.codes}", True),
    ("${item.name} matches '(?i)sql'", True),
    ("${item.note} matches '.*'", False),
    ("${item.risk}", True),
    ("${inputs.empty}", False),
    ("${item.note}", False),
    ("all ${item.codes} matches '^4\\d\\d$'", True),
    ("any ${item.codes} == 404", True),
    ("all ${item.codes} == 404", False),
])
def test_comparisons(condition, expected):
    assert check(condition) is expected


def test_all_is_false_for_an_empty_list_because_a_playbook_acts_on_it():
    assert check("all ${item.none} == 1") is False
    assert check("any ${item.none} == 1") is False


def test_a_list_of_conditions_must_all_hold():
    assert check(["${item.severity} >= 3", "${item.risk} == Critical"]) is True
    assert check(["${item.severity} >= 3", "${item.risk} == Low"]) is False


@pytest.mark.parametrize("condition", ["${item.severity} >= >= 3", "${item.a} ${item.b}", "== 3",
                                       "${item.a} not 3", "${item.name} matches '(['"])
def test_a_malformed_condition_is_an_input_error(condition):
    with pytest.raises(errors.InputError):
        parse_conditions(condition)
