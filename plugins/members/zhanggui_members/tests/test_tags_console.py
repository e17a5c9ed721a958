"""Marketing keeps the tag catalogue; staff tag members by hand on the 360° view."""
from __future__ import annotations

import pytest

from zhanggui.console.audit import AuditEntry

from zhanggui_members.profile.services import register_member
from zhanggui_members.tags.models import MemberTag, Tag, TagGroup
from zhanggui_members.tags.service import create_tag
from zhanggui_members.tests.helpers import make_purchase, make_store
from zhanggui_members.tests.test_merge_console import _client, _csrf


@pytest.fixture
def console_app(make_app):
    app = make_app(plugins=["members"], config={"QUEUE_URL": "immediate://"})
    with app.app_context():
        store = make_store("SH01")
        wang = register_member(name="王秀英", phone="13800138000", home_store=store,
                               gender="female")
        register_member(name="张浩然", phone="13912348000", home_store=store, gender="male")
        make_purchase(wang, store, total="6000.00")
        pref = TagGroup.get(TagGroup.code == "preference")
        create_tag(group=pref, name="喜欢丝巾")
        app.config["ids"] = {"wang": wang.id, "group": pref.id}
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def _form(client, url):
    return _csrf(client.get(url).get_data(as_text=True))


RULE = '{"field": "gender", "op": "=", "value": "female"}'


def test_marketing_adds_a_rule_tag_and_a_bad_rule_gets_a_form_message(console_app):
    marketing = _client(console_app, "mkt", "Marketing")
    group = console_app.config["ids"]["group"]
    token = _form(marketing, "/tagview/add")
    bad = marketing.post("/tagview/add", data={
        "csrf_token": token, "group": group, "name": "女士", "kind": "rule",
        "rule": '{"field": "gender", "op": "~", "value": "female"}', "active": "y"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "op" in html and "~" in html
    with console_app.app_context():
        assert not Tag.select().where(Tag.name == "女士").exists()
    good = marketing.post("/tagview/add", data={
        "csrf_token": token, "group": group, "name": "女士", "kind": "rule", "rule": RULE,
        "active": "y"})
    assert good.status_code == 302
    # the button re-evaluates now (an inline queue here)
    listing = marketing.get("/tagview/list/").get_data(as_text=True)
    assert "zg-evaluate-tags" in listing
    assert marketing.post("/tagview/evaluate/", data={"csrf_token": _csrf(listing)}) \
        .status_code == 302
    with console_app.app_context():
        tag = Tag.get(Tag.name == "女士")
        holders = {m for (m,) in MemberTag.select(MemberTag.member)
                   .where(MemberTag.tag == tag).tuples()}
        assert holders == {console_app.config["ids"]["wang"]} and tag.member_count == 1


def test_staff_tag_a_member_on_the_360_view_and_it_is_audited(console_app):
    wang = console_app.config["ids"]["wang"]
    admin = _client(console_app, "admin", "Head-office admin")
    page = admin.get(f"/memberview/show/{wang}").get_data(as_text=True)
    assert 'data-panel="members.tags"' in page and "喜欢丝巾" in page
    with console_app.app_context():
        tag = Tag.get(Tag.name == "喜欢丝巾")
    added = admin.post(f"/membertagging/add/{wang}", data={"csrf_token": _csrf(page),
                                                          "tag": tag.id})
    assert added.status_code == 302
    page = admin.get(f"/memberview/show/{wang}").get_data(as_text=True)
    assert 'data-tag="喜欢丝巾"' in page and "admin" in page
    with console_app.app_context():
        assignment = MemberTag.get(MemberTag.member == wang)
        assert (assignment.source, assignment.assigned_by_name) == ("manual", "admin")
        assert AuditEntry.select().where((AuditEntry.resource == "members_member")
                                         & (AuditEntry.record_pk == str(wang))
                                         & (AuditEntry.fields == "tags")).count() == 1
    # the directory filters by tag
    listing = admin.get("/memberview/list/?_flt_0_id=喜欢丝巾").get_data(as_text=True)
    assert "王秀英" in listing and "张浩然" not in listing
    removed = admin.post(f"/membertagging/remove/{wang}/{tag.id}",
                         data={"csrf_token": _csrf(page)})
    assert removed.status_code == 302
    with console_app.app_context():
        assert not MemberTag.select().exists()


def test_an_auditor_sees_tags_but_cannot_tag(console_app):
    wang = console_app.config["ids"]["wang"]
    auditor = _client(console_app, "auditor", "Auditor")
    page = auditor.get(f"/memberview/show/{wang}").get_data(as_text=True)
    assert 'data-panel="members.tags"' in page and "membertagging/add" not in page
    with console_app.app_context():
        tag = Tag.get(Tag.name == "喜欢丝巾")
    console_app.config["WTF_CSRF_ENABLED"] = False   # so only the permission can refuse
    response = auditor.post(f"/membertagging/add/{wang}", data={"tag": tag.id})
    assert response.status_code in (302, 403)
    with console_app.app_context():
        assert not MemberTag.select().exists()
    assert auditor.get("/tagview/list/").status_code == 200
    assert auditor.get("/tagview/add").status_code in (302, 403)


def test_the_seeded_tag_groups_are_listed_in_the_users_language(console_app):
    admin = _client(console_app, "admin", "Head-office admin")
    html = admin.get("/taggroupview/list/?lang=zh_CN").get_data(as_text=True)
    assert "demographic" in html and "behaviour" in html
