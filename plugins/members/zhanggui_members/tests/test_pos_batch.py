"""A till that was offline sends its day in one batch; each sale gets its own answer."""
from zhanggui_members.profile.models import Purchase
from zhanggui_members.tests.helpers import sale_body

URL = "/api/v1/pos/transactions/batch"


def test_one_bad_sale_does_not_sink_the_batch(pos_app, till):
    till.sale(sale_body("T0"))
    bad = sale_body("T2", total="1.00")
    conflict = sale_body("T0", total="88.90", lines=[sale_body()["lines"][1]],
                         payments=[{"method": "cash", "amount": "88.90"}])
    response = till.post(URL, {"transactions": [sale_body("T1"), bad, sale_body("T0"),
                                                conflict, sale_body("T3")]})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [(r["id"], r["status"]) for r in results] == [
        ("T1", 201), ("T2", 422), ("T0", 200), ("T0", 409), ("T3", 201)]
    assert "total" in results[1]["body"]["message"]
    assert results[0]["body"]["total"] == "1387.90"
    with pos_app.app_context():
        assert sorted(p.pos_id for p in Purchase.select()) == ["T0", "T1", "T3"]


def test_a_batch_replayed_whole_records_nothing_twice(pos_app, till):
    batch = [sale_body(f"T{i}") for i in range(20)]
    assert {r["status"] for r in till.post(URL, batch).get_json()["results"]} == {201}
    assert {r["status"] for r in till.post(URL, batch).get_json()["results"]} == {200}
    with pos_app.app_context():
        assert Purchase.select().count() == 20


def test_the_same_new_phone_twice_in_a_batch_makes_one_member(pos_app, till):
    from zhanggui_members.profile.models import Member

    batch = [sale_body("T1", member={"phone": "13912345678"}),
             sale_body("T2", member={"phone": "139-1234-5678"})]
    results = till.post(URL, batch).get_json()["results"]
    assert results[0]["body"]["member"]["id"] == results[1]["body"]["member"]["id"]
    with pos_app.app_context():
        assert Member.select().count() == 1


def test_a_batch_is_at_most_a_thousand_sales(pos_app, till):
    too_many = [{"id": f"T{i}"} for i in range(1001)]
    response = till.post(URL, {"transactions": too_many})
    assert response.status_code == 422 and "transactions" in response.get_json()["message"]
    assert till.post(URL, {"transactions": []}).status_code == 422
    with pos_app.app_context():
        assert Purchase.select().count() == 0
