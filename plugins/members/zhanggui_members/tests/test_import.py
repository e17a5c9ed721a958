"""Importing member and purchase files: headers in three languages, every bad row named,
existing members updated instead of duplicated, all or nothing per file."""
import csv
import datetime as dt
from decimal import Decimal

import pytest

from zhanggui_members.io.cli import members_group
from zhanggui_members.io.file_import import import_file
from zhanggui_members.io.reading import ImportFileError
from zhanggui_members.profile.models import Member, MemberIdentity, Purchase, PurchaseLine
from zhanggui_members.profile.services import find_member, member_phone, register_member
from zhanggui_members.tests.helpers import make_store


def write_csv(path, header, rows, encoding="utf-8-sig"):
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


ZH_CN = ["姓名", "手机号", "会员卡号", "性别", "生日", "所属门店", "微信OpenID", "备注"]


@pytest.fixture
def store(members_app):
    return make_store("SH01")


def test_a_file_with_simplified_chinese_headers_creates_members(store, tmp_path):
    path = write_csv(tmp_path / "会员.csv", ZH_CN, [
        ["王秀英", "+86 138-0013-8000", "600001", "女", "1988-03-14", "SH01", "oOpen1", "VIP"],
        ["张浩然", "13912348000", "", "男", "1990/7/1", "sh01", "", ""],
    ])
    report = import_file(path)
    assert (report.rows, report.created, report.matched, report.bad) == (2, 2, 0, 0)
    assert report.committed
    wang = find_member(phone="13800138000")
    assert (wang.name, wang.card_no, wang.gender, wang.birthday, wang.home_store_id,
            wang.notes, wang.join_channel) == ("王秀英", "600001", "female",
                                              dt.date(1988, 3, 14), store.id, "VIP", "import")
    assert member_phone(wang) == "+8613800138000" and "13800138000" not in wang.phone_encrypted
    assert MemberIdentity.get(MemberIdentity.member == wang).value == "oOpen1"
    assert find_member(phone="13912348000").birthday == dt.date(1990, 7, 1)


def test_traditional_chinese_and_english_headers_and_an_xlsx_file_are_read(store, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "手機號碼", "會員卡號", "生日", "所屬門市"])
    sheet.append(["陳怡君", 13800138000, 600002, dt.datetime(1992, 5, 17), "SH01"])
    book.save(tmp_path / "members.xlsx")
    report = import_file(tmp_path / "members.xlsx")
    assert report.created == 1, report.problems
    member = find_member(card="600002")
    assert member_phone(member) == "+8613800138000" and member.birthday == dt.date(1992, 5, 17)
    en = write_csv(tmp_path / "en.csv", ["Name", "Mobile phone", "Card number"],
                   [["Li Na", "13700001111", "600003"]])
    assert import_file(en).created == 1


def test_every_bad_row_is_named_and_nothing_of_the_file_is_imported(store, tmp_path):
    path = write_csv(tmp_path / "bad.csv", ZH_CN, [
        ["王秀英", "13800138000", "600001", "女", "", "SH01", "", ""],
        ["坏号码", "12345", "", "", "", "", "", ""],
        ["坏日期", "13900139000", "", "", "1990-13-40", "", "", ""],
        ["没门店", "13700137000", "", "", "", "XX99", "", ""],
        ["怪性别", "13600136000", "", "妖", "", "", "", ""],
        ["", "", "", "", "", "", "", "只有备注"],
    ])
    report = import_file(path)
    assert not report.committed and report.created == 0
    assert [(p.row, p.field) for p in report.problems] == [
        (3, "手机号"), (4, "生日"), (5, "所属门店"), (6, "性别"), (7, "手机号")]
    assert "11" in report.problems[0].message          # "... has 11 digits; this one has 5"
    assert Member.select().count() == 0


