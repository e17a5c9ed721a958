"""Every message of the loyalty plugin is translated into zh_CN, zh_TW and en."""
import re
from pathlib import Path

import pytest
from zhanggui.testing import plugin_catalog, plugin_msgids, untranslated

PACKAGE = Path(__file__).resolve().parent.parent
LANGS = ("zh_CN", "zh_TW", "en")


def _msgids() -> set[str]:
    return plugin_msgids(PACKAGE)


def _catalog(lang):
    return plugin_catalog(PACKAGE, lang)


def test_the_source_has_messages_to_translate():
    ids = _msgids()
    assert {"Loyalty", "Points balance", "Redeemed", "Expired"} <= ids and len(ids) > 80


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated(lang):
    catalog = _catalog(lang)
    missing = untranslated(PACKAGE, lang)
    assert missing == []
    assert [m.id for m in catalog if m.id and m.fuzzy] == []


def test_simplified_and_traditional_chinese_use_their_own_loyalty_words():
    cn, tw = _catalog("zh_CN"), _catalog("zh_TW")
    assert cn.get("Points").string == "积分" and tw.get("Points").string == "積分"
    assert cn.get("Redemption").string == "积分兑换" and tw.get("Redemption").string == "積分兌換"
    assert cn.get("Expired").string == "已过期" and tw.get("Expired").string == "已到期"
    assert cn.get("Tier").string == "会员等级" and tw.get("Tier").string == "會員等級"


def test_placeholders_survive_translation():
    for lang in LANGS:
        for message in _catalog(lang):
            for name in re.findall(r"%\((\w+)\)s", str(message.id or "")):
                assert f"%({name})s" in message.string, (lang, message.id)


def test_an_api_refusal_speaks_the_callers_language(loyalty_app):
    from zhanggui_loyalty.ledger.postings import InsufficientPoints

    with loyalty_app.test_request_context(headers={"Accept-Language": "zh-TW"}):
        assert "積分不足" in str(InsufficientPoints(5, 100))
