"""A hook implementation that raises is named (plugin, distribution, hook) in the log
and in the error answer, and an event's business action is rolled back (the policy
of docs/hooks.md, "When a hook raises")."""
from __future__ import annotations

import logging

import pytest

from zhanggui.testing import ADMIN_PASSWORD

SALE = {"id": "T-1", "store": "SH01", "occurred_at": "2026-11-11T10:30:00+08:00",
        "member": {"phone": "13800138000"},
        "lines": [{"sku": "A", "name": "A", "category": "服装", "quantity": "1",
                   "amount": "1200.00"}],
        "total": "1200.00", "payments": [{"method": "cash", "amount": "1200.00"}]}


def _printer_offline(**_kwargs):
    """A listener that always fails (``make_plugin`` marks it as a hook implementation)."""
    raise RuntimeError("printer offline")


def _world(app):
    """A store and a member; the core's test may look inside the plugins for them."""
    from zhanggui_members.profile.models import Store
    from zhanggui_members.profile.services import register_member

    from zhanggui.users import create_user

    with app.app_context():
        store = Store.create(code="SH01", name="上海一店", city="上海", region="华东",
                             currency="CNY")
        member = register_member(name="王芳", phone="13800138000", home_store=store).id
        create_user("admin", ADMIN_PASSWORD, role="Head-office admin")
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as production does
    return member


def _bearer(client) -> dict[str, str]:
    token = client.post("/api/v1/security/login", json={
        "username": "admin", "password": ADMIN_PASSWORD, "provider": "db"})
    assert token.status_code == 200
    return {"Authorization": f"Bearer {token.get_json()['access_token']}"}


def _rows(app) -> dict[str, int]:
    from zhanggui_loyalty.models import PointsLedgerEntry
    from zhanggui_members.profile.models import Purchase, PurchaseLine

    with app.app_context():
        return {m.__name__: m.select().count()
                for m in (Purchase, PurchaseLine, PointsLedgerEntry)}


def _failure_records(caplog):
    return [r for r in caplog.records if r.name == "zhanggui.plugins"
            and getattr(r, "plugin", None) is not None]


def test_a_failing_sale_listener_rolls_the_sale_and_its_points_back_and_is_named(
        make_app, make_plugin, caplog):
    # loyalty's listener runs first and books points; the shelf plugin's then raises
    app = make_app(plugins=["members", "loyalty"], extra_plugins=[
        make_plugin("shelf", zhanggui_purchase_recorded=_printer_offline)])
    _world(app)
    client = app.test_client()
    with caplog.at_level(logging.ERROR, logger="zhanggui.plugins"):
        answer = client.post("/api/v1/pos/transactions", headers=_bearer(client), json=SALE)
    assert answer.status_code == 500
    body = answer.get_json()
    assert (body["plugin"], body["hook"]) == ("shelf", "zhanggui_purchase_recorded")
    assert "distribution" in body and body["distribution"] is None  # not installed by pip
    assert _rows(app) == {"Purchase": 0, "PurchaseLine": 0, "PointsLedgerEntry": 0}
    [record] = _failure_records(caplog)
    assert (record.plugin, record.distribution, record.hook) == (
        "shelf", None, "zhanggui_purchase_recorded")
    assert "plugin 'shelf' (distribution none) failed in zhanggui_purchase_recorded: " \
           "RuntimeError: printer offline" in record.getMessage()


def test_the_sale_goes_through_once_the_listener_is_fixed(make_app, make_plugin):
    calls = []
    app = make_app(plugins=["members", "loyalty"], extra_plugins=[
        make_plugin("shelf", zhanggui_purchase_recorded=lambda purchase: calls.append(
            purchase.pos_id))])
    _world(app)
    client = app.test_client()
    answer = client.post("/api/v1/pos/transactions", headers=_bearer(client), json=SALE)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert calls == ["T-1"]
    assert _rows(app)["Purchase"] == 1 and _rows(app)["PointsLedgerEntry"] >= 1


def test_an_installed_plugin_is_named_with_its_distribution(make_app, monkeypatch, caplog):
    import acme_giftcards.plugin

    def card_printer_offline(purchase):  # its own function: make_plugin marks the others
        raise RuntimeError("card printer offline")

    monkeypatch.setattr(acme_giftcards.plugin, "issue_for_purchase", card_printer_offline)
    app = make_app(plugins=["members", "loyalty", "acme_giftcards"])
    _world(app)
    client = app.test_client()
    with caplog.at_level(logging.ERROR, logger="zhanggui.plugins"):
        answer = client.post("/api/v1/pos/transactions", headers=_bearer(client), json=SALE)
    assert answer.status_code == 500
    assert {k: answer.get_json()[k] for k in ("plugin", "distribution", "hook")} == {
        "plugin": "acme_giftcards", "distribution": "acme-giftcards",
        "hook": "zhanggui_purchase_recorded"}
    assert _rows(app) == {"Purchase": 0, "PurchaseLine": 0, "PointsLedgerEntry": 0}
    [record] = _failure_records(caplog)
    assert record.distribution == "acme-giftcards"
    assert "(distribution acme-giftcards) failed in zhanggui_purchase_recorded" \
        in record.getMessage()


