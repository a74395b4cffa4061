"""The budgeted-batches fetch helper every vendor's fetch-incidents ends in."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from soarpacks.integrations.common.bookmarks import TimeBookmark
from soarpacks.integrations.common.fetching import fetch_in_batches
from soarpacks.integrations.common.incident import FIELDS, Incident

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def item(n: int) -> dict:
    return {"id": f"i{n}", "at": T0 + timedelta(seconds=n)}


def incident(raw: dict) -> Incident:
    return Incident(id=raw["id"], source="test", name=raw["id"], severity=0, occurred="2026-01-01T00:00:00.000Z",
                    updated="2026-01-01T00:00:00.000Z", status="open", url=None, indicators=[], labels={}, raw=raw)


def run(pages, *, max_fetch=100, bookmark=None, batch_size=0):
    bookmark = bookmark or TimeBookmark(T0)
    batches = fetch_in_batches(pages, bookmark=bookmark, moment_and_id=lambda i: (i["at"], i["id"]),
                               to_incident=incident, max_fetch=max_fetch, batch_size=batch_size)
    return list(batches), bookmark


def test_each_page_becomes_one_batch_with_the_bookmark_true_after_it():
    batches, _ = run([[item(1), item(2)], [item(3)]])
    assert [[i["id"] for i in b.incidents] for b in batches] == [["i1", "i2"], ["i3"]]
    assert batches[0].state["time"] == "2026-01-01T00:00:02.000Z"
    assert batches[1].state["time"] == "2026-01-01T00:00:03.000Z"


def test_what_the_bookmark_has_seen_is_skipped():
    mark = TimeBookmark(T0)
    mark.add(item(1)["at"], "i1")
    batches, _ = run([[item(1), item(2)]], bookmark=mark)
    assert [i["id"] for i in batches[0].incidents] == ["i2"]


def test_an_item_met_twice_in_one_run_is_handed_over_once():
    batches, _ = run([[item(1), item(2)], [item(2), item(3)]])
    assert [i["id"] for b in batches for i in b.incidents] == ["i1", "i2", "i3"]


def test_the_budget_stops_the_fetch_and_no_further_page_is_read():
    read = []

    def pages():
        for n in range(5):
            read.append(n)
            yield [item(2 * n), item(2 * n + 1)]

    batches, _ = run(pages(), max_fetch=3)
    assert sum(len(b.incidents) for b in batches) == 3
    assert read == [0, 1]


def test_the_generator_returns_how_many_it_handed_over():
    def drive():
        handed = yield from fetch_in_batches([[item(1), item(2)]], bookmark=TimeBookmark(T0), to_incident=incident,
                                             moment_and_id=lambda i: (i["at"], i["id"]), max_fetch=10)
        yield handed

    assert list(drive())[-1] == 2


def test_a_page_without_new_items_still_yields_its_bookmark():
    batches, _ = run([[]])
    assert len(batches) == 1 and batches[0].incidents == []


def test_a_batch_size_splits_a_long_page():
    batches, _ = run([[item(n) for n in range(1, 6)]], batch_size=2)
    assert [len(b.incidents) for b in batches] == [2, 2, 1]


def test_incidents_are_handed_over_as_the_schema_dict_in_schema_order():
    batches, _ = run([[item(1)]])
    assert tuple(batches[0].incidents[0]) == FIELDS


def test_an_item_a_filter_passes_over_is_remembered_but_not_handed_over_or_counted():
    mark = TimeBookmark(T0)
    batches = list(fetch_in_batches([[item(1), item(2), item(3)]], bookmark=mark, max_fetch=1,
                                    moment_and_id=lambda i: (i["at"], i["id"]),
                                    to_incident=lambda raw: None if raw["id"] == "i1" else incident(raw)))
    assert [i["id"] for b in batches for i in b.incidents] == ["i2"]
    assert not mark.is_new(item(1)["at"], "i1")


def test_a_state_hook_makes_the_state_saved_with_each_batch():
    batches = list(fetch_in_batches([[item(1)]], bookmark=TimeBookmark(T0), max_fetch=5, to_incident=incident,
                                    moment_and_id=lambda i: (i["at"], i["id"]), state=lambda: {"both": True}))
    assert batches[0].state == {"both": True}
