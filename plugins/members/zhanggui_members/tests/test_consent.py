"""Marketing consent per channel: given with its text version, withdrawn in one call,
guarded for children, announced to other plugins, kept as proof through erasure."""
import datetime as dt

import pytest

from zhanggui import plugins, write_transaction

from zhanggui_members.consent.models import ConsentRecord, ConsentState, GuardianConsent
from zhanggui_members.consent.service import (ConsentError, consent_history, consent_states,
                                              consenting_member_ids, ensure_texts, fold_consents,
                                              record_consent, record_guardian_consent, withdraw_all)
from zhanggui_members.profile.models import Member
from zhanggui_members.profile.services import register_member
from zhanggui_members.tests.conftest import PosClient, api_token
from zhanggui_members.tests.helpers import all_member_rows

LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)


def _texts():
    ensure_texts([(c, "v1", "我同意", "我同意", "I agree", LONG_AGO)
                  for c in ("sms", "email", "phone", "app_push")])
    ensure_texts([("sms", "v2", "我同意（新）", "我同意（新）", "I agree (new)", LONG_AGO)])


def _child_birthday():
    today = dt.date.today()
    return dt.date(today.year - 13, 1, 1)


@pytest.fixture
def consent_app(make_app, make_plugin):
    calls = []
    listener = make_plugin("campaign_listener", requires=("members",),
                           zhanggui_consent_changed=lambda member_id, channel, granted:
                           calls.append((member_id, channel, granted)))
    app = make_app(plugins=["members"], extra_plugins=[listener])
    app.consent_calls = calls
    with app.app_context():
        _texts()
        app.adult_id = register_member(name="王秀英", phone="13800138000").id
        app.child_id = register_member(name="李小明", phone="13900139000",
                                       birthday=_child_birthday()).id
    return app


@pytest.fixture
def api(consent_app):
    return PosClient(consent_app, api_token(consent_app, "pos-sh01", "POS terminal"))


def test_a_till_records_sms_consent_and_a_withdrawal_and_both_stay_in_the_history(api,
                                                                                  consent_app):
    member = consent_app.adult_id
    url = f"/api/v1/members/{member}/consents"
    given = api.post(url, {"channel": "sms", "granted": True, "source": "pos",
                           "text_version": "v2"})
    assert given.status_code == 201, given.get_json()
    assert given.get_json()["consents"]["sms"]["granted"] is True
    assert given.get_json()["record"]["recorded_by"] == "pos-sh01"
    withdrawn = api.post(url, {"channel": "sms", "granted": False, "source": "pos",
                               "text_version": "v2"})
    assert withdrawn.status_code == 201
    body = api.get(url).get_json()
    assert body["consents"]["sms"]["granted"] is False
    assert body["consents"]["email"] is None
    assert [(r["channel"], r["granted"], r["text_version"]) for r in body["history"]] == [
        ("sms", False, "v2"), ("sms", True, "v2")]
    assert consent_app.consent_calls == [(member, "sms", True), (member, "sms", False)]


@pytest.mark.parametrize("body, field", [
    ({"channel": "fax", "granted": True, "source": "pos", "text_version": "v1"}, "channel"),
    ({"channel": "sms", "granted": "yes", "source": "pos", "text_version": "v1"}, "granted"),
    ({"channel": "sms", "granted": True, "source": "street", "text_version": "v1"}, "source"),
    ({"channel": "sms", "granted": True, "source": "pos"}, "text_version"),
    ({"channel": "email", "granted": True, "source": "pos", "text_version": "v9"},
     "text_version"),
])
def test_a_consent_that_does_not_hold_is_refused_with_a_field_message(api, consent_app, body,
                                                                      field):
    response = api.post(f"/api/v1/members/{consent_app.adult_id}/consents", body)
    assert response.status_code == 422
    assert list(response.get_json()["message"]) == [field]
    with consent_app.app_context():
        assert ConsentRecord.select().count() == 0


def test_an_unknown_member_answers_404(api):
    response = api.post("/api/v1/members/999999/consents",
                        {"channel": "sms", "granted": False, "source": "pos"})
    assert response.status_code == 404


def test_a_child_needs_a_guardians_consent_before_any_marketing_consent(api, consent_app):
    child = consent_app.child_id
    url = f"/api/v1/members/{child}/consents?lang=en"
    grant = {"channel": "sms", "granted": True, "source": "store", "text_version": "v1"}
    refused = api.post(url, grant)
    assert refused.status_code == 422
    assert "guardian" in refused.get_json()["message"]["granted"][0]
    # withdrawing needs no guardian
    assert api.post(url, {"channel": "sms", "granted": False, "source": "store"}) \
        .status_code == 201
    missing = api.post(f"/api/v1/members/{child}/guardian-consent",
                       {"guardian_name": "", "relation": "母亲", "source": "store"})
    assert missing.status_code == 422 and "guardian_name" in missing.get_json()["message"]
    guardian = api.post(f"/api/v1/members/{child}/guardian-consent",
                        {"guardian_name": "李娜", "relation": "母亲", "source": "store"})
    assert guardian.status_code == 201
    assert api.post(url, grant).status_code == 201


