"""The index work queue, the writer's lease, and the bookmarks of catch-up and reindex."""
from __future__ import annotations

import peewee

from zhanggui import Model, UTCDateTimeField, utcnow


class SearchTask(Model):
    """One piece of index work: refresh (``upsert``) or remove (``delete``) the
    documents ``keys`` (comma-separated) of ``source``.  ``purge``: the removal is an
    erasure, the index files must not keep the documents."""

    id = peewee.BigAutoField()
    source = peewee.CharField(max_length=100)
    action = peewee.CharField(max_length=10)
    keys = peewee.TextField()
    purge = peewee.BooleanField(default=False)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "search_task"


class SearchLease(Model):
    """Who writes the index now (one row per lease name), until when."""

    name = peewee.CharField(max_length=40, primary_key=True)
    holder = peewee.CharField(max_length=100)
    expires_at = UTCDateTimeField()

    class Meta:
        table_name = "search_lease"


class SearchBookmark(Model):
    """Per source: the time of the last catch-up (``since``), and for a running full
    reindex how many documents are done, so an interrupted reindex resumes."""

    source = peewee.CharField(max_length=100, primary_key=True)
    since = UTCDateTimeField(null=True)
    reindex_done = peewee.BigIntegerField(null=True)
    reindex_started_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "search_bookmark"


QUEUE_MODELS = [SearchTask, SearchLease, SearchBookmark]
