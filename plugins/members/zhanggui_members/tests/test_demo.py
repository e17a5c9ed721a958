"""``zhanggui demo-data`` builds a believable, reproducible chain."""
import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

from zhanggui import DemoContext, database

from zhanggui_members.demo import catalog as demo_catalog
from zhanggui_members.plugin import MODELS
from zhanggui_members.profile.models import (Member, MemberIdentity, Payment, Purchase,
                                             PurchaseLine, Store)
from zhanggui_members.profile.phones import normalize_mobile, phone_region
from zhanggui_members.profile.services import member_phone


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
    calling_code = {"CN": "+86", "TW": "+886", "HK": "+852"}
    for member in Member.select():
        phone = member_phone(member)
        assert normalize_mobile(phone) == phone and phone[-4:] == member.phone_last4
        # a member's number is a mobile number of the home store's region, in E.164
        assert phone_region(phone) == member.home_store.country
        assert phone.startswith(calling_code[member.home_store.country])
        phones.add(phone)
        assert member.name and 2 <= len(member.name) <= 4
        assert member.name_pinyin and member.name_zhuyin
    assert len(phones) == 300
    assert {s.code: s.country for s in Store.select()
            if s.code in ("SH01", "BJ01", "TP01", "HK01")} == {
        "SH01": "CN", "BJ01": "CN", "TP01": "TW", "HK01": "HK"}
    assert {phone_region(p) for p in phones} == {"CN", "TW", "HK"}


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


def database_kind():
    import peewee

    return "postgresql" if isinstance(database.obj, peewee.PostgresqlDatabase) else "sqlite"


def _rows():
    """Every generated row, except the ciphertexts (random nonces by design)."""
    tables = {}
    for model in MODELS:
        if model._meta.table_name == "members_tag_group":
            continue  # seeded by the migration, not generated
        fields = [f for f in model._meta.sorted_fields if f.name != "phone_encrypted"]
        tables[model.__name__] = list(model.select(*fields).order_by(model._meta.primary_key)
                                      .tuples())
    return tables


def _schema():
    return {m.__name__: (sorted((i.name, tuple(i.columns), i.unique)
                                for i in database.get_indexes(m._meta.table_name)),
                         sorted((k.column, k.dest_table, k.dest_column)
                                for k in database.get_foreign_keys(m._meta.table_name)))
            for m in MODELS}


def test_the_chain_is_the_same_built_in_one_process_or_several(members_app):
    from zhanggui import write_transaction
    from zhanggui_members.demo.chain import build_demo_chain

    def build(workers):
        ctx = DemoContext(seed=9, members=230, purchases=2500, quiet=True,
                          as_of=dt.date(2026, 3, 1))
        with write_transaction():
            build_demo_chain(ctx, workers=workers, block=40)
        return _rows()

    here = build(workers=0)
    if database_kind() == "postgresql":    # ids from sequences start again, as on SQLite
        tables = ", ".join(m._meta.table_name for m in MODELS)
        database.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY")
    else:
        _wipe()
    assert build(workers=2) == here
    assert len(here["PurchaseLine"]) == 2500 and len(here["Member"]) == 230


def test_the_bulk_load_puts_every_index_and_foreign_key_back(members_app):
    before = _schema()
    _build(members_app, seed=4, members=200)
    assert _schema() == before
    member = Member.select().order_by(Member.id.desc()).first()
    assert Member.get(Member.phone_hash == member.phone_hash) == member


def test_as_of_fixes_the_year_of_history_whatever_the_day(members_app):
    ctx = DemoContext(seed=3, members=200, quiet=True, as_of=dt.date(2025, 12, 31))
    members_app.extensions["zhanggui"].plugins.demo_data(ctx)
    times = [p.occurred_at for p in Purchase.select(Purchase.occurred_at)]
    end = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)      # the day's end, UTC+8 at most
    assert max(times) < end and max(times) > end - dt.timedelta(days=10)
    assert min(times) >= end - dt.timedelta(days=366)


def test_the_demo_lifecycle_chart_has_months_of_stage_moves(members_app):
    from zhanggui_members.segments.queries import monthly_stage_flows

    ctx = DemoContext(seed=5, members=400, as_of=dt.date(2026, 11, 30), quiet=True)
    members_app.extensions["zhanggui"].plugins.demo_data(ctx)
    flows = monthly_stage_flows(today=dt.date(2026, 11, 30))
    assert flows["months"] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10",
                               "2026-11"]
    per_month = [sum(counts[i] for counts in flows["into"].values())
                 for i in range(len(flows["months"]))]
    assert all(n > 0 for n in per_month), per_month
    assert sum(flows["into"]["dormant"][1:]) > 0          # members drift away over time
