"""Bulletins and their read receipts.  ``roles`` and ``stores`` hold the audience as
``,A,B,`` (empty: everyone / every store), so one ``LIKE '%,SH01,%'`` finds a
store's bulletins."""
from __future__ import annotations

import peewee

from zhanggui import Model, UTCDateTimeField, _l, utcnow


class Bulletin(Model):
    title = peewee.CharField(max_length=200, verbose_name=_l("Bulletin title"))
    body = peewee.TextField(verbose_name=_l("Bulletin text"))
    roles = peewee.CharField(max_length=500, default="", verbose_name=_l("For roles"))
    stores = peewee.CharField(max_length=500, default="", verbose_name=_l("For stores"))
    urgent = peewee.BooleanField(default=False, verbose_name=_l("Urgent"))
    author_id = peewee.IntegerField(verbose_name=_l("Author"))
    author_name = peewee.CharField(max_length=120, default="", verbose_name=_l("Author"))
    published_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Published at"))
    audience_size = peewee.IntegerField(default=0, verbose_name=_l("Readers"))

    class Meta:
        table_name = "office_bulletin"

    def __str__(self):
        return self.title

    def role_list(self) -> list[str]:
        return [r for r in self.roles.split(",") if r]

    def store_list(self) -> list[str]:
        return [s for s in self.stores.split(",") if s]


class BulletinRead(Model):
    bulletin = peewee.ForeignKeyField(Bulletin, backref="reads", on_delete="CASCADE")
    user_id = peewee.IntegerField()
    read_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "office_bulletin_read"
        indexes = ((("bulletin", "user_id"), True),)


MODELS = (Bulletin, BulletinRead)


def migrate_bulletins(ctx) -> None:
    """Migration ``office:0003_bulletins`` (frozen copies)."""

    class B(Model):
        title = peewee.CharField(max_length=200)
        body = peewee.TextField()
        roles = peewee.CharField(max_length=500, default="")
        stores = peewee.CharField(max_length=500, default="")
        urgent = peewee.BooleanField(default=False)
        author_id = peewee.IntegerField()
        author_name = peewee.CharField(max_length=120, default="")
        published_at = UTCDateTimeField()
        audience_size = peewee.IntegerField(default=0)

        class Meta:
            table_name = "office_bulletin"

    class R(Model):
        bulletin = peewee.ForeignKeyField(B, on_delete="CASCADE")
        user_id = peewee.IntegerField()
        read_at = UTCDateTimeField()

        class Meta:
            table_name = "office_bulletin_read"
            indexes = ((("bulletin", "user_id"), True),)

    ctx.create_tables([B, R])
