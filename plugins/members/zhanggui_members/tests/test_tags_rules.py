"""Rule-based tags select exactly the members their rule describes, in bulk SQL."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from zhanggui import write_transaction

from zhanggui_members.profile.models import Member, Purchase, PurchaseLine, Refund, RefundLine
from zhanggui_members.tags.evaluate import evaluate_rule_tags
from zhanggui_members.tags.models import MemberTag, Tag, TagGroup
from zhanggui_members.tags.rules import RuleError, holds, parse_rule
from zhanggui_members.tags.service import TagError, create_tag
from zhanggui_members.tests.helpers import make_store

NOW = dt.datetime(2026, 3, 15, 4, 0, tzinfo=dt.timezone.utc)
TODAY = dt.date(2026, 3, 15)
CATEGORIES = ("咖啡", "化妆品", "超市生鲜")
MEMBERS = 3000


@pytest.fixture
def chain(members_app):
    """3,000 members with purchases over the last 120 days, lines and some refunds."""
    with write_transaction():
        return _build_chain()


def _build_chain():
    rng = random.Random(5)
    stores = [make_store(code) for code in ("SH01", "BJ01", "GZ01")]
    rows = []
    for i in range(MEMBERS):
        rows.append({"name": f"会员{i}", "gender": rng.choice(["female", "male", "unknown"]),
                     "birthday": (dt.date(1960 + rng.randrange(45), rng.randint(1, 12),
                                          rng.randint(1, 28)) if rng.random() < 0.9 else None),
                     "home_store": rng.choice(stores).id if rng.random() < 0.95 else None,
                     "join_channel": rng.choice(["store", "wechat", "app"]),
                     "lifecycle_stage": rng.choice(["potential", "active", "dormant"]),
                     "joined_at": NOW - dt.timedelta(days=400)})
    Member.insert_many(rows).execute()
    ids = [m for (m,) in Member.select(Member.id).order_by(Member.id).tuples()]
    purchases, lines = [], []
    n = 0
    for member_id in ids:
        for _ in range(rng.choice([0, 0, 1, 2, 3, 5, 8])):
            n += 1
            occurred = NOW - dt.timedelta(days=rng.uniform(0, 120))
            items = [(rng.choice(CATEGORIES), Decimal(rng.randrange(500, 300000)) / 100)
                     for _ in range(rng.randint(1, 3))]
            total = sum(a for _, a in items)
            purchases.append({"pos_id": f"P{n}", "store": rng.choice(stores).id,
                              "member": member_id, "occurred_at": occurred, "channel": "pos",
                              "total": total, "refunded_amount": Decimal("0.00")})
            lines.append(items)
    # an anonymous sale: never anybody's
    purchases.append({"pos_id": "ANON", "store": stores[0].id, "member": None,
                      "occurred_at": NOW, "channel": "pos", "total": Decimal("99999.00"),
                      "refunded_amount": Decimal("0.00")})
    lines.append([("咖啡", Decimal("99999.00"))])
    for chunk in range(0, len(purchases), 500):
        Purchase.insert_many(purchases[chunk:chunk + 500]).execute()
    by_pos = dict(Purchase.select(Purchase.pos_id, Purchase.id).tuples())
    line_rows = [{"purchase": by_pos[p["pos_id"]], "sku": "SKU", "name": "商品",
                  "category": cat, "quantity": Decimal("1"), "amount": amount}
                 for p, items in zip(purchases, lines) for cat, amount in items]
    for chunk in range(0, len(line_rows), 500):
        PurchaseLine.insert_many(line_rows[chunk:chunk + 500]).execute()
    # refund the first line of every seventh purchase in full
    first_lines = {}
    for line in PurchaseLine.select().order_by(PurchaseLine.id):
        first_lines.setdefault(line.purchase_id, line)
    for purchase_id in sorted(first_lines)[::7]:
        line = first_lines[purchase_id]
        refund = Refund.create(refund_id=f"R{purchase_id}", purchase=purchase_id,
                               amount=line.amount)
        RefundLine.create(refund=refund, purchase_line=line, quantity=line.quantity,
                          amount=line.amount)
        Purchase.update(refunded_amount=line.amount).where(Purchase.id == purchase_id) \
            .execute()
    return stores


def _facts():
    """Everything the reference computation needs, read back in plain Python."""
    members = {m.id: m for m in Member.select()}
    from zhanggui_members.profile.models import Store

    codes = dict(Store.select(Store.id, Store.code).tuples())
    purchases = {}
    for p in Purchase.select().where(Purchase.member.is_null(False)):
        purchases.setdefault(p.member_id, []).append(p)
    refunded = {}
    for rl in RefundLine.select():
        refunded[rl.purchase_line_id] = refunded.get(rl.purchase_line_id, 0) + rl.amount
    lines = {}
    for line in PurchaseLine.select():
        lines.setdefault(line.purchase_id, []).append(line)
    return members, codes, purchases, lines, refunded


def _expected(rule, facts):
    members, codes, purchases, lines, refunded = facts

    def value_of(cond, member_id):
        since = NOW - dt.timedelta(days=cond["days"])
        total = Decimal("0")
        count = 0
        for p in purchases.get(member_id, []):
            if not (since <= p.occurred_at <= NOW):
                continue
            if cond.get("store") and codes[p.store_id] != cond["store"]:
                continue
            mine = [ln for ln in lines.get(p.id, []) if ln.category == cond.get("category")]
            if cond["field"] == "purchase_count":
                if p.refunded_amount >= p.total:
                    continue
                if cond.get("category") and not mine:
                    continue
                count += 1
            elif cond.get("category"):
                total += sum(ln.amount - refunded.get(ln.id, 0) for ln in mine)
            else:
                total += p.total - p.refunded_amount
        return count if cond["field"] == "purchase_count" else total

    def test(node, m):
        if "all" in node:
            return all(test(n, m) for n in node["all"])
        if "any" in node:
            return any(test(n, m) for n in node["any"])
        field, op, value = node["field"], node["op"], node["value"]
        if field in ("purchase_count", "spent"):
            return holds(op, value_of(node, m.id), Decimal(str(value)))
        if field == "birthday_month":
            months = [TODAY.month] if value == "current" else (
                value if op == "in" else [value])
            return m.birthday is not None and m.birthday.month in months
        current = codes.get(m.home_store_id) if field == "home_store" else getattr(m, field)
        if op == "in":
            return current in value
        return current == value if op == "=" else current != value

    return {m.id for m in members.values()
            if m.erased_at is None and m.merged_into_id is None and test(rule, m)}


RULES = {
    "coffee lover": {"field": "purchase_count", "op": ">=", "value": 3, "days": 30,
                     "category": "咖啡"},
    "big spender": {"field": "spent", "op": ">=", "value": "5000.00", "days": 90},
    "birthday this month": {"field": "birthday_month", "op": "=", "value": "current"},
    "Shanghai women": {"all": [{"field": "home_store", "op": "=", "value": "SH01"},
                               {"field": "gender", "op": "=", "value": "female"}]},
    "quiet lately": {"field": "purchase_count", "op": "<", "value": 1, "days": 30},
    "beauty or app": {"any": [{"field": "spent", "op": ">", "value": "300.00", "days": 60,
                               "category": "化妆品"},
                              {"all": [{"field": "join_channel", "op": "=", "value": "app"},
                                       {"field": "birthday_month", "op": "in",
                                        "value": [1, 2, 12]}]}]},
    "not Beijing, few at SH01": {"all": [
        {"field": "home_store", "op": "!=", "value": "BJ01"},
        {"field": "purchase_count", "op": "<=", "value": 1, "days": 120, "store": "SH01"}]},
}


def _make_rule_tags():
    group = TagGroup.get(TagGroup.code == "behaviour")
    return {name: create_tag(group=group, name=name, kind="rule", rule=rule)
            for name, rule in RULES.items()}


def _assigned(tag):
    return {m for (m,) in MemberTag.select(MemberTag.member)
            .where(MemberTag.tag == tag).tuples()}


def test_rule_tags_select_exactly_the_members_a_plain_python_count_finds(chain):
    tags = _make_rule_tags()
    results = evaluate_rule_tags(now=NOW, today=TODAY)
    facts = _facts()
    assert {r.name for r in results} == set(RULES) and not any(r.error for r in results)
    for name, rule in RULES.items():
        expected = _expected(rule, facts)
        assert 0 < len(expected) < MEMBERS, name     # the data set tells rules apart
        assert _assigned(tags[name]) == expected, name
        tag = Tag.get_by_id(tags[name].id)
        assert tag.member_count == len(expected) and tag.evaluated_at == NOW
        assert set(MemberTag.select(MemberTag.source).where(MemberTag.tag == tag)
                   .tuples()) == {("rule",)}


def test_a_second_evaluation_changes_no_assignment(chain):
    _make_rule_tags()
    evaluate_rule_tags(now=NOW, today=TODAY)
    before = sorted(MemberTag.select(MemberTag.id, MemberTag.member, MemberTag.tag,
                                     MemberTag.assigned_at).tuples())
    again = evaluate_rule_tags(now=NOW + dt.timedelta(minutes=5), today=TODAY)
    assert [(r.added, r.removed) for r in again] == [(0, 0)] * len(RULES)
    after = sorted(MemberTag.select(MemberTag.id, MemberTag.member, MemberTag.tag,
                                    MemberTag.assigned_at).tuples())
    assert after == before


def test_a_new_purchase_tags_its_member_and_erased_or_merged_members_lose_their_tags(chain):
    tags = _make_rule_tags()
    evaluate_rule_tags(now=NOW, today=TODAY)
    spender = tags["big spender"]
    outside = (Member.select().where(Member.id.not_in(list(_assigned(spender))))
               .order_by(Member.id).first())
    Purchase.create(pos_id="BIG", store=chain[0], member=outside, occurred_at=NOW,
                    total=Decimal("6000.00"))
    erased, merged = sorted(_assigned(spender))[:2]
    Member.update(erased_at=NOW).where(Member.id == erased).execute()
    Member.update(merged_into=outside.id).where(Member.id == merged).execute()
    result = {r.name: r for r in evaluate_rule_tags(now=NOW, today=TODAY)}["big spender"]
    assert (result.added, result.removed) == (1, 2)
    assigned = _assigned(spender)
    assert outside.id in assigned and erased not in assigned and merged not in assigned


def test_manual_assignments_are_left_alone_by_rule_evaluation(chain):
    group = TagGroup.get(TagGroup.code == "preference")
    manual = create_tag(group=group, name="喜欢咖啡")
    member = Member.select().first()
    MemberTag.create(member=member, tag=manual, source="manual", assigned_by_name="admin")
    _make_rule_tags()
    evaluate_rule_tags(now=NOW, today=TODAY)
    assert _assigned(manual) == {member.id}


@pytest.mark.parametrize("rule, path", [
    ({"field": "shoe_size", "op": ">=", "value": 40}, "field"),
    ({"field": "spent", "op": "~", "value": "1", "days": 30}, "op"),
    ({"field": "spent", "op": ">=", "value": "lots", "days": 30}, "value"),
    ({"field": "spent", "op": ">=", "value": 0.1, "days": 30}, "value"),
    ({"field": "purchase_count", "op": ">=", "value": 3}, "days"),
    ({"field": "gender", "op": "=", "value": "robot"}, "value"),
    ({"field": "birthday_month", "op": "=", "value": 13}, "value"),
    ({"field": "home_store", "op": "=", "value": "XX99"}, "rule"),
    ({"all": []}, "all"),
    ({"all": [{"field": "gender", "op": "=", "value": "female"}], "any": []}, "rule"),
    ("__import__('os').system('true')", "rule"),
])
def test_a_bad_rule_is_refused_with_a_message_naming_its_part(members_app, rule, path):
    make_store("SH01")
    with pytest.raises(RuleError) as caught:
        parse_rule(rule)
    assert any(p.split(".")[-1] == path for p in caught.value.messages), caught.value.messages
    group = TagGroup.get(TagGroup.code == "behaviour")
    with pytest.raises(TagError) as refused:
        create_tag(group=group, name="坏规则", kind="rule", rule=rule)
    assert refused.value.messages["rule"]
    assert not Tag.select().where(Tag.name == "坏规则").exists()
