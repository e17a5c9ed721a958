"""The screens and the API: store scope, approval by someone else, 422 field messages,
XLSX/PDF exports, licence scans."""
import datetime as dt
import io

import pytest

from zhanggui.testing import ADMIN_PASSWORD
from zhanggui_suppliers.tests.helpers import contract_for


@pytest.fixture
def mall(make_app):
    app = make_app(plugins=["suppliers"])
    with app.app_context():
        contract_for("SH01-COS01", supplier_code="S001")
        contract_for("BJ01-COS01", supplier_code="S002")
        from zhanggui_suppliers.settlement.service import GenerateStatements

        GenerateStatements(dt.date(2026, 3, 1)).run()
    return app


def _jwt(app, username, role, stores=()):
    from flask_jwt_extended import create_access_token

    from zhanggui.console.scope import UserStore
    from zhanggui.users import create_user

    with app.app_context():
        user = create_user(username, ADMIN_PASSWORD, role=role)
        for code in stores:
            UserStore.create(user_id=user.id, store_code=code)
        return {"Authorization": f"Bearer {create_access_token(identity=str(user.id))}"}


def test_a_store_manager_sees_only_their_stores_statements_and_contracts(mall):
    manager = _jwt(mall, "mgr", "Store manager", stores=("SH01",))
    client = mall.test_client()
    statements = client.get("/api/v1/settlement_statements/", headers=manager).json
    assert [s["counter"]["code"] for s in statements["result"]] == ["SH01-COS01"]
    contracts = client.get("/api/v1/contracts/", headers=manager).json
    assert {c["store_code"] for c in contracts["result"]} == {"SH01"}
    with mall.app_context():
        from zhanggui_suppliers.settlement.models import Statement

        other = Statement.get(Statement.store_code == "BJ01").id
    assert client.get(f"/api/v1/settlement_statements/{other}", headers=manager).status_code == 404
    assert client.get(f"/api/v1/settlement_statements/{other}/export",
                      headers=manager).status_code == 404


def test_the_api_refuses_bad_bodies_with_field_messages(mall):
    buyer = _jwt(mall, "buyer", "Buyer")
    client = mall.test_client()
    answer = client.post("/api/v1/settlement_statements/generate", json={"month": "2026-13x"},
                         headers=buyer)
    assert answer.status_code == 422 and "month" in answer.json["message"]
    answer = client.post("/api/v1/settlement_statements/generate", json={"month": "2026-13"},
                         headers=buyer)
    assert answer.status_code == 422 and "month" in answer.json["message"]
    answer = client.post("/api/v1/suppliers/1/move", json={"to_status": "contracted\x00"},
                         headers=buyer)
    assert answer.status_code == 422 and "to_status" in answer.json["message"]
    answer = client.post("/api/v1/suppliers/1/move", json={"to_status": "prospect"},
                         headers=buyer)
    assert answer.status_code == 422     # a contracted supplier suspends or terminates
    answer = client.post("/api/v1/suppliers/1/move", json={"to_status": "suspended",
                                                           "reason": "x" * 5000},
                         headers=buyer)
    assert answer.status_code == 422 and "reason" in answer.json["message"]
    answer = client.post("/api/v1/contracts/1/sign", json={"signed_on": "not a day"},
                         headers=buyer)
    assert answer.status_code == 422 and "signed_on" in answer.json["message"]
    answer = client.post("/api/v1/settlement_statements/generate", json={"month": "2026-04"},
                         headers=buyer)
    assert answer.status_code == 200 and answer.json["result"] == {"created": 2}
    again = client.post("/api/v1/settlement_statements/generate", json={"month": "2026-04"},
                        headers=buyer)
    assert again.json["result"] == {"created": 0}


def test_statements_export_as_xlsx_and_pdf(mall):
    from openpyxl import load_workbook

    buyer = _jwt(mall, "buyer", "Buyer")
    client = mall.test_client()
    answer = client.get("/api/v1/settlement_statements/1/export", headers=buyer)
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.data))
    values = [c.value for row in book.active.iter_rows() for c in row]
    assert "SH01-COS01 SH01-COS01" in values
    pdf = client.get("/api/v1/settlement_statements/1/export?format=pdf", headers=buyer)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert pdf.headers["X-Content-Type-Options"] == "nosniff"


def test_a_contract_is_approved_in_the_console_by_someone_other_than_its_submitter(
        mall, create_user, login):
    from zhanggui.testing import _csrf_token

    with mall.app_context():
        from zhanggui.users import create_user as make

        make("buyer", ADMIN_PASSWORD, role="Buyer")
        make("boss", ADMIN_PASSWORD, role="Head-office admin")
        contract = contract_for("SH01-COS02", starts_on=dt.date(2031, 1, 1),
                                ends_on=dt.date(2031, 12, 31), sign=False)
    buyer, boss = mall.test_client(), mall.test_client()
    assert login(buyer, "buyer", ADMIN_PASSWORD).status_code == 302
    assert login(boss, "boss", ADMIN_PASSWORD).status_code == 302

    def post(client, action, **data):
        page = client.get(f"/contractview/show/{contract.id}").get_data(as_text=True)
        return client.post(f"/contractview/{action}/{contract.id}",
                           data={"csrf_token": _csrf_token(page), **data},
                           follow_redirects=True)

    post(buyer, "submit")
    assert "can_approve" not in buyer.get(f"/contractview/show/{contract.id}").get_data(
        as_text=True)
    assert post(buyer, "approve").status_code == 403        # a buyer may not approve
    post(boss, "approve", comment="ok")
    page = post(boss, "sign", signed_on="2030-12-20").get_data(as_text=True)
    with mall.app_context():
        from zhanggui_suppliers.contracts.models import Contract

        assert Contract.get_by_id(contract.id).status == "active", page
        assert Contract.get_by_id(contract.id).supplier.status == "contracted"


def test_a_licence_scan_is_checked_stored_under_a_random_name_and_served_as_attachment(
        mall, login):
    from zhanggui.testing import _csrf_token

    with mall.app_context():
        from zhanggui.users import create_user as make
        from zhanggui_suppliers.directory.models import Licence, Supplier

        make("buyer", ADMIN_PASSWORD, role="Buyer")
        licence = Licence.create(supplier=Supplier.get(), kind="food_permit", number="JY1",
                                 expires_on=dt.date(2027, 1, 1))
    client = mall.test_client()
    login(client, "buyer", ADMIN_PASSWORD)
    token = _csrf_token(client.get(f"/licenceview/show/{licence.id}").get_data(as_text=True))

    def upload(content, name):
        return client.post(f"/licenceview/upload/{licence.id}", follow_redirects=True,
                           content_type="multipart/form-data",
                           data={"csrf_token": token, "scan_file": (io.BytesIO(content), name)})

    upload(b"<html><script>alert(1)</script>", "../../evil.pdf")
    with mall.app_context():
        assert Licence.get_by_id(licence.id).scan is None
    upload(b"%PDF-1.4 scan", "../../permit.pdf")
    with mall.app_context():
        stored = Licence.get_by_id(licence.id).scan
    assert stored.endswith(".pdf") and "/" not in stored and "permit" not in stored
    answer = client.get(f"/licenceview/scan/{licence.id}/permit.pdf")
    assert answer.data == b"%PDF-1.4 scan"
    assert answer.headers["Content-Disposition"].startswith("attachment")
