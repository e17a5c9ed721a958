"""The same rules through every door: the console, the REST API and the signed e-mail
links (self-approval refused, a step decided once, bad input answered with field
messages and nothing changed)."""
import re

import pytest

from zhanggui.testing import ADMIN_PASSWORD
from zhanggui_office.approvals.models import ApprovalRequest, Decision, UsedLink
from zhanggui_office.approvals.service import OpenRequest

from .conftest import workflow


@pytest.fixture
def doors(app, create_user, login):
    """The full app; bob and carol manage SH01, alice works there, dave is head office."""
    with app.app_context():
        from zhanggui.console.scope import UserStore

        ids = {}
        for name, role in (("alice", "Store staff"), ("bob", "Store manager"),
                           ("carol", "Store manager"), ("dave", "Head-office admin"),
                           ("frank", "Store manager")):
            ids[name] = create_user(name, role, email=f"{name}@example.com").id
        for name in ("alice", "bob", "carol"):
            UserStore.create(user_id=ids[name], store_code="SH01")
        UserStore.create(user_id=ids["frank"], store_code="BJ01")
        workflow("office.expense", [("any", "role:Store manager"),
                                    ("any", "role:Head-office admin")])
        request_id = OpenRequest("office.expense", "Shelf paint", ids["alice"],
                                 {"store": "SH01", "amount": "300.00"}).run().id

    def client_of(name):
        client = app.test_client()
        assert login(client, name, ADMIN_PASSWORD).status_code == 302
        client.get("/lang/en")              # the messages below are read in English
        return client

    return app, ids, request_id, client_of


def _csrf(client, url):
    from zhanggui.testing import _csrf_token

    page = client.get(url)
    assert page.status_code == 200, url
    return _csrf_token(page.get_data(as_text=True))


def _jwt(app, name):
    response = app.test_client().post("/api/v1/security/login", json={
        "username": name, "password": ADMIN_PASSWORD, "provider": "db"})
    return {"Authorization": f"Bearer {response.json['access_token']}"}


def test_an_approver_decides_from_the_console_inbox(doors):
    app, ids, request_id, client_of = doors
    bob = client_of("bob")
    page = bob.get("/office/approvals/inbox/").get_data(as_text=True)
    assert "Shelf paint" in page and "300.00" in page
    token = _csrf(bob, "/office/approvals/inbox/")
    response = bob.post(f"/approvalrequestview/decide/{request_id}",
                        data={"csrf_token": token, "verdict": "approve", "comment": ""})
    assert response.status_code == 302
    again = bob.post(f"/approvalrequestview/decide/{request_id}",
                     data={"csrf_token": token, "verdict": "approve"}, follow_redirects=True)
    assert "You are not an approver of this step." in again.get_data(as_text=True) or \
        "You already decided this step." in again.get_data(as_text=True)
    with app.app_context():
        assert Decision.select().count() == 1
        assert ApprovalRequest.get_by_id(request_id).current_position == 2


def test_the_requester_cannot_approve_in_the_console(doors):
    app, ids, request_id, client_of = doors
    with app.app_context():
        own = OpenRequest("office.expense", "My own claim", ids["bob"],
                          {"store": "SH01", "amount": "5"}).run().id
    bob = client_of("bob")
    token = _csrf(bob, "/office/approvals/inbox/")
    page = bob.post(f"/approvalrequestview/decide/{own}",
                    data={"csrf_token": token, "verdict": "approve"}, follow_redirects=True)
    assert "You cannot decide your own request." in page.get_data(as_text=True)
    with app.app_context():
        assert Decision.select().count() == 0


def test_another_stores_manager_finds_no_such_request(doors):
    app, ids, request_id, client_of = doors
    frank = client_of("frank")
    assert frank.get(f"/approvalrequestview/show/{request_id}").status_code == 404
    token = _csrf(frank, "/office/approvals/inbox/")
    response = frank.post(f"/approvalrequestview/decide/{request_id}",
                          data={"csrf_token": token, "verdict": "approve"})
    assert response.status_code == 404
    assert "Shelf paint" not in frank.get("/approvalrequestview/list/").get_data(as_text=True)


