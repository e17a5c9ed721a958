from __future__ import annotations

import peewee

from zhanggui import Model, UTCDateTimeField, _l, utcnow


class Audience(Model):
    """A named audience: ``definition`` is the JSON condition tree (see
    :mod:`zhanggui_campaigns.audiences.definition`)."""

    name = peewee.CharField(max_length=100, unique=True, verbose_name=_l("Audience"))
    description = peewee.TextField(default="", verbose_name=_l("Description"))
    definition = peewee.TextField(verbose_name=_l("Conditions"))
    last_count = peewee.IntegerField(null=True, verbose_name=_l("Members (last count)"))
    counted_at = UTCDateTimeField(null=True, verbose_name=_l("Counted at"))
    created_by = peewee.CharField(max_length=150, default="", verbose_name=_l("Created by"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Created at"))

    class Meta:
        table_name = "campaigns_audience"

    def __str__(self):
        return self.name
