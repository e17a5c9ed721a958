"""A full rebuild of the index from every source, resumable.

Each source is rebuilt in batches; after each batch the number of documents done is
recorded (``SearchBookmark.reindex_done``), so an interrupted reindex starts again at
that position of the source's stable order instead of from nothing.  The writer lease
is held throughout, so the queue's writer waits; events keep being queued meanwhile and
are applied after.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Callable

from flask import current_app

from zhanggui import utcnow

from ..backends import backend_for
from ..index.documents import analyse
from ..keys import sources, suffix_key
from .models import SearchBookmark
from .lease import acquire_lease, holder_name, release_lease


class ReindexBusy(RuntimeError):
    """Another writer holds the lease."""


@dataclass
class ReindexProgress:
    source: str
    done: int
    total: int | None
    started: float
    resumed_from: int = 0

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return (self.done - self.resumed_from) / elapsed if elapsed > 0 else 0.0

    @property
    def seconds_left(self) -> float | None:
        if self.total is None or self.rate <= 0:
            return None
        return max(self.total - self.done, 0) / self.rate


def reindex(batch: int = 5000, restart: bool = False, only: list[str] | None = None,
            report: Callable[[ReindexProgress], None] | None = None,
            stop_after: int | None = None) -> dict[str, int]:
    """Rebuild the index of every source (or ``only`` these).  ``restart`` ignores a
    previous interrupted run.  ``stop_after`` batches: stop early as an interruption
    would (tests; the writer job builds a few batches per run).  Returns the documents
    written per source."""
    holder = holder_name()
    if not acquire_lease(holder):
        raise ReindexBusy("another search writer holds the lease")
    backend = backend_for(current_app)
    key = suffix_key()
    written: dict[str, int] = {}
    batches = 0
    try:
        for name, source in sources().items():
            if only and name not in only:
                continue
            mark, _ = SearchBookmark.get_or_create(source=name)
            if restart or mark.reindex_done is None:
                backend.delete_source(name)
                mark.reindex_done, mark.reindex_started_at = 0, utcnow()
                mark.save()
            progress = ReindexProgress(name, mark.reindex_done,
                                       source.count() if source.count else None,
                                       time.monotonic(), mark.reindex_done)
            documents = itertools.islice(source.documents(None), mark.reindex_done, None)
            while True:
                chunk = list(itertools.islice(documents, batch))
                if not chunk:
                    break
                backend.write([analyse(source, d, key) for d in chunk], ())
                progress.done += len(chunk)
                SearchBookmark.update(reindex_done=progress.done).where(
                    SearchBookmark.source == name).execute()
                written[name] = written.get(name, 0) + len(chunk)
                acquire_lease(holder)
                if report:
                    report(progress)
                batches += 1
                if stop_after is not None and batches >= stop_after:
                    return written
            # done: catch-up continues from when this rebuild started
            SearchBookmark.update(reindex_done=None, since=mark.reindex_started_at).where(
                SearchBookmark.source == name).execute()
            if report:
                report(progress)
    finally:
        release_lease(holder)
    return written
