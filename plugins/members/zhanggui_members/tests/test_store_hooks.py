"""The members plugin tells the other plugins and the core where members belong
(``zhanggui_member_store``) and which stores the chain has (``zhanggui_stores``), and
``member_reachable`` applies the store scope with them."""
from zhanggui import plugins

from zhanggui_members.profile.models import Member, Store
from zhanggui_members.profile.services import register_member


def _member_store(member_id):
    return plugins().call_first("zhanggui_member_store", member_id=member_id)


def test_zhanggui_member_store_answers_the_home_store_or_nothing(pos_app):
    with pos_app.app_context():
        sh = Store.get(Store.code == "SH01")
        at_home = register_member(name="王芳", phone="13800138000", home_store=sh)
        homeless = register_member(name="李娜", phone="13800138001")
        merged = register_member(name="王芳", phone="13800138002", home_store=sh)
        Member.update(merged_into=at_home).where(Member.id == merged.id).execute()
        assert _member_store(at_home.id) == "SH01"
        assert _member_store(homeless.id) == ""
        assert _member_store(merged.id) is None          # retired into another member
        assert _member_store(987654321) is None


def test_zhanggui_stores_lists_the_chains_stores_by_code(pos_app):
    with pos_app.app_context():
        stores = plugins().collect("zhanggui_stores", key=lambda pair: pair[0])
        assert [code for code, _name in stores] == ["BJ01", "SH01"]
        assert all(name for _code, name in stores)


def test_member_reachable_keeps_store_scoped_users_to_their_stores(pos_app):
    from zhanggui.console.scope import known_stores, member_reachable

    with pos_app.app_context():
        sh = Store.get(Store.code == "SH01")
        member = register_member(name="王芳", phone="13800138000", home_store=sh).id
        homeless = register_member(name="李娜", phone="13800138001").id
        assert member_reachable(member, None) and member_reachable(member, {"SH01"})
        assert not member_reachable(member, {"BJ01"}) and not member_reachable(member, set())
        assert member_reachable(homeless, None) and not member_reachable(homeless, {"SH01"})
        for nobody in (987654321, 0, -1, 2 ** 63, True, "1", None):
            assert not member_reachable(nobody, None)
        assert list(known_stores()) == ["BJ01", "SH01"]
