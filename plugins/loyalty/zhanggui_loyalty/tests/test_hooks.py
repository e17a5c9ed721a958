"""The hooks loyalty implements, fires and asks."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from zhanggui import PointsBonus, emit, utcnow, write_transaction
from zhanggui_loyalty.models import EarningRule, PointsLedgerEntry

from .helpers import balance_of, emit_purchase, purchase, refund


@pytest.fixture
def listen(loyalty_app, make_plugin):
    """Register a throwaway plugin on the running app for one test."""
    host = loyalty_app.extensions["zhanggui"].plugins
    added = []

    def register(name, **hooks):
        plugin = make_plugin(name, **hooks)
        host.pm.register(plugin, name=name)
        host.order.append(name)
        added.append(name)
        return plugin

    yield register
    for name in added:
        host.pm.unregister(name=name)
        host.order.remove(name)


def test_campaign_bonuses_from_zhanggui_points_bonus_are_added_unmultiplied(loyalty_app, listen):
    seen = []

    def bonus(purchase, member_id):
        seen.append((purchase.purchase_id, member_id))
        return [PointsBonus("campaigns.double11", 88, "双十一")]

    listen("campaigns_fake", zhanggui_points_bonus=bonus)
    EarningRule.create(code="X2", name="双倍", kind="multiplier", match_field="category",
                       match_values="服装", multiplier=Decimal("2"))
    p = purchase(1, "100.00")
    emit_purchase(p)
    assert balance_of(1) == 288 and seen == [(p.purchase_id, 1)]
    detail = json.loads(PointsLedgerEntry.get().detail)
    assert detail["bonuses"] == [{"name": "campaigns.double11", "points": 88, "reason": "双十一"}]


def test_the_birthday_multiplier_asks_zhanggui_member_birthday(loyalty_app, listen):
    today = (utcnow() + dt.timedelta(hours=8)).date()
    listen("birthdays", zhanggui_member_birthday=lambda member_id:
           today.replace(year=1990) if member_id == 1 else None)
    EarningRule.create(code="BDAY", name="生日三倍", kind="birthday", multiplier=Decimal("3"))
    emit_purchase(purchase(1, "100.00"))
    emit_purchase(purchase(2, "100.00"))
    assert (balance_of(1), balance_of(2)) == (300, 100)


def test_zhanggui_pos_response_carries_earned_balance_pending_and_tier(loyalty_app):
    p = purchase(1, "100.00")
    with write_transaction():
        emit("purchase_recorded", purchase=p)
        answer = loyalty_app.extensions["zhanggui"].plugins.pos_response(p)
    assert answer == {"loyalty": {"earned": 100, "balance": 100, "pending": 0, "tier": None}}
    assert loyalty_app.extensions["zhanggui"].plugins.pos_response(purchase(None)) == {}


def test_zhanggui_purchase_refunded_reverses_through_the_event(loyalty_app):
    p = purchase(1, "100.00")
    emit_purchase(p)
    with write_transaction():
        emit("purchase_refunded", refund=refund(p, "RF1", amount="25.00"))
    assert balance_of(1) == 75


def test_zhanggui_points_changed_fires_inside_the_transaction_for_every_entry(loyalty_app, listen):
    kinds = []
    listen("watcher", zhanggui_points_changed=lambda entry: kinds.append(
        (entry.kind, entry.points, entry.member_id)))
    emit_purchase(purchase(1, "100.00"))
    assert kinds == [("earn", 100, 1)]


def test_an_error_in_a_listener_rolls_the_points_back_with_the_purchase(loyalty_app, listen):
    def boom(entry):
        raise RuntimeError("listener failed")

    listen("broken", zhanggui_points_changed=boom)
    with pytest.raises(RuntimeError):
        emit_purchase(purchase(1, "100.00"))
    assert PointsLedgerEntry.select().count() == 0 and balance_of(1) == 0


def test_zhanggui_member_panels_shows_points_to_staff_allowed_to_see_them(loyalty_app):
    from unittest import mock

    emit_purchase(purchase(1, "100.00"))
    host = loyalty_app.extensions["zhanggui"].plugins
    with loyalty_app.test_request_context():
        with mock.patch("zhanggui.has_permission", return_value=True):
            panels = host.member_panels(1)
        with mock.patch("zhanggui.has_permission", return_value=False):
            hidden = host.member_panels(1)
    assert [p.name for p in panels] == ["loyalty.points"] and "100" in panels[0].html
    assert hidden == []
