"""Authentic8 Silo fetch: a next_seq bookmark per (org, log type), and the rounds that read every type
still to read in one POST each, sharing the run's budget between the types."""
from __future__ import annotations

import math
from typing import Any, Iterator, Sequence

from ..common import errors
from ..common.bookmarks import SequenceBookmark
from ..common.fetching import fetch_in_batches
from ..common.results import FetchBatch
from ..common.timeutil import parse_time
from .client import MAX_LIMIT, VENDOR, OrgError, SiloApi, extractlog, log_seq, parse_page
from .mapping import log_to_incident

STATE_VERSION = 1


def fetch_types(log_types: Sequence[str]) -> list[str]:
    chosen = list(dict.fromkeys(log_types))
    if not chosen:
        raise errors.InputError("fetch-incidents: log_types is empty")
    return chosen


# --- the rounds ------------------------------------------------------------------------------------

def rounds(api: SiloApi, *, state: dict[str, Any] | None, log_types: Sequence[str], first_fetch: str,
           max_fetch: int, page_size: int) -> Iterator[FetchBatch]:
    """Each round is one POST carrying an extractlog for every type still to read, from that type's
    ``next_seq`` (a ``SequenceBookmark`` per org and log type); a round's batch carries the bookmarks of
    what it handed over, and nothing else.

    A type whose command fails keeps its bookmark and sits out the rest of the run while the others
    go on; the run then ends with that error, so a broken type is never silent. An org error hits
    every type alike and ends the run at once (a rejected token already failed the whole POST).
    """
    types = fetch_types(log_types)
    mark = SequenceBookmark.from_state(state, scope=api.org, what=VENDOR, version=STATE_VERSION,
                                       keys="org and log type")
    since = parse_time(first_fetch)
    pending = list(types)
    failed: dict[str, errors.SoarpacksError] = {}
    budget = max_fetch
    while pending and budget > 0:
        # The budget is shared fairly, so a flood of one type cannot starve the others in this run.
        per_type = min(page_size, MAX_LIMIT, math.ceil(budget / len(pending)))
        commands = [extractlog(api.org, t, start_seq=mark.next_seq(t), limit=per_type,
                               # No bookmark yet: the first run reaches back first_fetch, not 90 days.
                               start_time=None if t in mark else since) for t in pending]
        pages = {}
        for log_type, reply in zip(pending, api.call(commands)):
            if reply.error is not None:
                if isinstance(reply.error, OrgError):
                    raise reply.error
                failed[log_type] = reply.error
                continue
            pages[log_type] = parse_page(reply.result, start_seq=mark.next_seq(log_type))
            mark.reading(log_type, [log_seq(r) for r in pages[log_type].logs], pages[log_type].next_seq)
        # The round's records, type after type, each type's in sequence: a budget that runs out inside a
        # type's page leaves that type's bookmark right after the last record handed over.
        records = [(record, log_type) for log_type, page in pages.items() for record in page.logs]
        for batch in fetch_in_batches([records], bookmark=mark, max_fetch=budget,
                                      moment_and_id=lambda entry: (log_seq(entry[0]), entry[1]),
                                      to_incident=lambda entry: log_to_incident(entry[0], org=api.org,
                                                                                log_type=entry[1])):
            budget -= len(batch.incidents)
            # Oldest first across types: the order an analyst reads a timeline in.
            batch.incidents.sort(key=lambda i: (i["occurred"], i["labels"]["seq_id"]))
            batch.stats = {"types": len(pending), "failed": len(failed)}
            yield batch
        pending = [t for t, page in pages.items() if page.is_more and _read_whole(mark, t, page.logs)]
    if failed:
        first = next(iter(failed.values()))
        detail = "; ".join(str(e) for e in failed.values())
        raise type(first)(f"{VENDOR}: {len(failed)} log type(s) were not fetched and keep their bookmark "
                          f"(the others were): {detail}")


def _read_whole(mark: SequenceBookmark, log_type: str, logs: list[dict[str, Any]]) -> bool:
    """Every record of the type's page was handed over (the bookmark moved past the last one)."""
    return not logs or mark.next_seq(log_type) > log_seq(logs[-1])