def test_the_api_decides_and_answers_422_with_field_messages(doors):
    app, ids, request_id, client_of = doors
    api = app.test_client()
    bob = _jwt(app, "bob")
    bad = api.post(f"/api/v1/approvals/{request_id}/decision", headers=bob,
                   json={"verdict": "maybe", "comment": "x" * 3000, "slot": "1"})
    assert bad.status_code == 422
    assert set(bad.json["message"]) == {"verdict", "comment", "slot"}
    nul = api.post(f"/api/v1/approvals/{request_id}/decision", headers=bob,
                   json={"verdict": "reject", "comment": "bad\x00"})
    assert nul.status_code == 422 and "comment" in nul.json["message"]
    inbox = api.get("/api/v1/approvals/inbox", headers=bob).json["result"]
    assert [i["request"] for i in inbox] == [request_id]
    ok = api.post(f"/api/v1/approvals/{request_id}/decision", headers=bob,
                  json={"verdict": "approve"})
    assert ok.status_code == 201 and ok.json["result"]["current_step"] == 2
    twice = api.post(f"/api/v1/approvals/{request_id}/decision", headers=bob,
                     json={"verdict": "approve"})
    assert twice.status_code == 422 and "request" in twice.json["message"]
    alice = _jwt(app, "alice")            # the requester, a store staff member
    own = api.post(f"/api/v1/approvals/{request_id}/decision", headers=alice,
                   json={"verdict": "approve"})
    assert own.status_code == 422
    shown = api.get(f"/api/v1/approvals/{request_id}", headers=alice).json["result"]
    assert shown["snapshot"] == {"store": "SH01", "amount": "300.00"}
    assert api.get(f"/api/v1/approvals/{request_id}",
                   headers=_jwt(app, "frank")).status_code == 404
    with app.app_context():
        assert Decision.select().count() == 1


def test_a_delegation_through_the_api_is_checked(doors):
    app, ids, request_id, client_of = doors
    api = app.test_client()
    dave = _jwt(app, "dave")
    bad = api.post("/api/v1/approvals/delegations", headers=dave,
                   json={"delegate": ids["dave"], "starts_at": "2026-01-01T00:00:00",
                         "ends_at": "2025-01-01T00:00:00+00:00"})
    assert bad.status_code == 422 and "starts_at" in bad.json["message"]
    wrong = api.post("/api/v1/approvals/delegations", headers=dave,
                     json={"delegate": ids["dave"], "starts_at": "2026-01-01T00:00:00+08:00",
                           "ends_at": "2025-01-01T00:00:00+00:00"})
    assert wrong.status_code == 422 and {"delegate", "ends_at"} <= set(wrong.json["message"])
    ok = api.post("/api/v1/approvals/delegations", headers=dave,
                  json={"delegate": ids["carol"], "starts_at": "2026-01-01T00:00:00+08:00",
                        "ends_at": "2026-01-05T00:00:00+08:00"})
    assert ok.status_code == 201


def test_a_signed_link_decides_once_and_only_by_post(doors):
    app, ids, request_id, client_of = doors
    with app.test_request_context():
        from zhanggui_office.approvals.links import decision_links

        links = decision_links(ApprovalRequest.get_by_id(request_id), ids["bob"])
    url = links["approve"].replace("http://localhost", "")
    browser = app.test_client()
    page = browser.get(url)
    assert page.status_code == 200 and "Shelf paint" in page.get_data(as_text=True)
    with app.app_context():
        assert Decision.select().count() == 0           # opening the link decides nothing
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    done = browser.post(url, data={"csrf_token": token})
    assert done.status_code == 200
    again = browser.post(url, data={"csrf_token": token})
    assert again.status_code == 422
    forged = browser.get(url[:-3] + "abc")
    assert forged.status_code == 400
    with app.app_context():
        assert Decision.get().channel == "link" and UsedLink.select().count() == 1


def test_an_expired_link_is_refused(doors):
    app, ids, request_id, client_of = doors
    with app.test_request_context():
        from zhanggui_office.approvals.links import LinkError, make_token, read_token

        token = make_token(request_id, ids["bob"], "approve")
        with pytest.raises(LinkError):
            read_token(token, max_age=-1)


def test_a_head_office_user_defines_a_workflow_with_a_readable_condition(doors):
    app, ids, request_id, client_of = doors
    dave = client_of("dave")
    token = _csrf(dave, "/workflowview/add")
    bad = dave.post("/workflowview/add", data={
        "csrf_token": token, "kind": "campaigns.activity", "name": "Big activity",
        "priority": "1", "condition": "budget >= lots", "active": "y"})
    assert "compares with a number" in bad.get_data(as_text=True)
    good = dave.post("/workflowview/add", data={
        "csrf_token": token, "kind": "campaigns.activity", "name": "Big activity",
        "priority": "1", "condition": "budget >= 50000; region in 华东,华南", "active": "y"})
    assert good.status_code == 302
    with app.app_context():
        from zhanggui_office.approvals.models import Workflow

        assert Workflow.select().where(Workflow.kind == "campaigns.activity").count() == 1
