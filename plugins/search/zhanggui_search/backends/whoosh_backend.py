"""The whoosh backend: an index folder on one host.

whoosh lets one writer at a time hold the index (``writer()`` fails at once when
another holds the lock), so only the queue's writer (:mod:`zhanggui_search.queue`)
calls :meth:`WhooshBackend.write`; web workers only read.  Store and permission
restrictions are clauses of the query itself (weighing next to nothing): the matcher skips what the
user may not open instead of collecting it, and never builds a set of every document
the user may see (which costs a pass over the whole index per query).

Title terms are written twice into the one ``terms`` field: BM25's term frequency
ranks a hit in the title above one in the body without a second field's postings.
"""
from __future__ import annotations

import os
import threading
from typing import Iterable

from whoosh import index, scoring
from whoosh.fields import ID, KEYWORD, STORED, Schema
from whoosh.query import And, Or, Term
from whoosh.reading import SegmentReader

from .base import Hit, Scope

RESTRICTION_BOOST = 1e-6



def schema() -> Schema:
    return Schema(doc_id=ID(stored=True, unique=True), source=ID(stored=True),
                  key=STORED, title=STORED, body=STORED, url=STORED,
                  store=ID, permission=ID, terms=KEYWORD(scorable=True))


def _purge_deleted(writer, segments):
    """Merge policy: rewrite every segment holding deleted documents, so a removed
    document's stored fields and terms are gone from the files, not just hidden."""
    kept = []
    for segment in segments:
        if segment.has_deletions():
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()
        else:
            kept.append(segment)
    return kept


class WhooshBackend:
    name = "whoosh"

    def __init__(self, folder: str):
        self.folder = folder
        self._index = None
        self._local = threading.local()     # one searcher per thread, refreshed

    def _ix(self):
        if self._index is None:
            os.makedirs(self.folder, exist_ok=True)
            if index.exists_in(self.folder):
                self._index = index.open_dir(self.folder)
            else:
                self._index = index.create_in(self.folder, schema())
        return self._index

    def write(self, upserts: list, deletions: Iterable[str] = (), purge: bool = False) -> None:
        writer = self._ix().writer(limitmb=128)
        try:
            for doc_id in deletions:
                writer.delete_by_term("doc_id", doc_id)
            for doc in upserts:
                writer.update_document(
                    doc_id=doc.doc_id, source=doc.source, key=doc.key, title=doc.title,
                    body=doc.body, url=doc.url, store=doc.store, permission=doc.permission,
                    terms=" ".join(doc.title_terms + doc.terms))
        except BaseException:
            writer.cancel()
            raise
        if purge:
            writer.commit(mergetype=_purge_deleted)
        else:
            writer.commit()

    def delete_source(self, source: str) -> None:
        writer = self._ix().writer()
        writer.delete_by_term("source", source)
        writer.commit(mergetype=_purge_deleted)

    def search(self, groups: list[tuple[str, ...]], scope: Scope, limit: int = 50,
               sources: Iterable[str] | None = None) -> list[Hit]:
        if not groups:
            return []
        query = And([Or([Term("terms", t) for t in group]) for group in groups])
        def any_of(field, values):
            # a restriction: next to nothing in the score (whoosh's Require, and a
            # zero boost, lose matches in whoosh 2.7)
            return Or([Term(field, v, boost=RESTRICTION_BOOST) for v in sorted(values)])

        allowed = [any_of("permission", scope.permissions)]
        if scope.stores is not None:
            allowed.append(any_of("store", scope.stores))
        if sources:
            allowed.append(any_of("source", sources))
        query = And([query] + allowed)
        results = self._searcher().search(query, limit=limit)
        return [Hit(doc_id=r["doc_id"], source=r["source"], key=r["key"], title=r["title"],
                    body=r["body"], url=r["url"], score=r.score) for r in results]

    def _searcher(self):
        """This thread's searcher, reopened when the writer has committed since (a
        look at the folder's table of contents, no reading of the segments)."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._ix().searcher(weighting=scoring.BM25F())
        elif not searcher.up_to_date():
            searcher = searcher.refresh()
        self._local.searcher = searcher
        return searcher

    def count(self) -> int:
        with self._ix().searcher() as searcher:
            return searcher.doc_count()

    def clear(self) -> None:
        self._index = index.create_in(self._ix_folder(), schema())
        self._local = threading.local()

    def _ix_folder(self) -> str:
        os.makedirs(self.folder, exist_ok=True)
        return self.folder
