"""Refunds against a recorded sale: linked, idempotent, never more than is left."""
from decimal import Decimal

import pytest

from zhanggui_members.profile.models import Purchase, Refund, RefundLine
from zhanggui_members.tests.helpers import sale_body

URL = "/api/v1/pos/transactions/SH01-20251111-0001/refunds"


@pytest.fixture
def sold(pos_app, till):
    assert till.sale(sale_body()).status_code == 201
    return till


def _refunded(app):
    with app.app_context():
        return Purchase.get().refunded_amount


def test_a_line_refund_gives_back_that_lines_price(pos_app, sold):
    response = sold.post(URL, {"id": "R1", "lines": [{"sku": "COS011", "quantity": "1"}]})
    assert response.status_code == 201
    body = response.get_json()
    assert body["amount"] == "1299.00" and body["transaction"] == "SH01-20251111-0001"
    assert body["lines"] == [{"sku": "COS011", "quantity": "1.000", "amount": "1299.00"}]
    assert body["refundable"] == "88.90"
    assert _refunded(pos_app) == Decimal("1299.00")
    with pos_app.app_context():
        assert Refund.get().purchase.pos_id == "SH01-20251111-0001"
        assert RefundLine.get().purchase_line.sku == "COS011"


def test_part_of_a_weighed_line_is_refunded_pro_rata_and_the_rest_adds_up(pos_app, sold):
    first = sold.post(URL, {"id": "R1", "lines": [{"sku": "FRS041", "quantity": "0.1"}]})
    assert first.get_json()["amount"] == "25.04"          # 88.90 × 0.1 / 0.355
    rest = sold.post(URL, {"id": "R2", "lines": [{"sku": "FRS041", "quantity": "0.255"}]})
    assert rest.get_json()["amount"] == "63.86"           # the cents add up to 88.90
    more = sold.post(URL, {"id": "R3", "lines": [{"sku": "FRS041", "quantity": "0.001"}]})
    assert more.status_code == 422 and "lines" in more.get_json()["message"]


def test_an_amount_refund_and_its_replay(pos_app, sold):
    first = sold.post(URL, {"id": "R1", "amount": "100.00"})
    assert first.status_code == 201
    again = sold.post(URL, {"id": "R1", "amount": "100"})
    assert again.status_code == 200 and again.get_data() == first.get_data()
    assert _refunded(pos_app) == Decimal("100.00")


def test_a_refund_id_reused_with_another_body_is_refused(pos_app, sold):
    sold.post(URL, {"id": "R1", "amount": "100.00"})
    assert sold.post(URL, {"id": "R1", "amount": "200.00"}).status_code == 409
    assert _refunded(pos_app) == Decimal("100.00")


def test_a_refund_never_exceeds_what_is_left(pos_app, sold):
    assert sold.post(URL, {"id": "R1", "amount": "1300.00"}).status_code == 201
    response = sold.post(URL, {"id": "R2", "amount": "87.91"})
    assert response.status_code == 422
    assert "87.90" in response.get_json()["message"]["amount"][0]
    assert sold.post(URL, {"id": "R3", "amount": "87.90"}).status_code == 201
    assert _refunded(pos_app) == Decimal("1387.90")


@pytest.mark.parametrize("body, field", [
    ({"id": "R1"}, "_schema"),
    ({"id": "R1", "amount": "10", "lines": [{"sku": "COS011", "quantity": "1"}]}, "_schema"),
    ({"id": "R1", "amount": "-5"}, "amount"),
    ({"id": "R1", "lines": [{"sku": "NOPE", "quantity": "1"}]}, "lines"),
    ({"id": "R1", "lines": [{"sku": "COS011", "quantity": "2"}]}, "lines"),
    ({"amount": "10"}, "id"),
])
def test_a_bad_refund_is_refused_and_changes_nothing(pos_app, sold, body, field):
    response = sold.post(URL, body)
    assert response.status_code == 422 and field in response.get_json()["message"]
    assert _refunded(pos_app) == Decimal("0.00")


def test_a_refund_of_an_unknown_sale_is_404(sold):
    response = sold.post("/api/v1/pos/transactions/NOPE/refunds", {"id": "R1", "amount": "1"})
    assert response.status_code == 404


def test_a_refund_needs_the_refund_permission(pos_app, sold):
    from zhanggui_members.tests.conftest import PosClient, api_token

    clerk = PosClient(pos_app, api_token(pos_app, "clerk", "Store staff"))
    assert clerk.post(URL, {"id": "R1", "amount": "1"}).status_code == 403
