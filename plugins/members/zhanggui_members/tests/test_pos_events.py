"""Other plugins act on a sale inside its transaction, and add to the till's answer."""
import pytest

from zhanggui_members.profile.models import Member, Purchase, Refund
from zhanggui_members.tests.conftest import PosClient, api_token
from zhanggui_members.tests.helpers import make_store, sale_body


def _app_with(make_app, make_plugin, **hooks):
    plugin = make_plugin("listener", requires=("members",), **hooks)
    app = make_app(plugins=["members"], extra_plugins=[plugin])
    with app.app_context():
        make_store("SH01")
    return app, PosClient(app, api_token(app, "pos", "POS terminal"))


def test_a_listener_sees_the_purchase_with_its_lines_and_adds_to_the_answer(make_app,
                                                                            make_plugin):
    seen = []

    def recorded(purchase):
        seen.append(purchase)
        # inside the transaction: the purchase is already readable
        assert Purchase.get_by_id(purchase.purchase_id).pos_id == purchase.pos_id

    def answer(transaction):
        return {"loyalty": {"earned": int(transaction.total), "balance": 1387}}

    app, till = _app_with(make_app, make_plugin, zhanggui_purchase_recorded=recorded,
                          zhanggui_pos_response=answer)
    first = till.sale(sale_body(member={"phone": "13800138000"}))
    assert first.status_code == 201
    assert first.get_json()["loyalty"] == {"earned": 1387, "balance": 1387}
    event = seen[0]
    assert event.store_code == "SH01" and event.currency == "CNY"
    assert [ln.sku for ln in event.lines] == ["COS011", "FRS041"]
    assert event.member_id == first.get_json()["member"]["id"]
    replay = till.sale(sale_body(member={"phone": "13800138000"}))
    assert replay.get_data() == first.get_data() and len(seen) == 1  # announced once


def test_a_listener_that_raises_rolls_the_whole_sale_back(make_app, make_plugin):
    broken = {"on": True}

    def recorded(purchase):
        if broken["on"]:
            raise RuntimeError("loyalty is down")

    app, till = _app_with(make_app, make_plugin, zhanggui_purchase_recorded=recorded)
    response = till.client.post("/api/v1/pos/transactions",
                                json=sale_body(member={"phone": "13800138000"}),
                                headers={**till.headers, "Accept-Language": "en"})
    assert response.status_code == 500
    assert "nothing of it was stored" in response.get_json()["message"]
    with app.app_context():
        assert Purchase.select().count() == 0 and Member.select().count() == 0
    broken["on"] = False
    assert till.sale(sale_body(member={"phone": "13800138000"})).status_code == 201


def test_a_refund_is_announced_once_with_what_it_gives_back(make_app, make_plugin):
    refunds = []
    app, till = _app_with(make_app, make_plugin,
                          zhanggui_purchase_refunded=lambda refund: refunds.append(refund))
    till.sale(sale_body())
    url = "/api/v1/pos/transactions/SH01-20251111-0001/refunds"
    body = {"id": "R1", "lines": [{"sku": "COS011", "quantity": "1"}]}
    assert till.post(url, body).status_code == 201
    assert till.post(url, body).status_code == 200
    assert len(refunds) == 1
    refund = refunds[0]
    assert refund.pos_id == "SH01-20251111-0001" and str(refund.amount) == "1299.00"
    assert len(refund.lines) == 1 and 0 < refund.fraction < 1


def test_a_refund_listener_that_raises_leaves_the_sale_refundable(make_app, make_plugin):
    def refunded(refund):
        raise RuntimeError("cannot reverse points")

    app, till = _app_with(make_app, make_plugin, zhanggui_purchase_refunded=refunded)
    till.sale(sale_body())
    url = "/api/v1/pos/transactions/SH01-20251111-0001/refunds"
    assert till.post(url, {"id": "R1", "amount": "10"}).status_code == 500
    with app.app_context():
        assert Refund.select().count() == 0
        assert str(Purchase.get().refunded_amount) == "0.00"


def test_two_plugins_cannot_both_answer_the_same_key(make_app, make_plugin):
    from zhanggui import PluginError

    app, till = _app_with(make_app, make_plugin,
                          zhanggui_pos_response=lambda transaction: {"total": "0"})
    with app.app_context(), pytest.raises(PluginError):
        from zhanggui_members.pos.purchases import record_sale

        record_sale(sale_body())
    with app.app_context():
        assert Purchase.select().count() == 0


def test_a_listener_failing_on_one_sale_of_a_batch_sinks_that_sale_only(make_app, make_plugin):
    def recorded(purchase):
        if purchase.pos_id == "T2":
            raise RuntimeError("loyalty is down")

    app, till = _app_with(make_app, make_plugin, zhanggui_purchase_recorded=recorded)
    batch = [sale_body(f"T{i}", member={"phone": "13800138000"}) for i in range(1, 4)]
    results = till.post("/api/v1/pos/transactions/batch", batch).get_json()["results"]
    assert [(r["id"], r["status"]) for r in results] == [("T1", 201), ("T2", 500), ("T3", 201)]
    with app.app_context():
        assert sorted(p.pos_id for p in Purchase.select()) == ["T1", "T3"]
        assert Member.select().count() == 1
