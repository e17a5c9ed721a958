"""Exports: CSV and XLSX of members and purchases, masked phones unless allowed, the
user's stores only, every export in the audit log (column names, never values)."""
import csv
import datetime as dt
import io

import pytest

from zhanggui.console.audit import AuditEntry

from zhanggui_members.consent.service import ensure_texts, record_consent
from zhanggui_members.io.cli import members_group
from zhanggui_members.io.exporting import export
from zhanggui_members.io.file_import import import_file
from zhanggui_members.profile.services import register_member
from zhanggui_members.tests.helpers import make_purchase, make_store
from zhanggui_members.tests.test_consent_console import csrf, signed_in


def _chain():
    sh, bj = make_store("SH01"), make_store("BJ01")
    ensure_texts([("sms", "v1", "我同意", "我同意", "I agree",
                   dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))])
    wang = register_member(name="王秀英", phone="13800138000", card_no="600001", home_store=sh,
                           birthday=dt.date(1988, 3, 14))
    record_consent(wang.id, "sms", True, "store", "v1")
    register_member(name="=HYPERLINK(\"x\")", phone="13700137000", card_no="600002",
                    home_store=bj)
    make_purchase(wang, sh)
    return sh, bj


def _read_csv(path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_a_members_csv_has_masked_phones_consent_and_an_audit_entry(members_app, tmp_path):
    _chain()
    count = export(tmp_path / "m.csv", "members", "csv", language="zh_CN")
    rows = _read_csv(tmp_path / "m.csv")
    assert count == 2 and rows[0][:3] == ["会员卡号", "姓名", "手机号"]
    assert rows[0][-4:] == ["短信营销", "邮件营销", "电话营销", "App推送"]
    wang = rows[1]
    assert wang[:3] == ["600001", "王秀英", "138****8000"] and wang[-4:] == ["Y", "N", "N", "N"]
    assert rows[2][1].startswith("'=")                     # no formula runs in Excel
    assert "13800138000" not in (tmp_path / "m.csv").read_text("utf-8-sig")
    entry = AuditEntry.select().where(AuditEntry.action == "export").get()
    assert entry.resource == "members_member"
    assert "phone_masked" in entry.fields.split(",") and "王秀英" not in entry.fields


def test_a_store_filter_and_full_phones_on_request(members_app, tmp_path):
    _chain()
    export(tmp_path / "sh.csv", "members", "csv", stores={"SH01"}, clear_phones=True,
           language="en")
    rows = _read_csv(tmp_path / "sh.csv")
    assert rows[0][:3] == ["Card number", "Name", "Mobile phone"]
    assert [r[0] for r in rows[1:]] == ["600001"] and rows[1][2] == "+8613800138000"
    assert "phone" in AuditEntry.select().where(AuditEntry.action == "export").get() \
        .fields.split(",")


def test_an_export_with_phones_imports_again_as_matches(members_app, tmp_path):
    _chain()
    export(tmp_path / "all.xlsx", "members", "xlsx", clear_phones=True, language="zh_TW")
    report = import_file(tmp_path / "all.xlsx")
    assert (report.created, report.matched, report.bad) == (0, 2, 0), report.problems


def test_purchases_export_one_row_per_line_in_xlsx(members_app, tmp_path):
    import openpyxl

    _chain()
    assert export(tmp_path / "p.xlsx", "purchases", "xlsx", stores={"BJ01"}) == 0
    assert export(tmp_path / "p.xlsx", "purchases", "xlsx", stores={"SH01"}) == 1
    sheet = openpyxl.load_workbook(tmp_path / "p.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "交易号"
    assert rows[1][0] == "SH01-250101-000000001" and rows[1][4] == "138****8000"
    assert rows[1][10] == "1299.00"


def test_the_cli_exports_and_refuses_an_unknown_store(members_app, tmp_path):
    _chain()
    runner = members_app.test_cli_runner()
    result = runner.invoke(members_group, ["export", "--format", "csv", "--store", "SH01",
                                           "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 0, result.output
    assert len(_read_csv(tmp_path / "x.csv")) == 2
    bad = runner.invoke(members_group, ["export", "--store", "NOPE"])
    assert bad.exit_code == 1


@pytest.fixture
def export_app(make_app):
    app = make_app(plugins=["members"])
    with app.app_context():
        _chain()
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def _download(client, **form):
    token = csrf(client, "/memberexport/")
    return client.post("/memberexport/", data=dict(csrf_token=token, **form))


def test_a_store_manager_exports_only_their_store_with_masked_phones(export_app):
    manager = signed_in(export_app, "mgr", "Store manager", store="SH01")
    response = _download(manager, kind="members", fmt="csv", store="")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["600001"] and rows[1][2] == "138****8000"
    other = _download(manager, kind="members", fmt="csv", store="BJ01")
    assert "attachment" not in other.headers.get("Content-Disposition", "")
    with export_app.app_context():
        entries = list(AuditEntry.select().where(AuditEntry.action == "export"))
        assert [(e.user_name, e.resource) for e in entries] == [("mgr", "members_member")]


def test_a_head_office_admin_exports_every_store_with_full_phones(export_app):
    admin = signed_in(export_app, "admin", "Head-office admin")
    response = _download(admin, kind="members", fmt="csv", store="")
    text = response.get_data().decode("utf-8-sig")
    assert "13800138000" in text and "600002" in text


def test_roles_without_the_export_screen_are_turned_away(export_app):
    staff = signed_in(export_app, "staff", "Store staff", store="SH01")
    assert staff.get("/memberexport/").status_code in (302, 403)
