"""Index work: enqueued by events inside the business transaction, applied by the one
writer holding the lease.

Web workers and jobs only ever insert :class:`SearchTask` rows (a plain insert, never
the index lock).  :func:`apply_queue` takes the lease ``writer`` (a conditional update,
so two consumers on two hosts never both write), applies the oldest tasks in batches,
catches up with the sources that offer ``documents(since)``, and gives the lease back.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from flask import current_app

from zhanggui import utcnow

from ..backends import backend_for
from ..index.documents import analyse, doc_id
from ..keys import sources, suffix_key
from .lease import acquire_lease, holder_name, release_lease
from .models import SearchBookmark, SearchTask
from .reindex import reindex

BATCH = 500
#: catch-up reads from this long before its last run: a record written in a transaction
#: that committed after that run, with an earlier timestamp, is still seen
CATCH_UP_OVERLAP = dt.timedelta(minutes=2)
#: batches of a pending full index the writer builds per run (it resumes next run)
INDEX_BATCHES_PER_RUN = 20


def enqueue(source: str, keys: Iterable[Any], action: str = "upsert",
            purge: bool = False) -> None:
    """Ask the writer to refresh (``upsert``) or remove (``delete``) documents."""
    keys = [str(k) for k in keys]
    if keys:
        SearchTask.create(source=source, action=action, keys=",".join(keys), purge=purge)


def _analysed(source, documents) -> list:
    key = suffix_key()
    return [analyse(source, document, key) for document in documents]


def _apply(tasks: list[SearchTask]) -> None:
    known = sources()
    backend = backend_for(current_app)
    upserts: list = []
    deletions: list[str] = []
    purge = False
    for task in tasks:
        keys = task.keys.split(",")
        source = known.get(task.source)
        if task.action == "delete" or source is None:
            deletions.extend(doc_id(task.source, k) for k in keys)
            purge = purge or task.purge
        elif source.fetch is not None:
            found = _analysed(source, source.fetch(keys))
            present = {d.doc_id for d in found}
            deletions.extend(i for i in (doc_id(source.name, k) for k in keys)
                             if i not in present)
            upserts.extend(found)
    latest = {d.doc_id: d for d in upserts}
    gone = set(deletions) - set(latest)
    backend.write(list(latest.values()), sorted(gone), purge=purge)


def catch_up() -> int:
    """Refresh what changed since each source's bookmark (sources without one wait for
    a reindex).  Returns the documents written."""
    backend = backend_for(current_app)
    written = 0
    for mark in SearchBookmark.select().where(SearchBookmark.since.is_null(False)
                                              & SearchBookmark.reindex_done.is_null()):
        source = sources().get(mark.source)
        if source is None:
            continue
        started = utcnow()
        docs = _analysed(source, source.documents(mark.since - CATCH_UP_OVERLAP))
        if docs:
            backend.write(docs, ())
            written += len(docs)
        SearchBookmark.update(since=started).where(
            SearchBookmark.source == mark.source).execute()
    return written


def apply_queue(batch: int = BATCH, holder: str | None = None,
                max_batches: int | None = None) -> int | None:
    """Apply waiting index work as the one writer.  Returns the tasks applied, or
    ``None`` when another writer holds the lease (nothing to do here then)."""
    holder = holder or holder_name()
    if not acquire_lease(holder):
        return None
    done = 0
    try:
        rounds = 0
        while max_batches is None or rounds < max_batches:
            tasks = list(SearchTask.select().order_by(SearchTask.id).limit(batch))
            if not tasks:
                break
            _apply(tasks)
            SearchTask.delete().where(SearchTask.id.in_([t.id for t in tasks])).execute()
            done += len(tasks)
            rounds += 1
            acquire_lease(holder)
        catch_up()
        _index_new_sources()
    finally:
        release_lease(holder)
    return done


def _index_new_sources() -> None:
    """Sources never indexed (a plugin just enabled, a fresh install) or whose reindex
    was interrupted are built here, a few batches per run, resuming each time."""
    marks = {m.source: m for m in SearchBookmark.select()}
    pending = [name for name in sources()
               if name not in marks or marks[name].reindex_done is not None]
    if pending:
        reindex(only=pending, stop_after=INDEX_BATCHES_PER_RUN)


def waiting() -> int:
    return SearchTask.select().count()


