"""The members plugin answers zhanggui_counter_sales: what each counter sold in a
window, by category, and the refunds recorded in it (whenever the sale was)."""
import datetime as dt
from decimal import Decimal

from zhanggui_members.tests.helpers import sale_body


def test_counter_sales_by_category_with_refunds_in_the_window_they_were_recorded(till):
    assert till.sale(sale_body("T1")).status_code == 201
    body = sale_body("T2", occurred_at="2025-11-30T23:59:00+08:00")
    assert till.sale(body).status_code == 201
    refund = {"id": "R1", "lines": [{"sku": "COS011", "quantity": "1"}]}
    assert till.post("/api/v1/pos/transactions/T1/refunds", refund).status_code == 201
    with till.app.app_context():
        from zhanggui import plugins

        utc = dt.timezone.utc
        november = plugins().call_first(
            "zhanggui_counter_sales", counter_codes=["SH01-COS01", "SH01-XXX99"],
            start=dt.datetime(2025, 10, 31, 16, tzinfo=utc),
            end=dt.datetime(2025, 11, 30, 16, tzinfo=utc))
        assert november == {"SH01-COS01": {"sales": {"化妆品": Decimal("2598.00")},
                                           "refunds": {}}}
        # the refund is recorded now, so it falls in the window around today
        now = dt.datetime.now(utc)
        today = plugins().call_first(
            "zhanggui_counter_sales", counter_codes=["SH01-COS01"],
            start=now - dt.timedelta(hours=1), end=now + dt.timedelta(hours=1))
        assert today == {"SH01-COS01": {"sales": {}, "refunds": {"化妆品": Decimal("1299.00")}}}
        assert plugins().call_first("zhanggui_counter_sales", counter_codes=[],
                                    start=now, end=now) == {}