def test_skip_bad_rows_imports_the_good_rows_and_reports_the_bad(store, tmp_path):
    path = write_csv(tmp_path / "bad.csv", ["姓名", "手机号"], [
        ["王秀英", "13800138000"], ["坏号码", "1380013800"], ["张浩然", "13912348000"]])
    report = import_file(path, skip_bad_rows=True)
    assert report.committed and (report.created, report.bad, report.bad_rows) == (2, 1, [3])
    assert Member.select().count() == 2


def test_rows_of_existing_members_update_them_instead_of_duplicating(store, tmp_path):
    by_phone = register_member(name="旧名字", phone="13800138000")
    by_card = register_member(name="李娜", card_no="600009")
    by_openid = register_member(name="赵敏", phone="13600136000")
    MemberIdentity.create(member=by_openid, kind="wechat_openid", value="oKnown")
    path = write_csv(tmp_path / "again.csv", ZH_CN, [
        ["王秀英", "138 0013 8000", "600001", "女", "1988-03-14", "SH01", "", ""],
        ["", "13700137000", "600009", "", "", "", "", ""],
        ["", "", "", "", "1970-01-02", "", "oKnown", ""],
        ["新会员", "13500135000", "", "", "", "", "", ""],
    ])
    report = import_file(path)
    assert (report.created, report.matched, report.bad) == (1, 3, 0), report.problems
    assert Member.select().count() == 4
    renamed = Member.get_by_id(by_phone.id)
    assert (renamed.name, renamed.card_no, renamed.birthday) == ("王秀英", "600001",
                                                                 dt.date(1988, 3, 14))
    card_holder = Member.get_by_id(by_card.id)
    assert card_holder.name == "李娜" and member_phone(card_holder) == "+8613700137000"
    assert Member.get_by_id(by_openid.id).birthday == dt.date(1970, 1, 2)


def test_a_row_pointing_at_two_members_or_repeating_an_earlier_row_is_bad(store, tmp_path):
    register_member(name="甲", phone="13800138000")
    register_member(name="乙", card_no="600009")
    path = write_csv(tmp_path / "clash.csv", ["姓名", "手机号", "会员卡号"], [
        ["甲乙", "13800138000", "600009"],
        ["丙", "13500135000", ""],
        ["丙又来", "+8613500135000", ""],
    ])
    report = import_file(path)
    assert [(p.row, p.field) for p in report.problems] == [(2, "手机号"), (4, "手机号")]
    assert "#" in report.problems[0].message and "3" in report.problems[1].message


def test_an_explicit_mapping_names_unknown_headers(store, tmp_path):
    path = write_csv(tmp_path / "crm.csv", ["客人", "联系电话"], [["王秀英", "13800138000"]])
    with pytest.raises(ImportFileError):
        import_file(path)          # no phone or card column recognised
    report = import_file(path, mapping={"客人": "name", "联系电话": "phone"})
    assert report.created == 1 and find_member(phone="13800138000").name == "王秀英"
    with pytest.raises(ImportFileError):
        import_file(path, mapping={"客人": "nickname"})


def test_a_dry_run_checks_everything_and_writes_nothing(store, tmp_path):
    path = write_csv(tmp_path / "ok.csv", ["姓名", "手机号"], [["王秀英", "13800138000"]])
    report = import_file(path, dry_run=True)
    assert (report.created, report.committed) == (1, False)
    assert Member.select().count() == 0


def test_a_gb18030_csv_from_chinese_excel_is_read(store, tmp_path):
    path = write_csv(tmp_path / "gbk.csv", ["姓名", "手机号"], [["欧阳雨桐", "13800138000"]],
                     encoding="gb18030")
    assert import_file(path).created == 1
    assert find_member(phone="13800138000").name == "欧阳雨桐"


