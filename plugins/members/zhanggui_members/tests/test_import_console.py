"""The console's upload screen: a report page per file, size limit, random stored names."""
import io
import re

import pytest

from zhanggui_members.io import views as io_views
from zhanggui_members.io.models import ImportRun
from zhanggui_members.profile.models import Member
from zhanggui_members.tests.helpers import make_store
from zhanggui_members.tests.test_consent_console import csrf, signed_in

CSV = "姓名,手机号,所属门店\n王秀英,13800138000,SH01\n坏号码,12345,SH01\n张浩然,13912348000,SH01\n"


@pytest.fixture
def upload_app(make_app):
    app = make_app(plugins=["members"])
    with app.app_context():
        make_store("SH01")
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def _upload(client, name, content: bytes, **form):
    token = csrf(client, "/memberimport/")
    data = {"csrf_token": token, "kind": "members",
            "file": (io.BytesIO(content), name), **form}
    return client.post("/memberimport/", data=data, content_type="multipart/form-data")


def test_an_upload_with_a_bad_row_imports_nothing_and_shows_the_report(upload_app):
    admin = signed_in(upload_app, "admin", "Head-office admin")
    response = _upload(admin, "会员.csv", CSV.encode("utf-8"))
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-committed="no"' in page
    assert re.search(r"<td>3</td><td>手机号</td>", page)
    with upload_app.app_context():
        assert Member.select().count() == 0
        run = ImportRun.get()
        assert (run.file_name, run.rows, run.bad, run.user_name) == ("会员.csv", 3, 1, "admin")
    skipped = _upload(admin, "会员.csv", CSV.encode("utf-8"), skip_bad_rows="y")
    page = admin.get(skipped.headers["Location"]).get_data(as_text=True)
    assert 'data-committed="yes"' in page
    with upload_app.app_context():
        assert Member.select().count() == 2
    listing = admin.get("/memberimport/").get_data(as_text=True)
    assert "会员.csv" in listing


def test_uploaded_files_get_random_names_inside_the_instance_and_are_removed(upload_app):
    admin = signed_in(upload_app, "admin", "Head-office admin")
    saved = []
    original_import = io_views.MemberImportView._import

    def spy(self, stored, original, form):
        saved.append((stored, stored.exists()))
        return original_import(self, stored, original, form)

    io_views.MemberImportView._import = spy
    try:
        response = _upload(admin, "../../../etc/evil.csv",
                           "姓名,手机号\n王秀英,13800138000\n".encode())
    finally:
        io_views.MemberImportView._import = original_import
    assert response.status_code == 302
    (stored, existed), = saved
    assert existed and stored.parent.name == "imports"
    assert stored.parent.parent.name == "instance" and "evil" not in stored.name
    assert re.fullmatch(r"[0-9a-f]{32}\.csv", stored.name) and not stored.exists()
    with upload_app.app_context():
        assert ImportRun.get().file_name == "evil.csv"


def test_a_file_of_another_type_or_too_large_is_refused_on_the_form(upload_app, monkeypatch):
    admin = signed_in(upload_app, "admin", "Head-office admin")
    wrong = _upload(admin, "members.exe", b"MZ")
    assert wrong.status_code == 200 and "text-danger" in wrong.get_data(as_text=True)
    monkeypatch.setattr(io_views, "MAX_UPLOAD_BYTES", 64)
    large = _upload(admin, "big.csv", b"x" * 200)
    assert large.status_code == 413 and "MB" in large.get_data(as_text=True)
    with upload_app.app_context():
        assert ImportRun.select().count() == 0


def test_only_head_office_may_import(upload_app):
    manager = signed_in(upload_app, "mgr", "Store manager", store="SH01")
    assert manager.get("/memberimport/").status_code in (302, 403)
