"""Member events: sign-ups refused when full, for the wrong tier or twice; attendance
points awarded once; the same over the REST API with JSON field errors."""
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest

from zhanggui import utcnow
from zhanggui_loyalty.events.service import attendance_key, check_in, sign_up
from zhanggui_loyalty.ledger.postings import check_member
from zhanggui_loyalty.ledger.redemption import LoyaltyError
from zhanggui_loyalty.models import EventSignup, MemberEvent, MemberTier, PointsLedgerEntry, Tier

from .helpers import balance_of, make_member

NEEDS_SECURITY = True


def _event(**fields):
    values = dict(title="五星会员答谢晚宴", store_code="SH01",
                  starts_at=utcnow() - dt.timedelta(minutes=10),
                  ends_at=utcnow() + dt.timedelta(hours=3), capacity=2, attendance_points=300)
    values.update(fields)
    return MemberEvent.create(**values)


def _gold(member_id):
    gold = Tier.get_or_none(Tier.code == "GOLD") or Tier.create(
        code="GOLD", name="金卡", rank=2, threshold=Decimal("5000.00"))
    MemberTier.delete().where(MemberTier.member_id == member_id).execute()
    MemberTier.create(member_id=member_id, tier=gold, since=utcnow())


def _refused(code, func, *args):
    with pytest.raises(LoyaltyError) as caught:
        func(*args)
    assert caught.value.code == code


def test_a_full_event_refuses_the_next_sign_up(loyalty_app):
    event = _event(capacity=2)
    sign_up(event.id, 1)
    sign_up(event.id, 2)
    _refused("event_full", sign_up, event.id, 3)
    assert EventSignup.select().count() == 2


def test_a_member_signs_up_once(loyalty_app):
    event = _event()
    sign_up(event.id, 1, "app")
    _refused("already_signed_up", sign_up, event.id, 1, "wechat")
    assert EventSignup.select().count() == 1


def test_an_exclusive_event_refuses_members_of_other_tiers(loyalty_app):
    event = _event(allowed_tiers="GOLD")
    _gold(7)
    _refused("tier_not_allowed", sign_up, event.id, 8)
    assert sign_up(event.id, 7).member_id == 7


def test_a_closed_or_past_event_takes_no_sign_ups(loyalty_app):
    past = _event(starts_at=utcnow() - dt.timedelta(days=2), ends_at=utcnow() - dt.timedelta(days=1))
    closed = _event(active=False)
    _refused("event_closed", sign_up, past.id, 1)
    _refused("event_closed", sign_up, closed.id, 1)


def test_checking_in_twice_awards_the_attendance_points_once(loyalty_app):
    event = _event()
    sign_up(event.id, 5)
    first = check_in(event.id, 5)
    second = check_in(event.id, 5)
    assert (first.points, first.repeated, second.points, second.repeated) == (300, False, 300, True)
    assert balance_of(5) == 300 and check_member(5).ok
    entries = PointsLedgerEntry.select().where(PointsLedgerEntry.source_type == "event")
    assert [e.idempotency_key for e in entries] == [attendance_key(event.id, 5)]


def test_check_in_needs_a_place_and_an_open_door(loyalty_app):
    event = _event()
    _refused("not_signed_up", check_in, event.id, 9)
    later = _event(starts_at=utcnow() + dt.timedelta(days=5), ends_at=utcnow() + dt.timedelta(days=6))
    sign_up(later.id, 9)
    _refused("check_in_closed", check_in, later.id, 9)
    assert balance_of(9) == 0


@pytest.fixture
def postgresql_only(loyalty_app):
    if not loyalty_app.config["LOYALTY_TEST_URL"].startswith("postgres"):
        pytest.skip("row locks under real concurrency: PostgreSQL")
    return loyalty_app


