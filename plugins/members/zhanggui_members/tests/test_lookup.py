"""The till, the call center and the console find a member by phone or card."""
import pytest

from zhanggui_members.profile.phones import PhoneNumberError
from zhanggui_members.profile.services import MemberError, find_member, register_member


def _host():
    from zhanggui import plugins

    return plugins()


def test_a_member_is_found_by_phone_however_it_is_written(members_app):
    member = register_member(name="王秀英", phone="138 0013 8000")
    assert find_member(phone="+86 13800138000").id == member.id
    assert find_member(phone="0086-138-0013-8000").id == member.id
    assert find_member(phone="13800138001") is None


def test_a_member_is_found_by_card_number(members_app):
    member = register_member(name="张浩然", card_no="6018 2835 1197 5194")
    assert find_member(card="6018283511975194").id == member.id
    assert find_member(card="6018-2835-1197-5194").id == member.id
    assert find_member(card="6018283511975195") is None


def test_a_member_found_at_the_till_carries_every_stored_field(members_app):
    import datetime as dt

    from zhanggui_members.profile.models import Member, Store

    store = Store.create(code="SH01", name="上海南京西路店", city="上海", region="华东")
    member = register_member(name="刘丽华", phone="13700137000", card_no="600009",
                             home_store=store, gender="female",
                             birthday=dt.date(1988, 2, 29), notes="VIP")
    stored = Member.get_by_id(member.id)
    for found in (find_member(phone="137 0013 7000"), find_member(card="600009"),
                  find_member(phone="13700137000")):            # twice: the cached query
        assert type(found) is Member and not found.is_dirty()
        assert found.__data__ == stored.__data__
        assert found.birthday == dt.date(1988, 2, 29)
        assert found.joined_at.tzinfo is not None and found.home_store.code == "SH01"


def test_the_find_member_hook_answers_with_the_member_id(members_app):
    member = register_member(name="陈思远", phone="13912345678", card_no="600001")
    host = _host()
    assert host.call_first("zhanggui_find_member", phone="139-1234-5678", card=None) == member.id
    assert host.call_first("zhanggui_find_member", phone=None, card="600001") == member.id
    assert host.call_first("zhanggui_find_member", phone="13700000000", card=None) is None


def test_a_landline_ringing_the_call_center_is_simply_not_found(members_app):
    register_member(name="陈思远", phone="13912345678", card_no="600001")
    host = _host()
    assert host.call_first("zhanggui_find_member", phone="021-6279 0000", card=None) is None
    assert host.call_first("zhanggui_find_member", phone="021-6279 0000",
                           card="600001") is not None
    with pytest.raises(PhoneNumberError):
        find_member(phone="021-6279 0000")


def test_two_members_cannot_share_a_phone_or_a_card(members_app):
    from flask_babel import force_locale

    register_member(name="李娜", phone="13800138000", card_no="600002")
    with force_locale("en"), pytest.raises(MemberError, match="mobile number already exists"):
        register_member(name="李娜二", phone="+86 138 0013 8000")
    with force_locale("en"), pytest.raises(MemberError, match="card number is already in use"):
        register_member(name="李娜三", card_no="600002")


def test_the_database_itself_refuses_a_duplicate_phone_hash(members_app):
    import peewee

    from zhanggui import database
    from zhanggui_members.profile.models import Member

    first = register_member(name="甲", phone="13800138000")
    with pytest.raises(peewee.IntegrityError):
        with database.atomic():
            Member.create(name="乙", phone_hash=first.phone_hash)
    Member.create(name="无手机一")
    Member.create(name="无手机二")       # many members without a phone are fine
