"""The loyalty API keeps to the caller's stores, like the member 360° view and the POS
API: another store's member is answered as if it did not exist, another store's till
cannot book points, an unknown store or member is refused, and every read or spend
of a member's points is in the audit log."""
from __future__ import annotations

import pytest

from zhanggui.console.audit import AuditEntry
from zhanggui_loyalty.models import EventSignup, PointsLedgerEntry, Redemption

from .helpers import balance_of, emit_purchase, make_member, purchase

NEEDS_SECURITY = True
SH_PHONE, BJ_PHONE = "13800138000", "13900139000"
SCOPED = ("Store manager", "Store staff")


@pytest.fixture
def chain(loyalty_app):
    """A Shanghai member and a Beijing member with 300 points each."""
    sh = make_member(SH_PHONE, card="SH-0001", store="SH01")
    bj = make_member(BJ_PHONE, card="BJ-0001", store="BJ01")
    for member, store in ((sh, "SH01"), (bj, "BJ01")):
        emit_purchase(purchase(member, "300.00", store=store))
    return {"sh": sh, "bj": bj}


def _redeem(client, headers, **body):
    payload = {"id": "R1", "member": {"card": "SH-0001"}, "points": 100, "store": "SH01"}
    payload.update(body)
    return client.post("/api/v1/loyalty/redemptions", json=payload, headers=headers)


@pytest.mark.parametrize("role", SCOPED)
def test_another_stores_member_is_not_found_by_id_card_or_phone(chain, loyalty_app, bearer,
                                                               role):
    client, headers = loyalty_app.test_client(), bearer(role, stores=("SH01",))
    for url in (f"/api/v1/loyalty/members/{chain['bj']}", "/api/v1/loyalty/members?card=BJ-0001",
                f"/api/v1/loyalty/members?phone={BJ_PHONE}"):
        answer = client.get(url, headers=headers)
        assert answer.status_code == 404, url
        assert answer.json["code"] == "member_not_found"
        assert "balance" not in answer.json and "entries" not in answer.json
    own = client.get(f"/api/v1/loyalty/members/{chain['sh']}", headers=headers)
    assert own.status_code == 200 and own.json["member"] == chain["sh"]
    assert own.json["balance"] == 300


def test_a_member_id_nobody_has_is_404_not_zeros(chain, loyalty_app, bearer):
    client, headers = loyalty_app.test_client(), bearer("Head-office admin")
    for missing in (chain["bj"] + 1000, 2 ** 62):
        answer = client.get(f"/api/v1/loyalty/members/{missing}", headers=headers)
        assert answer.status_code == 404 and answer.json["code"] == "member_not_found"
    hq = client.get(f"/api/v1/loyalty/members/{chain['bj']}", headers=headers)
    assert hq.status_code == 200 and hq.json["balance"] == 300


@pytest.mark.parametrize("role", SCOPED)
def test_a_redemption_for_another_stores_member_is_404_and_writes_nothing(chain, loyalty_app,
                                                                         bearer, role):
    client, headers = loyalty_app.test_client(), bearer(role, stores=("SH01",))
    answer = _redeem(client, headers, member={"card": "BJ-0001"})
    assert answer.status_code == 404 and answer.json["code"] == "member_not_found"
    assert Redemption.select().count() == 0 and balance_of(chain["bj"]) == 300


def test_a_redemption_at_another_store_is_403_and_at_no_store_422(chain, loyalty_app, bearer):
    client, headers = loyalty_app.test_client(), bearer("Store manager", stores=("SH01",))
    elsewhere = _redeem(client, headers, store="BJ01")
    assert elsewhere.status_code == 403 and elsewhere.json["code"] == "store_forbidden"
    nowhere = _redeem(client, headers, store="ZZ99")
    assert nowhere.status_code == 422 and set(nowhere.json["message"]) == {"store"}
    admin_nowhere = _redeem(client, bearer("Head-office admin"), store="ZZ99")
    assert admin_nowhere.status_code == 422
    assert Redemption.select().count() == 0 and balance_of(chain["sh"]) == 300


def test_a_replayed_redemption_answers_200_with_the_first_body(chain, loyalty_app, bearer):
    client, headers = loyalty_app.test_client(), bearer("Store staff", stores=("SH01",))
    first = _redeem(client, headers)
    again = _redeem(client, headers)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json == first.json and balance_of(chain["sh"]) == 200
    other_body = _redeem(client, headers, points=50)
    assert other_body.status_code == 409
    assert other_body.json["code"] == "idempotency_key_reused"
    assert Redemption.select().count() == 1


@pytest.mark.parametrize("role", SCOPED)
def test_event_sign_ups_and_check_ins_keep_to_the_callers_members(chain, loyalty_app, bearer,
                                                                  role):
    from .test_events import _event

    event = _event(store_code="SH01")
    client, headers = loyalty_app.test_client(), bearer(role, stores=("SH01",))
    base = f"/api/v1/loyalty/events/{event.id}"
    for body in ({"member_id": chain["bj"]}, {"member": {"card": "BJ-0001"}},
                 {"member_id": chain["bj"] + 1000}):
        for what in ("signups", "attendance"):
            answer = client.post(f"{base}/{what}", json=body, headers=headers)
            assert answer.status_code == 404, (what, body)
            assert answer.json["code"] == "member_not_found"
    listed = client.get(f"/api/v1/loyalty/events/?member_id={chain['bj']}", headers=headers)
    assert listed.status_code == 404
    assert EventSignup.select().count() == 0


