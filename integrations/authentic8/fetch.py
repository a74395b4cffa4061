"""Authentic8 Silo fetch: a next_seq bookmark per (org, log type), and the rounds that read every type
still to read in one POST each, sharing the run's budget between the types."""
from __future__ import annotations

import math
from typing import Any, Iterator, Sequence

from ..common import errors
from ..common.results import FetchBatch
from ..common.timeutil import parse_time
from .client import MAX_LIMIT, VENDOR, OrgError, SiloApi, extractlog, log_seq, parse_page
from .mapping import log_to_incident

STATE_VERSION = 1


# --- bookmarks: next_seq per (org, log type) -------------------------------------------------------

def load_bookmarks(state: dict[str, Any] | None) -> dict[str, dict[str, int]]:
    if not state:
        return {}
    marks = state.get("next_seq")
    if state.get("version") != STATE_VERSION or not isinstance(marks, dict) or not all(
            isinstance(types, dict) and all(isinstance(t, str) and isinstance(s, int) and not isinstance(s, bool)
                                            and s >= 0 for t, s in types.items())
            for types in marks.values()):
        raise errors.StateError(f"{VENDOR}: the stored bookmark {str(state)[:200]} is not a next_seq per org and "
                                "log type; refusing to restart from scratch")
    return {org: dict(types) for org, types in marks.items()}


def dump_bookmarks(marks: dict[str, dict[str, int]]) -> dict[str, Any]:
    return {"version": STATE_VERSION, "next_seq": {org: dict(types) for org, types in marks.items()}}


def fetch_types(log_types: Sequence[str]) -> list[str]:
    chosen = list(dict.fromkeys(log_types))
    if not chosen:
        raise errors.InputError("fetch-incidents: log_types is empty")
    return chosen


# --- the rounds ------------------------------------------------------------------------------------

def rounds(api: SiloApi, *, state: dict[str, Any] | None, log_types: Sequence[str], first_fetch: str,
           max_fetch: int, page_size: int) -> Iterator[FetchBatch]:
    """Each round is one POST carrying an extractlog for every type still to read, from that type's
    ``next_seq``; a round's batch carries the bookmarks of what it handed over, and nothing else.

    A type whose command fails keeps its bookmark and sits out the rest of the run while the others
    go on; the run then ends with that error, so a broken type is never silent. An org error hits
    every type alike and ends the run at once (a rejected token already failed the whole POST).
    """
    types = fetch_types(log_types)
    marks = load_bookmarks(state)
    org_marks = marks.setdefault(api.org, {})
    since = parse_time(first_fetch)
    pending = list(types)
    failed: dict[str, errors.SoarpacksError] = {}
    budget = max_fetch
    while pending and budget > 0:
        # The budget is shared fairly, so a flood of one type cannot starve the others in this run.
        per_type = min(page_size, MAX_LIMIT, math.ceil(budget / len(pending)))
        commands = [extractlog(api.org, t, start_seq=org_marks.get(t, 0), limit=per_type,
                               # No bookmark yet: the first run reaches back first_fetch, not 90 days.
                               start_time=None if t in org_marks else since) for t in pending]
        incidents: list[dict[str, Any]] = []
        still_pending = []
        for log_type, reply in zip(pending, api.call(commands)):
            if reply.error is not None:
                if isinstance(reply.error, OrgError):
                    raise reply.error
                failed[log_type] = reply.error
                continue
            taken, more = _hand_over(reply.result, log_type, org_marks, budget)
            incidents.extend(log_to_incident(r, org=api.org, log_type=log_type) for r in taken)
            budget -= len(taken)
            if more:
                still_pending.append(log_type)
        # Oldest first across types: the order an analyst reads a timeline in.
        incidents.sort(key=lambda i: (i["occurred"], i["labels"]["seq_id"]))
        yield FetchBatch(incidents, dump_bookmarks(marks), stats={"types": len(pending), "failed": len(failed)})
        pending = still_pending
    if failed:
        first = next(iter(failed.values()))
        detail = "; ".join(str(e) for e in failed.values())
        raise type(first)(f"{VENDOR}: {len(failed)} log type(s) were not fetched and keep their bookmark "
                          f"(the others were): {detail}")


def _hand_over(result: Any, log_type: str, org_marks: dict[str, int],
               budget: int) -> tuple[list[dict[str, Any]], bool]:
    """The records of one type's page that fit the budget, with that type's bookmark moved past them;
    and whether the type has more to read in this run."""
    start = org_marks.get(log_type, 0)
    page = parse_page(result, start_seq=start)
    taken = page.logs[:budget]
    if len(taken) < len(page.logs):
        # The budget ran out inside this page: resume right after the last record handed over
        # (a type that handed over nothing keeps what it had, possibly no bookmark at all).
        if taken:
            org_marks[log_type] = log_seq(taken[-1]) + 1
    elif taken or page.next_seq > start:
        # With nothing matched, only a next_seq that moved on is adopted: a bare 0 would turn a
        # first fetch limited by time into a full 90-day backlog on the next run.
        org_marks[log_type] = page.next_seq
    return taken, page.is_more and len(taken) == len(page.logs)
