"""Every catalog of the core and of each plugin is complete, well-formed, current with
its sources, and written in the reader's own variety of Chinese."""
from __future__ import annotations

import re

import pytest

from .conftest import LANGUAGES, catalog_folders, folder_id, read_catalog

FOLDERS = catalog_folders()
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdifr]")


def _messages(folder, lang):
    return [m for m in read_catalog(folder, lang) if m.id]


def _strings(message):
    return list(message.string) if isinstance(message.string, (tuple, list)) \
        else [message.string]


def _ids(message):
    return list(message.id) if isinstance(message.id, (tuple, list)) else [message.id]


def test_there_are_catalogs_for_the_core_and_every_plugin():
    names = {folder_id(f) for f in FOLDERS}
    assert "zhanggui" in names
    assert {"zhanggui_loyalty", "zhanggui_suppliers", "zhanggui_search"} <= names


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("folder", FOLDERS, ids=folder_id)
def test_every_message_is_translated_and_none_is_fuzzy(folder, lang):
    untranslated = [m.id for m in _messages(folder, lang)
                    if not all(s and s.strip() for s in _strings(m))]
    fuzzy = [m.id for m in _messages(folder, lang) if m.fuzzy]
    assert not untranslated, f"{folder_id(folder)} {lang}: untranslated {untranslated}"
    assert not fuzzy, f"{folder_id(folder)} {lang}: fuzzy {fuzzy}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("folder", FOLDERS, ids=folder_id)
def test_placeholders_match_between_msgid_and_msgstr(folder, lang):
    wrong = []
    for message in _messages(folder, lang):
        expected = sorted(PLACEHOLDER.findall(_ids(message)[-1]))
        for text in _strings(message):
            if text and sorted(PLACEHOLDER.findall(text)) != expected:
                wrong.append((message.id, text))
    assert not wrong, f"{folder_id(folder)} {lang}: placeholders differ {wrong}"


@pytest.mark.parametrize("folder", FOLDERS, ids=folder_id)
def test_catalogs_are_current_with_the_sources(folder):
    """`make translations` would add or drop nothing: every marked string of the
    sources (and, for the core, of Flask-AppBuilder) is in every catalog."""
    from zhanggui.catalogs import stale_messages

    assert stale_messages(folder) == {}, (
        f"run `make translations` (or python -m zhanggui.catalogs --update {folder}) "
        "and translate the new messages")


# Taiwanese usage versus the mainland word a character-by-character conversion gives
NAIVE_TERMS = {
    "用戶": "使用者", "登錄": "登入", "數據": "資料", "信息": "資訊", "默認": "預設",
    "菜單": "選單", "視圖": "檢視", "搜索": "搜尋", "激活": "啟用", "賬號": "帳號",
    "賬戶": "帳戶", "創建": "建立", "設置": "設定", "保存": "儲存", "文件": "檔案",
    "鏈接": "連結", "郵箱": "電子郵件", "字段": "欄位", "門店": "門市", "哈希": "雜湊",
    "插件": "外掛", "網絡": "網路", "軟件": "軟體", "質量": "品質", "短信": "簡訊",
    "營銷": "行銷", "退出登錄": "登出", "屏幕": "螢幕", "打印": "列印",
}

# retail vocabulary: where zh_CN says the left, zh_TW must say one of the right
RETAIL_TERMS = {
    "会员": ("會員",), "积分": ("積分", "點數"), "专柜": ("專櫃",), "门店": ("門市",),
    "扣点": ("扣點", "抽成"), "用户": ("使用者", "帳號", "群組"), "登录": ("登入", "登出"),
    "保存": ("儲存",),
    "删除": ("刪除",), "搜索": ("搜尋", "檢索"), "数据": ("資料",), "营销": ("行銷",),
}


@pytest.mark.parametrize("folder", FOLDERS, ids=folder_id)
def test_traditional_chinese_uses_taiwanese_words_not_converted_mainland_ones(folder):
    naive = [(m.id, s, term) for m in _messages(folder, "zh_TW") for s in _strings(m)
             for term in NAIVE_TERMS if term in s]
    assert not naive, f"{folder_id(folder)}: mainland words in zh_TW {naive}"
    simplified = {m.id: " ".join(_strings(m)) for m in _messages(folder, "zh_CN")}
    mismatched = []
    for message in _messages(folder, "zh_TW"):
        cn, tw = simplified.get(message.id, ""), " ".join(_strings(message))
        for cn_term, tw_terms in RETAIL_TERMS.items():
            if cn_term in cn and not any(t in tw for t in tw_terms):
                mismatched.append((message.id, cn, tw, tw_terms))
    assert not mismatched, f"{folder_id(folder)}: {mismatched}"


def _maybe_converted(cn: str, tw: str) -> bool:
    """Could ``tw`` be ``cn`` with its characters swapped one for one?"""
    if len(cn) != len(tw):
        return False
    return all(a == b or ("\u4e00" <= a <= "\u9fff" and "\u4e00" <= b <= "\u9fff")
               for a, b in zip(cn, tw))


def test_the_core_catalog_is_not_a_character_conversion_of_simplified_chinese():
    folder = FOLDERS[0]
    simplified = {m.id: m.string for m in _messages(folder, "zh_CN")}
    pairs = [(simplified[m.id], m.string) for m in _messages(folder, "zh_TW")
             if isinstance(m.string, str) and re.search("[\u4e00-\u9fff]", m.string)]
    rewritten = [p for p in pairs if not _maybe_converted(*p)]
    # a converter keeps every length and every punctuation mark; real zh_TW does not
    assert len(rewritten) >= len(pairs) // 5, rewritten


def test_the_character_conversion_check_catches_a_converted_catalog():
    assert _maybe_converted("用户列表", "用戶列表")
    assert not _maybe_converted("用户列表", "使用者清單")


def test_english_catalogs_read_as_the_source_text():
    folder = FOLDERS[0]
    for message in _messages(folder, "en"):
        if isinstance(message.id, str):
            assert message.string == message.id, message.id
