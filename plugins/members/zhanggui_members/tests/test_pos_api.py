"""A till posts its sales to POST /api/v1/pos/transactions; nothing is lost or counted twice."""
import json

import pytest

from zhanggui_members.profile.models import Member, MemberIdentity, Payment, Purchase, PurchaseLine
from zhanggui_members.profile.services import register_member
from zhanggui_members.tests.conftest import PosClient, api_token
from zhanggui_members.tests.helpers import sale_body


def _count(app, model=Purchase):
    with app.app_context():
        return model.select().count()


def test_a_first_sale_is_recorded_with_its_lines_and_payments(pos_app, till):
    response = till.sale(sale_body())
    assert response.status_code == 201
    body = response.get_json()
    assert body["id"] == "SH01-20251111-0001" and body["store"] == "SH01"
    assert body["total"] == "1387.90" and body["member"] is None
    assert body["occurred_at"] == "2025-11-11T02:30:00+00:00"          # stored in UTC
    assert [ln["sku"] for ln in body["lines"]] == ["COS011", "FRS041"]
    assert body["lines"][1]["quantity"] == "0.355"
    assert body["payments"] == [{"method": "wechat_pay", "amount": "1000.00"},
                                {"method": "cash", "amount": "387.90"}]
    with pos_app.app_context():
        purchase = Purchase.get()
        assert purchase.pos_id == "SH01-20251111-0001" and str(purchase.total) == "1387.90"
        assert PurchaseLine.select().count() == 2 and Payment.select().count() == 2


def test_a_replayed_sale_answers_200_with_the_same_stored_response(pos_app, till):
    first = till.sale(sale_body())
    again = till.sale(sale_body())
    assert again.status_code == 200
    assert again.get_data() == first.get_data()
    assert _count(pos_app) == 1 and _count(pos_app, PurchaseLine) == 2


def test_a_replay_spelled_differently_is_still_the_same_sale(pos_app, till):
    till.sale(sale_body(member={"phone": "13800138000"}))
    respelled = sale_body(member={"phone": "+86 138-0013-8000"},
                          occurred_at="2025-11-11T02:30:00Z", total="1387.9")
    assert till.sale(respelled).status_code == 200
    assert _count(pos_app) == 1 and _count(pos_app, Member) == 1


def test_the_same_id_with_another_body_is_refused_with_409(pos_app, till):
    first = till.sale(sale_body()).get_json()
    other = sale_body()
    other["lines"][0]["amount"], other["total"] = "1199.00", "1287.90"
    other["payments"][0]["amount"] = "900.00"
    response = till.sale(other)
    assert response.status_code == 409
    assert "SH01-20251111-0001" in response.get_json()["message"]
    with pos_app.app_context():
        assert str(Purchase.get().total) == first["total"]


@pytest.mark.parametrize("change, field", [
    ({"total": "1400.00"}, "total"),
    ({"payments": [{"method": "cash", "amount": "1000.00"}]}, "payments"),
    ({"store": "XX99"}, "store"),
    ({"occurred_at": "2025-11-11 10:30"}, "occurred_at"),
    ({"member": {"phone": "021-6279 0000"}}, "member"),
    ({"total": "1387.9.0"}, "total"),
    ({"total": 1387.90}, "total"),
    ({"total": "1387.901"}, "total"),
    ({"lines": []}, "lines"),
    ({"payments": [{"method": "bitcoin", "amount": "1387.90"}]}, "payments"),
    ({"member": {"card": "NO-SUCH-CARD"}}, "member"),
])
def test_a_sale_that_does_not_add_up_or_names_unknowns_is_refused_and_not_recorded(
        pos_app, till, change, field):
    response = till.sale(sale_body(**change))
    assert response.status_code == 422
    assert field in response.get_json()["message"]
    assert _count(pos_app) == 0 and _count(pos_app, Member) == 0


def test_missing_fields_are_each_named(pos_app, till):
    response = till.sale({"id": "X1", "lines": [{"sku": "A"}]})
    assert response.status_code == 422
    message = response.get_json()["message"]
    assert {"store", "occurred_at", "total", "payments"} <= set(message)
    assert {"name", "category", "quantity", "amount"} <= set(message["lines"]["0"])
    assert _count(pos_app) == 0


def test_field_messages_speak_the_tills_language(pos_app, till):
    response = till.client.post("/api/v1/pos/transactions", json=sale_body(store="XX99"),
                                headers={**till.headers, "Accept-Language": "zh-CN"})
    assert "XX99" in response.get_json()["message"]["store"][0]
    assert "门店" in response.get_json()["message"]["store"][0]


def test_a_body_that_is_not_json_is_refused(till):
    response = till.client.post("/api/v1/pos/transactions", data="total=1",
                                headers=till.headers)
    assert response.status_code == 400


