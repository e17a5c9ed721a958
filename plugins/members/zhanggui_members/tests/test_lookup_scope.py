"""A till or store staff looks up only members of its own stores (as the 360° view
shows them), and every look-up that finds someone is in the audit log."""
from zhanggui.console.audit import AuditEntry
from zhanggui_members.profile.models import Store
from zhanggui_members.profile.services import register_member
from zhanggui_members.tests.conftest import PosClient, api_token

URL = "/api/v1/members/lookup"


def _members(app):
    with app.app_context():
        sh = register_member(name="王秀英", phone="13800138000", card_no="SH-600001",
                             home_store=Store.get(Store.code == "SH01")).id
        bj = register_member(name="张浩然", phone="13900139000", card_no="BJ-600001",
                             home_store=Store.get(Store.code == "BJ01")).id
    return sh, bj


def test_another_stores_member_is_not_found_by_a_store_scoped_caller(pos_app):
    sh, bj = _members(pos_app)
    till = PosClient(pos_app, api_token(pos_app, "till-sh01", "POS terminal", stores=("SH01",)))
    assert till.get(f"{URL}?card=SH-600001").get_json()["member"]["id"] == sh
    for query in ("card=BJ-600001", "phone=13900139000"):
        answer = till.get(f"{URL}?{query}")
        assert answer.status_code == 404 and "member" not in answer.get_json()
    nobody = till.get(f"{URL}?card=NO-SUCH-CARD")
    assert nobody.status_code == 404 and nobody.get_json() == \
        till.get(f"{URL}?card=BJ-600001").get_json()
    agent = PosClient(pos_app, api_token(pos_app, "agent", "Call-center agent", stores=()))
    assert agent.get(f"{URL}?card=BJ-600001").get_json()["member"]["id"] == bj


def test_each_look_up_that_finds_a_member_is_audited(pos_app):
    sh, _bj = _members(pos_app)
    till = PosClient(pos_app, api_token(pos_app, "till-sh01", "POS terminal", stores=("SH01",)))
    with pos_app.app_context():
        start = AuditEntry.select().count()
    assert till.get(f"{URL}?card=SH-600001").status_code == 200
    assert till.get(f"{URL}?card=BJ-600001").status_code == 404
    with pos_app.app_context():
        entries = [(e.action, e.resource, e.record_pk, e.user_name) for e in
                   AuditEntry.select().where(AuditEntry.seq > start)]
    assert entries == [("view", "members_member", str(sh), "till-sh01")]
