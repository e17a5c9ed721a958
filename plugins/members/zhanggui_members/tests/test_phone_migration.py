"""``0009_phones_e164`` rewrites phones stored the old way (the bare eleven mainland
digits, hashed as such) into E.164, and running it again changes nothing."""
import pytest

from zhanggui import database

from zhanggui_members.merging.command import MergeMembers
from zhanggui_members.merging.models import MemberAlias
from zhanggui_members.migrations import MIGRATIONS
from zhanggui_members.profile.crypto import cipher_for_secret, phone_cipher
from zhanggui_members.profile.models import Member, Store
from zhanggui_members.profile.services import find_member, member_phone


def _step(name):
    from zhanggui.db import backend
    from zhanggui.migrations import MigrationContext, _migrator

    db = database.obj
    ctx = MigrationContext(db=db, migrator=_migrator(db), backend=backend(db), plugin="members")
    step = next(m for m in MIGRATIONS if m.name == name)
    with db.atomic():
        step.apply(ctx)


def _old_member(name, digits, store=None):
    """A member written as releases before E.164 wrote one."""
    cipher = phone_cipher()
    return Member.create(name=name, home_store=store, phone_encrypted=cipher.encrypt(digits),
                         phone_hash=cipher.lookup_hash(digits), phone_last4=digits[-4:])


@pytest.fixture
def old_rows(members_app):
    shanghai = Store.create(code="SH01", name="上海", city="上海", region="华东")
    # a Taipei store as the column's default left it: the migration gives it its country
    taipei = Store.create(code="TP01", name="台北", city="台北", region="台灣", currency="TWD",
                          timezone="Asia/Taipei", country="CN")
    wang = _old_member("王秀英", "13800138000", shanghai)
    chen = _old_member("陈思远", "13900139000", taipei)
    old = _old_member("陈思远", "13700137000", shanghai)
    MergeMembers(old.id, chen.id).run()        # 13700137000 becomes an alias of chen
    other_key = cipher_for_secret("another key", "members.phone")
    unreadable = Member.create(name="旧数据", phone_encrypted=other_key.encrypt("13600136000"),
                               phone_hash="x" * 64, phone_last4="6000")
    assert find_member(phone="13800138000") is None        # the old hashes no longer match
    return {"wang": wang, "chen": chen, "unreadable": unreadable, "taipei": taipei}


def test_old_phones_become_e164_and_are_found_again(old_rows):
    _step("0009_phones_e164")
    wang = Member.get_by_id(old_rows["wang"].id)
    assert member_phone(wang) == "+8613800138000"
    assert wang.phone_hash == phone_cipher().lookup_hash("+8613800138000")
    assert wang.phone_last4 == "8000" and wang.masked_phone() == "138****8000"
    assert find_member(phone="13800138000").id == wang.id
    assert find_member(phone="+86 139 0013 9000").id == old_rows["chen"].id   # Taipei's
    assert find_member(phone="137-0013-7000").id == old_rows["chen"].id        # an alias
    alias = MemberAlias.get(MemberAlias.kind == "phone")
    assert phone_cipher().decrypt(alias.phone_encrypted) == "+8613700137000"
    assert alias.key == phone_cipher().lookup_hash("+8613700137000")
    assert Store.get(Store.code == "TP01").country == "TW"
    assert Store.get(Store.code == "SH01").country == "CN"
    unreadable = Member.get_by_id(old_rows["unreadable"].id)     # left as it was
    assert unreadable.phone_hash == "x" * 64


def test_running_the_migration_again_changes_nothing(old_rows):
    _step("0009_phones_e164")
    first = list(Member.select(Member.id, Member.phone_encrypted, Member.phone_hash)
                 .order_by(Member.id).tuples())
    aliases = list(MemberAlias.select(MemberAlias.key, MemberAlias.phone_encrypted).tuples())
    _step("0009_phones_e164")
    assert list(Member.select(Member.id, Member.phone_encrypted, Member.phone_hash)
                .order_by(Member.id).tuples()) == first
    assert list(MemberAlias.select(MemberAlias.key, MemberAlias.phone_encrypted)
                .tuples()) == aliases


def test_the_sort_key_migration_fills_names_written_before_it(members_app):
    member = Member.create(name="欧阳雨桐")
    Member.update(name_pinyin=None, name_zhuyin=None).where(Member.id == member.id).execute()
    _step("0010_name_sort_keys")
    _step("0010_name_sort_keys")
    stored = Member.get_by_id(member.id)
    assert stored.name_pinyin == "ou1 yang2 yu3 tong2"
    assert stored.name_zhuyin == "ㄡ1 ㄧㄤ2 ㄩ3 ㄊㄨㄥ2"
