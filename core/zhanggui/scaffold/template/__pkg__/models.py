"""Models of the $name plugin."""
from __future__ import annotations

import peewee

from zhanggui import Model, UTCDateTimeField, utcnow


class $Model(Model):
    """A note kept by the $name plugin: replace with your own records."""

    title = peewee.CharField(max_length=200)
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "${name}_note"
