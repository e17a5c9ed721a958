"""The schema the migrations build is the schema the models describe."""
from decimal import Decimal

import datetime as dt

from zhanggui import database

from zhanggui_members.migrations import schema_models
from zhanggui_members.plugin import MODELS
from zhanggui_members.profile.models import Purchase, PurchaseLine
from zhanggui_members.tests.helpers import make_purchase, make_store


def _shape(model):
    fields = {f.column_name: (f.field_type, f.null, f.unique, f.index)
              for f in model._meta.sorted_fields}
    indexes = sorted((tuple(f if isinstance(f, str) else f.name for f in cols), unique)
                     for cols, unique in model._meta.indexes)
    return fields, indexes


def test_the_migration_steps_build_exactly_what_the_models_describe():
    frozen = {m._meta.table_name: m for m in schema_models()}
    assert set(frozen) == {m._meta.table_name for m in MODELS}
    for model in MODELS:
        assert _shape(frozen[model._meta.table_name]) == _shape(model), model.__name__


def test_tables_are_prefixed_and_the_big_ones_have_their_indexes(members_app):
    tables = set(database.get_tables())
    assert {m._meta.table_name for m in MODELS} <= tables
    assert all(m._meta.table_name.startswith("members_") for m in MODELS)

    def indexed(table):
        return {tuple(i.columns) for i in database.get_indexes(table)}

    assert ("member_id", "occurred_at") in indexed("members_purchase")
    assert ("store_id", "occurred_at") in indexed("members_purchase")
    assert ("pos_id",) in indexed("members_purchase")
    assert ("purchase_id",) in indexed("members_purchase_line")
    assert {("phone_hash",), ("card_no",), ("phone_last4",)} <= indexed("members_member")
    assert ("kind", "value") in indexed("members_identity")


def test_money_comes_back_as_exact_decimals(members_app):
    store = make_store()
    purchase = make_purchase(None, store, total="12345678.91")
    PurchaseLine.create(purchase=purchase, sku="FRS041", name="挪威三文鱼", category="超市生鲜",
                        quantity=Decimal("0.355"), amount=Decimal("81.65"))
    again = Purchase.get_by_id(purchase.id)
    assert again.total == Decimal("12345678.91") and isinstance(again.total, Decimal)
    assert again.member_id is None                        # anonymous sale
    assert again.occurred_at == dt.datetime(2025, 11, 11, 2, 30, tzinfo=dt.timezone.utc)
    line = PurchaseLine.get(PurchaseLine.sku == "FRS041")
    assert (line.quantity, line.amount) == (Decimal("0.355"), Decimal("81.65"))
    assert str(line.amount) == "81.65"
