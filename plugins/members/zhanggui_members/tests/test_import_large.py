"""The issue's done-when: a 100,000-row member file with 1% bad rows and 5% rows of
existing members gives the documented result, every bad row named."""
import csv

from zhanggui_members.io.file_import import import_file
from zhanggui_members.profile.models import Member
from zhanggui_members.profile.services import find_member
from zhanggui_members.tests.helpers import make_store

ROWS = 100_000
EXISTING = 5_000          # 5% of the file: members already in the database
BAD_EVERY = 100           # 1% of the file: bad rows
BAD_KINDS = (("手机号", "1380013800"), ("生日", "1990-02-30"), ("所属门店", "NOPE"))


def _existing_phone(i):
    return f"137{i:08d}"


def _write_file(path):
    """Row r of the file (r = 2 .. ROWS+1) is data item r-2.  Every 100th item is
    bad (a short phone, an impossible birthday or an unknown store, in turn); items
    0-4999 that are not bad are existing members, by phone; the rest are new."""
    bad = {}
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["姓名", "手机号", "会员卡号", "性别", "生日", "所属门店"])
        existing = 0
        for i in range(ROWS):
            name, phone, card = f"会员{i}", f"139{i:08d}", f"88{i:010d}"
            birthday, store = "1985-06-01", "SH01"
            if i % BAD_EVERY == BAD_EVERY - 1:
                field, value = BAD_KINDS[(i // BAD_EVERY) % len(BAD_KINDS)]
                if field == "手机号":
                    phone = value
                elif field == "生日":
                    birthday = value
                else:
                    store = value
                bad[i + 2] = field
            elif existing < EXISTING:
                phone, card = _existing_phone(existing), ""
                existing += 1
            out.writerow([name, phone, card, "女", birthday, store])
    return bad


def test_a_hundred_thousand_rows_with_bad_and_known_ones_import_as_documented(members_app,
                                                                              tmp_path):
    make_store("SH01")
    seed = tmp_path / "existing.csv"
    with seed.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["姓名", "手机号"])
        out.writerows([f"老会员{i}", _existing_phone(i)] for i in range(EXISTING))
    assert import_file(seed).created == EXISTING

    path = tmp_path / "members-100k.csv"
    bad = _write_file(path)
    assert len(bad) == ROWS // BAD_EVERY

    # the default: all or nothing, every bad row named with its column
    refused = import_file(path)
    assert not refused.committed and (refused.created, refused.matched) == (0, 0)
    assert {p.row: p.field for p in refused.problems} == bad
    assert len(refused.problems) == len(bad)
    assert Member.select().count() == EXISTING

    # --skip-bad-rows: the good rows go in, known members are updated, not duplicated
    report = import_file(path, skip_bad_rows=True)
    assert report.committed and report.rows == ROWS
    assert (report.created, report.matched, report.bad) == (
        ROWS - EXISTING - len(bad), EXISTING, len(bad))
    assert {p.row: p.field for p in report.problems} == bad
    assert Member.select().count() == ROWS - len(bad)
    updated = find_member(phone=_existing_phone(0))
    assert updated.name == "会员0" and updated.home_store.code == "SH01"
    assert find_member(phone="13900000098") is None     # item 98 carried a known phone
    assert find_member(phone="13900006000").card_no == "880000006000"   # a new member
    assert find_member(card=f"88{ROWS - 1:010d}") is None       # the last item is bad
    assert find_member(card=f"88{ROWS - 2:010d}").name == f"会员{ROWS - 2}"