def test_a_failing_points_listener_rolls_a_redemption_back_and_the_api_names_it(
        make_app, make_plugin):
    from zhanggui_loyalty.models import MemberBalance, PointsLedgerEntry

    def no_redemptions(entry):
        if entry.kind == "redeem":
            raise RuntimeError("printer offline")

    app = make_app(plugins=["members", "loyalty"], extra_plugins=[
        make_plugin("shelf", zhanggui_points_changed=no_redemptions)])
    member = _world(app)
    client = app.test_client()
    headers = _bearer(client)
    given = client.post("/api/v1/loyalty/adjustments", headers=headers, json={
        "id": "ADJ-1", "member_id": member, "points": 500, "reason": "开卡礼"})
    assert given.status_code == 201, given.get_data(as_text=True)
    answer = client.post("/api/v1/loyalty/redemptions", headers=headers, json={
        "id": "R-1", "member": {"phone": "13800138000"}, "points": 10, "store": "SH01"})
    assert answer.status_code == 500
    body = answer.get_json()
    assert (body["plugin"], body["distribution"], body["hook"]) == (
        "shelf", None, "zhanggui_points_changed")
    assert "shelf" in body["message"] and "zhanggui_points_changed" in body["message"]
    with app.app_context():
        assert [e.kind for e in PointsLedgerEntry.select()] == ["adjust"]
        assert MemberBalance.get(MemberBalance.member_id == member).balance == 500


def test_the_console_page_names_the_plugin_whose_panel_failed(make_app, make_plugin, login):
    app = make_app(plugins=["members"], extra_plugins=[
        make_plugin("shelf", zhanggui_member_panels=_printer_offline)])
    member = _world(app)
    client = app.test_client()
    assert login(client, "admin", ADMIN_PASSWORD).status_code == 302
    page = client.get(f"/memberview/show/{member}?_l_=en", headers={
        "Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert page.status_code == 500
    assert "The plugin shelf (distribution -) failed in zhanggui_member_panels" in text
    assert 'data-status="500"' in text  # inside the console's frame


def test_an_unrelated_server_error_names_no_plugin(make_app):
    from zhanggui import hook_failure

    assert hook_failure(RuntimeError("disk full")) == {}
    chained = RuntimeError("outer")
    inner = ValueError("inner")
    inner.zhanggui_hook = ("shelf", "zhanggui_models", None)
    chained.__context__ = inner
    assert hook_failure(chained) == {"plugin": "shelf", "distribution": None,
                                     "hook": "zhanggui_models"}


def test_a_one_answer_hook_that_raises_is_named_and_logged_only_when_unhandled(
        make_app, make_plugin, caplog):
    from zhanggui import hook_failure

    def lost_ledger(phone, card):
        raise LookupError("member ledger offline")

    app = make_app(plugins=["members", "loyalty"], extra_plugins=[
        make_plugin("shelf", zhanggui_find_member=lost_ledger)])
    _world(app)
    with app.app_context(), caplog.at_level(logging.ERROR, logger="zhanggui.plugins"):
        # the members plugin answers first: the shelf plugin is not asked
        host = app.extensions["zhanggui"].plugins
        assert host.call_first("zhanggui_find_member", phone="13800138000", card=None)
        with pytest.raises(LookupError) as raised:
            host.call_first("zhanggui_find_member", phone="13900000000", card=None)
    # some one-answer hooks raise by contract, for their caller to answer: not logged
    assert hook_failure(raised.value) == {"plugin": "shelf", "distribution": None,
                                          "hook": "zhanggui_find_member"}
    assert _failure_records(caplog) == []

    client = app.test_client()
    with caplog.at_level(logging.ERROR, logger="zhanggui.plugins"):
        answer = client.post("/api/v1/loyalty/preview", headers=_bearer(client), json={
            "member": {"phone": "13900000000"}, "lines": [{"amount": "10.00"}]})
    assert answer.status_code == 500
    assert (answer.get_json()["plugin"], answer.get_json()["hook"]) == (
        "shelf", "zhanggui_find_member")
    [record] = _failure_records(caplog)
    assert (record.plugin, record.hook) == ("shelf", "zhanggui_find_member")


def test_a_plugin_that_stops_the_app_from_starting_is_named(make_app, make_plugin, caplog):
    from zhanggui import hook_failure

    def no_blueprint(app):
        raise KeyError("shelf_talker.templates")

    with caplog.at_level(logging.ERROR, logger="zhanggui.plugins"), \
            pytest.raises(KeyError) as raised:
        make_app(plugins=[], extra_plugins=[make_plugin("shelf", zhanggui_app_ready=no_blueprint)],
                 migrate=False)
    assert hook_failure(raised.value)["plugin"] == "shelf"
    [record] = _failure_records(caplog)
    assert (record.plugin, record.hook) == ("shelf", "zhanggui_app_ready")


def test_a_plugin_whose_demo_data_fails_is_named(make_app, make_plugin):
    from zhanggui import DemoContext
    from zhanggui import hook_failure

    def half_a_demo(ctx):
        raise ValueError("no stores to stock")

    app = make_app(plugins=[], extra_plugins=[make_plugin("shelf", zhanggui_demo_data=half_a_demo)])
    with app.app_context(), pytest.raises(ValueError) as raised:
        app.extensions["zhanggui"].plugins.demo_data(DemoContext(seed=1, members=1))
    assert hook_failure(raised.value) == {"plugin": "shelf", "distribution": None,
                                          "hook": "zhanggui_demo_data"}
