"""The one loop of every ``fetch-incidents``: vendor pages in, budgeted batches (with their bookmark) out.

A vendor's fetch is three steps: its client yields pages of vendor objects (through the runtime's
paginators), its mapping turns one object into an ``Incident``, and ``fetch_in_batches`` does the rest
the same way for every vendor: skip what the bookmark says was handed over already, map, remember,
count against ``max_fetch``, and yield a ``FetchBatch`` per page with the bookmark that is true once the
batch was handed over (the runner saves it only then).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Generator, Iterable, Optional, Sequence, Tuple

from .bookmarks import Bookmark
from .incident import Incident
from .results import FetchBatch

# A vendor object's moment and id, as its bookmark compares them.
MomentAndId = Callable[[Any], Tuple[datetime, str]]


def fetch_in_batches(pages: Iterable[Sequence[Any]], *, bookmark: Bookmark, moment_and_id: MomentAndId,
                     to_incident: Callable[[Any], Optional[Incident]], max_fetch: int,
                     batch_size: int = 0,
                     state: Optional[Callable[[], dict[str, Any]]] = None) -> Generator[FetchBatch, None, int]:
    """Batches of the new items of ``pages``, at most ``max_fetch`` items in all; returns how many.

    One batch per page (an empty one too: the page may still move the bookmark, and the runner saves
    it), split every ``batch_size`` items when given. The generator stops as soon as the budget is
    spent, so no page past it is requested. Items are remembered by the bookmark as they are mapped:
    the seen-set then also drops an item that one run meets twice (offset pages that shift).
    ``to_incident`` may answer ``None`` for an item a filter passes over: it is remembered (it must not
    come back) but neither handed over nor counted. ``state`` makes the state saved with each batch when
    it holds more than ``bookmark`` (Cisco GTA keeps a second bookmark, of changes, in the same state).
    """
    state_now = state or bookmark.to_state
    budget = max_fetch
    if budget <= 0:
        return 0
    for page in pages:
        batch: list[dict[str, Any]] = []
        yielded = False
        for item in page:
            moment, key = moment_and_id(item)
            if not bookmark.is_new(moment, key):
                continue
            incident = to_incident(item)
            bookmark.add(moment, key)
            if incident is None:
                continue
            batch.append(incident.to_dict())
            budget -= 1
            if budget == 0:
                break
            if len(batch) == batch_size:
                yield FetchBatch(batch, state_now())
                batch, yielded = [], True
        if batch or not yielded:
            yield FetchBatch(batch, state_now())
        if budget == 0:
            break
    return max_fetch - budget
