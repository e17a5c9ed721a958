"""Schema steps of the search plugin (frozen copies of the models)."""
from __future__ import annotations

import peewee

from zhanggui import Migration, Model, UTCDateTimeField, utcnow


def initial(ctx):
    class SearchTask(Model):
        id = peewee.BigAutoField()
        source = peewee.CharField(max_length=100)
        action = peewee.CharField(max_length=10)
        keys = peewee.TextField()
        purge = peewee.BooleanField(default=False)
        created_at = UTCDateTimeField(default=utcnow)

        class Meta:
            table_name = "search_task"

    class SearchLease(Model):
        name = peewee.CharField(max_length=40, primary_key=True)
        holder = peewee.CharField(max_length=100)
        expires_at = UTCDateTimeField()

        class Meta:
            table_name = "search_lease"

    class SearchBookmark(Model):
        source = peewee.CharField(max_length=100, primary_key=True)
        since = UTCDateTimeField(null=True)
        reindex_done = peewee.BigIntegerField(null=True)
        reindex_started_at = UTCDateTimeField(null=True)

        class Meta:
            table_name = "search_bookmark"

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

    ctx.create_tables([SearchTask, SearchLease, SearchBookmark, SearchRow])
    if ctx.backend == "postgresql":
        # the database backend's term patterns ('% term %') are answered by trigrams
        ctx.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        ctx.execute_sql("CREATE INDEX search_document_terms_trgm ON search_document "
                        "USING gin (terms gin_trgm_ops)")


MIGRATIONS = [Migration(name="0001_initial", apply=initial,
                        description="search queue, writer lease, bookmarks, database index")]
