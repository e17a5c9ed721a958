"""GET /api/v1/callcenter/screen-pop?phone= answers what the agent needs about a caller,
gathered from the members and loyalty plugins through hooks."""
from zhanggui_callcenter.tests.conftest import Connector, api_key


def test_the_pop_shows_member_tier_points_purchases_and_consent(cc_app, pbx, member):
    from zhanggui_loyalty.models import MemberBalance, MemberTier, Tier
    from zhanggui_members.consent.service import record_consent, ensure_texts  # noqa: F401

    with cc_app.app_context():
        gold = Tier.create(code="gold", name="金卡", rank=2)
        MemberTier.create(member_id=member, tier=gold)
        MemberBalance.create(member_id=member, balance=3400, pending=120)
    body = pbx.get("/api/v1/callcenter/screen-pop?phone=%2B86%20138%200013%208000").get_json()
    assert body["member_id"] == member and body["phone"] == "+8613800138000"
    assert body["member"]["name"] == "王芳" and body["member"]["phone"] == "138****8000"
    assert body["member"]["home_store"]["code"] == "SH01"
    assert body["loyalty"] == {"tier": {"code": "gold", "name": "金卡", "rank": 2},
                               "balance": 3400, "pending": 120}
    [purchase] = body["purchases"]
    assert purchase["store"] == "SH01" and purchase["counters"] == ["SH01-COS01"]
    assert purchase["total"] == "1299.00" and purchase["returnable"] is True
    assert body["consent"] == {} and body["open_tickets"] == []


def test_an_unknown_number_pops_without_a_member(cc_app, pbx):
    body = pbx.get("/api/v1/callcenter/screen-pop?phone=13912345678").get_json()
    assert body["member_id"] is None and body["member"] is None and body["purchases"] == []


def test_a_bad_number_is_a_422_with_a_field_message(cc_app, pbx):
    for phone in ("", "abc", "%2B1%20415%20555%200100", "1" * 500, "%00"):
        response = pbx.get(f"/api/v1/callcenter/screen-pop?phone={phone}")
        assert response.status_code == 422, phone
        assert "phone" in response.get_json()["message"]


def test_agents_may_look_callers_up_and_store_staff_may_not(cc_app, member):
    agent = Connector(cc_app, api_key(cc_app, "agent-1", "Call-center agent"))
    staff = Connector(cc_app, api_key(cc_app, "staff-1", "Store staff"))
    assert agent.get("/api/v1/callcenter/screen-pop?phone=13800138000").status_code == 200
    assert staff.get("/api/v1/callcenter/screen-pop?phone=13800138000").status_code == 403


def test_every_plugin_answers_zhanggui_member_summary_with_its_own_sections(cc_app, member):
    from zhanggui import plugins

    with cc_app.app_context():
        answers = plugins().pm.hook.zhanggui_member_summary(member_id=member)
        sections = sorted(key for answer in answers for key in (answer or {}))
        assert sections == ["consent", "member", "purchases"]   # no tier or points yet
        assert plugins().pm.hook.zhanggui_member_summary(member_id=999999) in ([{}, {}], [{}])
