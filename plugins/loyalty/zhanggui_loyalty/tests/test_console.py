"""The loyalty console: rule, tier and event editors, preview, ledger, adjustment, chart."""
from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from decimal import Decimal

import pytest

from zhanggui import utcnow
from zhanggui.console.audit import AuditEntry
from zhanggui.testing import _csrf_token
from zhanggui_loyalty.ledger.postings import check_member
from zhanggui_loyalty.models import (EarningRule, EventSignup, MemberEvent, PointsLedgerEntry,
                                     Tier)

from .helpers import balance_of, emit_purchase, make_member, purchase

NEEDS_SECURITY = True
PASSWORD = "Console-Passw0rd-for-tests"


@pytest.fixture
def console(loyalty_app):
    """``console(role)``: a test client signed in through the login form as a new user."""
    from zhanggui.users import create_user

    def factory(role="Head-office admin"):
        name = f"u-{uuid.uuid4().hex[:10]}"
        create_user(name, PASSWORD, role=role)
        client = loyalty_app.test_client()
        page = client.get("/login/")
        answer = client.post("/login/", data={"username": name, "password": PASSWORD,
                                              "csrf_token": _csrf_token(page.get_data(as_text=True))})
        assert answer.status_code == 302
        return client

    return factory


def _post_form(client, url, data, follow=False):
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    data = dict(data, csrf_token=_csrf_token(page.get_data(as_text=True)))
    return client.post(url, data=data, follow_redirects=follow)


def _rule_form(**overrides):
    data = {"code": "BASE2", "name": "另一条基础积分", "kind": "base", "sequence": "20",
            "active": "y", "points_per_unit": "1", "unit_amount": "1.00", "min_spend": "0.00",
            "excluded_categories": "", "excluded_payment_methods": "gift_card",
            "match_values": "", "multiplier": "1", "birthday_scope": "day"}
    data.update(overrides)
    return data


def test_a_second_base_rule_on_overlapping_dates_is_refused_with_a_form_message(loyalty_app, console):
    client = console()
    answer = _post_form(client, "/earningruleview/add", _rule_form(starts_on="2026-01-01"))
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "BASE" in text
    assert "text-danger" in text or "help-block" in text
    assert not EarningRule.select().where(EarningRule.code == "BASE2").exists()


def test_a_negative_multiplier_is_refused_and_nothing_is_saved(loyalty_app, console):
    client = console("Marketing")
    answer = _post_form(client, "/earningruleview/add?lang=en", _rule_form(
        code="X-1", kind="multiplier", match_field="category", match_values="服装",
        multiplier="-2"))
    assert answer.status_code == 200
    assert "Must not be negative." in answer.get_data(as_text=True)
    assert not EarningRule.select().where(EarningRule.code == "X-1").exists()


def test_a_valid_multiplier_rule_is_saved_by_marketing(loyalty_app, console):
    client = console("Marketing")
    answer = _post_form(client, "/earningruleview/add", _rule_form(
        code="X2", kind="multiplier", match_field="category", match_values="化妆品",
        multiplier="2"))
    assert answer.status_code == 302
    assert EarningRule.get(EarningRule.code == "X2").multiplier == Decimal("2")


def test_an_unknown_category_is_refused_when_a_plugin_knows_the_categories(loyalty_app, console,
                                                                           make_plugin):
    host = loyalty_app.extensions["zhanggui"].plugins
    host.pm.register(make_plugin("catalog", zhanggui_product_categories=lambda: ["服装", "化妆品"]),
                     name="catalog")
    host.order.append("catalog")
    host._callers.clear()
    try:
        client = console()
        answer = _post_form(client, "/earningruleview/add?lang=en", _rule_form(
            code="X3", kind="multiplier", match_field="category", match_values="服装,家电",
            multiplier="2"))
        assert "Unknown category: 家电." in answer.get_data(as_text=True)
        assert not EarningRule.select().where(EarningRule.code == "X3").exists()
    finally:
        host.pm.unregister(name="catalog")
        host.order.remove("catalog")
        host._callers.clear()


def _tier_form(**overrides):
    data = {"code": "GOLD", "name": "金卡", "rank": "2", "active": "y", "qualify_by": "spend",
            "threshold": "5000.00", "window_days": "365", "downgrade_policy": "none",
            "inactivity_days": "365", "points_multiplier": "1.5", "parking_hours": "2"}
    data.update(overrides)
    return data


