"""The console's member form refuses text no database stores (a NUL character) with a
message on the field, and changes nothing."""
import re

import pytest

from zhanggui_members.profile.models import Member, Store
from zhanggui_members.profile.services import register_member
from zhanggui_members.tests.helpers import make_store
from zhanggui_members.tests.test_consent_console import csrf, signed_in


@pytest.fixture
def console_app(make_app):
    app = make_app(plugins=["members"])
    with app.app_context():
        make_store("SH01")
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.mark.parametrize("field, value", [("name", "王\x00秀英"), ("notes", "VIP\x00")])
def test_a_nul_in_a_member_edit_is_a_form_message_and_nothing_changes(console_app, field,
                                                                         value):
    with console_app.app_context():
        member = register_member(name="王秀英", phone="13800138000", card_no="600001",
                                 home_store=Store.get(Store.code == "SH01"), notes="")
    admin = signed_in(console_app, "admin", "Head-office admin")
    url = f"/memberview/edit/{member.id}"
    data = {"csrf_token": csrf(admin, url), "name": "王秀英", "gender": "", "birthday": "",
            "card_no": "600001", "home_store": "", "notes": ""}
    data[field] = value
    response = admin.post(url, data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(r"NUL|lone surrogate|无效字符|NUL 字符|invalid character", page), page[:2000]
    with console_app.app_context():
        stored = Member.get_by_id(member.id)
        assert (stored.name, stored.notes or "") == ("王秀英", "")