def test_a_child_is_judged_by_age_on_the_day_of_recording(consent_app):
    """Fourteen today is old enough; fourteen tomorrow is not."""
    at = dt.datetime(2026, 6, 15, 12, tzinfo=dt.timezone.utc)
    with consent_app.app_context():
        fourteen_today = register_member(name="赵一", phone="13700000001",
                                         birthday=dt.date(2012, 6, 15))
        fourteen_tomorrow = register_member(name="赵二", phone="13700000002",
                                            birthday=dt.date(2012, 6, 16))
        record_consent(fourteen_today.id, "sms", True, "store", "v1", at=at)
        with pytest.raises(ConsentError) as refused:
            record_consent(fourteen_tomorrow.id, "sms", True, "store", "v1", at=at)
        assert list(refused.value.messages) == ["granted"]
        assert consent_states(fourteen_tomorrow.id)["sms"] is None


def test_withdraw_all_marketing_is_one_call_and_tells_only_about_real_changes(api,
                                                                               consent_app):
    member = consent_app.adult_id
    for channel in ("sms", "email"):
        api.post(f"/api/v1/members/{member}/consents",
                 {"channel": channel, "granted": True, "source": "app", "text_version": "v1"})
    consent_app.consent_calls.clear()
    response = api.post(f"/api/v1/members/{member}/consents/withdraw-all",
                        {"source": "callcenter"})
    assert response.status_code == 201
    states = response.get_json()["consents"]
    assert all(state["granted"] is False for state in states.values())
    assert sorted(consent_app.consent_calls) == [(member, "email", False),
                                                 (member, "sms", False)]
    assert api.post(f"/api/v1/members/{member}/consents/withdraw-all",
                    {"source": "nowhere"}).status_code == 422


def test_a_listener_that_raises_rolls_the_consent_back(make_app, make_plugin):
    def refuse(member_id, channel, granted):
        raise RuntimeError("campaign queue unavailable")

    app = make_app(plugins=["members"], extra_plugins=[
        make_plugin("broken", requires=("members",), zhanggui_consent_changed=refuse)])
    with app.app_context():
        _texts()
        member = register_member(name="王秀英", phone="13800138000")
        with pytest.raises(RuntimeError):
            record_consent(member.id, "sms", True, "store", "v1")
        assert ConsentRecord.select().count() == 0 and ConsentState.select().count() == 0


def test_the_current_state_is_the_latest_record_and_feeds_campaign_audiences(consent_app):
    with consent_app.app_context():
        adult, child = consent_app.adult_id, consent_app.child_id
        record_consent(adult, "email", True, "app", "v1")
        record_guardian_consent(child, "李娜", "母亲", "store")
        record_consent(child, "email", True, "store", "v1")
        record_consent(child, "email", False, "app")
        audience = {row.member_id for row in consenting_member_ids("email")}
        assert audience == {adult}
        states = consent_states(child)
        assert states["email"].granted is False and states["sms"] is None
        latest = consent_history(child)[0]
        assert states["email"].record_id == latest.id


def test_erasure_keeps_the_consent_proof_but_withdraws_and_forgets_the_guardian(consent_app):
    with consent_app.app_context():
        child = consent_app.child_id
        record_guardian_consent(child, "欧阳娜娜", "母亲", "store")
        record_consent(child, "sms", True, "store", "v1")
        sections = {s.name: s for s in plugins().export_member(child)}
        assert [r["channel"] for r in sections["members.consents"].rows] == ["sms"]
        assert sections["members.guardian_consents"].rows[0]["guardian_name"] == "欧阳娜娜"
        consent_app.consent_calls.clear()
        with write_transaction():
            plugins().erase_member(child)
        assert "欧阳娜娜" not in all_member_rows()
        assert GuardianConsent.get(GuardianConsent.member == child).relation == "母亲"
        history = consent_history(child)
        assert [(r.granted, r.source) for r in history] == [(False, "erasure"),
                                                            (True, "store")]
        assert consent_app.consent_calls == [(child, "sms", False)]


def test_a_merge_moves_the_history_and_the_target_keeps_its_own_answers(consent_app):
    with consent_app.app_context():
        source, target = consent_app.adult_id, consent_app.child_id
        record_consent(source, "sms", True, "store", "v1")
        record_consent(target, "sms", False, "app")
        fold_consents(source, target)
        assert ConsentRecord.select().where(ConsentRecord.member == source).count() == 0
        assert len(consent_history(target)) == 2
        assert consent_states(target)["sms"].granted is False
        assert ConsentState.select().where(ConsentState.member == source).count() == 0


def test_demo_members_get_consent_records_and_states_that_agree(members_app):
    from zhanggui import DemoContext

    ctx = DemoContext(seed=11, members=400, purchases=2000, quiet=True)
    members_app.extensions["zhanggui"].plugins.demo_data(ctx)
    states = list(ConsentState.select())
    assert len(states) > 400                     # most members answered for a channel
    latest = {}
    for record in ConsentRecord.select().order_by(ConsentRecord.recorded_at, ConsentRecord.id):
        latest[record.member_id, record.channel] = record
    assert {(s.member_id, s.channel): (s.granted, s.record_id) for s in states} == {
        key: (r.granted, r.id) for key, r in latest.items()}
    assert any(not s.granted for s in states)    # some withdrew later
    grants = [r for r in latest.values() if r.granted]
    assert all(r.text_version in ("v1", "v2") for r in grants)
    assert ConsentRecord.select().count() in ctx.created.values()


def test_the_consent_api_is_in_the_openapi_document(consent_app):
    admin = PosClient(consent_app, api_token(consent_app, "admin", "Head-office admin"))
    paths = admin.get("/api/v1/_openapi").get_json()["paths"]
    assert {"/api/v1/members/{member_id}/consents",
            "/api/v1/members/{member_id}/consents/withdraw-all",
            "/api/v1/members/{member_id}/guardian-consent"} <= set(paths)
