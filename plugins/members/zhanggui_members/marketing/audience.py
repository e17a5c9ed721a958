"""The member conditions campaign audiences can combine (``zhanggui_audience_criteria``).

Each criterion answers a query of member ids; the campaigns plugin nests them in
``IN (…)`` sub-queries under AND/OR/NOT, so one audience is one SQL statement over the
indexed tables below (members by store, scores by group, tags by tag, purchases by
member and time).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from peewee import fn

from zhanggui import AudienceCriterion, _l, utcnow

from ..profile.models import LIFECYCLE_STAGES, Member, Purchase, PurchaseLine, Store
from ..segments.models import VALUE_GROUPS, MemberScore
from ..tags.models import MemberTag, Tag


def universe():
    """Members marketing may address at all: not erased, not merged away."""
    return Member.select(Member.id).where(Member.erased_at.is_null()
                                          & Member.merged_into.is_null())


def _store_choices():
    return [(s.code, f"{s.code} {s.name}") for s in Store.select().order_by(Store.code)]


def _region_choices():
    regions = Store.select(Store.region).distinct().order_by(Store.region).tuples()
    return [(r, r) for (r,) in regions]


def _tag_choices():
    return [(str(t.id), t.name) for t in Tag.select().where(Tag.active == True)  # noqa: E712
            .order_by(Tag.name)]


def _labels(pairs):
    return lambda: [(code, str(label)) for code, label in pairs]


def _by_store(op, codes):
    return Member.select(Member.id).join(Store, on=(Member.home_store == Store.id)) \
        .where(Store.code.in_(codes))


def _by_region(op, regions):
    return Member.select(Member.id).join(Store, on=(Member.home_store == Store.id)) \
        .where(Store.region.in_(regions))


def _by_stage(op, stages):
    return Member.select(Member.id).where(Member.lifecycle_stage.in_(stages))


def _by_group(op, groups):
    return MemberScore.select(MemberScore.member).where(MemberScore.value_group.in_(groups))


def _by_tag(op, tag_ids):
    return MemberTag.select(MemberTag.member).where(MemberTag.tag.in_([int(t) for t in tag_ids]))


def _number(column):
    def members(op, value):
        if op == ">=":
            condition = column >= value
        elif op == "<=":
            condition = column <= value
        else:
            low, high = value
            condition = column.between(low, high)
        return MemberScore.select(MemberScore.member).where(condition)
    return members


def _since(days: int) -> dt.datetime:
    return utcnow() - dt.timedelta(days=int(days))


def _bought_within(op, days):
    return Purchase.select(Purchase.member).where(
        Purchase.member.is_null(False) & (Purchase.occurred_at >= _since(days)))


def _not_bought_within(op, days):
    return universe().where(Member.id.not_in(_bought_within(op, days)))


def _category_within(category_and_days):
    def members(op, value):
        return (Purchase.select(Purchase.member)
                .join(PurchaseLine, on=(PurchaseLine.purchase == Purchase.id))
                .where(Purchase.member.is_null(False) & (PurchaseLine.category == value)
                       & (Purchase.occurred_at >= _since(category_and_days))))
    return members


def _spend_within(op, value):
    """Net spend over the last 365 days at least/at most ``value`` (base currency
    amounts as stored; see README, Currencies)."""
    total = fn.SUM(Purchase.total - Purchase.refunded_amount)
    query = (Purchase.select(Purchase.member).where(
        Purchase.member.is_null(False) & (Purchase.occurred_at >= _since(365)))
        .group_by(Purchase.member))
    if op == ">=":
        return query.having(total >= value)
    if op == "<=":
        return query.having(total <= value)
    low, high = value
    return query.having(total.between(low, high))


def criteria() -> list[AudienceCriterion]:
    numbers = (">=", "<=", "between")
    return [
        AudienceCriterion("members.store", _l("Home store"), "choice", _by_store,
                          choices=_store_choices),
        AudienceCriterion("members.region", _l("Region"), "choice", _by_region,
                          choices=_region_choices),
        AudienceCriterion("members.lifecycle", _l("Lifecycle stage"), "choice", _by_stage,
                          choices=_labels(LIFECYCLE_STAGES)),
        AudienceCriterion("members.value_group", _l("Value group"), "choice", _by_group,
                          choices=_labels(VALUE_GROUPS)),
        AudienceCriterion("members.tag", _l("Tag"), "choice", _by_tag, choices=_tag_choices),
        AudienceCriterion("members.rfm", _l("RFM score"), "number",
                          _number(MemberScore.rfm), operators=numbers),
        AudienceCriterion("members.clv", _l("Customer lifetime value (estimate)"), "number",
                          _number(MemberScore.clv), operators=numbers),
        AudienceCriterion("members.spend_365", _l("Net spend in the last 365 days"),
                          "number", _spend_within, operators=numbers),
        AudienceCriterion("members.bought_within", _l("Bought within the last N days"),
                          "days", _bought_within, operators=("within",)),
        AudienceCriterion("members.not_bought_within",
                          _l("Bought nothing within the last N days"), "days",
                          _not_bought_within, operators=("within",)),
        AudienceCriterion("members.category_90", _l("Bought this category in the last 90 days"),
                          "text", _category_within(90), operators=("is",)),
    ]


def spend(member_ids: list, start: Any, end: Any) -> dict:
    """``{member_id: (purchases, net amount)}`` in ``[start, end)``."""
    rows = (Purchase.select(Purchase.member, fn.COUNT(Purchase.id),
                            fn.SUM(Purchase.total - Purchase.refunded_amount))
            .where(Purchase.member.in_(list(member_ids)) & (Purchase.occurred_at >= start)
                   & (Purchase.occurred_at < end))
            .group_by(Purchase.member).tuples())
    from decimal import Decimal

    return {member: (count, Decimal(str(total or 0)).quantize(Decimal("0.01")))
            for member, count, total in rows}
