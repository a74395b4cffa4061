"""The reference syntax: a path into inputs, earlier outputs or the current item, plus a few functions."""
from __future__ import annotations

import pytest

from soarpacks.integrations.common import errors
from soarpacks.tools.playbooks.refs import Scope, parse_ref, parse_template

SCOPE = Scope(
    inputs={"max": 5, "who": "ana"},
    steps={"fetch": [{"id": "a", "tags": ["x", "y"], "events": [{"code": "403"}, {"code": "404"}]},
                     {"id": "b", "tags": ["y"], "events": [{"code": "200"}, {}]}],
           "one": {"risk": "High", "weird key": 1}},
    item={"id": "b", "n": 3},
)


def value(text):
    return parse_template(text).render(SCOPE)


def test_a_string_that_is_one_reference_keeps_the_value_type():
    assert value("${inputs.max}") == 5
    assert value("${steps.fetch.outputs[0].tags}") == ["x", "y"]


def test_references_inside_text_are_rendered_into_it():
    assert value("max ${inputs.max} for ${inputs.who}: ${steps.fetch.outputs[0].tags}") == "max 5 for ana: x, y"


def test_an_index_can_count_from_the_end_and_out_of_range_is_null():
    assert value("${steps.fetch.outputs[-1].id}") == "b"
    assert value("${steps.fetch.outputs[7].id}") is None


def test_star_maps_over_a_list_and_a_second_star_flattens():
    assert value("${steps.fetch.outputs[*].id}") == ["a", "b"]
    assert value("${steps.fetch.outputs[*].events[*].code}") == ["403", "404", "200", None]


def test_a_field_missing_under_star_maps_to_null_rather_than_disappearing():
    assert value("${steps.fetch.outputs[1].events[*].code}") == ["200", None]


def test_quoted_keys_reach_fields_with_odd_names():
    assert value('${steps.one.outputs["weird key"]}') == 1


def test_functions_apply_left_to_right():
    assert value("${steps.fetch.outputs | count}") == 2
    assert value("${steps.fetch.outputs[*].tags[*] | unique}") == ["x", "y"]
    assert value("${steps.fetch.outputs[*].tags[*] | tally}") == {"y": 2, "x": 1}
    assert value("${steps.fetch.outputs[*].tags[*] | unique | count}") == 2
    assert value("${steps.one.outputs | keys}") == ["risk", "weird key"]
    assert value("${steps.fetch.outputs[*].events[*].code | tally}") == {"403": 1, "404": 1, "200": 1, "(none)": 1}
    assert value("${steps.fetch.outputs[*].id | join}") == "a, b"
    assert value("${steps.fetch.outputs[*].id | first}") == "a"


def test_sum_min_and_max_take_the_numbers():
    scope = Scope(inputs={"n": [3, 1, "x", 2]}, steps={})
    assert parse_template("${inputs.n | sum}").render(scope) == 6
    assert parse_template("${inputs.n | min}").render(scope) == 1
    assert parse_template("${inputs.n | max}").render(scope) == 3


def test_double_dollar_writes_a_literal_reference():
    assert value("cost: $${inputs.max}") == "cost: ${inputs.max}"


@pytest.mark.parametrize("text,message", [
    ("env.HOME", "unknown root 'env'"),
    ("inputs", "name the input"),
    ("steps.fetch[0]", "steps.<id>.outputs"),
    ("item..id", "cannot read"),
    ("item | length", "unknown function 'length'"),
])
def test_a_malformed_reference_is_an_input_error_that_says_what_is_wrong(text, message):
    with pytest.raises(errors.InputError, match=message):
        parse_ref(text)


def test_nothing_in_a_reference_is_evaluated_as_code():
    with pytest.raises(errors.InputError):
        parse_ref("item.__class__.__mro__[1].__subclasses__()")
    assert value("${item.__class__}") is None