def test_an_unknown_phone_becomes_a_potential_member_of_the_store(pos_app, till):
    body = till.sale(sale_body(member={"phone": "139 1234 5678"})).get_json()
    assert body["member"]["new"] is True and body["member"]["phone"] == "139****5678"
    assert body["member"]["lifecycle_stage"] == "potential"
    second = till.sale(sale_body("SH01-20251111-0002", member={"phone": "13912345678"}))
    assert second.get_json()["member"]["id"] == body["member"]["id"]
    assert second.get_json()["member"]["new"] is False
    with pos_app.app_context():
        member = Member.get()
        assert (member.join_channel, member.home_store.code) == ("pos", "SH01")
        assert Purchase.select().where(Purchase.member == member).count() == 2


def test_unknown_phones_can_be_recorded_anonymously_instead(make_app):
    app = make_app(plugins=["members"], config={"ANONYMOUS_POS_MEMBERS": "anonymous"})
    with app.app_context():
        from zhanggui_members.tests.helpers import make_store

        make_store("SH01")
    till = PosClient(app, api_token(app, "pos", "POS terminal"))
    response = till.sale(sale_body(member={"phone": "13912345678"}))
    assert response.status_code == 201 and response.get_json()["member"] is None
    with app.app_context():
        assert Member.select().count() == 0 and Purchase.get().member_id is None


def test_a_sale_attaches_to_the_member_with_that_phone_card_or_identity(pos_app, till):
    with pos_app.app_context():
        member = register_member(name="王秀英", phone="13800138000", card_no="600001")
        MemberIdentity.create(member=member, kind="wechat_openid", value="oOpenId123")
    refs = [{"phone": "+8613800138000"}, {"card": "600001"},
            {"identity": {"kind": "wechat_openid", "value": "oOpenId123"}}]
    for n, ref in enumerate(refs):
        body = till.sale(sale_body(f"T{n}", member=ref)).get_json()
        assert body["member"]["id"] == member.id and body["member"]["new"] is False
    assert _count(pos_app, Member) == 1


def test_an_unknown_identity_becomes_a_potential_member_with_that_identity(pos_app, till):
    ref = {"identity": {"kind": "app_user", "value": "app-42"}}
    body = till.sale(sale_body(member=ref)).get_json()
    assert body["member"]["new"] is True
    with pos_app.app_context():
        assert MemberIdentity.get().member_id == body["member"]["id"]


def test_a_till_needs_a_token_and_the_pos_permission(pos_app, till):
    client = pos_app.test_client()
    assert client.post("/api/v1/pos/transactions", json=sale_body()).status_code == 401
    clerk = PosClient(pos_app, api_token(pos_app, "clerk", "Store staff"))
    assert clerk.sale(sale_body()).status_code == 403
    assert _count(pos_app) == 0


def test_the_pos_api_is_in_the_openapi_document(pos_app):
    admin = PosClient(pos_app, api_token(pos_app, "admin", "Head-office admin"))
    spec = admin.get("/api/v1/_openapi").get_json()
    paths = {p.removeprefix("/api/v1") for p in spec["paths"]}
    assert {"/pos/transactions", "/pos/transactions/batch",
            "/pos/transactions/{pos_id}/refunds", "/members/lookup"} <= paths


def test_money_round_trips_exactly(pos_app, till):
    body = sale_body(total="12345678.91", payments=[{"method": "bank_card",
                                                     "amount": "12345678.91"}])
    body["lines"] = [{"sku": "GOLD", "name": "金条", "category": "黄金", "quantity": "1",
                      "amount": "12345590.01"},
                     {"sku": "FRS041", "name": "挪威三文鱼", "category": "超市生鲜",
                      "quantity": "0.355", "amount": "88.90"}]
    assert till.sale(body).status_code == 201
    with pos_app.app_context():
        assert json.loads(Purchase.get().response)["total"] == "12345678.91"


def test_a_till_records_only_for_its_own_stores(pos_app):
    till = PosClient(pos_app, api_token(pos_app, "pos-bj", "POS terminal", stores=("BJ01",)))
    response = till.sale(sale_body())                                   # store SH01
    assert response.status_code == 403 and "SH01" in response.get_json()["message"]
    assert till.sale(sale_body(store="BJ01")).status_code == 201


def test_a_till_cannot_refund_another_stores_sale(pos_app, till):
    till.sale(sale_body())
    other = PosClient(pos_app, api_token(pos_app, "pos-bj", "POS terminal", stores=("BJ01",)))
    url = "/api/v1/pos/transactions/SH01-20251111-0001/refunds"
    assert other.post(url, {"id": "R1", "amount": "1.00"}).status_code == 404
