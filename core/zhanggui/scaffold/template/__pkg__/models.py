"""Models and rules of the $name plugin (no Flask request in sight)."""
from __future__ import annotations

import peewee

from zhanggui import MemberRef, Model, UTCDateTimeField, _l, utcnow


class $Model(Model):
    """A note about a member, kept by the $name plugin: replace with your own records."""

    title = peewee.CharField(max_length=200, verbose_name=_l("Note title"))
    member = MemberRef(null=True, verbose_name=_l("Member noted"))
    source = peewee.CharField(max_length=80, null=True, unique=True,
                              verbose_name=_l("Noted for"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Noted at"))

    class Meta:
        table_name = "${name}_note"
        verbose_name = _l("$title notes")

    def __str__(self):
        return self.title


def note_purchase(purchase) -> None:
    """One note per member purchase; the purchase id makes a replayed event harmless."""
    if purchase.member_id is not None:
        $Model.insert(title=f"{purchase.store_code} {purchase.total} {purchase.currency}",
                      member=purchase.member_id,
                      source=f"purchase:{purchase.purchase_id}").on_conflict_ignore().execute()
