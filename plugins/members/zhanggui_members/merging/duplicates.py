"""Likely duplicates: pairs of live members that are probably one customer.

Two signals, each one grouped query over the member table (indexed columns only
where possible, so it stays a single pass at a million members):

* ``name_birthday``: the same name and the same birthday;
* ``name_phone_suffix``: the same name and the same last four phone digits.

Identities and card numbers are unique across members by construction (the
database refuses a second owner), so they never appear on two members; a till that
sends a known phone, card or identity attaches the sale to its member.
"""
from __future__ import annotations

from dataclasses import dataclass

from peewee import fn

from zhanggui import _l

from ..profile.models import Member, Store

REASONS = {"name_birthday": _l("Same name and birthday"),
           "name_phone_suffix": _l("Same name and last four phone digits")}


@dataclass(frozen=True)
class DuplicateCandidate:
    reason: str
    members: tuple[Member, ...]

    @property
    def reason_label(self) -> str:
        return str(REASONS[self.reason])


def _live(stores: set[str] | None):
    where = (Member.merged_into.is_null() & Member.erased_at.is_null()
             & Member.name.is_null(False))
    if stores is not None:
        where &= Member.home_store.in_(Store.select(Store.id)
                                       .where(Store.code.in_(sorted(stores) or [""])))
    return where


def duplicate_candidates(limit: int = 100, stores: set[str] | None = None
                         ) -> list[DuplicateCandidate]:
    """At most ``limit`` groups of likely duplicates, oldest members first in each."""
    found: list[DuplicateCandidate] = []
    seen: set[tuple[int, ...]] = set()
    for reason, column in (("name_birthday", Member.birthday),
                           ("name_phone_suffix", Member.phone_last4)):
        groups = (Member.select(Member.name, column, fn.COUNT(Member.id))
                  .where(_live(stores) & column.is_null(False))
                  .group_by(Member.name, column).having(fn.COUNT(Member.id) > 1)
                  .order_by(Member.name).limit(limit).tuples())
        for name, value, _count in groups:
            members = tuple(Member.select().where(_live(stores) & (Member.name == name)
                                                  & (column == value))
                            .order_by(Member.joined_at, Member.id))
            key = tuple(m.id for m in members)
            if len(members) > 1 and key not in seen:
                seen.add(key)
                found.append(DuplicateCandidate(reason, members))
            if len(found) >= limit:
                return found
    return found
