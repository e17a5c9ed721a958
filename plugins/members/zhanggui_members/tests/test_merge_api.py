"""``POST /api/v1/members/merges``: the call center merges duplicates through the API."""
from __future__ import annotations

import pytest

from zhanggui_members.merging.models import MemberMergeRecord
from zhanggui_members.profile.models import Member, MemberIdentity, Purchase
from zhanggui_members.profile.services import register_member
from zhanggui_members.tests.conftest import PosClient, api_token
from zhanggui_members.tests.helpers import make_purchase, sale_body

URL = "/api/v1/members/merges"


@pytest.fixture
def members(pos_app):
    with pos_app.app_context():
        from zhanggui_members.profile.models import Store

        sh = Store.get(Store.code == "SH01")
        a = register_member(name="王秀英", phone="13800138000", card_no="600001", home_store=sh)
        b = register_member(name="王秀英", phone="13900139000", card_no="700001", home_store=sh)
        MemberIdentity.create(member=a, kind="wechat_openid", value="oOpen1")
        make_purchase(a, sh, pos_id="A-1")
        return a.id, b.id


@pytest.fixture
def agent(pos_app):
    return PosClient(pos_app, api_token(pos_app, "callcenter-1", "Call-center agent", ()))


def _state(app):
    with app.app_context():
        return (sorted(Member.select(Member.id, Member.name, Member.card_no,
                                     Member.merged_into).tuples()),
                sorted(Purchase.select(Purchase.id, Purchase.member).tuples()),
                MemberMergeRecord.select().count())


def test_a_call_center_agent_merges_two_members_and_gets_the_merge_record(pos_app, members,
                                                                          agent):
    a, b = members
    response = agent.post(URL, {"source": a, "target": b})
    assert response.status_code == 201, response.get_data(as_text=True)
    merge = response.get_json()["merge"]
    assert (merge["source"], merge["target"], merge["merged_by"]) == (a, b, "callcenter-1")
    assert merge["moved"]["members_purchase"] == 1
    assert merge["moved"]["members_identity"] == 1
    with pos_app.app_context():
        assert Member.get_by_id(a).merged_into_id == b
        assert Purchase.get(Purchase.pos_id == "A-1").member_id == b


@pytest.mark.parametrize("body, fields", [
    ({}, {"source", "target"}),
    ({"source": 1}, {"target"}),
    ({"source": "abc", "target": 2}, {"source"}),
    ({"source": 999999, "target": 2}, {"source"}),
    ({"source": True, "target": 2}, {"source"}),
    ("same", {"target"}),
])
def test_bad_merge_requests_answer_422_with_field_messages_and_change_nothing(
        pos_app, members, agent, body, fields):
    a, b = members
    if body == "same":
        body = {"source": a, "target": a}
    before = _state(pos_app)
    response = agent.post(URL, body)
    assert response.status_code == 422
    messages = response.get_json()["message"]
    assert set(messages) == fields and all(messages[f] for f in fields)
    assert _state(pos_app) == before


def test_merging_an_already_merged_member_again_answers_422(pos_app, members, agent):
    a, b = members
    assert agent.post(URL, {"source": a, "target": b}).status_code == 201
    before = _state(pos_app)
    again = agent.post(URL, {"source": a, "target": b})
    assert again.status_code == 422 and "source" in again.get_json()["message"]
    assert _state(pos_app) == before


def test_a_body_that_is_not_json_answers_400(pos_app, members, agent):
    response = agent.client.post(URL, data="source=1", headers=agent.headers,
                                 content_type="text/plain")
    assert response.status_code == 400 and "message" in response.get_json()


def test_staff_without_the_merge_permission_are_refused(pos_app, members):
    a, b = members
    staff = PosClient(pos_app, api_token(pos_app, "staff-1", "Store staff"))
    before = _state(pos_app)
    assert staff.post(URL, {"source": a, "target": b}).status_code in (401, 403)
    assert pos_app.test_client().post(URL, json={"source": a, "target": b}) \
        .status_code in (401, 403)
    assert _state(pos_app) == before


def test_after_a_merge_the_till_finds_the_kept_member_by_the_old_phone_or_card(
        pos_app, members, agent, till):
    a, b = members
    agent.post(URL, {"source": a, "target": b})
    with pos_app.app_context():
        count = Member.select().count()
    for n, ref in enumerate([{"phone": "13800138000"}, {"card": "600001"}]):
        body = till.sale(sale_body(f"AFTER-{n}", member=ref)).get_json()
        assert body["member"]["id"] == b and body["member"]["new"] is False
    lookup = till.get("/api/v1/members/lookup?phone=138-0013-8000").get_json()
    assert lookup["member"]["id"] == b
    with pos_app.app_context():
        assert Member.select().count() == count     # no duplicate was created


def test_the_merge_api_is_in_the_openapi_document(pos_app):
    admin = PosClient(pos_app, api_token(pos_app, "admin", "Head-office admin"))
    spec = admin.get("/api/v1/_openapi").get_json()
    assert "/api/v1/members/merges" in spec["paths"]
    assert "/api/v1/members/lookup" in spec["paths"]   # the two share /members


def test_racing_merges_of_one_pair_in_both_directions_let_exactly_one_through(
        pos_app, members, agent):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    a, b = members
    bodies = [{"source": a, "target": b}, {"source": b, "target": a}] * 5
    barrier = threading.Barrier(len(bodies))
    token = agent.headers["Authorization"].split(" ", 1)[1]

    def send(body):
        client = PosClient(pos_app, token)
        barrier.wait()
        return client.post(URL, body).status_code

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        statuses = sorted(pool.map(send, bodies))
    assert statuses == [201] + [422] * (len(bodies) - 1)
    with pos_app.app_context():
        assert MemberMergeRecord.select().count() == 1
        retired = [m for m in Member.select() if m.merged_into_id is not None]
        assert len(retired) == 1 and Purchase.get(Purchase.pos_id == "A-1").member_id \
            == retired[0].merged_into_id


def test_a_sale_racing_a_merge_of_its_member_lands_on_the_kept_member(pos_app, members,
                                                                      till, monkeypatch):
    import threading

    from zhanggui_members.merging import command

    a, b = members
    folding = threading.Event()

    def hold(ctx):
        folding.set()               # the merge holds both members now...
        threading.Event().wait(0.5)  # ...long enough for the till to run into it
        return {}

    monkeypatch.setattr(command, "FOLD_STEPS", command.FOLD_STEPS + [hold])

    def merge():
        with pos_app.app_context():
            command.MergeMembers(a, b).run()

    worker = threading.Thread(target=merge)
    worker.start()
    assert folding.wait(10)
    body = till.sale(sale_body("RACE-1", member={"phone": "13800138000"})).get_json()
    worker.join()
    assert body["member"]["id"] == b
    with pos_app.app_context():
        assert Purchase.get(Purchase.pos_id == "RACE-1").member_id == b
