"""Every message of the loyalty plugin is translated into zh_CN, zh_TW and en."""
import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parent.parent
LANGS = ("zh_CN", "zh_TW", "en")


def _msgids() -> set[str]:
    found = set()
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("_", "_l") and node.args
                    and isinstance(node.args[0], ast.Constant)):
                found.add(node.args[0].value)
    for path in (PACKAGE / "templates").rglob("*.html"):
        found |= set(re.findall(r'_\("([^"]+)"\)', path.read_text("utf-8")))
    return found


def _catalog(lang):
    path = PACKAGE / "translations" / lang / "LC_MESSAGES" / "zhanggui_loyalty.po"
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def test_the_source_has_messages_to_translate():
    ids = _msgids()
    assert {"Loyalty", "Points balance", "Redeemed", "Expired"} <= ids and len(ids) > 80


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated(lang):
    catalog = _catalog(lang)
    missing = sorted(m for m in _msgids() if not (catalog.get(m) and catalog.get(m).string))
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
    from zhanggui_loyalty.ledger import InsufficientPoints

    with loyalty_app.test_request_context(headers={"Accept-Language": "zh-TW"}):
        assert "積分不足" in str(InsufficientPoints(5, 100))
