"""Schema steps of the $name plugin, applied in name order by `zhanggui migrate`."""
from __future__ import annotations

import peewee

from zhanggui import Migration, Model, UTCDateTimeField, utcnow


def initial(ctx):
    # A frozen copy of the model as it was at this step, so that editing models.py
    # later never changes what this step creates.
    class Note(Model):
        title = peewee.CharField(max_length=200)
        created_at = UTCDateTimeField(default=utcnow)

        class Meta:
            table_name = "${name}_note"

    ctx.create_tables([Note])


MIGRATIONS = [Migration(name="0001_initial", apply=initial,
                        description="notes table")]
