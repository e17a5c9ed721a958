"""Every message of the call-center plugin is translated into zh_CN, zh_TW and en, and
the console pages read in the user's language."""
from pathlib import Path

import pytest
from zhanggui.testing import plugin_catalog, plugin_msgids, untranslated

PACKAGE = Path(__file__).resolve().parent.parent


def test_the_source_has_messages_to_translate():
    ids = plugin_msgids(PACKAGE)
    assert {"Agent workbench", "Service tickets", "Waiting for a call…"} <= ids


@pytest.mark.parametrize("lang", ("zh_CN", "zh_TW", "en"))
def test_every_message_is_translated(lang):
    assert untranslated(PACKAGE, lang) == []


def test_taiwan_reads_taiwanese_usage_not_a_conversion():
    tw = {m.id: m.string for m in plugin_catalog(PACKAGE, "zh_TW") if m.id}
    assert tw["Save message"] == "儲存" and tw["Stores"] == "門市"
    assert tw["Complaint"] == "客訴"
