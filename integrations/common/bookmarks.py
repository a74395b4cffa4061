"""Where an incremental fetch resumes: the ``Bookmark`` protocol and its three kinds.

- ``TimeBookmark``: the newest time covered plus the ids handed over at the boundary (Alert Logic, USM
  Anywhere, Cisco GTA);
- ``FollowBookmark``: an opaque follow token, plus the ids handled from a page cut short (AlphaSOC);
- ``SequenceBookmark``: the next sequence number per key (Authentic8 Silo: per org and log type).

Each is ``is_new(position, key)`` / ``add(position, key)`` / ``to_state()``: for a time bookmark the
position is the item's time and the key its id; for a sequence bookmark, the item's sequence number and
the stream it belongs to; a follow bookmark needs only the id.

Vendors that fetch by time (Alert Logic, USM Anywhere, Cisco GTA) share three problems:

- items that share the boundary time: the next run must neither skip nor repeat them;
- items that become visible late (indexing lag: an incident created at 12:00:00 is searchable at
  12:00:20, after a run covering 12:00:10 moved on): the next run must still pick them up;
- whether the vendor's ``start_time`` is inclusive is rarely documented.

``TimeBookmark`` answers all three the same way: each run re-queries from ``look_back`` before the
newest time covered, minus one second of ``overlap`` (inclusive or not, the boundary is read again),
and drops the ids it remembers (``seen``: every id handed over since ``covered_from``). ``covered_from``
only moves forward, so raising ``look_back`` between runs never brings back what was handed over and
then forgotten, and the seen-set is bounded (``max_seen``): when it overflows, the oldest moments are
forgotten whole and ``covered_from`` moves past them.

The runner saves ``to_state()`` only after the items it covers were handed over (see ``runner.py``).
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Protocol, Sequence

from . import errors
from .timeutil import epoch_ms, parse_time, rfc3339

OVERLAP = timedelta(seconds=1)
MAX_SEEN = 10_000


class Bookmark(Protocol):
    """What a fetch needs from its bookmark (``fetching.fetch_in_batches``); saved by the runner only
    after the items it covers were handed over."""

    def is_new(self, position: Any, key: str, /) -> bool: ...
    def add(self, position: Any, key: str, /) -> None: ...
    def to_state(self) -> dict[str, Any]: ...


def _ms_time(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc)


def _write_time(moment: datetime) -> str:
    # Milliseconds as RFC 3339; a vendor time finer than that is kept exactly (it is compared exactly).
    return rfc3339(moment) if moment.microsecond % 1000 == 0 else moment.isoformat()


class TimeBookmark:
    """The newest time covered, plus the ids handed over since ``covered_from``.

    ``field`` names the state keys, so one state can hold several bookmarks (Cisco GTA keeps
    ``triggered`` and ``modified``): ``time``, ``covered_from``, ``seen`` for the default field,
    ``<field>``, ``<field>_covered_from``, ``<field>_seen`` otherwise. States written before the
    look-back (``<field>`` plus ``<field>_ids``, the ids at exactly that time) are read as they meant.
    """

    def __init__(self, time: datetime, *, look_back: timedelta = timedelta(0), covered_from: datetime | None = None,
                 seen: dict[str, int] | None = None, field: str = "time", overlap: timedelta = OVERLAP,
                 max_seen: int = MAX_SEEN) -> None:
        if look_back < timedelta(0):
            raise errors.InputError("look_back cannot be negative")
        self.time = time
        self.look_back = look_back
        self.covered_from = min(covered_from or time, time)
        self.seen: dict[str, int] = dict(seen or {})
        self.field = field
        self.overlap = overlap
        self.max_seen = max_seen
        # Fixed for the run: what the query asks for starts here, so items before it are not new
        # even if the vendor returns them (the overlap second, or a clock the run moved past).
        self.horizon = max(time - look_back, self.covered_from)

    def _key(self, name: str) -> str:
        return name if self.field == "time" else f"{self.field}_{name}"

    @classmethod
    def from_state(cls, state: dict[str, Any] | None, *, default: datetime, look_back: timedelta = timedelta(0),
                   field: str = "time", **options: Any) -> "TimeBookmark":
        """The stored bookmark, or one at ``default`` when there is none; an unreadable one is a
        ``StateError`` (exit 3), never a silent restart from scratch."""
        probe = cls(default, field=field)
        own = (field, probe._key("covered_from"), probe._key("seen"), f"{field}_ids")
        if not state or not any(key in state for key in own):
            return cls(default, look_back=look_back, field=field, **options)
        try:
            time = parse_time(state[field])  # a KeyError: ids or a seen-set without their time
            covered_from = parse_time(state.get(probe._key("covered_from"), state[field]))
            if probe._key("seen") in state:
                seen = {str(k): int(v) for k, v in (state[probe._key("seen")] or {}).items()}
            else:  # before the look-back: the ids handed over at exactly ``time``
                seen = {str(i): epoch_ms(time) for i in state.get(f"{field}_ids") or []}
        except (KeyError, TypeError, ValueError, AttributeError, errors.InputError) as exc:
            raise errors.StateError(f"the stored bookmark {str(state.get(field))[:80]!r} cannot be read "
                                    f"({type(exc).__name__}); refusing to restart from scratch") from None
        return cls(time, look_back=look_back, covered_from=covered_from, seen=seen, field=field, **options)

    def query_from(self) -> datetime:
        """Where the vendor query starts: the look-back horizon minus the overlap."""
        return self.horizon - self.overlap

    def is_new(self, moment: datetime, item_id: str) -> bool:
        return moment >= self.horizon and item_id not in self.seen

    def add(self, moment: datetime, item_id: str) -> None:
        """``item_id`` at ``moment`` was handed over (or will be, with the batch this state goes with)."""
        self.seen[item_id] = epoch_ms(moment)
        if moment > self.time:
            self.time = moment

    def add_all(self, items: Iterable[tuple[datetime, str]]) -> None:
        for moment, item_id in items:
            self.add(moment, item_id)

    def move_to(self, moment: datetime) -> None:
        """Everything up to ``moment`` was read and handed over (a window read whole, a quiet period)."""
        if moment > self.time:
            self.time = moment

    def to_state(self) -> dict[str, Any]:
        """The state to save: only ids the next run can meet again, at most ``max_seen`` of them."""
        covered_from = max(self.time - self.look_back, self.covered_from)
        floor = epoch_ms(covered_from)
        kept = {k: v for k, v in self.seen.items() if v >= floor}
        if len(kept) > self.max_seen:
            kept, covered_from = self._bounded(kept, covered_from)
        return {self.field: _write_time(self.time),
                self._key("covered_from"): _write_time(covered_from),
                self._key("seen"): dict(sorted(kept.items()))}

    def _bounded(self, kept: dict[str, int], covered_from: datetime) -> tuple[dict[str, int], datetime]:
        """Forget the oldest moments whole (never part of one, never the newest) until at most
        ``max_seen`` ids remain, and cover from the oldest moment kept: what is older is not new."""
        by_moment = sorted(set(kept.values()), reverse=True)
        count, keep_from = 0, by_moment[0]
        per_moment: dict[int, int] = {}
        for value in kept.values():
            per_moment[value] = per_moment.get(value, 0) + 1
        for index, moment in enumerate(by_moment):
            count += per_moment[moment]
            if count > self.max_seen and index > 0:
                break
            keep_from = moment
        return {k: v for k, v in kept.items() if v >= keep_from}, max(covered_from, _ms_time(keep_from))

    def __repr__(self) -> str:
        return (f"TimeBookmark({_write_time(self.time)}, look_back={self.look_back}, "
                f"covered_from={_write_time(self.covered_from)}, seen={len(self.seen)})")


class FollowBookmark:
    """An opaque follow token (AlphaSOC's ``follow``): the run asks from it and the API answers with
    what came after, and the next token.

    ``done`` holds the ids handled from the page that ``follow`` returns; it is non-empty only when
    ``max_fetch`` cut that page short: the next run asks for the same page again and skips those, so
    nothing is lost or handed over twice. ``since`` (RFC 3339) is a floor a vendor without a time filter
    applies itself; it is kept for the runs that finish the backlog the first run found.

    The fetch tells the bookmark which page it reads (``reading``); once every item of the page was
    handled, the state is the page's next token.
    """

    def __init__(self, follow: str | None = None, done: Iterable[str] = (), since: str | None = None) -> None:
        self.follow = follow
        self.done = set(done)
        self.since = since
        self._next: str | None = None
        self._page: frozenset[str] = frozenset()

    @classmethod
    def from_state(cls, state: dict[str, Any] | None, *, what: str, since: str | None = None) -> "FollowBookmark":
        """The stored bookmark; with none, one that starts at the API's start with ``since`` as floor."""
        if not state:
            return cls(since=since)
        follow, done, since = state.get("follow"), state.get("done", []), state.get("since")
        if (follow is not None and not isinstance(follow, str)) or not isinstance(done, list) \
                or not all(isinstance(i, str) for i in done) or (since is not None and not isinstance(since, str)):
            raise errors.StateError(f"the stored {what} bookmark {json.dumps(state)[:200]} cannot be read; "
                                    "refusing to restart from scratch (delete the state to start over)")
        return cls(follow or None, done, since or None)

    def reading(self, follow: str | None, next_follow: str | None, ids: Iterable[str]) -> None:
        """The page that ``follow`` returned is read now: ``ids`` are its items, ``next_follow`` its token."""
        if follow != self.follow:
            self.follow, self.done = follow, set()
        self._next, self._page = next_follow, frozenset(ids)

    def is_new(self, position: Any, key: str) -> bool:
        return key not in self.done

    def add(self, position: Any, key: str) -> None:
        """``key`` was handled: handed over, or passed over by a filter (it must not come back either)."""
        self.done.add(key)

    def to_state(self) -> dict[str, Any]:
        if self._next and self._page <= self.done:
            state: dict[str, Any] = {"follow": self._next, "done": []}
        else:
            state = {"follow": self.follow, "done": sorted(self.done)}
        if self.since:
            state["since"] = self.since
        return state


class SequenceBookmark:
    """The next sequence number to read, per key within a scope (Authentic8 Silo: per log type within an
    org; the state keeps every org's, so one state serves instances of several orgs).

    A key without a number has no bookmark yet (the fetch then starts by time, not at sequence 0).
    """

    def __init__(self, scope: str, marks: dict[str, dict[str, int]] | None = None, *, version: int = 1) -> None:
        self.scope = scope
        self.marks = {group: dict(keys) for group, keys in (marks or {}).items()}
        self.own = self.marks.setdefault(scope, {})
        self.version = version
        self._page_ends: dict[str, tuple[int, int]] = {}   # key -> (last position on the page, next_seq)

    @classmethod
    def from_state(cls, state: dict[str, Any] | None, *, scope: str, what: str, version: int = 1,
                   keys: str = "key") -> "SequenceBookmark":
        """The stored bookmark (``keys`` says what its keys are, for the error); an unreadable one is a
        ``StateError``, never a silent restart from scratch."""
        if not state:
            return cls(scope, version=version)
        marks = state.get("next_seq")
        if state.get("version") != version or not isinstance(marks, dict) or not all(
                isinstance(keys, dict) and all(isinstance(k, str) and isinstance(n, int) and not isinstance(n, bool)
                                               and n >= 0 for k, n in keys.items())
                for keys in marks.values()):
            raise errors.StateError(f"{what}: the stored bookmark {str(state)[:200]} is not a next_seq per "
                                    f"{keys}; refusing to restart from scratch")
        return cls(scope, marks, version=version)

    def __contains__(self, key: str) -> bool:
        return key in self.own

    def reading(self, key: str, positions: Sequence[int], next_seq: int) -> None:
        """A page of ``key``'s stream is read now: its items are at ``positions`` (ascending), and the vendor
        says the stream goes on at ``next_seq``. Once the page's last item is handed over, the stream
        resumes at ``next_seq`` (past any gap the vendor skipped); a page with no items adopts a
        ``next_seq`` that moved on at once, but never a bare 0 (a first fetch limited by time would turn
        into the whole backlog on the next run)."""
        if positions:
            self._page_ends[key] = (positions[-1], next_seq)
        elif next_seq > self.next_seq(key):
            self.own[key] = next_seq

    def next_seq(self, key: str) -> int:
        """Where ``key``'s stream resumes (0 when it has no bookmark)."""
        return self.own.get(key, 0)

    def is_new(self, position: int, key: str) -> bool:
        return position >= self.next_seq(key)

    def add(self, position: int, key: str) -> None:
        """The item at ``position`` of ``key``'s stream was handed over: resume after it (or where the
        vendor said the stream goes on, when it was the last item of the page being read)."""
        last, after = self._page_ends.get(key, (None, None))
        resume = after if position == last and after is not None else position + 1
        if resume > self.next_seq(key) or key not in self.own:
            self.own[key] = resume

    def move_to(self, key: str, next_seq: int) -> None:
        """Everything before ``next_seq`` was read (the vendor's own next position after a whole page)."""
        self.own[key] = next_seq

    def to_state(self) -> dict[str, Any]:
        return {"version": self.version, "next_seq": {group: dict(keys) for group, keys in self.marks.items()}}


def distinct_by_id(items: Iterable[Any], id_of: Any) -> tuple[list[Any], int]:
    """The items with repeats of an id dropped (first kept), and how many repeats there were.

    Offset paging over a result whose order is not documented (or that grows while it is read) can
    return one item on two pages and skip another: a caller compares ``len(distinct)`` with the
    vendor's total before it moves a bookmark past the window.
    """
    distinct: dict[str, Any] = {}
    repeats = 0
    for item in items:
        key = str(id_of(item))
        if key in distinct:
            repeats += 1
        else:
            distinct[key] = item
    return list(distinct.values()), repeats