def test_the_cli_names_each_bad_row_and_exits_non_zero(members_app, store, tmp_path):
    path = write_csv(tmp_path / "bad.csv", ["姓名", "手机号"], [
        ["王秀英", "13800138000"], ["坏号码", "12345"]])
    runner = members_app.test_cli_runner()
    result = runner.invoke(members_group, ["import", str(path), "--quiet"])
    assert result.exit_code == 1
    assert "3" in result.output and "手机号" in result.output
    assert Member.select().count() == 0
    skipped = runner.invoke(members_group, ["import", str(path), "--quiet", "--skip-bad-rows"])
    assert skipped.exit_code == 3 and Member.select().count() == 1
    good = write_csv(tmp_path / "good.csv", ["姓名", "手机号"], [["张浩然", "13912348000"]])
    assert runner.invoke(members_group, ["import", str(good), "--quiet"]).exit_code == 0
    unreadable = tmp_path / "members.txt"
    unreadable.write_text("x")
    assert runner.invoke(members_group, ["import", str(unreadable)]).exit_code == 1


PURCHASE_HEADER = ["交易号", "门店", "交易时间", "会员手机号", "商品编码", "商品名称", "品类",
                   "专柜", "数量", "金额", "支付方式"]


def test_purchase_lines_are_grouped_into_sales_and_recorded_with_their_events(
        make_app, make_plugin, tmp_path):
    seen = []
    listener = make_plugin("listener", requires=("members",),
                           zhanggui_purchase_recorded=lambda purchase: seen.append(
                               (purchase.pos_id, purchase.total)))
    app = make_app(plugins=["members"], extra_plugins=[listener])
    with app.app_context():
        make_store("SH01")
        member = register_member(name="王秀英", phone="13800138000")
        path = write_csv(tmp_path / "sales.csv", PURCHASE_HEADER, [
            ["T1", "SH01", "2026-05-01 14:30", "13800138000", "COS011", "修护精华液", "化妆品",
             "SH01-COS01", "1", "1299.00", "wechat_pay"],
            ["T1", "SH01", "2026-05-01 14:30", "13800138000", "FRS041", "挪威三文鱼", "超市生鲜",
             "", "0.355", "88.90", "wechat_pay"],
            ["T2", "SH01", "2026-05-02 10:00", "", "FRS041", "挪威三文鱼", "超市生鲜", "", "1",
             "50.00", "cash"],
        ])
        report = import_file(path, kind="purchases")
        assert (report.created, report.bad) == (2, 0), report.problems
        t1 = Purchase.get(Purchase.pos_id == "T1")
        assert (t1.member_id, t1.total) == (member.id, Decimal("1387.90"))
        assert t1.occurred_at == dt.datetime(2026, 5, 1, 6, 30, tzinfo=dt.timezone.utc)
        assert PurchaseLine.select().where(PurchaseLine.purchase == t1).count() == 2
        assert sorted(seen) == [("T1", Decimal("1387.90")), ("T2", Decimal("50.00"))]
        again = import_file(path, kind="purchases")
        assert (again.created, again.matched, again.bad) == (0, 2, 0)
        assert Purchase.select().count() == 2


def test_bad_purchase_rows_are_named_and_nothing_is_recorded(members_app, store, tmp_path):
    path = write_csv(tmp_path / "sales.csv", PURCHASE_HEADER, [
        ["T1", "SH01", "2026-05-01 14:30", "", "COS011", "精华液", "化妆品", "", "1", "12.5.0",
         "cash"],
        ["T2", "XX01", "2026-05-01 14:30", "", "COS011", "精华液", "化妆品", "", "1", "10",
         "cash"],
        ["T3", "SH01", "2026-05-01 14:30", "13800138000", "COS011", "精华液", "化妆品", "", "1",
         "10", "cash"],
        ["T4", "SH01", "2026-05-01 14:30", "", "COS011", "精华液", "化妆品", "", "1", "10",
         "cash"],
    ])
    report = import_file(path, kind="purchases")
    assert [(p.row, p.field) for p in report.problems] == [
        (2, "金额"), (3, "门店"), (4, "会员手机号")]
    assert Purchase.select().count() == 0
    assert import_file(path, kind="purchases", skip_bad_rows=True).created == 1
    assert [p.pos_id for p in Purchase.select()] == ["T4"]
