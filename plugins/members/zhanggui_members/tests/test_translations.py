"""Every message of the plugin is translated into zh_CN, zh_TW and en."""
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
    assert "Members" in ids and "Membership card number" in ids and len(ids) > 60
    assert "Show full number" in ids                       # templates are scanned too


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated(lang):
    catalog = _catalog(lang)
    missing = untranslated(PACKAGE, lang)
    assert missing == []
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert fuzzy == []


def test_simplified_and_traditional_chinese_use_their_own_retail_words():
    cn, tw = _catalog("zh_CN"), _catalog("zh_TW")
    assert cn.get("Members").string == "会员" and tw.get("Members").string == "會員"
    assert cn.get("Home store").string == "所属门店" and tw.get("Home store").string == "所屬門市"
    assert "专柜" in cn.get("Counter").string and "專櫃" in tw.get("Counter").string


def test_placeholders_survive_translation():
    for lang in LANGS:
        for message in _catalog(lang):
            if message.id and "%(" in str(message.id):
                wanted = set(re.findall(r"%\(\w+\)s", str(message.id)))
                assert wanted and wanted == set(re.findall(r"%\(\w+\)s", message.string)), \
                    (lang, message.id)
