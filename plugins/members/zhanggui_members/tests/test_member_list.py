"""The member list sorts names the way its reader looks them up, sorts by value group,
RFM, CLV and store, filters value groups by their translated names, and says when a
page is past the end."""
from __future__ import annotations

import re

import pytest

from zhanggui_members.tests.test_segments_console import _client, _segmented

NAMES = ["张伟", "安娜", "白雪", "陈静", "欧阳雨桐"]


@pytest.fixture
def named_app(make_app):
    from zhanggui_members.profile.services import register_member
    from zhanggui_members.tests.helpers import make_store

    app = make_app(plugins=["members"])
    with app.app_context():
        shanghai, beijing = make_store("SH01"), make_store("BJ01")
        for i, name in enumerate(NAMES):
            register_member(name=name, card_no=f"80000{i}",
                            home_store=beijing if name in ("陈静", "张伟") else shanghai)
    return app


def _order(client, query, names=NAMES):
    html = client.get(f"/memberview/list/?{query}").get_data(as_text=True)
    found = re.findall("|".join(names), html)
    return list(dict.fromkeys(found))


def test_names_sort_by_pinyin_in_simplified_and_by_zhuyin_in_traditional_chinese(named_app):
    admin = _client(named_app, "admin", "Head-office admin")
    by = "_oc_MemberView=name&_od_MemberView=asc"
    assert _order(admin, f"{by}&lang=zh_CN") == ["安娜", "白雪", "陈静", "欧阳雨桐", "张伟"]
    assert _order(admin, f"{by}&lang=en") == ["安娜", "白雪", "陈静", "欧阳雨桐", "张伟"]
    # ㄅ白 ㄓ張 ㄔ陳 ㄡ歐 ㄢ安: the bopomofo order
    assert _order(admin, f"{by}&lang=zh_TW") == ["白雪", "张伟", "陈静", "欧阳雨桐", "安娜"]
    assert _order(admin, "_oc_MemberView=name&_od_MemberView=desc&lang=zh_CN") == [
        "张伟", "欧阳雨桐", "陈静", "白雪", "安娜"]


def test_the_list_sorts_by_home_store(named_app):
    admin = _client(named_app, "admin", "Head-office admin")
    first_two = _order(admin, "_oc_MemberView=home_store&_od_MemberView=asc")[:2]
    assert set(first_two) == {"陈静", "张伟"}                         # BJ01 before SH01


def test_a_renamed_member_moves_to_the_new_names_place(named_app):
    from zhanggui_members.profile.models import Member

    with named_app.app_context():
        member = Member.get(Member.name == "张伟")
        member.name = "阿伟"
        member.save()
        assert Member.get_by_id(member.id).name_pinyin == "a1 wei3"
    admin = _client(named_app, "admin", "Head-office admin")
    names = ["阿伟", "安娜", "白雪", "陈静", "欧阳雨桐"]
    assert _order(admin, "_oc_MemberView=name&_od_MemberView=asc&lang=zh_CN", names) == names


@pytest.fixture
def segmented_app(make_app):
    return _segmented(make_app)


def _segment_order(client, query):
    html = client.get(f"/memberview/list/?{query}").get_data(as_text=True)
    return list(dict.fromkeys(re.findall(r"会员\d\d|潜在客户", html)))


def test_value_group_rfm_and_clv_sort_the_list(segmented_app):
    marketing = _client(segmented_app, "mkt", "Marketing")
    by_rfm = _segment_order(marketing, "_oc_MemberView=rfm&_od_MemberView=desc")
    assert by_rfm[:2] == ["会员10", "会员09"] and by_rfm[-1] == "潜在客户"
    by_clv = _segment_order(marketing, "_oc_MemberView=clv&_od_MemberView=asc")
    assert by_clv[0] == "潜在客户" and by_clv[1:] == [f"会员{i:02d}" for i in range(1, 11)]
    by_group = _segment_order(marketing, "_oc_MemberView=value_group&_od_MemberView=desc")
    assert set(by_group[:4]) == {"会员07", "会员08", "会员09", "会员10"}   # high-value loyal
    assert by_group[-1] == "潜在客户"


@pytest.mark.parametrize("written", ["loyal", "高价值忠诚", "高價值忠誠", "High-value loyal",
                                     " high-value LOYAL "])
def test_the_value_group_filter_takes_its_translated_names(segmented_app, written):
    from urllib.parse import quote

    marketing = _client(segmented_app, "mkt", "Marketing")
    assert set(_segment_order(marketing, f"_flt_0_value_group={quote(written)}")) == {
        "会员07", "会员08", "会员09", "会员10"}


def test_the_value_group_filter_is_a_choice_of_translated_labels(segmented_app):
    marketing = _client(segmented_app, "mkt", "Marketing")
    import json

    html = marketing.get("/memberview/list/?lang=zh_TW").get_data(as_text=True)
    # the search form's fields travel to the filter widget as JSON in the page
    option = json.dumps('<option value="loyal">高價值忠誠</option>')[1:-1]
    assert option.replace("<", "\\u003c").replace(">", "\\u003e") in html
    assert _segment_order(marketing, "_flt_0_value_group=no-such-group") == []


def test_a_page_past_the_end_says_so(segmented_app):
    marketing = _client(segmented_app, "mkt", "Marketing")
    html = marketing.get("/memberview/list/?page_MemberView=4&lang=en").get_data(as_text=True)
    assert "Page 5 is past the end of this list: it has 11 row(s) on 1 page(s)." in html
    html = marketing.get("/memberview/list/?page_MemberView=4&lang=zh_CN").get_data(as_text=True)
    assert "第 5 页已超出列表末尾" in html
    html = marketing.get("/memberview/list/?page_MemberView=0&lang=en").get_data(as_text=True)
    assert "past the end" not in html


def test_a_page_holds_at_most_a_hundred_rows(segmented_app):
    from zhanggui_members.profile.models import Member

    with segmented_app.app_context():
        Member.insert_many([{"name": f"顾客{i:03d}", "card_no": f"9{i:05d}"}
                            for i in range(130)]).execute()
    marketing = _client(segmented_app, "mkt", "Marketing")
    html = marketing.get("/memberview/list/?psize_MemberView=100000").get_data(as_text=True)
    assert len(set(re.findall(r"顾客\d{3}|会员\d\d|潜在客户", html))) == 100
    html = marketing.get("/memberview/list/?psize_MemberView=25").get_data(as_text=True)
    assert len(set(re.findall(r"顾客\d{3}|会员\d\d|潜在客户", html))) == 25
