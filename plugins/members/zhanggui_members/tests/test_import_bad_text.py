"""A member file with a NUL character in one name: the row is reported by number and
column, and the rest of the file is imported with --skip-bad-rows (without it, nothing
is imported and the command exits non-zero naming the row) — never a crash."""
import pytest

from zhanggui_members.io.cli import members_group
from zhanggui_members.profile.models import Member, Purchase
from zhanggui_members.tests.helpers import make_store
from zhanggui_members.tests.test_import import PURCHASE_HEADER, write_csv


@pytest.fixture
def store(members_app):
    return make_store("SH01")


@pytest.mark.parametrize("bad_name", ["王\x00秀英", "王" * 200])
def test_a_member_row_with_a_nul_or_an_overlong_name_is_named_and_the_rest_imported(
        members_app, store, tmp_path, bad_name):
    path = write_csv(tmp_path / "members.csv", ["姓名", "手机号", "备注"], [
        ["张浩然", "13912348000", ""], [bad_name, "13800138000", ""],
        ["李娜", "13700137000", "VIP"]])
    runner = members_app.test_cli_runner()
    strict = runner.invoke(members_group, ["import", str(path), "--quiet"])
    assert strict.exit_code == 1, strict.output
    assert "3" in strict.output and "姓名" in strict.output
    assert Member.select().count() == 0
    skipped = runner.invoke(members_group, ["import", str(path), "--quiet", "--skip-bad-rows"])
    assert skipped.exit_code == 3, skipped.output
    assert "3" in skipped.output and "姓名" in skipped.output
    assert sorted(m.name for m in Member.select()) == ["张浩然", "李娜"]


def test_a_nul_in_notes_is_a_bad_row_too(members_app, store, tmp_path):
    path = write_csv(tmp_path / "members.csv", ["姓名", "手机号", "备注"], [
        ["张浩然", "13912348000", "a\x00b"], ["李娜", "13700137000", ""]])
    runner = members_app.test_cli_runner()
    skipped = runner.invoke(members_group, ["import", str(path), "--quiet", "--skip-bad-rows"])
    assert skipped.exit_code == 3, skipped.output
    assert [m.name for m in Member.select()] == ["李娜"]


def test_a_purchase_row_with_a_nul_sku_or_a_time_before_year_one_is_named(
        members_app, store, tmp_path):
    path = write_csv(tmp_path / "purchases.csv", PURCHASE_HEADER, [
        ["T1", "SH01", "2025-11-11 10:30", "", "S\x0001", "面霜", "化妆品", "", "1", "10.00",
         "cash"],
        ["T2", "SH01", "0001-01-01T00:00:00+14:00", "", "S002", "面霜", "化妆品", "", "1",
         "10.00", "cash"]])
    runner = members_app.test_cli_runner()
    result = runner.invoke(members_group, ["import", str(path), "--kind", "purchases",
                                           "--quiet"])
    assert result.exit_code == 1, result.output
    assert "2" in result.output and "3" in result.output
    assert Purchase.select().count() == 0
