"""Acme gift cards as a till, a head-office admin and the member's data see them.

Only the public plugin API is used: the POS API records sales, the demo chain gives
the stores, and the members plugin is never imported.
"""
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask_babel import force_locale

from zhanggui import database
from zhanggui.testing import ADMIN_PASSWORD

from acme_giftcards.models import GiftCard


def sale(pos_id, amount, phone="13800138000"):
    return {"id": pos_id, "store": "SH01", "occurred_at": "2026-11-11T10:30:00+08:00",
            "member": {"phone": phone} if phone else None,
            "lines": [{"sku": "COS011", "name": "精华液", "category": "化妆品",
                       "quantity": "1", "amount": amount}],
            "total": amount, "payments": [{"method": "cash", "amount": amount}]}


@pytest.fixture
def shop(app):
    """The app with the demo chain's stores (and a few members) in it."""
    result = app.test_cli_runner().invoke(args=["demo-data", "--members", "2",
                                                "--purchases", "2", "--quiet"])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture
def till(shop, admin_client):
    """The admin's client, sending a JWT as a till would."""
    login = admin_client.post("/api/v1/security/login", json={
        "username": "admin", "password": ADMIN_PASSWORD, "provider": "db"})
    assert login.status_code == 200, login.get_data(as_text=True)
    admin_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {login.get_json()['access_token']}"
    return admin_client


def cards_of(app, phone="13800138000"):
    with app.app_context():
        member = app.extensions["zhanggui"].plugins.call_first(
            "zhanggui_find_member", phone=phone, card=None)
        return member, list(GiftCard.select().where(GiftCard.member == member))


def test_a_sale_of_1000_or_more_earns_one_card_and_a_smaller_one_none(shop, till):
    assert till.post("/api/v1/pos/transactions", json=sale("T-1", "999.99")).status_code == 201
    assert cards_of(shop)[1] == []
    assert till.post("/api/v1/pos/transactions", json=sale("T-2", "1000.00")).status_code == 201
    assert till.post("/api/v1/pos/transactions", json=sale("T-2", "1000.00")).status_code == 200
    member, cards = cards_of(shop)
    assert [(c.member_id, str(c.balance), c.currency) for c in cards] == [(member, "50.00", "CNY")]


def test_an_anonymous_big_sale_earns_no_card(shop, till):
    assert till.post("/api/v1/pos/transactions", json=sale("T-3", "5000.00", phone=None)).status_code == 201
    with shop.app_context():
        assert GiftCard.select().count() == 0


def test_the_till_reads_the_balance_and_spends_it_but_never_more(shop, till):
    till.post("/api/v1/pos/transactions", json=sale("T-4", "1200.00"))
    code = cards_of(shop)[1][0].code
    assert till.get(f"/api/v1/giftcards/{code}/balance").get_json() == {
        "code": code, "balance": "50.00", "currency": "CNY"}
    spent = till.post(f"/api/v1/giftcards/{code}/redeem", json={"amount": "20.00"})
    assert spent.status_code == 200 and spent.get_json()["balance"] == "30.00"
    over = till.post(f"/api/v1/giftcards/{code}/redeem", json={"amount": "30.01"})
    assert over.status_code == 409 and over.get_json()["code"] == "insufficient_balance"
    bad = till.post(f"/api/v1/giftcards/{code}/redeem", json={"amount": "-1"},
                    headers={"Accept-Language": "zh-CN"})
    assert bad.status_code == 422 and list(bad.get_json()["message"]) == ["amount"]
    assert till.get("/api/v1/giftcards/NOPE/balance").status_code == 404
    assert cards_of(shop)[1][0].balance == 30


def test_two_tills_spending_the_last_money_at_once_never_overspend(shop, till):
    till.post("/api/v1/pos/transactions", json=sale("T-5", "1500.00"))
    code = cards_of(shop)[1][0].code
    headers = {"Authorization": till.environ_base["HTTP_AUTHORIZATION"]}

    def spend(_):
        return shop.test_client().post(f"/api/v1/giftcards/{code}/redeem",
                                       json={"amount": "30.00"}, headers=headers).status_code

    with ThreadPoolExecutor(4) as pool:
        answers = sorted(pool.map(spend, range(4)))
    assert answers == [200, 409, 409, 409]
    assert cards_of(shop)[1][0].balance == 20


def test_the_api_is_documented_with_its_schemas(shop, admin_client):
    spec = admin_client.get("/api/v1/_openapi").get_json()
    redeem = spec["paths"]["/api/v1/giftcards/{code}/redeem"]["post"]
    assert redeem["summary"] == "Spend an amount from a gift card."
    assert set(redeem["responses"]) >= {"200", "404", "409", "422"}
    assert "AmountIn" in spec["components"]["schemas"]


def test_the_console_lists_cards_and_the_member_360_shows_them(shop, till):
    till.post("/api/v1/pos/transactions", json=sale("T-6", "1000.00"))
    member, cards = cards_of(shop)
    page = till.get("/giftcardview/list/?_flt_0_code=" + cards[0].code, headers={"Accept-Language": "zh-TW"})
    assert page.status_code == 200 and "禮物卡" in page.get_data(as_text=True)
    with shop.test_request_context("/"), force_locale("zh_TW"):
        assert str(GiftCard._meta.verbose_name) == "禮物卡"
    show = till.get(f"/memberview/show/{member}")
    assert show.status_code == 200 and cards[0].code in show.get_data(as_text=True)


def test_the_members_export_erasure_merge_and_search_include_the_cards(shop, till):
    till.post("/api/v1/pos/transactions", json=sale("T-7", "1000.00"))
    till.post("/api/v1/pos/transactions", json=sale("T-8", "1000.00", phone="13900139000"))
    member, cards = cards_of(shop)
    other, _ = cards_of(shop, "13900139000")
    host = shop.extensions["zhanggui"].plugins
    with shop.app_context():
        section = {s.name: s for s in host.export_member(member)}["acme_giftcards_card"]
        assert [r["code"] for r in section.rows] == [cards[0].code]
        json.dumps(section.rows)
        found = [d.key for source, d in host.search_documents() if source.name == "acme_giftcards.cards"]
        assert sorted(found) == sorted(c.code for c in GiftCard.select()) and len(found) == 2
        with database.atomic():
            host.emit("merge_members", source_id=other, target_id=member)
        assert GiftCard.select().where(GiftCard.member == member).count() == 2
        with database.atomic():
            done = host.erase_member(member)
        assert "acme_giftcards: 2 row(s) of acme_giftcards_card detached from the member" in done
        assert GiftCard.select().where(GiftCard.member.is_null()).count() == 2


def test_the_card_holder_is_picked_by_typing_and_the_card_saved_with_the_member(shop, till):
    till.post("/api/v1/pos/transactions", json=sale("T-9", "10.00"))
    member, _ = cards_of(shop)
    form = till.get("/giftcardview/add").get_data(as_text=True)
    # a MemberRef column is an autocomplete box, never a select of every member
    assert 'data-zg-autocomplete="/giftcardview/autocomplete/member"' in form
    offered = till.get("/giftcardview/autocomplete/member?q=").get_json()["result"]
    assert member in [row["id"] for row in offered] and len(offered) <= 20
    saved = till.post("/giftcardview/add", data={
        "code": "HAND-1", "member": str(member), "balance": "20.00", "currency": "CNY"})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:500]
    with shop.app_context():
        assert GiftCard.get(GiftCard.code == "HAND-1").member_id == member
