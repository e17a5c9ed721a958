"""The whoosh backend: an index folder on one host.

whoosh lets one writer at a time hold the index (``writer()`` fails at once when
another holds the lock), so only the queue's writer (:mod:`zhanggui_search.queue`)
calls :meth:`WhooshBackend.write`; web workers only read.  Store and permission
restrictions go into the searcher's ``filter``: the collector never sees a document
the user may not open.
"""
from __future__ import annotations

import os
from typing import Iterable

from whoosh import index, scoring
from whoosh.fields import ID, KEYWORD, STORED, Schema
from whoosh.query import And, Or, Term
from whoosh.reading import SegmentReader

from .base import Hit, Scope

TITLE_BOOST = 3.0


def schema() -> Schema:
    return Schema(doc_id=ID(stored=True, unique=True), source=ID(stored=True),
                  key=STORED, title=STORED, body=STORED, url=STORED,
                  store=ID, permission=ID,
                  terms=KEYWORD(scorable=True), title_terms=KEYWORD(scorable=True))


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
                    terms=" ".join(doc.terms), title_terms=" ".join(doc.title_terms))
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
        query = And([Or([Term("terms", t) for t in group]
                        + [Term("title_terms", t, boost=TITLE_BOOST) for t in group])
                     for group in groups])
        allowed = [Or([Term("permission", p) for p in sorted(scope.permissions)])]
        if scope.stores is not None:
            allowed.append(Or([Term("store", s) for s in sorted(scope.stores)]))
        if sources:
            allowed.append(Or([Term("source", s) for s in sources]))
        with self._ix().searcher(weighting=scoring.BM25F()) as searcher:
            results = searcher.search(query, filter=And(allowed), limit=limit)
            return [Hit(doc_id=r["doc_id"], source=r["source"], key=r["key"],
                        title=r["title"], body=r["body"], url=r["url"], score=r.score)
                    for r in results]

    def count(self) -> int:
        with self._ix().searcher() as searcher:
            return searcher.doc_count()

    def clear(self) -> None:
        self._index = index.create_in(self._ix_folder(), schema())

    def _ix_folder(self) -> str:
        os.makedirs(self.folder, exist_ok=True)
        return self.folder
