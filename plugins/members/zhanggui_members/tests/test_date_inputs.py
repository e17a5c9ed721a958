"""Date inputs read year first in every console language: 1988-02-29 in Simplified
Chinese and English, 1988/02/29 in Traditional Chinese, never the browser's 02/29/1988."""
import datetime as dt
import re

import pytest

from zhanggui import date_input_hint, parse_input_date

from zhanggui_members.profile.models import Member
from zhanggui_members.tests.test_console import _client, _member_id, console_app  # noqa: F401


@pytest.mark.parametrize("written, day", [
    ("2026-12-05", dt.date(2026, 12, 5)), ("2026/12/05", dt.date(2026, 12, 5)),
    ("2026/1/5", dt.date(2026, 1, 5)), (" 2026.01.05 ", dt.date(2026, 1, 5)),
    ("12/05/2026", None), ("2026-02-30", None), ("", None), (None, None), ("明天", None),
])
def test_dates_are_read_year_first_with_any_separator(written, day):
    assert parse_input_date(written) == day


def test_the_hint_follows_the_language():
    assert date_input_hint("zh_CN") == "yyyy-mm-dd" and date_input_hint("en") == "yyyy-mm-dd"
    assert date_input_hint("zh_TW") == "yyyy/mm/dd"


def _edit_page(client, member_id, lang):
    return client.get(f"/memberview/edit/{member_id}?lang={lang}").get_data(as_text=True)


def test_a_birthday_is_shown_and_typed_in_the_readers_order(console_app):  # noqa: F811
    member_id = _member_id(console_app, "王秀英")
    with console_app.app_context():
        Member.update(birthday=dt.date(1988, 2, 29)).where(Member.id == member_id).execute()
    admin = _client(console_app, "admin", "Head-office admin")
    taipei = _edit_page(admin, member_id, "zh_TW")
    assert re.search(r'name="birthday"[^>]*placeholder="yyyy/mm/dd"', taipei) or \
        re.search(r'placeholder="yyyy/mm/dd"[^>]*name="birthday"', taipei)
    assert 'value="1988/02/29"' in taipei and 'type="date"' not in taipei
    assert 'data-date-format="yyyy/mm/dd"' in taipei
    shanghai = _edit_page(admin, member_id, "zh_CN")
    assert 'value="1988-02-29"' in shanghai and 'data-date-format="yyyy-mm-dd"' in shanghai

    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', taipei).group(1)
    form = {"csrf_token": token, "name": "王秀英", "gender": "female", "birthday": "1990/7/1",
            "card_no": "600001", "notes": ""}
    admin.post(f"/memberview/edit/{member_id}?lang=zh_TW", data=form)
    with console_app.app_context():
        assert Member.get_by_id(member_id).birthday == dt.date(1990, 7, 1)
    form["birthday"] = "07/01/1990"
    html = admin.post(f"/memberview/edit/{member_id}?lang=en", data=form).get_data(as_text=True)
    assert "Write the date as yyyy-mm-dd." in html
    with console_app.app_context():
        assert Member.get_by_id(member_id).birthday == dt.date(1990, 7, 1)
