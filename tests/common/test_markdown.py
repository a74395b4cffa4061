"""Markdown (``-o md``) tables an analyst reads: titled columns, nested lists as sub-tables, no JSON blobs."""
from __future__ import annotations

from soarpacks.integrations.common.results import CommandResult, column_title, markdown_table


def test_a_nested_list_of_records_renders_as_a_sub_table():
    alarm = {"id": "a1", "name": "Port scan", "events": [{"id": "e1", "name": "SYN"}, {"id": "e2", "name": "ACK"}]}
    text = markdown_table([alarm], columns=["id", "name", "events"], title="Alarm")
    assert "| a1 | Port scan | 2 (see Events of a1 below) |" in text
    assert "#### Events of a1" in text
    assert "| e2 | ACK |" in text


def test_a_list_of_plain_values_is_one_comma_separated_cell():
    text = markdown_table([{"id": "a1", "sources": ["10.0.0.1", "evil.example"]}], columns=["id", "sources"])
    assert "| a1 | 10[.]0[.]0[.]1, evil[.]example |" in text


def test_an_object_in_a_cell_reads_as_key_value_pairs():
    text = markdown_table([{"id": "a1", "status": {"value": "Open", "by": "ana"}}], columns=["id", "status"])
    assert "| a1 | value: Open; by: ana |" in text


def test_column_titles_are_given_ones_else_made_from_the_field_name():
    text = markdown_table([{"id": "a1", "triggeredAt": "t", "status": {"value": "New"}}],
                          columns=["id", "triggeredAt", "status.value"], titles={"id": "Alert ID"})
    assert text.splitlines()[0] == "| Alert ID | Triggered At | Status |"


def test_made_titles_spell_acronyms_in_capitals():
    assert column_title("client_ip") == "Client IP"
    assert column_title("threatDetectionIds") == "Threat Detection IDs"


def test_extra_markdown_follows_the_made_table():
    result = CommandResult([{"id": "e1"}], columns=["id"], title="Events", extra="Next cursor: `7`")
    assert result.markdown().endswith("| e1 |\n\nNext cursor: `7`")
