"""``zhanggui demo-data`` builds a believable, reproducible chain."""
import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

from zhanggui import DemoContext, database

from zhanggui_members import demo_catalog
from zhanggui_members.models import (MODELS, Member, MemberIdentity, Payment, Purchase,
                                     PurchaseLine, Store)
from zhanggui_members.phones import normalize_mobile
from zhanggui_members.services import member_phone


def _build(app, seed, members, purchases=None):
    ctx = DemoContext(seed=seed, members=members, purchases=purchases, quiet=True)
    app.extensions["zhanggui"].plugins.demo_data(ctx)
    return ctx


def _wipe():
    with database.atomic():
        for model in reversed(MODELS):
            model.delete().execute()


def _snapshot():
    first = Member.select().order_by(Member.id).first()
    purchases = list(Purchase.select().order_by(Purchase.id).limit(5))
    return {
        "counts": {m.__name__: m.select().count() for m in MODELS},
        "first_member": (first.name, first.gender, first.birthday, member_phone(first),
                         first.card_no, first.join_channel, first.lifecycle_stage,
                         first.home_store.code),
        "purchases": [(p.pos_id, p.total, p.occurred_at, p.member_id) for p in purchases],
        "line_total": sum((line.amount for line in PurchaseLine.select()), Decimal(0)),
    }


def test_the_same_seed_builds_the_same_chain_and_another_seed_does_not(members_app):
    _build(members_app, seed=42, members=120, purchases=900)
    first = _snapshot()
    _wipe()
    _build(members_app, seed=42, members=120, purchases=900)
    assert _snapshot() == first
    _wipe()
    _build(members_app, seed=43, members=120, purchases=900)
    other = _snapshot()
    assert other["first_member"] != first["first_member"]
    assert other["purchases"] != first["purchases"]


def test_the_demo_chain_has_stores_members_purchases_lines_and_payments(members_app):
    ctx = _build(members_app, seed=7, members=300)
    stores = {s.code: s for s in Store.select()}
    assert len(stores) == 8
    assert (stores["TP01"].currency, stores["TP01"].timezone) == ("TWD", "Asia/Taipei")
    assert (stores["HK01"].currency, stores["HK01"].timezone) == ("HKD", "Asia/Hong_Kong")
    assert stores["SH01"].name == "上海南京西路店" and stores["SH01"].currency == "CNY"
    assert Member.select().count() == 300
    assert PurchaseLine.select().count() == 300 * 12        # about 12 lines a member
    assert Purchase.select().count() > 300
    assert MemberIdentity.select().count() > 0
    assert sorted(ctx.created.values())[-1] == 3600

    lines = Counter()
    line_sum: dict[int, Decimal] = {}
    for line in PurchaseLine.select():
        assert isinstance(line.amount, Decimal) and line.amount > 0
        line_sum[line.purchase_id] = line_sum.get(line.purchase_id, Decimal(0)) + line.amount
        lines[line.category] += 1
    pay_sum: dict[int, Decimal] = {}
    for pay in Payment.select():
        pay_sum[pay.purchase_id] = pay_sum.get(pay.purchase_id, Decimal(0)) + pay.amount
    for purchase in Purchase.select():
        assert purchase.total == line_sum[purchase.id] == pay_sum[purchase.id]
        assert purchase.occurred_at.tzinfo is not None
    assert {"化妆品", "女装", "超市生鲜", "咖啡", "珠宝", "家电", "儿童"} <= set(lines)

    phones = set()
    for member in Member.select():
        phone = member_phone(member)
        assert normalize_mobile(phone) == phone and phone[-4:] == member.phone_last4
        phones.add(phone)
        assert member.name and 2 <= len(member.name) <= 4
    assert len(phones) == 300


def test_members_buy_according_to_their_lifecycle_stage(members_app):
    _build(members_app, seed=11, members=400)
    latest = Purchase.select().order_by(Purchase.occurred_at.desc()).first().occurred_at
    last = {}
    for p in Purchase.select(Purchase.member, Purchase.occurred_at):
        last[p.member_id] = max(last.get(p.member_id, p.occurred_at), p.occurred_at)
    for member in Member.select():
        seen = last.get(member.id)
        if member.lifecycle_stage == "potential":
            assert seen is None
        elif member.lifecycle_stage == "active" and seen is not None:
            assert latest - seen <= dt.timedelta(days=91)
        elif member.lifecycle_stage in ("dormant", "churned") and seen is not None:
            assert latest - seen >= dt.timedelta(days=88)


def test_double_eleven_is_the_busiest_day_of_the_year(members_app):
    _build(members_app, seed=5, members=1500)
    per_day = Counter((p.occurred_at + dt.timedelta(hours=8)).date()
                      for p in Purchase.select(Purchase.occurred_at))
    busiest, count = per_day.most_common(1)[0]
    average = sum(per_day.values()) / len(per_day)
    double11 = [n for day, n in per_day.items() if (day.month, day.day) == (11, 11)]
    assert double11 and double11[0] > 3 * average
    assert (busiest.month, busiest.day) in ((11, 11), (2, 14))


def test_demo_data_refuses_a_database_that_already_has_members(members_app):
    from zhanggui.cli import demo_data_command

    runner = members_app.test_cli_runner()
    result = runner.invoke(demo_data_command, ["--members", "30", "--seed", "3", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "30" in result.output
    again = runner.invoke(demo_data_command, ["--members", "30", "--seed", "3", "--quiet"])
    assert again.exit_code != 0
    assert Member.select().count() == 30


def test_demo_strings_are_safe_for_the_postgresql_bulk_copy():
    texts = [str(v) for row in demo_catalog.STORES for v in row]
    for name, code, _share, counters, goods in demo_catalog.CATEGORIES:
        texts += [name, code, *counters, *(g[0] for g in goods)]
    texts += [s for s, _w in demo_catalog.SURNAMES] + list(demo_catalog.GIVEN.values())
    texts += [p for parts in demo_catalog.LOCAL_NAMES.values() for p in parts]
    texts += demo_catalog.MEMBER_NOTES
    assert not [t for t in texts if any(ch in t for ch in "\t\n\r\\")]
