"""Shared set-up of the suppliers tests: a store, a till, a counter under contract."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from zhanggui import database


def add_store(code="SH01"):
    database.execute_sql(
        "INSERT INTO members_store (code, name, city, region, currency, timezone) "
        + ("VALUES (?, ?, ?, ?, ?, ?)" if database.param == "?" else
           "VALUES (%s, %s, %s, %s, %s, %s)"),
        (code, code, "上海", "华东", "CNY", "Asia/Shanghai"))


def till_client(app, username="pos-sh01", stores=("SH01",)):
    from flask_jwt_extended import create_access_token

    from zhanggui.console.scope import UserStore
    from zhanggui.testing import ADMIN_PASSWORD
    from zhanggui.users import create_user

    user = create_user(username, ADMIN_PASSWORD, role="POS terminal")
    for code in stores:
        UserStore.create(user_id=user.id, store_code=code)
    token = create_access_token(identity=str(user.id))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def sale(pos_id, when, lines):
        body = {"id": pos_id, "store": "SH01", "occurred_at": when.isoformat(),
                "lines": [{"sku": sku, "name": sku, "category": cat, "counter": counter,
                           "quantity": "1", "amount": amount}
                          for sku, cat, counter, amount in lines],
                "total": str(sum(Decimal(a) for *_x, a in lines))}
        body["payments"] = [{"method": "cash", "amount": body["total"]}]
        answer = client.post("/api/v1/pos/transactions", json=body, headers=headers)
        assert answer.status_code == 201, answer.get_data(as_text=True)

    def refund(pos_id, refund_id, sku):
        answer = client.post(f"/api/v1/pos/transactions/{pos_id}/refunds", headers=headers,
                             json={"id": refund_id, "lines": [{"sku": sku, "quantity": "1"}]})
        assert answer.status_code == 201, answer.get_data(as_text=True)

    return sale, refund


def contract_for(counter_code="SH01-COS01", kind="concession", starts_on=dt.date(2025, 1, 1),
                 ends_on=dt.date(2030, 12, 31), tiers=(("", "0", "20"),), guarantee="0",
                 rent="0", fees=(), supplier_code="S001", sign=True):
    """A supplier, its counter and a contract, signed through submit/decide/sign."""
    from zhanggui_suppliers.contracts.models import Contract, ContractFee, DeductionTier
    from zhanggui_suppliers.contracts.service import DecideContract, SignContract, SubmitContract
    from zhanggui_suppliers.counters.models import Counter
    from zhanggui_suppliers.directory.models import Supplier

    supplier = Supplier.get_or_none(Supplier.code == supplier_code) or Supplier.create(
        code=supplier_code, name=f"供应商{supplier_code}", status="negotiating")
    counter = Counter.get_or_none(Counter.code == counter_code) or Counter.create(
        code=counter_code, name=counter_code, store_code=counter_code[:4], category="化妆品",
        supplier=supplier)
    contract = Contract.create(code=f"HT-{counter_code}-{starts_on:%y%m%d}", supplier=supplier,
                               counter=counter, store_code=counter.store_code, kind=kind,
                               starts_on=starts_on, ends_on=ends_on,
                               monthly_guarantee=Decimal(guarantee), monthly_rent=Decimal(rent))
    for category, sales_from, rate in tiers:
        DeductionTier.create(contract=contract, category=category,
                             sales_from=Decimal(sales_from), rate=Decimal(rate))
    for fee_kind, amount, frequency in fees:
        ContractFee.create(contract=contract, kind=fee_kind, amount=Decimal(amount),
                           frequency=frequency)
    if sign:
        SubmitContract(contract.id, user_id=1).run()
        DecideContract(contract.id, True, user_id=2).run()
        SignContract(contract.id, starts_on, user_id=2).run()
    return Contract.get_by_id(contract.id)
