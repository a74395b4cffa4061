"""The bookmarks fetches resume from: time (Alert Logic, USM Anywhere, Cisco GTA), follow token (AlphaSOC),
sequence per key (Authentic8 Silo)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from soarpacks.integrations.common import errors
from soarpacks.integrations.common.bookmarks import FollowBookmark, SequenceBookmark, TimeBookmark, distinct_by_id
from soarpacks.integrations.common.timeutil import parse_time

T0 = parse_time("2026-01-01T00:00:00.000Z")
MIN = timedelta(minutes=1)


def reload(mark: TimeBookmark, **options) -> TimeBookmark:
    """What the next run sees: the saved state read back."""
    return TimeBookmark.from_state(mark.to_state(), default=T0, field=mark.field, **options)


def test_items_sharing_the_boundary_time_are_deduplicated_by_id():
    mark = TimeBookmark(T0)
    mark.add(T0 + MIN, "a")
    again = reload(mark)
    assert not again.is_new(T0 + MIN, "a")
    assert again.is_new(T0 + MIN, "b")


def test_without_look_back_the_next_query_starts_one_second_before_the_newest_time():
    mark = TimeBookmark(T0)
    mark.add(T0 + 5 * MIN, "a")
    assert reload(mark).query_from() == T0 + 5 * MIN - timedelta(seconds=1)


def test_a_late_item_inside_the_look_back_is_new_and_what_was_handed_over_is_not():
    mark = TimeBookmark(T0, look_back=5 * MIN)
    mark.add(T0 + 10 * MIN, "on-time")
    again = reload(mark, look_back=5 * MIN)
    assert again.query_from() == T0 + 5 * MIN - timedelta(seconds=1)
    assert again.is_new(T0 + 7 * MIN, "late")
    assert not again.is_new(T0 + 10 * MIN, "on-time")


def test_an_item_older_than_the_look_back_is_not_new_even_if_the_vendor_returns_it():
    mark = TimeBookmark(T0, look_back=5 * MIN)
    mark.move_to(T0 + 10 * MIN)
    assert not reload(mark, look_back=5 * MIN).is_new(T0 + 5 * MIN - timedelta(milliseconds=500), "x")


def test_the_bookmark_forgets_ids_the_next_run_cannot_meet_again():
    mark = TimeBookmark(T0, look_back=5 * MIN)
    mark.add(T0 + MIN, "old")
    mark.add(T0 + 10 * MIN, "recent")
    assert sorted(mark.to_state()["seen"]) == ["recent"]


def test_raising_the_look_back_between_runs_brings_nothing_back():
    mark = TimeBookmark(T0, look_back=MIN)
    mark.add(T0 + MIN, "a")
    mark.add(T0 + 10 * MIN, "b")
    wider = reload(mark, look_back=60 * MIN)
    assert wider.query_from() == T0 + 9 * MIN - timedelta(seconds=1)
    assert not wider.is_new(T0 + MIN, "a")


def test_the_seen_set_is_bounded_and_forgets_whole_oldest_moments():
    mark = TimeBookmark(T0, look_back=60 * MIN, max_seen=3)
    for minute, item in [(1, "a"), (2, "b1"), (2, "b2"), (3, "c"), (4, "d")]:
        mark.add(T0 + minute * MIN, item)
    state = mark.to_state()
    assert sorted(state["seen"]) == ["c", "d"]  # b1 and b2 go together: a moment is never half remembered
    again = reload(mark, look_back=60 * MIN)
    assert not again.is_new(T0 + 2 * MIN, "b1") and not again.is_new(T0 + 2 * MIN, "b3")
    assert again.is_new(T0 + 3 * MIN, "c2")


def test_the_ids_at_the_newest_moment_are_kept_even_beyond_the_bound():
    mark = TimeBookmark(T0, max_seen=1)
    mark.add(T0 + MIN, "a")
    mark.add(T0 + MIN, "b")
    assert sorted(mark.to_state()["seen"]) == ["a", "b"]


def test_a_named_bookmark_round_trips_beside_another_in_one_state():
    first, second = TimeBookmark(T0, field="triggered"), TimeBookmark(T0, field="modified")
    first.add(T0 + MIN, "a")
    second.add(T0 + 2 * MIN, "b")
    state = {**first.to_state(), **second.to_state()}
    assert TimeBookmark.from_state(state, default=T0, field="triggered").time == T0 + MIN
    assert not TimeBookmark.from_state(state, default=T0, field="modified").is_new(T0 + 2 * MIN, "b")


def test_a_state_written_before_the_look_back_resumes_exactly_where_it_was():
    state = {"triggered": "2026-01-01T00:01:00.000Z", "triggered_ids": ["a"]}
    mark = TimeBookmark.from_state(state, default=T0, field="triggered", look_back=10 * MIN)
    assert mark.horizon == T0 + MIN
    assert not mark.is_new(T0 + MIN, "a") and mark.is_new(T0 + MIN, "b")
    assert not mark.is_new(T0 + MIN - timedelta(milliseconds=1), "c")


def test_an_unreadable_bookmark_is_a_state_error_not_a_restart():
    with pytest.raises(errors.StateError):
        TimeBookmark.from_state({"time": "yesterday-ish"}, default=T0)
    with pytest.raises(errors.StateError):
        TimeBookmark.from_state({"time": "2026-01-01T00:00:00Z", "seen": {"a": "noon"}}, default=T0)


def test_no_state_starts_at_the_default():
    mark = TimeBookmark.from_state(None, default=T0, look_back=5 * MIN)
    assert mark.query_from() == T0 - timedelta(seconds=1) and mark.is_new(T0, "a")


def test_repeats_within_a_window_are_dropped_and_counted():
    distinct, repeats = distinct_by_id([{"id": 1}, {"id": 2}, {"id": 1}], lambda item: item["id"])
    assert distinct == [{"id": 1}, {"id": 2}] and repeats == 1


# --- FollowBookmark: an opaque follow token (AlphaSOC) ------------------------------------------------

def test_a_follow_bookmark_moves_to_the_next_token_once_its_page_was_handled_whole():
    mark = FollowBookmark("f1")
    mark.reading("f1", "f2", ["a", "b"])
    mark.add(None, "a")
    mark.add(None, "b")
    assert mark.to_state() == {"follow": "f2", "done": []}


def test_a_follow_bookmark_cut_short_stays_on_its_page_with_the_ids_handled():
    mark = FollowBookmark("f1")
    mark.reading("f1", "f2", ["a", "b"])
    mark.add(None, "a")
    assert mark.to_state() == {"follow": "f1", "done": ["a"]}


def test_a_follow_bookmark_skips_the_ids_done_on_the_page_it_resumes():
    mark = FollowBookmark.from_state({"follow": "f1", "done": ["a"]}, what="AlphaSOC")
    mark.reading("f1", "f2", ["a", "b"])
    assert not mark.is_new(None, "a") and mark.is_new(None, "b")


def test_a_follow_bookmark_forgets_the_done_ids_on_another_page():
    mark = FollowBookmark.from_state({"follow": "f1", "done": ["a"]}, what="AlphaSOC")
    mark.reading("f2", "f3", ["a"])
    assert mark.is_new(None, "a")


def test_a_follow_bookmark_keeps_its_since_floor():
    mark = FollowBookmark.from_state(None, what="AlphaSOC", since="2026-01-01T00:00:00.000Z")
    assert mark.to_state()["since"] == "2026-01-01T00:00:00.000Z"


def test_an_unreadable_follow_bookmark_is_a_state_error():
    with pytest.raises(errors.StateError, match="refusing to restart"):
        FollowBookmark.from_state({"follow": 7}, what="AlphaSOC")


# --- SequenceBookmark: the next sequence number per key (Authentic8 Silo) ------------------------------

def test_a_sequence_bookmark_resumes_after_the_last_item_handed_over():
    mark = SequenceBookmark("org")
    mark.add(41, "ADMIN_AUDIT")
    assert mark.next_seq("ADMIN_AUDIT") == 42 and not mark.is_new(41, "ADMIN_AUDIT") and mark.is_new(42, "ADMIN_AUDIT")


def test_a_sequence_bookmark_keeps_the_other_scopes_marks():
    state = {"version": 1, "next_seq": {"other": {"URL": 5}}}
    mark = SequenceBookmark.from_state(state, scope="org", what="authentic8")
    mark.move_to("URL", 9)
    assert mark.to_state() == {"version": 1, "next_seq": {"other": {"URL": 5}, "org": {"URL": 9}}}


def test_a_key_without_a_sequence_bookmark_has_none_yet():
    mark = SequenceBookmark.from_state({"version": 1, "next_seq": {"org": {"URL": 3}}}, scope="org", what="authentic8")
    assert "URL" in mark and "ENC" not in mark and mark.next_seq("ENC") == 0


def test_an_unreadable_sequence_bookmark_is_a_state_error():
    with pytest.raises(errors.StateError, match="refusing to restart"):
        SequenceBookmark.from_state({"version": 1, "next_seq": {"org": {"URL": -1}}}, scope="org", what="authentic8")


def test_a_sequence_bookmark_resumes_where_the_vendor_said_once_a_page_was_handed_over_whole():
    mark = SequenceBookmark("org")
    mark.reading("URL", [3, 4], next_seq=9)
    mark.add(3, "URL")
    assert mark.next_seq("URL") == 4
    mark.add(4, "URL")
    assert mark.next_seq("URL") == 9


def test_an_empty_page_adopts_a_next_seq_that_moved_on_but_never_a_bare_zero():
    mark = SequenceBookmark("org")
    mark.reading("URL", [], next_seq=0)
    assert "URL" not in mark
    mark.reading("URL", [], next_seq=7)
    assert mark.next_seq("URL") == 7