def test_simultaneous_sign_ups_never_take_more_places_than_there_are(postgresql_only):
    app = postgresql_only
    db = app.extensions["zhanggui"].db
    event = _event(capacity=5)
    results, barrier = [], threading.Barrier(30)

    def attempt(member_id):
        with app.app_context():
            db.connect(reuse_if_open=True)
            try:
                barrier.wait()
                sign_up(event.id, member_id)
                results.append("ok")
            except LoyaltyError as exc:
                results.append(exc.code)
            finally:
                db.close()

    threads = [threading.Thread(target=attempt, args=(100 + i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 5 and results.count("event_full") == 25
    assert EventSignup.select().where(EventSignup.event == event.id).count() == 5


def test_simultaneous_check_ins_award_once(postgresql_only):
    app = postgresql_only
    db = app.extensions["zhanggui"].db
    event = _event()
    sign_up(event.id, 42)
    repeated, barrier = [], threading.Barrier(20)

    def attempt():
        with app.app_context():
            db.connect(reuse_if_open=True)
            try:
                barrier.wait()
                repeated.append(check_in(event.id, 42).repeated)
            finally:
                db.close()

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert repeated.count(False) == 1 and balance_of(42) == 300 and check_member(42).ok


# --- the REST API ----------------------------------------------------------------------

PHONE = "13900139000"


def test_signing_up_through_the_api_answers_201_then_409_twice_and_full(loyalty_app, bearer):
    member, other = make_member(PHONE), make_member("13900139001")
    event = _event(capacity=1)
    client, headers = loyalty_app.test_client(), bearer("Marketing")
    url = f"/api/v1/loyalty/events/{event.id}/signups"
    first = client.post(url, json={"member": {"phone": PHONE}, "channel": "app"}, headers=headers)
    assert first.status_code == 201 and first.json["member"] == member
    twice = client.post(url, json={"member_id": member}, headers=headers)
    assert twice.status_code == 409 and twice.json["code"] == "already_signed_up"
    full = client.post(url, json={"member_id": other}, headers=headers)
    assert full.status_code == 409 and full.json["code"] == "event_full"


def test_bad_sign_up_requests_answer_field_errors_and_404s(loyalty_app, bearer):
    event = _event()
    client, headers = loyalty_app.test_client(), bearer("Marketing")
    url = f"/api/v1/loyalty/events/{event.id}/signups"
    bad = client.post(url, json={"member_id": "x", "channel": 5}, headers=headers)
    assert bad.status_code == 422 and set(bad.json["message"]) == {"channel"}
    bad_member = client.post(url, json={"member_id": "x"}, headers=headers)
    assert bad_member.status_code == 422 and set(bad_member.json["message"]) == {"member_id"}
    channel = client.post(url, json={"member_id": 3, "channel": "fax"}, headers=headers)
    assert channel.status_code == 422 and "channel" in channel.json["message"]
    nobody = client.post(url, json={"member": {"phone": "13700000000"}}, headers=headers)
    assert nobody.status_code == 404 and nobody.json["code"] == "member_not_found"
    missing = client.post("/api/v1/loyalty/events/999999/signups", json={"member_id": 3},
                          headers=headers)
    assert missing.status_code == 404 and missing.json["code"] == "event_not_found"
    not_json = client.post(url, data="x", headers=headers)
    assert not_json.status_code == 400
    assert EventSignup.select().count() == 0


def test_attendance_through_the_api_awards_once_and_replays_the_answer(loyalty_app, bearer):
    member = make_member(PHONE)
    event = _event()
    client, headers = loyalty_app.test_client(), bearer("Marketing")
    client.post(f"/api/v1/loyalty/events/{event.id}/signups", json={"member_id": member},
                headers=headers)
    url = f"/api/v1/loyalty/events/{event.id}/attendance"
    first = client.post(url, json={"member": {"phone": PHONE}}, headers=headers)
    again = client.post(url, json={"member_id": member}, headers=headers)
    assert first.status_code == 201 and first.json["points"] == 300
    assert again.status_code == 200 and again.json["already_checked_in"] is True
    assert again.json["entry"] == first.json["entry"] and balance_of(member) == 300


def test_a_caller_without_the_permission_cannot_check_in(loyalty_app, bearer):
    event = _event()
    answer = loyalty_app.test_client().post(
        f"/api/v1/loyalty/events/{event.id}/attendance", json={"member_id": 1},
        headers=bearer("Auditor"))
    assert answer.status_code in (401, 403)


def test_store_staff_reach_only_their_own_stores_events(loyalty_app):
    from flask_jwt_extended import create_access_token

    from zhanggui.console.scope import UserStore
    from zhanggui.users import create_user

    user = create_user("sh01-desk", "api-Passw0rd-for-tests", role="Store staff")
    UserStore.create(user_id=user.id, store_code="SH01")
    headers = {"Authorization": f"Bearer {create_access_token(identity=str(user.id))}"}
    ours, theirs = _event(store_code="SH01"), _event(store_code="BJ01")
    client = loyalty_app.test_client()
    mine = client.post(f"/api/v1/loyalty/events/{ours.id}/signups", json={"member_id": 4},
                       headers=headers)
    other = client.post(f"/api/v1/loyalty/events/{theirs.id}/signups", json={"member_id": 4},
                        headers=headers)
    assert mine.status_code == 201 and other.status_code == 404


def test_the_event_list_tells_a_member_which_events_they_may_join(loyalty_app, bearer):
    _gold(31)
    open_to_all = _event(capacity=1)
    gold_only = _event(allowed_tiers="GOLD", title="金卡专场")
    _event(title="已结束", starts_at=utcnow() - dt.timedelta(days=3),
           ends_at=utcnow() - dt.timedelta(days=2))
    sign_up(open_to_all.id, 32)
    client, headers = loyalty_app.test_client(), bearer("Call-center agent")
    gold = {e["id"]: e for e in client.get("/api/v1/loyalty/events/?member_id=31",
                                           headers=headers).json["result"]}
    plain = {e["id"]: e for e in client.get("/api/v1/loyalty/events/?member_id=33",
                                            headers=headers).json["result"]}
    assert set(gold) == {open_to_all.id, gold_only.id}
    assert gold[open_to_all.id]["places_left"] == 0 and not gold[open_to_all.id]["may_sign_up"]
    assert gold[gold_only.id]["may_sign_up"] and not plain[gold_only.id]["may_sign_up"]
    bad = client.get("/api/v1/loyalty/events/?member_id=x", headers=headers)
    assert bad.status_code == 422 and "member_id" in bad.json["message"]
