"""Expense claims through the console and the API: field messages, store scope,
receipts served as attachments with nosniff, the accounting export."""
import io

import pytest

from zhanggui.testing import ADMIN_PASSWORD, _csrf_token
from zhanggui_office.expenses.models import ExpenseCategory, ExpenseClaim

from .conftest import workflow


@pytest.fixture
def world(app, create_user, login):
    with app.app_context():
        from zhanggui.console.scope import UserStore

        ids = {name: create_user(name, role).id for name, role in
               (("alice", "Store staff"), ("bob", "Store manager"), ("frank", "Store manager"))}
        UserStore.create(user_id=ids["alice"], store_code="SH01")
        UserStore.create(user_id=ids["bob"], store_code="SH01")
        UserStore.create(user_id=ids["frank"], store_code="BJ01")
        ExpenseCategory.create(code="supplies", name="办公用品", account="6602.01")
        workflow("office.expense", [("any", "role:Store manager")])

    def client_of(name):
        client = app.test_client()
        assert login(client, name, ADMIN_PASSWORD).status_code == 302
        return client

    return app, ids, client_of


def _jwt(app, name):
    response = app.test_client().post("/api/v1/security/login", json={
        "username": name, "password": ADMIN_PASSWORD, "provider": "db"})
    return {"Authorization": f"Bearer {response.json['access_token']}"}


def test_the_api_creates_submits_and_scopes_claims(world):
    app, ids, client_of = world
    api = app.test_client()
    alice = _jwt(app, "alice")
    bad = api.post("/api/v1/expenses/claims", headers=alice, json={
        "store_code": "BJ01", "department": "门店运营", "title": "x",
        "lines": [{"category": "supplies", "description": "pens", "amount": "-1",
                   "spent_on": "2020-01-01"}]})
    assert bad.status_code == 422
    assert set(bad.json["message"]) == {"store_code", "lines[0].amount"}
    missing = api.post("/api/v1/expenses/claims", headers=alice, json={"lines": "x"})
    assert missing.status_code == 422 and {"store_code", "lines"} <= set(missing.json["message"])
    ok = api.post("/api/v1/expenses/claims", headers=alice, json={
        "store_code": "SH01", "department": "门店运营", "title": "Pens",
        "lines": [{"category": "supplies", "description": "pens", "amount": "12.50",
                   "spent_on": "2026-01-05"}]})
    assert ok.status_code == 201 and ok.json["result"]["total"] == "12.50"
    claim_id = ok.json["result"]["id"]
    assert api.get(f"/api/v1/expenses/claims/{claim_id}",
                   headers=_jwt(app, "frank")).status_code == 404
    submitted = api.post(f"/api/v1/expenses/claims/{claim_id}/submit", headers=alice)
    assert submitted.status_code == 200 and submitted.json["result"]["status"] == "submitted"
    again = api.post(f"/api/v1/expenses/claims/{claim_id}/submit", headers=alice)
    assert again.status_code == 422
    decided = api.post("/api/v1/approvals/%d/decision" % _request_id(app, claim_id),
                       headers=_jwt(app, "bob"), json={"verdict": "approve"})
    assert decided.status_code == 201
    with app.app_context():
        assert ExpenseClaim.get_by_id(claim_id).status == "approved"


def _request_id(app, claim_id):
    with app.app_context():
        from zhanggui_office.approvals.models import ApprovalRequest

        reference = ExpenseClaim.get_by_id(claim_id).approval_reference
        return ApprovalRequest.get(ApprovalRequest.reference == reference).id


def test_a_receipt_is_served_as_an_attachment_to_the_claims_store_only(world):
    app, ids, client_of = world
    alice = client_of("alice")
    page = alice.get("/expenseclaimview/new/")
    form = {"csrf_token": _csrf_token(page.get_data(as_text=True)), "store_code": "SH01",
            "department": "门店运营", "title": "Paint", "currency": "CNY",
            "lines-0-category": "supplies", "lines-0-description": "paint",
            "lines-0-amount": "30", "lines-0-spent_on": "2026-01-05"}
    assert alice.post("/expenseclaimview/new/", data=form).status_code == 302
    with app.app_context():
        claim = ExpenseClaim.get()
    token = _csrf_token(alice.get(f"/expenseclaimview/show/{claim.id}").get_data(as_text=True))
    html = b"%PDF-1.4 <html><script>alert(1)</script>"
    alice.post(f"/expenseclaimview/receipt/{claim.id}", content_type="multipart/form-data",
               data={"csrf_token": token, "receipt": (io.BytesIO(html), "a.html")})
    with app.app_context():
        from zhanggui_office.expenses.models import Receipt

        receipt = Receipt.get()
    got = alice.get(f"/expenseclaimview/receipt-file/{receipt.id}")
    assert got.status_code == 200 and got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert got.mimetype == "application/pdf"
    assert client_of("frank").get(f"/expenseclaimview/receipt-file/{receipt.id}") \
        .status_code == 404


def test_the_export_is_a_download_of_the_users_stores(world):
    app, ids, client_of = world
    response = client_of("bob").get("/expenseclaimview/export/?format=csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    bad = client_of("bob").get("/expenseclaimview/export/?period=../../x")
    assert bad.status_code == 302
