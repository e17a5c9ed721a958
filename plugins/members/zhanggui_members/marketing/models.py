"""A member's e-mail address, encrypted like the phone number, with a keyed hash for
exact look-up (one address belongs to one member)."""
from __future__ import annotations

import peewee

from zhanggui import Model, UTCDateTimeField, _l, utcnow

from ..profile.models import Member


class MemberEmail(Model):
    member = peewee.ForeignKeyField(Member, primary_key=True, backref="+",
                                    on_delete="CASCADE", verbose_name=_l("Member"))
    email_encrypted = peewee.CharField(max_length=400, verbose_name=_l("E-mail (encrypted)"))
    email_hash = peewee.CharField(max_length=64, unique=True,
                                  verbose_name=_l("E-mail look-up key"))
    updated_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Changed at"))

    class Meta:
        table_name = "members_email"


def email_table(ctx) -> None:
    """Migration step: the e-mail table, as declared here (a frozen copy below)."""
    ctx.create_tables([frozen_email_model()])


def frozen_email_model():
    class FrozenMember(Model):
        class Meta:
            table_name = "members_member"

    class MemberEmail(Model):
        member = peewee.ForeignKeyField(FrozenMember, primary_key=True, on_delete="CASCADE")
        email_encrypted = peewee.CharField(max_length=400)
        email_hash = peewee.CharField(max_length=64, unique=True)
        updated_at = UTCDateTimeField()

        class Meta:
            table_name = "members_email"

    return MemberEmail
MARKETING_MODELS = [MemberEmail]
