"""Tills racing each other: fifty posts at once still leave one sale (SQLite and PostgreSQL).

Each thread has its own test client, so each request has its own database
connection and its own transaction, as with several gunicorn workers.
"""
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from zhanggui_members.profile.models import Member, Purchase, PurchaseLine, Refund
from zhanggui_members.tests.conftest import PosClient
from zhanggui_members.tests.helpers import sale_body

THREADS = 50


def _race(app, till, requests):
    """Send ``[(path, body)]`` all at once, one thread each; return the responses."""
    barrier = threading.Barrier(len(requests))

    def send(request):
        path, body = request
        client = PosClient(app, till.headers["Authorization"].split(" ", 1)[1])
        barrier.wait()
        response = client.post(path, body)
        return response.status_code, response.get_data()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


def test_fifty_concurrent_posts_of_one_sale_leave_exactly_one_purchase(pos_app, till):
    body = sale_body(member={"phone": "13912345678"})
    results = _race(pos_app, till, [("/api/v1/pos/transactions", body)] * THREADS)
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * (THREADS - 1) + [201]
    assert len({data for _, data in results}) == 1         # every till got the same answer
    with pos_app.app_context():
        assert Purchase.select().count() == 1
        assert PurchaseLine.select().count() == 2
        assert Member.select().count() == 1


def test_concurrent_sales_of_one_new_phone_make_one_member(pos_app, till):
    requests = [("/api/v1/pos/transactions",
                 sale_body(f"T{i}", member={"phone": "13912345678"})) for i in range(20)]
    results = _race(pos_app, till, requests)
    assert sorted({status for status, _ in results}) == [201]
    with pos_app.app_context():
        assert Purchase.select().count() == 20 and Member.select().count() == 1


def test_concurrent_refunds_never_give_back_more_than_was_paid(pos_app, till):
    till.sale(sale_body())                                    # 1,387.90
    url = "/api/v1/pos/transactions/SH01-20251111-0001/refunds"
    requests = [(url, {"id": f"R{i}", "amount": "300.00"}) for i in range(20)]
    results = _race(pos_app, till, requests)
    assert sorted(status for status, _ in results) == [201] * 4 + [422] * 16
    with pos_app.app_context():
        assert Purchase.get().refunded_amount == Decimal("1200.00")
        assert Refund.select().count() == 4


def test_concurrent_line_refunds_never_give_back_more_than_was_sold(pos_app, till):
    till.sale(sale_body())
    url = "/api/v1/pos/transactions/SH01-20251111-0001/refunds"
    requests = [(url, {"id": f"R{i}", "lines": [{"sku": "COS011", "quantity": "1"}]})
                for i in range(10)]
    results = _race(pos_app, till, requests)
    assert sorted(status for status, _ in results) == [201] + [422] * 9
    with pos_app.app_context():
        assert Purchase.get().refunded_amount == Decimal("1299.00")
