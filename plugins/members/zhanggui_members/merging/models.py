"""The merge record and the look-up aliases a merge leaves behind.

:class:`MemberMergeRecord` is append-only: one row per merge (a member is merged
away at most once, so ``source`` is unique), saying who merged, when, which member
into which, and what moved: row counts per table and the *names* of the profile
fields taken over, never their values.

:class:`MemberAlias` keeps the source's phone (its keyed hash and ciphertext) and
card number when the target already had its own, so a till or the call center that
looks the customer up by the old number still finds the target.  Aliases are
personal data of the target: exported with it, deleted when it is erased.
"""
from __future__ import annotations

import json

import peewee

from zhanggui import Model, UTCDateTimeField, _l, utcnow

from ..profile.models import Member

ALIAS_KINDS = (("phone", _l("Mobile phone")), ("card", _l("Membership card number")))


class MemberMergeRecord(Model):
    """Member ``source`` was folded into member ``target`` (never updated or deleted)."""

    source = peewee.ForeignKeyField(Member, unique=True, backref="merged_away",
                                    verbose_name=_l("Merged member"))
    target = peewee.ForeignKeyField(Member, backref="merges_received",
                                    verbose_name=_l("Kept member"))
    merged_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Merged at"))
    merged_by_id = peewee.IntegerField(null=True, verbose_name=_l("Merged by (user id)"))
    merged_by_name = peewee.CharField(max_length=256, default="",
                                      verbose_name=_l("Merged by"))
    moved = peewee.TextField(default="{}", verbose_name=_l("Rows moved per table"))
    fields = peewee.TextField(default="", verbose_name=_l("Profile fields taken over"))

    class Meta:
        table_name = "members_merge"

    def moved_counts(self) -> dict[str, int]:
        return json.loads(self.moved or "{}")

    def field_names(self) -> list[str]:
        return [f for f in (self.fields or "").split(",") if f]

    def __str__(self):
        return f"#{self.source_id} → #{self.target_id}"


class MemberAlias(Model):
    """An old phone or card of a merged-away member that now finds ``member``.

    ``key`` is the phone's keyed hash (kind ``phone``) or the normalised card number
    (kind ``card``); ``phone_encrypted``/``phone_last4`` keep the number for the
    member's PIPL export and for masking.
    """

    member = peewee.ForeignKeyField(Member, backref="aliases", verbose_name=_l("Member"))
    merge = peewee.ForeignKeyField(MemberMergeRecord, backref="aliases",
                                   verbose_name=_l("Merge"))
    kind = peewee.CharField(max_length=10, choices=ALIAS_KINDS, verbose_name=_l("Kind"))
    key = peewee.CharField(max_length=64, verbose_name=_l("Look-up key"))
    phone_encrypted = peewee.CharField(max_length=200, null=True,
                                       verbose_name=_l("Mobile phone (encrypted)"))
    phone_last4 = peewee.CharField(max_length=4, null=True,
                                   verbose_name=_l("Last four digits of mobile phone"))

    class Meta:
        table_name = "members_alias"
        indexes = ((("kind", "key"), True),)


MERGE_MODELS = [MemberMergeRecord, MemberAlias]
