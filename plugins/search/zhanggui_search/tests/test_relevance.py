"""What staff type finds what they mean, on both backends (the same tests)."""
from __future__ import annotations

import pytest

from zhanggui_search.queue.reindex import reindex

from .helpers import keys, member, store, ticket


@pytest.fixture
def chain(search_app):
    sh = store("SH01", "南京东路店")
    people = {
        "zhangwei": member("张伟", phone="13800138000", card="8800001234", home=sh),
        "zhangwei2": member("張偉明", phone="13911112222", card="8800005678", home=sh),
        "wangfang": member("王芳", phone="13700005555", card="VIP-0042", home=sh),
        "li": member("李娜", phone="13600001234", home=sh),
    }
    tickets = {
        "quality": ticket("面霜质量问题投诉", "顾客投诉购买的面霜有质量问题，要求退货", "SH01"),
        "delivery": ticket("配送延误", "快递三天没有送到", "SH01"),
        "iphone": ticket("iPhone 15 退货", "顾客要求 iPhone 退货退款", "SH01"),
    }
    reindex()
    return {"m": {k: f"members.members:{v.id}" for k, v in people.items()},
            "t": {k: f"callcenter.tickets:{v.id}" for k, v in tickets.items()}}


def test_a_name_is_found_by_its_characters(chain):
    assert keys("张伟", source="members.members")[0] == chain["m"]["zhangwei"]
    assert chain["m"]["wangfang"] in keys("芳")
    assert chain["m"]["wangfang"] not in keys("张伟")


def test_a_name_is_found_by_pinyin_and_initials(chain):
    assert chain["m"]["zhangwei"] in keys("zhangwei")
    assert chain["m"]["zhangwei"] in keys("zw")
    assert chain["m"]["wangfang"] in keys("wangfang")
    assert chain["m"]["wangfang"] not in keys("zw")
    assert chain["m"]["li"] in keys("ln")


def test_a_phone_suffix_finds_its_member_only(chain):
    assert keys("8000", source="members.members") == [chain["m"]["zhangwei"]]
    assert keys("5555", source="members.members") == [chain["m"]["wangfang"]]
    assert keys("9999", source="members.members") == []


def test_a_card_number_is_found_exactly(chain):
    assert keys("8800001234") == [chain["m"]["zhangwei"]]
    assert keys("VIP0042") == [chain["m"]["wangfang"]]
    assert keys("88000012") == []


def test_a_complaint_phrase_finds_the_ticket(chain):
    found = keys("质量问题")
    assert found[0] == chain["t"]["quality"]
    assert chain["t"]["delivery"] not in found
    assert keys("面霜 退货") == [chain["t"]["quality"]]


def test_mixed_chinese_and_english(chain):
    assert keys("iPhone 退货") == [chain["t"]["iphone"]]
    assert keys("iphone") == [chain["t"]["iphone"]]


def test_traditional_input_finds_simplified_records_and_back(chain):
    # 張偉 (Traditional) finds 张伟 (stored Simplified)
    assert chain["m"]["zhangwei"] in keys("張偉")
    assert keys("質量問題")[0] == chain["t"]["quality"]
    # 张伟明 (Simplified) finds 張偉明 (stored Traditional)
    assert keys("张伟明") == [chain["m"]["zhangwei2"]]


def test_a_store_code_does_not_match_unrelated_words(chain):
    assert keys("配送") == [chain["t"]["delivery"]]
    assert keys("") == []
