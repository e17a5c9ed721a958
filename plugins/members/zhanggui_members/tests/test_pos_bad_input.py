"""Bad input to the POS and look-up API answers 422 with the field named, never a 500,
and records nothing: NUL characters, lone surrogates, lists where text belongs,
times beyond what a clock can show."""
import json

import pytest

from zhanggui_members.profile.models import Purchase, PurchaseLine, Refund
from zhanggui_members.tests.helpers import sale_body


def _count(app, model=Purchase):
    with app.app_context():
        return model.select().count()


def _raw(till, path, body: str):
    """Post ``body`` as it is: a lone surrogate cannot go through ``json=``."""
    return till.client.post(path, data=body.encode("utf-8"), headers={
        **till.headers, "Content-Type": "application/json"})


def _line(**overrides):
    line = dict(sale_body()["lines"][0])
    line.update(overrides)
    body = sale_body(lines=[line, sale_body()["lines"][1]])
    return body


@pytest.mark.parametrize("body, field", [
    (_line(sku="COS\x00011"), ("lines", "0", "sku")),
    (_line(name="修护\x00精华液"), ("lines", "0", "name")),
    (sale_body(id="SH01-\x00-0001"), ("id",)),
    (sale_body(store="SH\x0001"), ("store",)),
    (sale_body(channel=["pos"]), ("channel",)),
    (sale_body(channel={"pos": 1}), ("channel",)),
    (sale_body(occurred_at="0001-01-01T00:00:00+14:00"), ("occurred_at",)),
    (sale_body(occurred_at="9999-12-31T23:59:59-14:00"), ("occurred_at",)),
    (sale_body(occurred_at=["2025-11-11T10:30:00+08:00"]), ("occurred_at",)),
    (sale_body(member={"card": "6000\x0001"}), ("member", "card")),
    (sale_body(member={"identity": {"kind": "app_user", "value": "u\x001"}}),
     ("member", "identity", "value")),
    (sale_body(member={"phone": ["13800138000"]}), ("member", "phone")),
    (_line(sku="S" * 1_000_000), ("lines", "0", "sku")),
    (_line(sku=[[["COS011"]]]), ("lines", "0", "sku")),
])
def test_a_sale_with_a_bad_field_is_422_naming_it_and_nothing_is_recorded(pos_app, till,
                                                                           body, field):
    response = till.sale(body)
    assert response.status_code == 422, response.get_data(as_text=True)
    node = response.get_json()["message"]
    for key in field:
        node = node[key]
    assert node and all(isinstance(text, str) and text for text in node)
    assert _count(pos_app) == 0 and _count(pos_app, PurchaseLine) == 0


def test_a_lone_surrogate_in_a_sale_is_422(pos_app, till):
    text = json.dumps(sale_body(), ensure_ascii=True).replace("COS011", "COS\\ud800011")
    response = _raw(till, "/api/v1/pos/transactions", text)
    assert response.status_code == 422
    assert response.get_json()["message"]["lines"]["0"]["sku"]
    assert _count(pos_app) == 0


def test_a_bad_sale_in_a_batch_is_answered_422_alone(pos_app, till):
    response = till.post("/api/v1/pos/transactions/batch", {"transactions": [
        _line(sku="COS\x00011"), sale_body(pos_id="SH01-20251111-0002", channel=["pos"]),
        sale_body(pos_id="SH01-20251111-0003")]})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == [422, 422, 201]
    assert results[0]["body"]["message"]["lines"]["0"]["sku"]
    assert results[1]["body"]["message"]["channel"]
    assert _count(pos_app) == 1


def test_a_batch_beyond_its_documented_maximum_is_422(pos_app, till):
    response = till.post("/api/v1/pos/transactions/batch",
                         {"transactions": [sale_body()] * 1001})
    assert response.status_code == 422
    assert response.get_json()["message"]["transactions"]
    assert _count(pos_app) == 0


@pytest.mark.parametrize("body, field", [
    ({"id": "R\x001", "amount": "10.00"}, ("id",)),
    ({"id": "R1", "lines": [{"sku": "COS\x00011", "quantity": "1"}]}, ("lines", "0", "sku")),
    ({"id": "R1", "lines": [{"sku": ["COS011"], "quantity": "1"}]}, ("lines", "0", "sku")),
    ({"id": "R1", "amount": [["10.00"]]}, ("amount",)),
])
def test_a_refund_with_a_bad_field_is_422_and_nothing_is_refunded(pos_app, till, body, field):
    assert till.sale(sale_body()).status_code == 201
    response = till.post("/api/v1/pos/transactions/SH01-20251111-0001/refunds", body)
    assert response.status_code == 422, response.get_data(as_text=True)
    node = response.get_json()["message"]
    for key in field:
        node = node[key]
    assert node
    assert _count(pos_app, Refund) == 0


@pytest.mark.parametrize("query", [{"card": "a\x00b"}, {"phone": "138\x0000138000"},
                                   {"card": "6" * 100_000}])
def test_a_lookup_with_a_nul_or_a_huge_number_is_422(till, query):
    response = till.get("/api/v1/members/lookup", query_string=query)
    assert response.status_code == 422
    assert response.get_json()["message"][next(iter(query))]


def test_the_openapi_document_declares_the_bodies_from_the_schemas_that_check_them(pos_app):
    from zhanggui_members.tests.conftest import api_token

    token = api_token(pos_app, "adm", "Head-office admin")
    document = pos_app.test_client().get(
        "/api/v1/_openapi", headers={"Authorization": f"Bearer {token}"}).get_json()
    schemas = document["components"]["schemas"]

    def body(path):
        ref = document["paths"][path]["post"]["requestBody"]["content"][
            "application/json"]["schema"]["$ref"]
        return schemas[ref.rpartition("/")[2]]

    sale = body("/api/v1/pos/transactions")
    assert {"id", "store", "occurred_at", "lines", "total", "payments"} <= set(sale["required"])
    assert sale["properties"]["id"]["maxLength"] == 64
    batch = body("/api/v1/pos/transactions/batch")["properties"]["transactions"]
    assert batch["maxItems"] == 1000 and batch["items"]["$ref"].endswith("PosSaleSchema")
    refund = body("/api/v1/pos/transactions/{pos_id}/refunds")
    assert "lines" in refund["properties"] and "amount" in refund["properties"]
