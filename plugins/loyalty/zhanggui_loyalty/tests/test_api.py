"""The loyalty REST API: redemptions, member look-ups, the basket preview."""
from __future__ import annotations

import threading

from zhanggui_loyalty.ledger.postings import check_member
from zhanggui_loyalty.models import PointsLedgerEntry, Redemption

from .helpers import balance_of, emit_purchase, make_member, purchase

NEEDS_SECURITY = True
PHONE = "13800138000"


def _redeem(client, headers, **body):
    payload = {"id": "R1", "member": {"phone": PHONE}, "points": 100, "store": "SH01",
               "reason": "兑换礼品"}
    payload.update(body)
    return client.post("/api/v1/loyalty/redemptions", json=payload, headers=headers)


def test_redeeming_by_phone_answers_201_and_a_replay_the_same(loyalty_app, bearer):
    member = make_member(PHONE)
    emit_purchase(purchase(member, "300.00"))
    client, headers = loyalty_app.test_client(), bearer("Store staff")
    first = _redeem(client, headers)
    assert first.status_code == 201 and first.json["balance"] == 200
    again = _redeem(client, headers)
    assert again.status_code == 201 and again.json == first.json
    reused = _redeem(client, headers, points=50)
    assert reused.status_code == 409 and reused.json["code"] == "idempotency_key_reused"


def test_too_few_points_answers_409_and_writes_nothing(loyalty_app, bearer):
    member = make_member(PHONE)
    emit_purchase(purchase(member, "50.00"))
    before = PointsLedgerEntry.select().count()
    answer = _redeem(loyalty_app.test_client(), bearer("Store staff"))
    assert answer.status_code == 409 and answer.json["code"] == "insufficient_points"
    assert PointsLedgerEntry.select().count() == before and Redemption.select().count() == 0


def test_bad_input_names_the_fields_and_an_unknown_member_is_404(loyalty_app, bearer):
    make_member(PHONE)
    client, headers = loyalty_app.test_client(), bearer()
    bad = _redeem(client, headers, points="100", member="x", id=None)
    assert bad.status_code == 422 and set(bad.json["message"]) == {"points", "member", "id"}
    unknown = _redeem(client, headers, member={"card": "NOPE"})
    assert unknown.status_code == 404 and unknown.json["code"] == "member_not_found"


def test_an_unauthenticated_caller_is_refused(loyalty_app):
    assert _redeem(loyalty_app.test_client(), {}).status_code == 401


def test_the_member_view_shows_balance_tier_progress_expiring_and_entries(loyalty_app, bearer):
    member = make_member(PHONE, card="VIP0001")
    emit_purchase(purchase(member, "120.00"))
    client, headers = loyalty_app.test_client(), bearer("Call-center agent")
    by_id = client.get(f"/api/v1/loyalty/members/{member}", headers=headers)
    by_card = client.get("/api/v1/loyalty/members?card=VIP0001", headers=headers)
    assert by_id.status_code == 200 and by_id.json == by_card.json
    assert by_id.json["balance"] == 120 and by_id.json["entries"][0]["kind"] == "earn"
    assert set(by_id.json) >= {"pending", "tier", "next_tier", "expiring"}
    assert client.get("/api/v1/loyalty/members?phone=13900000000",
                      headers=headers).status_code == 404


def test_call_center_agents_may_look_but_not_redeem(loyalty_app, bearer):
    make_member(PHONE)
    assert _redeem(loyalty_app.test_client(), bearer("Call-center agent")).status_code == 403


def test_the_preview_shows_what_a_basket_earns_without_writing(loyalty_app, bearer):
    answer = loyalty_app.test_client().post(
        "/api/v1/loyalty/preview", headers=bearer(),
        json={"lines": [{"sku": "A", "category": "服装", "amount": "88.80"},
                        {"sku": "B", "category": "服装", "amount": "11.20"}],
              "payments": [{"method": "gift_card", "amount": "50.00"}]})
    assert answer.status_code == 200 and answer.json["points"] == 49   # 44.40 + 5.60, each line rounded down
    assert [ln["points"] for ln in answer.json["lines"]] == [44, 5]
    assert PointsLedgerEntry.select().count() == 0


def test_manual_adjustments_through_the_api_record_the_user(loyalty_app, bearer):
    member = make_member(PHONE)
    answer = loyalty_app.test_client().post(
        "/api/v1/loyalty/adjustments", headers=bearer(),
        json={"id": "ADJ-1", "member_id": member, "points": 300, "reason": "客诉补偿"})
    assert answer.status_code == 201 and balance_of(member) == 300
    assert PointsLedgerEntry.get().created_by is not None
    staff = loyalty_app.test_client().post(
        "/api/v1/loyalty/adjustments", headers=bearer("Store staff"),
        json={"id": "ADJ-2", "member_id": member, "points": 300, "reason": "x"})
    assert staff.status_code == 403


def test_50_concurrent_http_redemptions_of_100_against_1000_spend_exactly_1000(loyalty_app,
                                                                               bearer):
    member = make_member(PHONE)
    for amount in ("600.00", "400.00"):
        emit_purchase(purchase(member, amount))
    headers = bearer("Store staff")
    start, codes = threading.Barrier(50), []

    def worker(i):
        client = loyalty_app.test_client()
        start.wait()
        codes.append(_redeem(client, headers, id=f"HTTP-{i}").status_code)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes.count(201) == 10 and codes.count(409) == 40
    assert balance_of(member) == 0 and check_member(member).ok
