"""Staff see value groups, RFM, CLV and stages in the console; admins recompute them."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from zhanggui.testing import ADMIN_PASSWORD

from zhanggui_members.tests.helpers import make_store

UTC = dt.timezone.utc


def _buy(member, store, pos_id, days_ago, total):
    from zhanggui_members.profile.models import Purchase

    Purchase.create(pos_id=pos_id, store=store, member=member, total=Decimal(total),
                    occurred_at=dt.datetime.now(UTC) - dt.timedelta(days=days_ago))


@pytest.fixture
def segmented_app(make_app):
    return _segmented(make_app)


def _segmented(make_app, config=None):
    """Ten members whose scores rise with their number (member 10 spends most, most
    often, most recently); one never bought; segments computed."""
    from zhanggui_members.profile.models import Member
    from zhanggui_members.segments.recompute import recompute_segments
    from zhanggui_members.profile.services import register_member

    app = make_app(plugins=["members"], config=config)
    with app.app_context():
        store = make_store("SH01")
        for i in range(1, 11):
            member = register_member(name=f"会员{i:02d}", card_no=f"7000{i:02d}",
                                     home_store=store)
            for k in range(i):
                _buy(member, store, f"T{i}-{k}", days_ago=80 - 7 * i + k, total=f"{i}00.00")
        register_member(name="潜在客户", card_no="700099", home_store=store)
        recompute_segments()
        app.ids = {m.name: m.id for m in Member.select()}
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def _client(app, username, role):
    from zhanggui.users import create_user

    with app.app_context():
        create_user(username, ADMIN_PASSWORD, role=role)
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    data = {"username": username, "password": ADMIN_PASSWORD}
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token:
        data["csrf_token"] = token.group(1)
    assert client.post("/login/", data=data).status_code == 302
    return client


def _csrf(html):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_the_360_view_shows_value_group_rfm_clv_and_stage_history(segmented_app):
    admin = _client(segmented_app, "admin", "Head-office admin")
    html = admin.get(f"/memberview/show/{segmented_app.ids['会员10']}?_l_=en",
                     headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-panel="members.segment"' in html
    assert 'data-value-group="loyal"' in html and "High-value loyal" in html
    assert 'data-rfm="555"' in html
    assert "¥30,000.00" in html                      # CLV: 10 × 1,000 × 3 years
    assert 'data-stage="active"' in html
    assert "zg-stage-history" in html                # potential → active, recorded


def test_the_360_view_is_in_chinese_for_a_chinese_user(segmented_app):
    admin = _client(segmented_app, "admin", "Head-office admin")
    html = admin.get(f"/memberview/show/{segmented_app.ids['会员10']}",
                     headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "高价值忠诚" in html and "¥30,000.00" in html


def test_a_member_who_never_bought_has_no_scores_in_the_360_view(segmented_app):
    admin = _client(segmented_app, "admin", "Head-office admin")
    html = admin.get(f"/memberview/show/{segmented_app.ids['潜在客户']}",
                     headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-value-group=""' in html and 'data-stage="potential"' in html
    assert "No scores yet" in html


def test_the_member_list_shows_and_filters_by_value_group_rfm_and_clv(segmented_app):
    marketing = _client(segmented_app, "mkt", "Marketing")
    page = marketing.get("/memberview/list/", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Value group" in html and "555" in html

    def names(query):
        html = marketing.get(f"/memberview/list/?{query}").get_data(as_text=True)
        return set(re.findall(r"会员\d\d|潜在客户", html))

    assert names("_flt_0_value_group=loyal") == {"会员07", "会员08", "会员09", "会员10"}
    assert names("_flt_0_rfm=555") == {"会员09", "会员10"}
    assert names("_flt_0_clv=19000") == {"会员08", "会员09", "会员10"}
    assert names("_flt_0_rfm=not-a-score") == set()


def test_the_dashboard_charts_value_groups_and_stage_moves(segmented_app):
    admin = _client(segmented_app, "admin", "Head-office admin")
    html = admin.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-widget="members.value_groups"' in html
    assert 'data-widget="members.stage_flows"' in html
    assert "chart.umd.min.js" in html
    charts = re.findall(r'<script type="application/json" id="zg-chart-data-\d+">(.*?)</script>',
                        html, re.S)
    import json

    specs = [json.loads(c) for c in charts]
    groups = next(s for s in specs if "High-value loyal" in s["labels"])
    assert groups["datasets"][0]["data"] == [4, 2, 0, 4]   # loyal, growing, winback, ordinary
    assert round(sum(groups["datasets"][1]["data"])) == 100
    assert groups["options"]["locale"] == "en"            # Chart.js formats ticks per locale
    flows = next(s for s in specs if s["datasets"][0]["label"] == "Potential")
    active = next(d for d in flows["datasets"] if d["label"] == "Active")
    assert active["data"][-1] == 10                        # ten moved to active this month


def test_store_staff_do_not_see_the_chain_wide_segment_charts(segmented_app):
    staff = _client(segmented_app, "till", "Store staff")
    html = staff.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-widget="members.value_groups"' not in html
    marketing = _client(segmented_app, "mkt", "Marketing")
    html = marketing.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-widget="members.value_groups"' in html


def test_the_dashboard_numbers_are_localised(segmented_app):
    admin = _client(segmented_app, "admin", "Head-office admin")
    html = admin.get("/", headers={"Accept-Language": "zh-TW"}).get_data(as_text=True)
    assert "高價值忠誠" in html


def test_an_admin_recomputes_from_the_console_and_it_is_audited(segmented_app):
    from zhanggui.console.audit import AuditEntry
    from zhanggui_members.profile.models import Member, Purchase

    with segmented_app.app_context():
        Purchase.delete().where(Purchase.member == segmented_app.ids["会员01"]).execute()
    admin = _client(segmented_app, "admin", "Head-office admin")
    page = admin.get("/member-segments/", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Recompute now" in page.get_data(as_text=True)
    done = admin.post("/member-segments/recompute",
                      data={"csrf_token": _csrf(page.get_data(as_text=True))})
    assert done.status_code == 302
    with segmented_app.app_context():
        assert Member.get_by_id(segmented_app.ids["会员01"]).lifecycle_stage == "potential"
        assert AuditEntry.select().where(AuditEntry.resource == "members_member_score").exists()


def test_marketing_sees_the_overview_but_cannot_recompute(segmented_app):
    from zhanggui_members.profile.models import Member, Purchase

    with segmented_app.app_context():
        Purchase.delete().where(Purchase.member == segmented_app.ids["会员01"]).execute()
    marketing = _client(segmented_app, "mkt", "Marketing")
    page = marketing.get("/member-segments/", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-group="loyal"' in html
    assert "Recompute now" not in html and "/member-segments/recompute" not in html
    segmented_app.config["WTF_CSRF_ENABLED"] = False   # refused for the role, not the token
    refused = marketing.post("/member-segments/recompute")
    assert refused.status_code in (302, 403)
    with segmented_app.app_context():
        assert Member.get_by_id(segmented_app.ids["会员01"]).lifecycle_stage == "active"


def test_the_recompute_command_shows_progress_and_respects_as_of(make_app):
    from zhanggui_members.profile.models import Member

    segmented_app = _segmented(make_app, config={"DEFAULT_LANGUAGE": "en"})
    runner = segmented_app.test_cli_runner()
    later = (dt.datetime.now(UTC) + dt.timedelta(days=400)).date().isoformat()
    result = runner.invoke(args=["members", "segments", "recompute", "--as-of", later])
    assert result.exit_code == 0, result.output
    assert "/s" in result.output and "left" in result.output      # rate and time left
    assert "10 members with purchases, 0 scored, 10 stage changes" in result.output
    with segmented_app.app_context():
        assert Member.get_by_id(segmented_app.ids["会员10"]).lifecycle_stage == "churned"


def test_a_malformed_as_of_date_is_refused_and_changes_nothing(segmented_app):
    from zhanggui_members.segments.models import StageChange

    with segmented_app.app_context():
        before = StageChange.select().count()
    result = segmented_app.test_cli_runner().invoke(
        args=["members", "segments", "recompute", "--as-of", "2026-13-40"])
    assert result.exit_code != 0 and "--as-of" in result.output
    with segmented_app.app_context():
        assert StageChange.select().count() == before


def test_the_daily_job_is_registered_and_runs(segmented_app):
    from zhanggui import enqueue
    from zhanggui_members.profile.models import Member, Purchase

    queue = segmented_app.extensions["zhanggui"].queue
    assert {"members.recompute_segments", "members.recompute_segments_now"} <= set(queue.tasks)
    daily = next(j for j in segmented_app.extensions["zhanggui"].plugins.jobs()
                 if j.name == "members.recompute_segments")
    assert daily.schedule is not None
    with segmented_app.app_context():
        Purchase.delete().where(Purchase.member == segmented_app.ids["会员02"]).execute()
        enqueue("members.recompute_segments_now", None, "job")
        assert Member.get_by_id(segmented_app.ids["会员02"]).lifecycle_stage == "potential"
