"""A member may see all we hold about them (PIPL 45) and have it erased (PIPL 47)."""
import json

from zhanggui import database, plugins, write_transaction

from zhanggui_members.profile.models import Member, MemberIdentity, Purchase, PurchaseLine
from zhanggui_members.profile.services import find_member, register_member
from zhanggui_members.tests.helpers import all_member_rows, make_purchase, make_store

NAME = "欧阳雨桐"
OPENID = "oTestOpenId0000000000000000Q"


def _member():
    store = make_store()
    member = register_member(name=NAME, phone="+86 186 1234 5678", card_no="6012345678901234",
                             home_store=store, gender="female", notes="对坚果过敏")
    MemberIdentity.create(member=member, kind="wechat_openid", value=OPENID)
    make_purchase(member, store)
    return member


def test_the_export_holds_profile_identities_and_purchases(members_app):
    member = _member()
    sections = {s.name: s for s in plugins().export_member(member.id)}
    assert set(sections) >= {"members.profile", "members.identities", "members.purchases"}
    profile = sections["members.profile"].rows[0]
    assert profile["name"] == NAME and profile["mobile_phone"] == "+8618612345678"
    assert profile["card_no"] == "6012345678901234" and profile["notes"] == "对坚果过敏"
    assert sections["members.identities"].rows == [
        {"kind": "wechat_openid", "value": OPENID,
         "linked_at": sections["members.identities"].rows[0]["linked_at"]}]
    purchase = sections["members.purchases"].rows[0]
    assert purchase["total"] == "1299.00" and purchase["currency"] == "CNY"
    assert purchase["lines"][0]["item"] == "修护精华液"
    assert purchase["payments"] == [{"method": "wechat_pay", "amount": "1299.00"}]
    json.dumps([s.rows for s in sections.values()], ensure_ascii=False)


def test_an_unknown_member_exports_nothing(members_app):
    assert plugins().export_member(999999) == []


def test_erasure_removes_name_phone_card_birthday_identities_and_notes(members_app,
                                                                        sqlite_files):
    member = _member()
    before = all_member_rows()
    assert NAME in before and OPENID in before
    if sqlite_files is not None:
        assert NAME.encode() in sqlite_files()
        # some SQLite builds (Debian's) overwrite freed space by default; most don't
        database.execute_sql("PRAGMA secure_delete = OFF")
    with write_transaction():
        done = plugins().erase_member(member.id)
    assert any(d.startswith("members:") for d in done)

    erased = Member.get_by_id(member.id)
    assert erased.erased_at is not None
    assert (erased.name, erased.phone_encrypted, erased.phone_hash, erased.phone_last4,
            erased.card_no, erased.birthday, erased.notes) == (None,) * 7
    assert MemberIdentity.select().count() == 0
    assert find_member(phone="18612345678") is None and find_member(card="6012345678901234") is None
    after = all_member_rows()
    for secret in (NAME, OPENID, "5678", "6012345678901234", "对坚果过敏"):
        assert secret not in after
    if sqlite_files is not None:
        raw = sqlite_files()
        for secret in (NAME, OPENID, "6012345678901234", "对坚果过敏"):
            assert secret.encode() not in raw, secret


def test_erasure_keeps_the_purchases_de_identified(members_app):
    member = _member()
    Purchase.update(request_hash="ab" * 32, response='{"member": "欧阳雨桐"}').execute()
    with write_transaction():
        plugins().erase_member(member.id)
        plugins().erase_member(member.id)      # twice is harmless
    purchase = Purchase.get()
    assert purchase.member_id == member.id and str(purchase.total) == "1299.00"
    assert purchase.response is None and purchase.request_hash is None
    assert PurchaseLine.select().count() == 1


def test_a_failing_erasure_changes_nothing(make_app, make_plugin):
    import pytest

    def boom(member_id):
        raise RuntimeError("loyalty could not erase")

    app = make_app(plugins=["members"], extra_plugins=[
        make_plugin("failing", requires=("members",), zhanggui_erase_member=boom)])
    with app.app_context():
        member = _member()
        with pytest.raises(RuntimeError):
            with write_transaction():
                plugins().erase_member(member.id)
        assert Member.get_by_id(member.id).name == NAME
        database.close()