def test_a_tier_threshold_below_the_tier_beneath_is_refused(loyalty_app, console):
    Tier.create(code="SILVER", name="银卡", rank=1, threshold=Decimal("2000.00"))
    client = console()
    low = _post_form(client, "/tierview/add?lang=en", _tier_form(threshold="1000.00"))
    assert "must be above that of the tier below" in low.get_data(as_text=True)
    assert not Tier.select().where(Tier.code == "GOLD").exists()
    ok = _post_form(client, "/tierview/add", _tier_form())
    assert ok.status_code == 302 and Tier.get(Tier.code == "GOLD").parking_hours == 2


def test_the_preview_shows_each_step_and_the_points_a_basket_earns(loyalty_app, console):
    Tier.create(code="GOLD", name="金卡", rank=1, threshold=Decimal("0"),
                points_multiplier=Decimal("2"))
    EarningRule.create(code="COSM3", name="化妆品三倍", kind="multiplier", match_field="category",
                       match_values="化妆品", multiplier=Decimal("3"))
    client = console("Store staff")
    answer = _post_form(client, "/loyalty/preview/?lang=en", {
        "store": "SH01", "tier": "GOLD",
        "lines": "化妆品, C01, SKU1, 100.00\n服装, C02, SKU2, 50.00",
        "payments": "wechat_pay, 150.00"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200
    # 100 × 3 × 2 + 50 × 1 × 2
    assert "This basket earns 700 points" in text
    assert "COSM3" in text and "BASE" in text


def test_a_bad_preview_line_is_named(loyalty_app, console):
    client = console("Store staff")
    answer = _post_form(client, "/loyalty/preview/?lang=en", {"lines": "服装, C01, SKU1, abc"})
    text = answer.get_data(as_text=True)
    assert "Line 1, amount" in text and "This basket earns" not in text


def test_the_ledger_lists_a_members_entries_filtered_by_kind(loyalty_app, console):
    one, two = make_member("13800138001"), make_member("13800138002")
    emit_purchase(purchase(one, "88.00"))
    emit_purchase(purchase(two, "77.00"))
    client = console("Marketing")
    page = client.get(f"/pointsledgerview/list/?_flt_0_member_id={one}&_flt_0_kind=earn")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert ">88<" in text.replace(" ", "") and ">77<" not in text.replace(" ", "")


def test_store_staff_cannot_adjust_points(loyalty_app, console):
    client = console("Store staff")
    assert client.get("/loyalty/adjustments/add").status_code in (302, 403)


def test_an_adjustment_goes_through_the_ledger_once_and_is_audited(loyalty_app, console):
    member = make_member("13800138003")
    client = console()
    page = client.get("/loyalty/adjustments/add")
    html = page.get_data(as_text=True)
    request_id = re.search(r'name="request_id"[^>]*value="([0-9a-f]+)"', html) or \
        re.search(r'value="([0-9a-f]+)"[^>]*name="request_id"', html)
    data = {"csrf_token": _csrf_token(html), "request_id": request_id.group(1),
            "phone": "13800138003", "points": "150", "reason": "开卡礼补发"}
    first = client.post("/loyalty/adjustments/add", data=data)
    again = client.post("/loyalty/adjustments/add", data=data)
    assert first.status_code == 302 and again.status_code == 302
    assert balance_of(member) == 150 and check_member(member).ok
    entry = PointsLedgerEntry.get(PointsLedgerEntry.member_id == member)
    assert entry.kind == "adjust" and entry.reason == "开卡礼补发" and entry.created_by
    audits = AuditEntry.select().where((AuditEntry.resource == "loyalty_ledger_entry") &
                                       (AuditEntry.record_pk == str(entry.id)))
    assert [a.action for a in audits] == ["create"]


def test_an_adjustment_without_a_reason_or_beyond_the_balance_writes_nothing(loyalty_app, console):
    member = make_member("13800138004")
    client = console()
    no_reason = _post_form(client, "/loyalty/adjustments/add?lang=en",
                           {"phone": "13800138004", "points": "10", "reason": ""})
    too_much = _post_form(client, "/loyalty/adjustments/add?lang=en",
                          {"phone": "13800138004", "points": "-10", "reason": "误操作"})
    assert no_reason.status_code == 200 and too_much.status_code == 200
    assert "Not enough points" in too_much.get_data(as_text=True)
    assert PointsLedgerEntry.select().where(PointsLedgerEntry.member_id == member).count() == 0


def test_the_dashboard_charts_points_per_month_in_the_users_language(loyalty_app, console):
    member = make_member("13800138005")
    emit_purchase(purchase(member, "1234.00"))
    client = console()
    page = client.get("/?lang=zh_CN")
    text = page.get_data(as_text=True)
    assert 'data-widget="loyalty.points_by_month"' in text
    spec = json.loads(re.search(r'<script type="application/json" id="zg-chart-data-\d+">(.*?)'
                                r'</script>', text[text.index("loyalty.points_by_month"):],
                                re.S).group(1))
    assert spec["datasets"][0]["data"][-1] == 1234
    assert spec["options"]["locale"] == "zh-CN" and "月" in spec["labels"][-1]
    assert "1,234" in text


def _event_form(**overrides):
    start = (utcnow() + dt.timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S")
    end = (utcnow() + dt.timedelta(days=3, hours=2)).strftime("%Y-%m-%d %H:%M:%S")
    data = {"title": "金卡会员品鉴会", "store_code": "SH01", "starts_at": start, "ends_at": end,
            "capacity": "20", "allowed_tiers": "GOLD", "attendance_points": "200",
            "active": "y"}
    data.update(overrides)
    return data


def test_an_event_for_an_unknown_tier_or_ending_before_it_starts_is_refused(loyalty_app, console):
    client = console("Marketing")
    answer = _post_form(client, "/membereventview/add?lang=en", _event_form(
        allowed_tiers="PLATINUM", ends_at="2020-01-01 00:00:00"))
    text = answer.get_data(as_text=True)
    assert "Unknown tier: PLATINUM." in text and "must end after it starts" in text
    assert MemberEvent.select().count() == 0


def test_staff_sign_a_member_up_and_check_them_in_from_the_console(loyalty_app, console):
    member = make_member("13800138006")
    event = MemberEvent.create(title="亲子烘焙", store_code=None,
                               starts_at=utcnow() - dt.timedelta(minutes=30),
                               ends_at=utcnow() + dt.timedelta(hours=2), capacity=5,
                               attendance_points=50)
    client = console("Marketing")
    show = client.get(f"/membereventview/show/{event.id}").get_data(as_text=True)
    assert "sign_up" in show
    go = client.post("/membereventview/action_post", data={
        "action": "sign_up", "rowid": [str(event.id)], "csrf_token": _csrf_token(show)})
    assert go.status_code == 302 and go.location.endswith(f"/loyalty/events/{event.id}/signup")
    signed = _post_form(client, f"/loyalty/events/{event.id}/signup",
                        {"phone": "13800138006", "channel": "console"})
    assert signed.status_code == 302
    signup = EventSignup.get(EventSignup.member_id == member)
    listing = client.get("/eventsignupview/list/")
    token = _csrf_token(listing.get_data(as_text=True))
    for _ in range(2):
        client.post("/eventsignupview/action_post",
                    data={"action": "check_in", "rowid": [str(signup.id)], "csrf_token": token})
    assert balance_of(member) == 50
    assert EventSignup.get_by_id(signup.id).attended_at is not None


def test_the_360_view_shows_formatted_points_benefits_progress_and_expiring_points(loyalty_app,
                                                                                  console):
    from zhanggui_loyalty.models import LoyaltySettings

    Tier.create(code="SILVER", name="银卡", rank=1, threshold=Decimal("1000.00"),
                parking_hours=2, priority_service=True)
    Tier.create(code="GOLD", name="金卡", rank=2, threshold=Decimal("5000.00"))
    LoyaltySettings.update(expiry_policy="after_days", expiry_period=20).execute()
    member = make_member("13800138007")
    emit_purchase(purchase(member, "1200.00"))
    text = console().get(f"/memberview/show/{member}?lang=en").get_data(as_text=True)
    assert "1,200" in text and "银卡" in text and "Free parking hours" in text
    assert "金卡" in text and "¥3,800.00 to go" in text
    assert f"_flt_0_member_id={member}" in text and "Adjust points" in text


def test_the_program_settings_refuse_a_negative_return_window_and_an_unknown_time_zone(
        loyalty_app, console):
    from zhanggui_loyalty.models import LoyaltySettings

    client = console()
    answer = _post_form(client, "/loyaltysettingsview/edit/1?lang=en", {
        "pending_days": "-1", "expiry_policy": "year_end", "expiry_period": "1",
        "expiry_notice_days": "30", "refund_policy": "negative", "timezone": "Mars/Olympus"})
    text = answer.get_data(as_text=True)
    assert "Must not be negative." in text and "Unknown time zone" in text
    assert LoyaltySettings.get_by_id(1).pending_days == 0
    ok = _post_form(client, "/loyaltysettingsview/edit/1", {
        "pending_days": "7", "expiry_policy": "after_days", "expiry_period": "365",
        "expiry_notice_days": "30", "refund_policy": "review", "timezone": "Asia/Taipei"})
    assert ok.status_code == 302 and LoyaltySettings.get_by_id(1).pending_days == 7
    assert console("Marketing").get("/loyaltysettingsview/edit/1").status_code in (302, 403)


def test_a_store_manager_reads_only_the_ledger_of_their_stores(loyalty_app):
    from zhanggui.console.scope import UserStore
    from zhanggui.users import create_user

    member = make_member("13800138008")
    emit_purchase(purchase(member, "61.00", store="SH01"))
    emit_purchase(purchase(member, "62.00", store="BJ01"))
    user = create_user("sh01-manager", PASSWORD, role="Store manager")
    UserStore.create(user_id=user.id, store_code="SH01")
    client = loyalty_app.test_client()
    page = client.get("/login/")
    client.post("/login/", data={"username": "sh01-manager", "password": PASSWORD,
                                 "csrf_token": _csrf_token(page.get_data(as_text=True))})
    text = client.get("/pointsledgerview/list/").get_data(as_text=True).replace(" ", "")
    assert ">61<" in text and ">62<" not in text
    other = PointsLedgerEntry.get(PointsLedgerEntry.store_code == "BJ01")
    assert client.get(f"/pointsledgerview/show/{other.id}").status_code == 404


def test_an_adjustment_by_member_number_needs_a_member_loyalty_knows(loyalty_app, console):
    member = make_member("13800138009")
    emit_purchase(purchase(member, "10.00"))
    client = console()
    page = client.get(f"/loyalty/adjustments/add?member_id={member}")
    assert f'value="{member}"' in page.get_data(as_text=True)
    done = _post_form(client, f"/loyalty/adjustments/add?member_id={member}",
                      {"member_id": str(member), "points": "-10", "reason": "重复积分冲正"})
    stranger = _post_form(client, "/loyalty/adjustments/add?lang=en",
                          {"member_id": "987654", "points": "10", "reason": "测试"})
    assert done.status_code == 302 and balance_of(member) == 0
    assert "No member with this number" in stranger.get_data(as_text=True)
    assert balance_of(987654) == 0


def test_every_loyalty_screen_answers_every_default_role_without_an_error(loyalty_app, console):
    from zhanggui.console.security import DEFAULT_ROLES

    member = make_member("13800138010")
    emit_purchase(purchase(member, "100.00"))
    event = MemberEvent.create(title="会员日", store_code="SH01", starts_at=utcnow(),
                               ends_at=utcnow() + dt.timedelta(hours=1), capacity=3)
    signup = EventSignup.create(event=event, member_id=member)
    entry = PointsLedgerEntry.get()
    rule, tier = EarningRule.get(), Tier.create(code="S", name="银卡", rank=1)
    urls = ["/earningruleview/list/", f"/earningruleview/show/{rule.id}",
            f"/earningruleview/edit/{rule.id}", "/earningruleview/add", "/tierview/list/",
            f"/tierview/show/{tier.id}", "/tierview/add", "/pointsledgerview/list/",
            f"/pointsledgerview/show/{entry.id}", "/loyalty/preview/",
            "/loyalty/adjustments/add", "/membereventview/list/",
            f"/membereventview/show/{event.id}", "/membereventview/add",
            "/eventsignupview/list/", f"/eventsignupview/show/{signup.id}",
            f"/loyalty/events/{event.id}/signup", "/loyaltysettingsview/list/",
            "/loyaltysettingsview/edit/1", "/"]
    seen = {}
    for role in DEFAULT_ROLES:
        client = console(role)
        for url in urls:
            status = client.get(url).status_code
            assert status in (200, 302, 403, 404), (role, url, status)
            seen[role, url] = status
    assert seen["Head-office admin", "/loyalty/adjustments/add"] == 200
    assert seen["Marketing", "/earningruleview/add"] == 200
    assert seen["Auditor", "/earningruleview/add"] != 200
    assert seen["Store staff", "/pointsledgerview/list/"] != 200
    assert seen["Store manager", "/pointsledgerview/list/"] == 200


def test_the_chart_reads_the_monthly_cache_that_the_refresh_job_keeps(loyalty_app):
    from zhanggui_loyalty import jobs
    from zhanggui_loyalty.console.dashboard import cached_points
    from zhanggui_loyalty.models import PointsMonth

    member = make_member("13800138011")
    emit_purchase(purchase(member, "300.00"))
    assert jobs.refresh_points_chart_year() == 12 and PointsMonth.select().count() == 12
    emit_purchase(purchase(member, "200.00"))
    assert cached_points()[-1][1] == 300           # up to ten minutes old
    jobs.refresh_points_chart()
    assert cached_points()[-1][1] == 500


def test_one_adjustment_submitted_by_many_at_once_is_written_and_audited_once(loyalty_app):
    import threading

    from zhanggui_loyalty.ledger.adjustments import adjust_with_audit

    if not loyalty_app.config["LOYALTY_TEST_URL"].startswith("postgres"):
        pytest.skip("row locks under real concurrency: PostgreSQL")
    db = loyalty_app.extensions["zhanggui"].db
    barrier, answers = threading.Barrier(12), []

    def submit():
        with loyalty_app.app_context():
            db.connect(reuse_if_open=True)
            try:
                barrier.wait()
                answers.append(adjust_with_audit("form-1", 77, 40, "活动补偿").body["entry"])
            finally:
                db.close()

    threads = [threading.Thread(target=submit) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(answers)) == 1 and balance_of(77) == 40
    audits = AuditEntry.select().where((AuditEntry.resource == "loyalty_ledger_entry") &
                                       (AuditEntry.record_pk == str(answers[0])))
    assert audits.count() == 1


def test_the_ledger_filters_by_source_store_and_date_range(loyalty_app, console):
    member = make_member("13800138012")
    emit_purchase(purchase(member, "71.00", store="SH01",
                           when=utcnow() - dt.timedelta(days=40)))
    emit_purchase(purchase(member, "72.00", store="BJ01"))
    client = console("Auditor")

    def amounts(query):
        text = client.get(f"/pointsledgerview/list/?{query}").get_data(as_text=True)
        return {n for n in ("71", "72") if f">{n}<" in text.replace(" ", "")}

    since = (utcnow() - dt.timedelta(days=10)).strftime("%Y-%m-%d %H:%M:%S")
    assert amounts("_flt_0_source_type=purchase") == {"71", "72"}
    assert amounts("_flt_0_store_code=BJ01") == {"72"}
    assert amounts(f"_flt_1_occurred_at={since}") == {"72"}
    assert amounts(f"_flt_2_occurred_at={since}") == {"71"}


def test_an_event_with_check_ins_cannot_be_deleted(loyalty_app, console):
    event = MemberEvent.create(title="品鉴会", store_code="SH01", capacity=5,
                               starts_at=utcnow() - dt.timedelta(hours=1),
                               ends_at=utcnow() + dt.timedelta(hours=1), attendance_points=10)
    EventSignup.create(event=event, member_id=5, attended_at=utcnow())
    client = console("Marketing")
    page = client.get(f"/membereventview/show/{event.id}")
    client.post(f"/membereventview/delete/{event.id}",
                data={"csrf_token": _csrf_token(page.get_data(as_text=True))})
    assert MemberEvent.select().where(MemberEvent.id == event.id).exists()
    empty = MemberEvent.create(title="取消的活动", store_code="SH01", capacity=5,
                               starts_at=utcnow(), ends_at=utcnow() + dt.timedelta(hours=1))
    client.post(f"/membereventview/delete/{empty.id}",
                data={"csrf_token": _csrf_token(page.get_data(as_text=True))})
    assert not MemberEvent.select().where(MemberEvent.id == empty.id).exists()