def test_reads_and_redemptions_are_in_the_audit_log(chain, loyalty_app, bearer):
    client, headers = loyalty_app.test_client(), bearer("Store staff", stores=("SH01",))
    start = AuditEntry.select().count()
    assert client.get(f"/api/v1/loyalty/members/{chain['sh']}", headers=headers).status_code == 200
    assert client.get("/api/v1/loyalty/members?card=SH-0001", headers=headers).status_code == 200
    assert _redeem(client, headers).status_code == 201
    assert _redeem(client, headers).status_code == 200           # a replay: no new entry
    assert _redeem(client, headers, id="R2", points=10 ** 6).status_code == 409  # refused
    assert client.get(f"/api/v1/loyalty/members/{chain['bj']}", headers=headers).status_code == 404
    entries = list(AuditEntry.select().where(AuditEntry.seq > start).order_by(AuditEntry.seq))
    got = [(e.action, e.resource, e.record_pk) for e in entries]
    redemption = Redemption.get()
    assert got == [("view", "loyalty_member_balance", str(chain["sh"])),
                   ("view", "loyalty_member_balance", str(chain["sh"])),
                   ("create", "loyalty_redemption", str(redemption.id))]
    assert entries[0].user_name and "balance" in entries[0].fields.split(",")
    assert "points" in entries[2].fields.split(",")


BAD_TEXT = {"nul": "a\x00b", "surrogate": "a\ud800b", "huge": "x" * 1_000_000}


@pytest.mark.parametrize("kind", sorted(BAD_TEXT))
@pytest.mark.parametrize("field", ["id", "reason", "store"])
def test_bad_text_in_a_redemption_is_422_with_the_field_and_writes_nothing(
        chain, loyalty_app, bearer, field, kind):
    client, headers = loyalty_app.test_client(), bearer()
    answer = _redeem(client, headers, **{field: BAD_TEXT[kind]})
    assert answer.status_code == 422, answer.get_data(as_text=True)[:300]
    assert set(answer.json["message"]) == {field}
    assert Redemption.select().count() == 0
    assert PointsLedgerEntry.select().where(PointsLedgerEntry.kind == "redeem").count() == 0


@pytest.mark.parametrize("points", [True, 0, -5, 1.5, "10", 10 ** 30, None, [1]])
def test_out_of_range_points_are_422(chain, loyalty_app, bearer, points):
    answer = _redeem(loyalty_app.test_client(), bearer(), points=points)
    assert answer.status_code == 422 and set(answer.json["message"]) == {"points"}
    assert Redemption.select().count() == 0


@pytest.mark.parametrize("member", [{"card": "a\x00b"}, {"phone": "1\ud800"}, {"card": ["x"]},
                                    {}, "BJ-0001"])
def test_a_malformed_member_reference_is_422(chain, loyalty_app, bearer, member):
    answer = _redeem(loyalty_app.test_client(), bearer(), member=member)
    assert answer.status_code == 422 and set(answer.json["message"]) == {"member"}


def test_a_nul_in_a_look_up_is_422_never_a_server_error(chain, loyalty_app, bearer):
    client, headers = loyalty_app.test_client(), bearer()
    for url in ("/api/v1/loyalty/members?card=a%00b", "/api/v1/loyalty/members?phone=1%00",
                "/api/v1/loyalty/events/?card=a%00b"):
        answer = client.get(url, headers=headers)
        assert answer.status_code == 422, url


def test_the_openapi_document_declares_the_bodies_the_api_validates(loyalty_app, bearer):
    from zhanggui_loyalty.api_schemas import RedemptionRequest

    doc = loyalty_app.test_client().get("/api/v1/_openapi", headers=bearer()).json
    schemas = doc["components"]["schemas"]
    redeem = doc["paths"]["/api/v1/loyalty/redemptions"]["post"]
    ref = redeem["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    declared = schemas[ref.rsplit("/", 1)[1]]
    assert set(declared["properties"]) == set(RedemptionRequest().fields)
    assert declared["properties"]["reason"]["maxLength"] == 200
    assert set(declared["required"]) == {"id", "member", "points"}
    assert {"200", "201", "403", "404", "409", "422"} <= set(redeem["responses"])
    for path, name in (("/api/v1/loyalty/members/{member_id}", "member_id"),
                       ("/api/v1/loyalty/events/{event_id}/attendance", "event_id"),
                       ("/api/v1/loyalty/events/{event_id}/signups", "event_id")):
        operation = next(iter(doc["paths"][path].values()))
        assert [p["name"] for p in operation["parameters"] if p["in"] == "path"] == [name]
        assert "404" in operation["responses"]


def test_sign_ups_and_check_ins_are_in_the_audit_log(chain, loyalty_app, bearer):
    from .test_events import _event

    event = _event(store_code="SH01")
    client, headers = loyalty_app.test_client(), bearer("Store staff", stores=("SH01",))
    start = AuditEntry.select().count()
    base = f"/api/v1/loyalty/events/{event.id}"
    assert client.post(f"{base}/signups", json={"member_id": chain["sh"]},
                       headers=headers).status_code == 201
    for status in (201, 200):   # the second check-in repeats the first: no new entry
        assert client.post(f"{base}/attendance", json={"member_id": chain["sh"]},
                           headers=headers).status_code == status
    signup = EventSignup.get()
    got = [(e.action, e.resource, e.record_pk) for e in
           AuditEntry.select().where(AuditEntry.seq > start).order_by(AuditEntry.seq)]
    assert got == [("create", "loyalty_event_signup", str(signup.id)),
                   ("update", "loyalty_event_signup", str(signup.id))]
