"""The database backend: documents in a table, for several hosts.

Each document's terms are stored as one space-delimited string, ``" t1 t2 … "``, and
a query term is the pattern ``'% t %'``.  On PostgreSQL a GIN ``gin_trgm_ops`` index
(``pg_trgm``) over that column answers such patterns without reading the table.
Each term is stored as a short digest (11 base32 characters of BLAKE2b), not as
itself: pg_trgm ignores characters its locale does not call letters (Chinese under the
C locale), and the trigrams of pinyin or hex-encoded text are shared by so many terms
that the index would hand back most of the table to re-check; digests spread the
trigrams evenly, so a rare term reads few rows.  Titles and bodies are stored as
they are, for display.
The same SQL runs on SQLite (without the trigram index), which the tests use.
"""
from __future__ import annotations

import base64
import hashlib
from functools import reduce
from operator import and_, or_
from typing import Iterable

import peewee

from zhanggui import Model, database

from .base import Hit, Scope


class SearchRow(Model):
    doc_id = peewee.CharField(max_length=200, primary_key=True)
    source = peewee.CharField(max_length=100, index=True)
    key = peewee.CharField(max_length=100)
    title = peewee.CharField(max_length=300)
    body = peewee.TextField(default="")
    url = peewee.CharField(max_length=300, default="")
    store = peewee.CharField(max_length=40)
    permission = peewee.CharField(max_length=150)
    terms = peewee.TextField()
    title_terms = peewee.TextField()

    class Meta:
        table_name = "search_document"


def encode(term: str) -> str:
    digest = hashlib.blake2b(term.encode("utf-8"), digest_size=7).digest()
    return base64.b32encode(digest).decode("ascii")[:11].lower()


def _bag(terms: Iterable[str]) -> str:
    return " " + " ".join(encode(t) for t in terms) + " "


def _pattern(term: str) -> str:
    return f"% {encode(term)} %"                  # base32: no % or _ to escape


class DatabaseBackend:
    name = "postgresql"
    BATCH = 500

    def write(self, upserts: list, deletions: Iterable[str] = (), purge: bool = False) -> None:
        # purge needs nothing more: a deleted row is gone (VACUUM reclaims the space)
        deletions = list(deletions)
        with database.atomic():
            for start in range(0, len(deletions), self.BATCH):
                SearchRow.delete().where(
                    SearchRow.doc_id.in_(deletions[start:start + self.BATCH])).execute()
            rows = [dict(doc_id=d.doc_id, source=d.source, key=d.key, title=d.title[:300],
                         body=d.body, url=d.url[:300], store=d.store,
                         permission=d.permission, terms=_bag(d.terms),
                         title_terms=_bag(d.title_terms)) for d in upserts]
            for start in range(0, len(rows), self.BATCH):
                chunk = rows[start:start + self.BATCH]
                SearchRow.delete().where(
                    SearchRow.doc_id.in_([r["doc_id"] for r in chunk])).execute()
                SearchRow.insert_many(chunk).execute()

    def delete_source(self, source: str) -> None:
        SearchRow.delete().where(SearchRow.source == source).execute()

    def search(self, groups: list[tuple[str, ...]], scope: Scope, limit: int = 50,
               sources: Iterable[str] | None = None) -> list[Hit]:
        if not groups:
            return []
        where = [SearchRow.permission.in_(sorted(scope.permissions))]
        if scope.stores is not None:
            where.append(SearchRow.store.in_(sorted(scope.stores)))
        if sources:
            where.append(SearchRow.source.in_(list(sources)))
        rank = peewee.Value(0)
        for group in groups:
            where.append(reduce(or_, [peewee.Expression(SearchRow.terms, "LIKE", _pattern(t))
                                      for t in group]))
            in_title = reduce(or_, [peewee.Expression(SearchRow.title_terms, "LIKE",
                                                      _pattern(t)) for t in group])
            rank = rank + peewee.Case(None, [(in_title, 1)], 0)
        query = (SearchRow.select(SearchRow, rank.alias("rank"))
                 .where(reduce(and_, where))
                 .order_by(peewee.SQL("rank").desc(), SearchRow.doc_id).limit(limit))
        return [Hit(doc_id=r.doc_id, source=r.source, key=r.key, title=r.title,
                    body=r.body, url=r.url, score=float(r.rank)) for r in query]

    def count(self) -> int:
        return SearchRow.select().count()

    def clear(self) -> None:
        SearchRow.delete().execute()
