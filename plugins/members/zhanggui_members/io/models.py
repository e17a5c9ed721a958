"""The record of each file import (who, what, counts and the per-row report)."""
from __future__ import annotations

import peewee

from zhanggui import Model, UTCDateTimeField, _l, utcnow

IMPORT_KINDS = (("members", _l("Members")), ("purchases", _l("Purchases")))


class ImportRun(Model):
    """One file import: what was asked, what happened, and the per-row report."""

    id = peewee.BigAutoField()
    kind = peewee.CharField(max_length=20, choices=IMPORT_KINDS, verbose_name=_l("Kind"))
    file_name = peewee.CharField(max_length=255, verbose_name=_l("File name"))
    started_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Started at"))
    finished_at = UTCDateTimeField(null=True, verbose_name=_l("Finished at"))
    user_name = peewee.CharField(max_length=150, default="", verbose_name=_l("Imported by"))
    dry_run = peewee.BooleanField(default=False, verbose_name=_l("Dry run"))
    skip_bad_rows = peewee.BooleanField(default=False, verbose_name=_l("Skip bad rows"))
    committed = peewee.BooleanField(default=False, verbose_name=_l("Imported"))
    rows = peewee.IntegerField(default=0, verbose_name=_l("Rows"))
    created = peewee.IntegerField(default=0, verbose_name=_l("Created"))
    matched = peewee.IntegerField(default=0, verbose_name=_l("Matched"))
    bad = peewee.IntegerField(default=0, verbose_name=_l("Bad rows"))
    report = peewee.TextField(default="[]", verbose_name=_l("Report"))

    class Meta:
        table_name = "members_import_run"


IO_MODELS = [ImportRun]
